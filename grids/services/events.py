"""Events: report, the transition table and its moves, rating, the reporter's contact.

Every status move goes through ``EVENT_FLOW`` (the core's workflow kit): the table below is the
whole state machine, each move names the columns it may write, and the row moves with a
compare-and-set on status and version, so a move and a clock write (escalation, reminder) never
overwrite each other.
"""

import hashlib
import secrets
import string
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.exceptions import DomainError, InvalidTransition
from governance.messages import key_and_params, message
from governance.models import AuditEntry, Department, User
from governance.outbox import notification_enqueue, notification_enqueue_sms
from governance.services import audit_record
from governance.workcalendar import WorkingCalendar, working_calendar
from governance.workflow import Workflow
from grids.models import Event, EventCategory, EventPhoto, Grid, Patrol, SensorDevice, TimelineEntry
from grids.selectors import grid_for_point, is_overdue
from grids.services.dispatch import category_suggest, dispatch_department_for
from grids.services.notify import department_handlers, event_notify_move, event_notify_taken_away
from grids.services.photos import photo_clean
from grids.services.workclock import add_working_minutes

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

DEFAULT_RESPONSE = timedelta(hours=24)
REMIND_AT_FRACTION = 0.8
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class OutsideEveryGrid(DomainError):
    code = "outside_grid"


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def is_working_clock(category: EventCategory | None) -> bool:
    return category is not None and category.response_clock == EventCategory.ResponseClock.WORKING


def response_window(category: EventCategory | None) -> timedelta:
    """The nominal window: calendar time, or working time for a working-hours category."""
    return timedelta(minutes=category.response_minutes) if category else DEFAULT_RESPONSE


def deadline_after(
    *,
    category: EventCategory | None,
    start: datetime,
    fraction: float = 1.0,
    calendar: WorkingCalendar | None = None,
) -> datetime:
    """``start`` plus ``fraction`` of the category's window, counted in calendar time or, for a
    working-hours category, in working time on the public-holiday and 调休 calendar."""
    window = response_window(category)
    if is_working_clock(category):
        return add_working_minutes(start, window.total_seconds() / 60 * fraction, calendar)
    return start + window * fraction


def clock_fields(*, category: EventCategory | None, start: datetime) -> dict:
    """Deadline columns for a response window starting at ``start`` (``due_at``: the deadline of
    the window itself, which escalation never moves)."""
    calendar = working_calendar() if is_working_clock(category) else None  # read once for both
    respond_by = deadline_after(category=category, start=start, calendar=calendar)
    return {
        "window_started_at": start,
        "respond_by": respond_by,
        "due_at": respond_by,
        "remind_at": deadline_after(category=category, start=start, fraction=REMIND_AT_FRACTION, calendar=calendar),
        "reminded_at": None,
    }


def escalation_clock_fields(*, category: EventCategory | None, start: datetime) -> dict:
    """The next level's window: a new ``respond_by`` and reminder, the original ``due_at`` kept."""
    fields = clock_fields(category=category, start=start)
    del fields["due_at"]
    return fields


def time_left_state(*, event: Event, now: datetime | None = None) -> str:
    """``normal`` / ``due_soon`` (past 80 % of the window) / ``overdue`` (``selectors.overdue_q``
    for one row: past the window's ``due_at``, unanswered), for open events."""
    now = now or timezone.now()
    if not event.is_open or event.responded_at is not None:
        return "normal"
    if is_overdue(event, now=now):
        return "overdue"
    if event.remind_at and now >= event.remind_at:
        return "due_soon"
    return "normal"


# --- Report ---------------------------------------------------------------------------------


def _locate(*, lon: float | None, lat: float | None) -> Grid:
    if lon is None or lat is None:
        raise ValidationError({"location": _("请提供事件位置（经纬度）。")})
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationError({"location": _("坐标超出范围（经度 -180～180，纬度 -90～90）。")})
    grid = grid_for_point(lon=lon, lat=lat)
    if grid is None:
        raise OutsideEveryGrid(
            _("该位置不在任何网格内，请确认位置后重新上报。"), fields={"location": [_("该位置不在任何网格内。")]}
        )
    return grid


@transaction.atomic
def event_report(
    *,
    reporter: User | None,
    description: str,
    lon: float | None,
    lat: float | None,
    source: str,
    category: EventCategory | None = None,
    address: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_email: str = "",
    patrol: Patrol | None = None,
    sensor: SensorDevice | None = None,
    sensor_fault: str = "",
    photos: Sequence[UploadedFile] = (),
) -> Event:
    """Record a new event in the grid that holds its point, start its clock and tell staff.

    Everything is checked before anything is written: location, category, photos.
    """
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("请描述发生了什么。")})
    if category is not None and not category.is_active:
        raise ValidationError({"category": _("该事件类别已停用。")})
    grid = _locate(lon=lon, lat=lat)
    cleaned = [photo_clean(p) for p in photos]
    if patrol is not None and patrol.status != Patrol.Status.ACTIVE:
        raise ValidationError({"patrol": _("该巡查已结束，不能再添加发现。")})
    now = timezone.now()
    event = Event(
        code=_new_code(),
        category=category,
        description=description,
        address=address[:200],
        lon=lon,
        lat=lat,
        grid=grid,
        source=source,
        patrol=patrol,
        sensor=sensor,
        sensor_fault=sensor_fault,
        reporter=reporter if reporter is not None and reporter.is_authenticated else None,
        reporter_name=reporter_name
        or (reporter.display_name if reporter is not None and reporter.is_authenticated else ""),
        reporter_phone=reporter_phone,
        reporter_email=reporter_email,
        suggested_category=None if category else category_suggest(text=description),
        status=S.REPORTED,
        status_changed_at=now,
        **clock_fields(category=category, start=now),
    )
    # Field values only: the related objects are in hand and were checked above, and the
    # constraints are the database's (a tracking-code clash among 31^10 codes is negligible).
    event.clean_fields(
        exclude=["code", "category", "suggested_category", "grid", "patrol", "sensor", "reporter", "department"]
    )
    event.save(force_insert=True)
    for content in cleaned:
        EventPhoto.objects.create(event=event, image=content, kind=EventPhoto.Kind.REPORT, uploaded_by=event.reporter)
    entry = timeline_add(
        event=event,
        kind=TimelineEntry.Kind.TRANSITION,
        actor=event.reporter,
        to_status=S.REPORTED,
        note=message("grids.note.source", source=Event.Source(event.source).label),
    )
    event_notify_move(event=event, entry=entry, actor=event.reporter)
    if source in RATED_BY_LINK_SOURCES:
        # The caller has no account here: their secret rating link goes to them by SMS (and is
        # kept on the instance for the page to show once to the staff member registering it).
        event.rating_secret = (
            rating_link_send(event=event, phone=reporter_phone) if reporter_phone else rating_link_issue(event=event)
        )
    return event


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


# --- Rating ---------------------------------------------------------------------------------
# Rating belongs to the reporter: signed in (policy "rate"), or holding the secret rating link
# made for them at report time. Staff record a return-visit (回访) rating as its own action.

# Reports whose reporter rates through a secret link: a 12345 caller, an Open311 client's user.
RATED_BY_LINK_SOURCES = frozenset({Event.Source.HOTLINE, Event.Source.OPEN311})
RATING_SECRET_ALPHABET = string.ascii_letters  # letters only: no digit run a mask could touch
RATING_SECRET_LENGTH = 24


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def rating_link_issue(*, event: Event) -> str:
    """Make (or remake) the secret rating link of ``event``; returns the secret, shown once."""
    secret = "".join(secrets.choice(RATING_SECRET_ALPHABET) for _ in range(RATING_SECRET_LENGTH))
    Event.objects.filter(pk=event.pk).update(rate_secret_hash=_secret_hash(secret))
    event.rate_secret_hash = _secret_hash(secret)
    return secret


def rating_link_url(secret: str) -> str:
    return reverse("grids:rate_by_link", args=[secret])


def event_for_rating_secret(*, secret: str) -> Event | None:
    if not secret or len(secret) != RATING_SECRET_LENGTH or not secret.isascii() or not secret.isalpha():
        return None
    return Event.objects.select_related("category", "grid").filter(rate_secret_hash=_secret_hash(secret)).first()


@transaction.atomic
def event_rate(*, event: Event, rating: int, comment: str = "", actor: User | None = None, via: str = "") -> Event:
    """Record the reporter's rating of a resolved event: 3–5 closes it, 1–2 reopens it with a new
    response clock. ``via`` says how it came: the reporter signed in, the secret link, or a
    staff member's return visit (回访) on the reporter's behalf."""
    via = via or Event.RatedVia.REPORTER
    if event.status != S.RESOLVED:
        raise InvalidTransition(frm=event.status, to="rated", detail=_("只有已办结的事件才能评价。"))
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("评价须为 1 到 5 分。")})
    comment = (comment or "").strip()[:300]
    label = _("回访评价") if via == Event.RatedVia.RETURN_VISIT else _("评价")
    note = _("%(label)s %(n)d 分") % {"label": label, "n": rating} + (f"：{comment}" if comment else "")
    rated = {"rating": rating, "rating_comment": comment, "rated_via": via}
    if rating <= 2:
        return event_transition(
            event=event,
            to=S.REOPENED,
            actor=actor,
            note=note,
            changes=lambda row: {
                **rated,
                "responded_at": None,
                "resolved_at": None,
                "level": Event.Level.GRID,
                **clock_fields(category=row.category, start=timezone.now()),
            },
        )
    return event_transition(
        event=event, to=S.CLOSED, actor=actor, note=note, changes={**rated, "closed_at": timezone.now()}
    )


def event_return_visit(*, event: Event, actor: User, rating: int, comment: str = "") -> Event:
    """Staff record the reporter's rating taken on a return visit or call (回访), labelled so."""
    return event_rate(event=event, rating=rating, comment=comment, actor=actor, via=Event.RatedVia.RETURN_VISIT)


def event_rate_by_link(*, secret: str, rating: int, comment: str = "") -> Event:
    event = event_for_rating_secret(secret=secret)
    if event is None:
        raise DomainError(_("评价链接无效或已失效。"), code="invalid_rating_link")
    return event_rate(event=event, rating=rating, comment=comment, actor=None, via=Event.RatedVia.LINK)


def rating_link_send(*, event: Event, phone: str) -> str:
    """Issue the rating link and text it (with the tracking code) to a reporter without an
    account; through the outbox, so a broker outage delays the SMS and never loses it."""
    secret = rating_link_issue(event=event)
    notification_enqueue_sms(
        phone=phone,
        key=f"event:{event.pk}:rating-link",
        text=_(
            "您反映的问题已登记，查询编号 %(code)s，可凭编号在门户“查询进度”查看办理情况。办结后可通过以下链接评价："
        )
        % {"code": event.code},
        url=rating_link_url(secret),
    )
    return secret


# --- Reporter contact -----------------------------------------------------------------------


def event_contact_read(*, event: Event, actor: User, request=None) -> dict[str, str]:
    """The reporter's unmasked contact details, for calling them back; the read is audited
    (个人信息保护法). Callers check that ``actor`` works on the event."""
    audit_record(
        actor=actor,
        action=AuditEntry.Action.READ_PERSONAL,
        obj=event,
        request=request,
        changes={"fields": ["reporter_name", "reporter_phone", "reporter_email"]},
    )
    return {"name": event.reporter_name, "phone": event.reporter_phone, "email": event.reporter_email}
