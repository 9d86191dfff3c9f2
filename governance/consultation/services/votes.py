"""The vote on an agenda item: a hand-counted tally, checked against quorum and attendance, adopted by
the compound's rule; an adopted item becomes a resolution to track."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.consultation.models import (
    AgendaItem,
    Meeting,
    Resolution,
    TimelineEntry,
)
from governance.consultation.selectors import attendance_for, quorum_for
from governance.consultation.services.flows import (
    timeline_add,
)
from governance.exceptions import Conflict, DomainError
from governance.models import AuditEntry, User
from governance.services import audit_record

M = Meeting.Status
R = Resolution.Status

DEFAULT_RESOLUTION_DAYS = 30


class NoQuorum(Conflict):
    code = "no_quorum"


class MeetingNotInSession(Conflict):
    code = "meeting_not_in_session"


class AlreadyVoted(Conflict):
    code = "already_voted"


def adopted_by_rule(*, votes_for: int, present: int, is_major: bool) -> bool:
    """Simple majority of those present; two thirds of those present for a major item."""
    if is_major:
        return votes_for * 3 >= present * 2 and votes_for > 0
    return votes_for * 2 > present


@transaction.atomic
def agenda_item_vote(
    *,
    actor: User,
    item: AgendaItem,
    votes_for: int,
    votes_against: int,
    abstentions: int,
    notes: str = "",
) -> AgendaItem:
    """Record the hand-counted tally; an adopted item becomes a resolution to track."""
    meeting = Meeting.objects.get(pk=item.meeting_id)
    if meeting.status != M.IN_SESSION:
        raise MeetingNotInSession(_("只能在会议进行中表决。"))
    if item.voted:
        raise AlreadyVoted(_("该议程已表决，不能重复表决。"))
    if min(votes_for, votes_against, abstentions) < 0:
        raise ValidationError({"votes_for": _("票数不能为负数。")})
    quorum = quorum_for(meeting=meeting)
    if not quorum.ok:
        raise NoQuorum(_("未达到法定到会人数，不能表决：%(why)s") % {"why": "；".join(quorum.reasons)})
    present = attendance_for(meeting=meeting).present
    total = votes_for + votes_against + abstentions
    if total > present:
        raise DomainError(
            _("票数合计 %(total)d 超过到会人数 %(present)d，请核对。") % {"total": total, "present": present},
            code="tally_exceeds_attendance",
        )
    adopted = adopted_by_rule(votes_for=votes_for, present=present, is_major=item.is_major)
    now = timezone.now()
    moved = AgendaItem.objects.filter(pk=item.pk, voted_at__isnull=True).update(
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
        present=present,
        adopted=adopted,
        voted_at=now,
        notes=notes.strip() or item.notes,
    )
    if not moved:
        raise AlreadyVoted(_("该议程已表决，不能重复表决。"))
    item.refresh_from_db()
    verdict = _("通过") if adopted else _("未通过")
    timeline_add(
        meeting=meeting,
        kind=TimelineEntry.Kind.VOTE,
        actor=actor,
        note=_("%(title)s：赞成 %(f)d，反对 %(a)d，弃权 %(x)d，到会 %(p)d，%(verdict)s")
        % {"title": item.title, "f": votes_for, "a": votes_against, "x": abstentions, "p": present, "verdict": verdict},
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=item,
        changes={"votes_for": votes_for, "votes_against": votes_against, "abstentions": abstentions},
    )
    if adopted:
        resolution = Resolution.objects.create(
            item=item,
            meeting=meeting,
            area=meeting.area,
            title=item.title,
            responsible_department=item.responsible_department,
            due_date=item.due_date or (timezone.localdate() + timedelta(days=DEFAULT_RESOLUTION_DAYS)),
        )
        timeline_add(resolution=resolution, kind=TimelineEntry.Kind.TRANSITION, actor=actor, to_status=R.OPEN)
    return item
