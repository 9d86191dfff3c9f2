"""A meeting (红色议事厅): scheduled, participants invited, opened, concluded or cancelled, and the
invitees reminded 24 h before it starts."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.clock import claim, each
from governance.consultation.models import (
    Meeting,
    Participant,
    TimelineEntry,
)
from governance.consultation.services.flows import (
    BATCH,
    MEETING_FLOW,
    _invitees,
    _meeting_url,
    timeline_add,
)
from governance.consultation.services.minutes import NUDGE_AFTER
from governance.consultation.services.sign_in import _new_code
from governance.consultation.services.topics import _suggestions_back_to_open
from governance.exceptions import Conflict
from governance.models import Area, AuditEntry, PartyOrganization, User
from governance.outbox import notification_enqueue
from governance.services import audit_record

M = Meeting.Status

REMIND_BEFORE = timedelta(hours=24)


@transaction.atomic
def meeting_create(
    *,
    actor: User,
    title: str,
    organization: PartyOrganization,
    area: Area,
    starts_at: datetime,
    ends_at: datetime,
    place: str = "",
    video_url: str = "",
) -> Meeting:
    """Schedule a meeting; the reminder clock is set 24 h before it starts."""
    if area.level not in (Area.Level.COMPOUND, Area.Level.COMMUNITY):
        raise ValidationError({"area": _("议事会议须为小区或社区召开。")})
    if not area.path.startswith(organization.area.path):
        raise ValidationError({"organization": _("召集党组织须覆盖该小区或社区。")})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("结束时间须晚于开始时间。")})
    if not (place or "").strip() and not (video_url or "").strip():
        raise ValidationError({"place": _("请填写会议地点或视频会议链接。")})
    meeting = Meeting(
        title=title.strip(),
        organization=organization,
        area=area,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        video_url=video_url.strip(),
        remind_at=starts_at - REMIND_BEFORE,
        created_by=actor,
    )
    meeting.full_clean()
    meeting.save()
    timeline_add(meeting=meeting, kind=TimelineEntry.Kind.TRANSITION, actor=actor, to_status=M.PLANNED)
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=meeting)
    return meeting


def _require_open_meeting(meeting: Meeting) -> None:
    if meeting.status not in (M.PLANNED, M.IN_SESSION):
        raise Conflict(_("会议已结束或已取消，不能再修改参会人或议程。"), code="meeting_closed")


@transaction.atomic
def participant_add(*, actor: User, meeting: Meeting, user: User, group: str) -> Participant:
    _require_open_meeting(meeting)
    if meeting.participants.filter(user=user).exists():
        raise Conflict(_("%(name)s 已在参会名单中。") % {"name": user.display_name}, code="already_invited")
    participant = Participant(meeting=meeting, user=user, group=group)
    participant.full_clean(exclude=["meeting", "user"])
    participant.save()
    timeline_add(
        meeting=meeting,
        kind=TimelineEntry.Kind.PARTICIPANT,
        actor=actor,
        note=f"{user.display_name} · {participant.get_group_display()}",
    )
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=participant)
    notification_enqueue(
        recipients=[user],
        key=f"meeting:{meeting.pk}:invite",
        title=_("【议事邀请】%(title)s") % {"title": meeting.title},
        body=_("时间：%(when)s；地点：%(place)s")
        % {
            "when": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M"),
            "place": meeting.place or meeting.video_url,
        },
        url=_meeting_url(meeting),
    )
    return participant


def meeting_open(*, actor: User, meeting: Meeting, note: str = "") -> Meeting:
    """planned → in session; a fresh sign-in code is shown to the staff running it."""
    return MEETING_FLOW.transition(
        meeting,
        to=M.IN_SESSION,
        actor=actor,
        note=note,
        changes={"sign_in_code": _new_code(), "opened_at": timezone.now()},
    )


def meeting_conclude(*, actor: User, meeting: Meeting, note: str = "") -> Meeting:
    """in session → concluded; the sign-in code stops working and the minutes clock starts."""
    now = timezone.now()
    return MEETING_FLOW.transition(
        meeting,
        to=M.CONCLUDED,
        actor=actor,
        note=note,
        changes={"concluded_at": now, "sign_in_code": "", "minutes_nudge_at": now + NUDGE_AFTER[0]},
    )


@transaction.atomic
def meeting_cancel(*, actor: User, meeting: Meeting, reason: str) -> Meeting:
    """planned → cancelled (invitees told); its topics go back to open for the next meeting."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写取消原因。")})
    MEETING_FLOW.transition(meeting, to=M.CANCELLED, actor=actor, note=reason, changes={"cancel_reason": reason[:200]})
    _suggestions_back_to_open(meeting=meeting, actor=actor)
    return meeting


def _remind_q(now: datetime) -> Q:
    """Exactly the predicate of the partial index ``meeting_remind_due_idx`` (plus the time)."""
    return Q(reminded_at__isnull=True, status=M.PLANNED, remind_at__lte=now)


@transaction.atomic
def meeting_remind(*, meeting_id: int, now: datetime | None = None) -> bool:
    """Tell every invitee 24 h ahead; once per meeting (the clock write claims the row)."""
    now = now or timezone.now()
    meeting = claim(Meeting.objects.filter(_remind_q(now)), meeting_id)
    if meeting is None:
        return False
    remind_at = meeting.remind_at
    if not MEETING_FLOW.clock_write(meeting, changes={"reminded_at": now}, where=_remind_q(now)):
        return False
    when = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")
    timeline_add(meeting=meeting, kind=TimelineEntry.Kind.REMINDER, note=_("会前提醒：%(when)s 开会") % {"when": when})
    notification_enqueue(
        recipients=_invitees(meeting),
        key=f"meeting:{meeting.pk}:remind:{remind_at.isoformat()}",
        title=_("【会前提醒】%(title)s 将于 %(when)s 召开") % {"title": meeting.title, "when": when},
        body=meeting.place or meeting.video_url,
        url=_meeting_url(meeting),
        email=True,
        sms=True,
    )
    return True


def meetings_remind_due(*, now: datetime | None = None, limit: int = BATCH) -> int:
    now = now or timezone.now()
    ids = list(Meeting.objects.filter(_remind_q(now)).order_by("remind_at").values_list("pk", flat=True)[:limit])
    return each(ids, lambda pk: meeting_remind(meeting_id=pk, now=now), "Meeting reminder")
