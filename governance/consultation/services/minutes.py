"""Minutes: drafted by the secretary, sent to the attendees to confirm or object, published; the
convener nudged 3 and 7 days after the meeting while they are unpublished."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.clock import claim, each
from governance.consultation.models import (
    Meeting,
    MinutesResponse,
    TimelineEntry,
)
from governance.consultation.selectors import minutes_confirmation
from governance.consultation.services.flows import (
    BATCH,
    MEETING_FLOW,
    _conveners,
    _invitees,
    _meeting_url,
    timeline_add,
)
from governance.exceptions import Conflict, DomainError
from governance.models import AuditEntry, User
from governance.outbox import notification_enqueue
from governance.services import audit_record

M = Meeting.Status

CONFIRM_DAYS = 3  # attendees confirm or object to the minutes within this many days
NUDGE_AFTER = (timedelta(days=3), timedelta(days=7))  # the convener, if the minutes are still unpublished


class MinutesPublished(Conflict):
    code = "minutes_published"


@transaction.atomic
def meeting_minutes_save(*, actor: User, meeting: Meeting, text: str) -> Meeting:
    """Draft the minutes (during or after the meeting), until they are published."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("纪要内容不能为空。")})
    if meeting.status not in (M.IN_SESSION, M.CONCLUDED):
        raise Conflict(_("只有进行中或已结束的会议可以撰写纪要。"), code="minutes_not_allowed")
    # Changing minutes already sent for confirmation takes them back: they must be sent again.
    written = MEETING_FLOW.clock_write(
        meeting,
        changes={"minutes": text, "minutes_sent_at": None, "confirm_by": None, "updated_at": timezone.now()},
        where=Q(status__in=[M.IN_SESSION, M.CONCLUDED], minutes_published_at__isnull=True),
    )
    if not written:
        if Meeting.objects.filter(pk=meeting.pk, minutes_published_at__isnull=False).exists():
            raise MinutesPublished(_("纪要已公布，不能再修改。"))
        raise Conflict(MEETING_FLOW.stale_detail, code="stale_state")
    timeline_add(meeting=meeting, kind=TimelineEntry.Kind.MINUTES, actor=actor)
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=meeting, changes={"fields": ["minutes"]})
    return meeting


@transaction.atomic
def meeting_minutes_publish(*, actor: User, meeting: Meeting) -> Meeting:
    """Publish the minutes of a concluded meeting: residents of the area may read them (and the PDF)."""
    if meeting.status != M.CONCLUDED:
        raise Conflict(_("会议结束后才能公布纪要。"), code="meeting_not_concluded")
    if meeting.minutes_published:
        raise MinutesPublished(_("纪要已公布。"))
    if not meeting.minutes.strip():
        raise ValidationError({"text": _("请先撰写纪要再公布。")})
    if meeting.minutes_sent_at is None:
        raise Conflict(_("请先将纪要送参会人确认，再公布。"), code="minutes_not_sent")
    now = timezone.now()
    state = minutes_confirmation(meeting=meeting)
    if state.pending and now < meeting.confirm_by:
        raise Conflict(
            _("确认期至 %(until)s 截止，尚有 %(n)d 位参会人未答复。")
            % {"until": timezone.localtime(meeting.confirm_by).strftime("%Y-%m-%d %H:%M"), "n": len(state.pending)},
            code="confirmation_open",
        )
    written = MEETING_FLOW.clock_write(
        meeting,
        changes={"minutes_published_at": now, "updated_at": now},
        where=Q(status=M.CONCLUDED, minutes_published_at__isnull=True),
    )
    if not written:
        raise Conflict(MEETING_FLOW.stale_detail, code="stale_state")
    timeline_add(meeting=meeting, kind=TimelineEntry.Kind.PUBLISHED, actor=actor)
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=meeting, changes={"minutes_published": True})
    notification_enqueue(
        recipients=_invitees(meeting),
        key=f"meeting:{meeting.pk}:minutes",
        title=_("【纪要公布】%(title)s") % {"title": meeting.title},
        url=_meeting_url(meeting),
    )
    return meeting


@transaction.atomic
def meeting_minutes_send(*, actor: User, meeting: Meeting, days: int = CONFIRM_DAYS) -> Meeting:
    """Send the drafted minutes to the attendees, who confirm or object within ``days`` days."""
    if meeting.status != M.CONCLUDED:
        raise Conflict(_("会议结束后才能送审纪要。"), code="meeting_not_concluded")
    if meeting.minutes_published:
        raise MinutesPublished(_("纪要已公布。"))
    if not meeting.minutes.strip():
        raise ValidationError({"text": _("请先撰写纪要再送审。")})
    if meeting.minutes_sent_at is not None:
        raise Conflict(_("纪要已送审，修改后才能再次送审。"), code="minutes_already_sent")
    now = timezone.now()
    written = MEETING_FLOW.clock_write(
        meeting,
        changes={
            "minutes_round": F("minutes_round") + 1,
            "minutes_sent_at": now,
            "confirm_by": now + timedelta(days=days),
            "updated_at": now,
        },
        where=Q(status=M.CONCLUDED, minutes_published_at__isnull=True, minutes_sent_at__isnull=True),
    )
    if not written:
        raise Conflict(MEETING_FLOW.stale_detail, code="stale_state")
    until = timezone.localtime(meeting.confirm_by).strftime("%Y-%m-%d %H:%M")
    timeline_add(meeting=meeting, kind=TimelineEntry.Kind.MINUTES_SENT, actor=actor, note=until)
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=meeting, changes={"minutes_sent": True})
    notification_enqueue(
        recipients=[p.user for p in meeting.participants.select_related("user").filter(signed_in_at__isnull=False)],
        key=f"meeting:{meeting.pk}:minutes-sent:{meeting.minutes_round}",
        title=_("【纪要确认】%(title)s") % {"title": meeting.title},
        body=_("请于 %(until)s 前确认或提出异议。") % {"until": until},
        url=_meeting_url(meeting),
    )
    return meeting


@transaction.atomic
def meeting_minutes_reply(*, user: User, meeting: Meeting, objection: str = "") -> MinutesResponse:
    """An attendee confirms the minutes sent to them, or objects (the convener is told)."""
    if meeting.minutes_sent_at is None or meeting.minutes_published:
        raise Conflict(_("纪要当前不在确认期。"), code="confirmation_closed")
    if timezone.now() >= meeting.confirm_by:
        raise Conflict(
            _("确认期已于 %(until)s 截止。")
            % {"until": timezone.localtime(meeting.confirm_by).strftime("%Y-%m-%d %H:%M")},
            code="confirmation_closed",
        )
    if not meeting.participants.filter(user=user, signed_in_at__isnull=False).exists():
        raise DomainError(_("只有到会的参会人可以确认纪要。"), code="not_attendee")
    objection = (objection or "").strip()
    try:
        with transaction.atomic():
            response = MinutesResponse.objects.create(
                meeting=meeting, user=user, round=meeting.minutes_round, objection=objection
            )
    except IntegrityError as exc:
        raise Conflict(_("您已答复过本轮纪要。"), code="already_replied") from exc
    timeline_add(
        meeting=meeting,
        kind=TimelineEntry.Kind.MINUTES_REPLY,
        actor=user,
        note=_("异议：%(text)s") % {"text": objection} if objection else _("确认"),
    )
    if objection:
        notification_enqueue(
            recipients=_conveners(meeting),
            key=f"meeting:{meeting.pk}:objection:{response.pk}",
            title=_("【纪要异议】%(title)s") % {"title": meeting.title},
            body=objection[:200],
            url=_meeting_url(meeting),
        )
    return response


def _nudge_q(now: datetime) -> Q:
    """Exactly the predicate of the partial index ``meeting_minutes_nudge_idx`` (plus the time)."""
    return Q(status=M.CONCLUDED, minutes_published_at__isnull=True, minutes_nudge_at__lte=now)


@transaction.atomic
def meeting_minutes_nudge(*, meeting_id: int, now: datetime | None = None) -> bool:
    """Remind the convener 3 and 7 days after the meeting that the minutes are unpublished; each once."""
    now = now or timezone.now()
    meeting = claim(
        Meeting.objects.filter(_nudge_q(now)).select_related("organization__secretary", "created_by"), meeting_id
    )
    if meeting is None:
        return False
    number = meeting.minutes_nudges + 1
    following = meeting.concluded_at + NUDGE_AFTER[number] if number < len(NUDGE_AFTER) else None
    if not MEETING_FLOW.clock_write(
        meeting, changes={"minutes_nudges": number, "minutes_nudge_at": following}, where=_nudge_q(now)
    ):
        return False
    days = NUDGE_AFTER[number - 1].days
    timeline_add(meeting=meeting, kind=TimelineEntry.Kind.NUDGE, note=_("会后 %(d)d 天纪要仍未公布") % {"d": days})
    notification_enqueue(
        recipients=_conveners(meeting),
        key=f"meeting:{meeting.pk}:minutes-nudge:{number}",
        title=_("【催办】%(title)s 会后 %(d)d 天纪要仍未公布") % {"title": meeting.title, "d": days},
        url=_meeting_url(meeting),
        email=True,
    )
    return True


def meetings_minutes_nudge_due(*, now: datetime | None = None, limit: int = BATCH) -> int:
    now = now or timezone.now()
    ids = list(Meeting.objects.filter(_nudge_q(now)).order_by("minutes_nudge_at").values_list("pk", flat=True)[:limit])
    return each(ids, lambda pk: meeting_minutes_nudge(meeting_id=pk, now=now), "Minutes nudge")
