"""Events: the transition table and its moves.

Every status move goes through ``EVENT_FLOW`` (the core's workflow kit): the table below is the
whole state machine, each move names the columns it may write, and the row moves with a
compare-and-set on status and version, so a move and a clock write (escalation, reminder) never
overwrite each other.
"""

from collections.abc import Sequence
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.exceptions import InvalidTransition
from governance.messages import key_and_params, message
from governance.models import Department, User
from governance.outbox import notification_enqueue
from governance.workflow import Workflow
from grids.models import Event, EventCategory, EventPhoto, TimelineEntry
from grids.services.deadlines import clock_fields
from grids.services.dispatch import dispatch_department_for
from grids.services.notify import department_handlers, event_notify_move, event_notify_taken_away
from grids.services.photos import photo_clean

S = Event.Status

CLOCK = ("window_started_at", "respond_by", "due_at", "remind_at", "reminded_at")
RATING = ("rating", "rating_comment", "rated_via")
RESPONDED = ("responded_at", "first_responded_at")
WITHDRAW = ("withdraw_reason", "closed_at")
# A handler's return (退回) or a staff re-dispatch (改派) rewrites who holds the event.
REASSIGN = ("department", "resolve_by")


def timeline_add(
    *,
    event: Event,
    kind: str,
    actor: User | None = None,
    from_status: str = "",
    to_status: str = "",
    level: int | None = None,
    note: str = "",
) -> TimelineEntry:
    """``note`` made with ``governance.messages.message`` is stored with its key, so the timeline shows
    it in the reader's language; a person's own words are stored as written."""
    note_key, note_params = key_and_params(note)
    return TimelineEntry.objects.create(
        event=event,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        level=level,
        note=note,
        note_key=note_key,
        note_params=note_params,
    )


def _record_move(*, obj: Event, frm: str, to: str, actor: User | None, note: str) -> TimelineEntry:
    """Every move: one append-only timeline entry and the notices to whoever acts next."""
    entry = timeline_add(
        event=obj, kind=TimelineEntry.Kind.TRANSITION, actor=actor, from_status=frm, to_status=to, note=note
    )
    event_notify_move(event=obj, entry=entry, actor=actor)
    return entry


# from → {to: the columns that move may write, besides status, version and the timestamps}
EVENT_FLOW = Workflow(
    model=Event,
    moves={
        S.REPORTED: {
            S.ACCEPTED: {"category", *CLOCK},
            S.REJECTED: {"reject_reason", "closed_at", *RESPONDED},
            S.WITHDRAWN: {*WITHDRAW},
        },
        S.ACCEPTED: {S.DISPATCHED: {*REASSIGN}, S.WITHDRAWN: {*WITHDRAW}},
        S.DISPATCHED: {
            S.IN_PROGRESS: {*RESPONDED},
            S.ACCEPTED: {*REASSIGN},  # return (退回): sent to the wrong unit, back to staff
            S.DISPATCHED: {*REASSIGN},  # re-dispatch (改派) by staff before work starts
            S.WITHDRAWN: {*WITHDRAW},
        },
        S.IN_PROGRESS: {S.RESOLVED: {"resolution", "resolved_at"}, S.WITHDRAWN: {*WITHDRAW}},
        S.RESOLVED: {
            S.CLOSED: {*RATING, "closed_at"},
            # A new response window with its own ladder: level back to the grid, responded_at
            # cleared so the escalation clock runs again; first_responded_at is kept.
            S.REOPENED: {*RATING, "responded_at", "resolved_at", "level", *CLOCK},
        },
        S.REOPENED: {
            S.IN_PROGRESS: {*RESPONDED},
            S.ACCEPTED: {*REASSIGN},  # return (退回) of a reopened event
            S.WITHDRAWN: {*WITHDRAW},
        },
        S.REJECTED: {},
        S.CLOSED: {},
        S.WITHDRAWN: {},
    },
    record=_record_move,
    labels=dict(S.choices),
    noun=gettext_lazy("事件"),
    stale_detail=gettext_lazy("该事件刚被其他人处理过，请刷新后查看最新状态。"),
)
EVENT_TRANSITIONS: dict[str, frozenset[str]] = EVENT_FLOW.table()

# --- Transitions ----------------------------------------------------------------------------


def event_transition(*, event: Event, to: str, actor: User | None, note: str = "", changes=None) -> Event:
    """Move ``event`` to ``to`` through ``EVENT_FLOW`` (409 ``invalid_transition`` when the table
    has no such move, 409 ``stale_state`` when someone else moved it first)."""
    return EVENT_FLOW.transition(event, to=to, actor=actor, note=note, changes=changes)


def _require(event: Event, statuses: frozenset[str], to: str) -> None:
    """Some targets are reached by more than one move (accepted: accept, or a return; dispatched:
    dispatch, or a re-dispatch): each service also names the statuses it starts from."""
    if event.status not in statuses:
        EVENT_FLOW.check(frm=event.status, to=to)  # the table's own words when it has no such move
        raise InvalidTransition(
            frm=event.status,
            to=to,
            detail=_("事件当前为“%(frm)s”，不能执行此操作。") % {"frm": event.get_status_display()},
        )


def _responded(event: Event) -> dict:
    """The response clock stops at the response (work started, or rejected); the first response
    of all is kept in ``first_responded_at`` across a reopen."""
    if event.responded_at is not None:
        return {}
    now = timezone.now()
    return {"responded_at": now, **({} if event.first_responded_at else {"first_responded_at": now})}


def event_accept(*, event: Event, actor: User, note: str = "", category: EventCategory | None = None) -> Event:
    _require(event, frozenset({S.REPORTED}), S.ACCEPTED)
    chosen = category or event.category
    if chosen is None:
        raise ValidationError({"category": _("受理前请先选择事件类别。")})

    def changes(row: Event) -> dict:
        # Read from the row being moved: a clock write since the page was drawn is not undone.
        if chosen.pk == row.category_id:
            return {}
        return {"category": chosen, **clock_fields(category=chosen, start=row.window_started_at)}

    return event_transition(event=event, to=S.ACCEPTED, actor=actor, note=note, changes=changes)


def event_reject(*, event: Event, actor: User, reason: str) -> Event:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写不予受理的原因。")})
    return event_transition(
        event=event,
        to=S.REJECTED,
        actor=actor,
        note=reason,
        changes=lambda row: {"reject_reason": reason[:300], "closed_at": timezone.now(), **_responded(row)},
    )


def event_dispatch(*, event: Event, actor: User | None, department: Department | None = None, note: str = "") -> Event:
    """Send the event to a department: the one given (a person's override) or the rules' choice."""
    _require(event, frozenset({S.ACCEPTED}), S.DISPATCHED)
    if event.category is None:
        raise ValidationError({"category": _("派单前请先选择事件类别。")})
    chosen = department or dispatch_department_for(category=event.category, area=event.grid.area)
    if chosen is None:
        raise ValidationError({"department": _("没有匹配的派单规则，请手动选择处置单位。")})
    if not chosen.is_active:
        raise ValidationError({"department": _("该处置单位已停用。")})
    resolve_by = timezone.now() + timedelta(minutes=event.category.resolution_minutes)
    how = gettext_lazy("人工指定") if department else gettext_lazy("按派单规则")
    return event_transition(
        event=event,
        to=S.DISPATCHED,
        actor=actor,
        note=note or message("grids.note.dispatched", dept=chosen.localized_names(), how=how),
        changes={"department": chosen, "resolve_by": resolve_by},
    )


def event_start(*, event: Event, actor: User, note: str = "") -> Event:
    return event_transition(event=event, to=S.IN_PROGRESS, actor=actor, note=note, changes=_responded)


@transaction.atomic
def event_resolve(*, event: Event, actor: User, resolution: str, photos: Sequence[UploadedFile] = ()) -> Event:
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": _("请填写处置结果。")})
    cleaned = [photo_clean(p) for p in photos]
    event = event_transition(
        event=event,
        to=S.RESOLVED,
        actor=actor,
        note=resolution,
        changes={"resolution": resolution, "resolved_at": timezone.now()},
    )
    for content in cleaned:
        EventPhoto.objects.create(event=event, image=content, kind=EventPhoto.Kind.RESOLUTION, uploaded_by=actor)
    return event


def event_close(*, event: Event, actor: User | None, note: str = "") -> Event:
    return event_transition(event=event, to=S.CLOSED, actor=actor, note=note, changes={"closed_at": timezone.now()})


# --- Return, re-dispatch, urge, withdraw ------------------------------------------------------


def _reason(reason: str, field: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: message})
    return reason


def event_return(*, event: Event, actor: User, reason: str) -> Event:
    """A handler sends back an event dispatched to the wrong unit (退回): back to accepted, no
    department, for staff to dispatch again. The response clock keeps running."""
    _require(event, frozenset({S.DISPATCHED, S.REOPENED}), S.ACCEPTED)
    reason = _reason(reason, "reason", _("请填写退回原因，例如“不属于本单位职责”。"))
    department = event.department.localized_names() if event.department_id else ""
    return event_transition(
        event=event,
        to=S.ACCEPTED,
        actor=actor,
        note=message("grids.note.returned", dept=department, reason=reason),
        changes={"department": None, "resolve_by": None},
    )


@transaction.atomic
def event_redispatch(*, event: Event, actor: User, department: Department, reason: str) -> Event:
    """Staff send a dispatched event, not yet started, to another unit (改派), with the reason.
    The new unit is told to act (the move's notice); the unit it was taken from is told to stop."""
    _require(event, frozenset({S.DISPATCHED}), S.DISPATCHED)
    reason = _reason(reason, "reason", _("请填写改派原因。"))
    if department is None:
        raise ValidationError({"department": _("请选择改派的处置单位。")})
    if not department.is_active:
        raise ValidationError({"department": _("该处置单位已停用。")})
    if department.pk == event.department_id:
        raise ValidationError({"department": _("改派的处置单位与当前单位相同。")})
    before = event.department.localized_names() if event.department_id else ""
    resolve_by = timezone.now() + timedelta(minutes=event.category.resolution_minutes) if event.category else None
    taken_from: list[Department] = []

    def changes(row: Event) -> dict:
        # Read from the row being moved (re-read if its version moved): the unit it really leaves.
        taken_from[:] = [row.department] if row.department_id else []
        return {"department": department, "resolve_by": resolve_by}

    event = event_transition(
        event=event,
        to=S.DISPATCHED,
        actor=actor,
        note=message("grids.note.redispatched", before=before, after=department.localized_names(), reason=reason),
        changes=changes,
    )
    for unit in taken_from:
        event_notify_taken_away(event=event, taken_from=unit, actor=actor)
    return event


URGE_STATUSES = frozenset({S.DISPATCHED, S.IN_PROGRESS, S.REOPENED})


@transaction.atomic
def event_urge(*, event: Event, actor: User, note: str = "") -> TimelineEntry:
    """Staff urge (催办) the unit holding the event: a timeline entry and a notice to its handlers,
    no status change."""
    if event.status not in URGE_STATUSES or not event.department_id:
        raise InvalidTransition(frm=event.status, to="urged", detail=_("只有已派单、处置中或重新打开的事件可以催办。"))
    note = (note or "").strip()[:300]
    entry = timeline_add(
        event=event,
        kind=TimelineEntry.Kind.URGE,
        actor=actor,
        note=message("grids.note.urged_with_note", dept=event.department.localized_names(), note=note)
        if note
        else message("grids.note.urged", dept=event.department.localized_names()),
    )
    recipients = [u for u in department_handlers(departments=[event.department]) if u.pk != actor.pk]
    notification_enqueue(
        recipients=recipients,
        key=f"event:{event.pk}:urge:{entry.pk}",
        title=message("grids.event.urged", code=event.code),
        body=note or event.description[:200],
        url=reverse("grids:event_detail", args=[event.pk]),
        email=True,
    )
    return entry


def event_withdraw(*, event: Event, actor: User, reason: str) -> Event:
    """Staff withdraw (撤销) an event reported in error (a duplicate, a mistake): its own final
    status, so it counts neither as done nor against a unit in the efficiency index."""
    reason = _reason(reason, "reason", _("请填写撤销原因。"))
    return event_transition(
        event=event,
        to=S.WITHDRAWN,
        actor=actor,
        note=reason,
        changes={"withdraw_reason": reason[:300], "closed_at": timezone.now()},
    )
