"""The agenda of a meeting: items and sub-items (numbered 1, 1.1, 1.2, 2 …), added and reordered.

Every change of the agenda's shape first claims the meeting's ``agenda_version`` with a
compare-and-set (``UPDATE … WHERE agenda_version = <seen>``). On PostgreSQL that UPDATE also holds
the meeting row until commit, so two staff reordering at once are serialised: the second re-reads
the agenda after the first has committed and applies its move to the fresh order. A caller that
passes the version it showed (the meeting page does) is refused with 409 instead when the agenda
changed meanwhile, so nobody reorders an agenda they are not looking at. The partial unique
constraints on (meeting, order) and (parent, order) hold the result: siblings are 1, 2, 3 …
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.consultation.models import AgendaItem, Meeting, Suggestion, TimelineEntry
from governance.consultation.selectors import agenda_numbers
from governance.consultation.services.flows import SUGGESTION_FLOW, _meeting_url, timeline_add
from governance.consultation.services.meetings import _require_open_meeting
from governance.exceptions import Conflict, StaleState
from governance.models import AuditEntry, Department, User
from governance.outbox import notification_enqueue
from governance.services import audit_record

S = Suggestion.Status

MAX_ITEMS = 200  # per meeting; orders stay far below the renumbering offset
RENUMBER_OFFSET = 10_000
CLAIM_RETRIES = 5


def _agenda_stale() -> StaleState:
    return StaleState(_("议程刚被其他人调整过，请刷新后再操作。"))


def _claim_agenda(*, meeting: Meeting, agenda_version: int | None) -> int:
    """Bump the meeting's agenda version (compare-and-set); returns the new version.

    With ``agenda_version`` (what the caller showed) a mismatch is a 409; without it the claim
    re-reads and retries, which on PostgreSQL waits for a concurrent editor's commit first."""
    seen = agenda_version
    for _attempt in range(CLAIM_RETRIES):
        if seen is None:
            seen = Meeting.objects.filter(pk=meeting.pk).values_list("agenda_version", flat=True).get()
        if Meeting.objects.filter(pk=meeting.pk, agenda_version=seen).update(agenda_version=F("agenda_version") + 1):
            meeting.agenda_version = seen + 1
            return seen + 1
        if agenda_version is not None:
            raise _agenda_stale()
        seen = None
    raise _agenda_stale()


def _parent_check(*, meeting: Meeting, parent: AgendaItem | None) -> None:
    if parent is None:
        return
    if parent.meeting_id != meeting.pk:
        raise ValidationError({"parent": _("上级议程不属于本次会议。")})
    if parent.parent_id is not None:
        raise ValidationError({"parent": _("议程最多两级：子议程下不能再设子议程。")})


@transaction.atomic
def agenda_item_add(
    *,
    actor: User,
    meeting: Meeting,
    title: str,
    description: str = "",
    suggestion: Suggestion | None = None,
    parent: AgendaItem | None = None,
    is_major: bool = False,
    responsible_department: Department | None = None,
    due_date: date | None = None,
    agenda_version: int | None = None,
) -> AgendaItem:
    """Add an item at the end of the agenda, or at the end of ``parent``'s sub-items; a resident's
    topic linked to it moves to "on agenda" (its author is told)."""
    _require_open_meeting(meeting)
    if suggestion is not None and suggestion.status != S.OPEN:
        raise Conflict(
            _("议题“%(title)s”已列入议程，不能重复列入。") % {"title": suggestion.title}, code="topic_on_agenda"
        )
    if (
        suggestion is not None
        and not meeting.area.path.startswith(suggestion.area.path)
        and not (suggestion.area.path.startswith(meeting.area.path))
    ):
        raise ValidationError({"suggestion": _("该议题不属于本次会议的小区或社区。")})
    _parent_check(meeting=meeting, parent=parent)
    _claim_agenda(meeting=meeting, agenda_version=agenda_version)
    if AgendaItem.objects.filter(meeting=meeting).count() >= MAX_ITEMS:
        raise ValidationError({"title": _("一次会议最多 %(n)d 项议程。") % {"n": MAX_ITEMS}})
    siblings = AgendaItem.objects.filter(meeting=meeting, parent=parent)
    item = AgendaItem(
        meeting=meeting,
        parent=parent,
        order=(siblings.aggregate(n=Max("order"))["n"] or 0) + 1,
        title=(title or (suggestion.title if suggestion else "")).strip(),
        description=description.strip(),
        suggestion=suggestion,
        is_major=is_major,
        responsible_department=responsible_department,
        due_date=due_date,
    )
    item.full_clean(exclude=["meeting", "parent"], validate_constraints=False)
    item.save()
    if suggestion is not None:
        _suggestion_to_agenda(suggestion=suggestion, meeting=meeting, actor=actor)
    number = agenda_numbers(meeting=meeting)[item.pk]
    timeline_add(meeting=meeting, kind=TimelineEntry.Kind.AGENDA, actor=actor, note=f"{number} {item.title}")
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=item)
    return item


def _suggestion_to_agenda(*, suggestion: Suggestion, meeting: Meeting, actor: User) -> None:
    """open → on agenda (compare-and-set: two staff putting one topic on two agendas, one wins);
    the author is told, unless they put it there themselves."""
    SUGGESTION_FLOW.transition(suggestion, to=S.ON_AGENDA, actor=actor, note=meeting.title)
    if suggestion.author_id != actor.pk:
        notification_enqueue(
            recipients=[suggestion.author],
            key=f"suggestion:{suggestion.pk}:on-agenda:{meeting.pk}",
            title=_("【议题】您提出的“%(title)s”已列入议程") % {"title": suggestion.title},
            body=f"{meeting.title} · {timezone.localtime(meeting.starts_at):%Y-%m-%d %H:%M}",
            url=_meeting_url(meeting),
        )


def _write_orders(final: dict[int, tuple[int | None, int]]) -> None:
    """Give each item its (parent, order) in two passes, so no intermediate state breaks the
    unique constraints: first every moving row steps out of the way, then each takes its place."""
    current = {
        pk: (parent_id, order)
        for pk, parent_id, order in AgendaItem.objects.filter(pk__in=final).values_list("pk", "parent_id", "order")
    }
    changed = [pk for pk, place in final.items() if current.get(pk) != place]
    if not changed:
        return
    AgendaItem.objects.filter(pk__in=changed).update(order=F("order") + RENUMBER_OFFSET)
    for pk in changed:
        parent_id, order = final[pk]
        AgendaItem.objects.filter(pk=pk).update(parent_id=parent_id, order=order)


@transaction.atomic
def agenda_item_move(
    *,
    actor: User,
    item: AgendaItem,
    position: int,
    parent: AgendaItem | None = None,
    agenda_version: int | None = None,
) -> AgendaItem:
    """Put ``item`` at ``position`` (1 = first) among the top-level items, or among ``parent``'s
    sub-items; the siblings it leaves and joins are renumbered 1, 2, 3 … Its sub-items move with it."""
    meeting = Meeting.objects.get(pk=item.meeting_id)
    _require_open_meeting(meeting)
    _parent_check(meeting=meeting, parent=parent)
    if parent is not None and parent.pk == item.pk:
        raise ValidationError({"parent": _("议程不能成为自己的子议程。")})
    if parent is not None and AgendaItem.objects.filter(parent=item).exists():
        raise ValidationError({"parent": _("该议程有子议程，不能再放到其他议程之下。")})
    if position < 1:
        raise ValidationError({"position": _("位置须从 1 开始。")})
    before = agenda_numbers(meeting=meeting).get(item.pk, "")
    _claim_agenda(meeting=meeting, agenda_version=agenda_version)
    item.refresh_from_db(fields=["parent", "order"])  # the fresh agenda, after the claim
    old_parent_id = item.parent_id
    new_parent_id = parent.pk if parent is not None else None
    final: dict[int, tuple[int | None, int]] = {}
    leaving = list(
        AgendaItem.objects.filter(meeting=meeting, parent_id=old_parent_id)
        .exclude(pk=item.pk)
        .order_by("order", "id")
        .values_list("pk", flat=True)
    )
    joining = (
        leaving
        if old_parent_id == new_parent_id
        else list(
            AgendaItem.objects.filter(meeting=meeting, parent_id=new_parent_id)
            .order_by("order", "id")
            .values_list("pk", flat=True)
        )
    )
    if old_parent_id != new_parent_id:
        final.update({pk: (old_parent_id, n) for n, pk in enumerate(leaving, start=1)})
    joining.insert(min(position, len(joining) + 1) - 1, item.pk)
    final.update({pk: (new_parent_id, n) for n, pk in enumerate(joining, start=1)})
    _write_orders(final)
    item.refresh_from_db(fields=["parent", "order"])
    after = agenda_numbers(meeting=meeting)[item.pk]
    if after != before:
        timeline_add(
            meeting=meeting,
            kind=TimelineEntry.Kind.AGENDA_MOVE,
            actor=actor,
            note=_("%(title)s：%(before)s → %(after)s") % {"title": item.title, "before": before, "after": after},
        )
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=item,
            changes={"number": [before, after], "parent": new_parent_id, "order": item.order},
        )
    return item
