"""Every write of the consultation app: one function per use case, keyword-only, atomic, audited.

Services do not check permissions (callers ask ``consultation.policies``). Status moves go through
the core's workflow kit: ``MEETING_FLOW`` and ``RESOLUTION_FLOW`` below are the whole state
machines; each move names the columns it may write and appends its timeline entry in the same
transaction. Writes that move no status (minutes, progress, the clocks) are compare-and-set
``clock_write``s on the row's version, so nothing overwrites a move made meanwhile.
"""

import logging
import secrets
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.consultation.models import (
    AgendaItem,
    Meeting,
    MinutesResponse,
    Participant,
    Resolution,
    Suggestion,
    SuggestionSupport,
    TimelineEntry,
)
from governance.consultation.selectors import attendance_for, minutes_confirmation, quorum_for
from governance.exceptions import Conflict, DomainError
from governance.models import Area, AuditEntry, Department, PartyOrganization, Role, User
from governance.outbox import notification_enqueue
from governance.services import audit_record
from governance.workflow import Workflow

logger = logging.getLogger(__name__)

M = Meeting.Status
R = Resolution.Status
S = Suggestion.Status

REMIND_BEFORE = timedelta(hours=24)
SIGN_IN_GRACE = timedelta(hours=2)  # self sign-in closes this long after the scheduled end at the latest
CONFIRM_DAYS = 3  # attendees confirm or object to the minutes within this many days
NUDGE_AFTER = (timedelta(days=3), timedelta(days=7))  # the convener, if the minutes are still unpublished
DEFAULT_RESOLUTION_DAYS = 30
# 6 characters without look-alikes (no 0/O, 1/I/L), typed on a phone at the meeting.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BATCH = 500


class NoQuorum(Conflict):
    code = "no_quorum"


class MeetingNotInSession(Conflict):
    code = "meeting_not_in_session"


class AlreadyVoted(Conflict):
    code = "already_voted"


class MinutesPublished(Conflict):
    code = "minutes_published"


class WrongCode(DomainError):
    code = "wrong_code"


class NotInvited(DomainError):
    code = "not_invited"


def timeline_add(
    *,
    kind: str,
    meeting: Meeting | None = None,
    resolution: Resolution | None = None,
    suggestion: Suggestion | None = None,
    actor: User | None = None,
    from_status: str = "",
    to_status: str = "",
    percent: int | None = None,
    note: str = "",
) -> TimelineEntry:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return TimelineEntry.objects.create(
        meeting=meeting,
        resolution=resolution,
        suggestion=suggestion,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        percent=percent,
        note=note,
    )


def _invitees(meeting: Meeting) -> list[User]:
    return [p.user for p in meeting.participants.select_related("user")]


def _meeting_url(meeting: Meeting) -> str:
    return reverse("consultation:meeting_detail", args=[meeting.pk])


def _record_meeting_move(*, obj: Meeting, frm: str, to: str, actor: User | None, note: str) -> None:
    timeline_add(meeting=obj, kind=TimelineEntry.Kind.TRANSITION, actor=actor, from_status=frm, to_status=to, note=note)
    audit_record(actor=actor, action=AuditEntry.Action.TRANSITION, obj=obj, changes={"from": frm, "to": to})
    if to == M.CANCELLED:
        notification_enqueue(
            recipients=_invitees(obj),
            key=f"meeting:{obj.pk}:cancelled",
            title=_("【会议取消】%(title)s") % {"title": obj.title},
            body=_("原因：%(reason)s") % {"reason": obj.cancel_reason},
            url=_meeting_url(obj),
            email=True,
        )


def _record_resolution_move(*, obj: Resolution, frm: str, to: str, actor: User | None, note: str) -> None:
    timeline_add(
        resolution=obj,
        kind=TimelineEntry.Kind.TRANSITION,
        actor=actor,
        from_status=frm,
        to_status=to,
        percent=obj.progress,
        note=note,
    )
    audit_record(actor=actor, action=AuditEntry.Action.TRANSITION, obj=obj, changes={"from": frm, "to": to})


def _record_suggestion_move(*, obj: Suggestion, frm: str, to: str, actor: User | None, note: str) -> None:
    timeline_add(
        suggestion=obj, kind=TimelineEntry.Kind.TRANSITION, actor=actor, from_status=frm, to_status=to, note=note
    )
    audit_record(actor=actor, action=AuditEntry.Action.TRANSITION, obj=obj, changes={"from": frm, "to": to})


# from → {to: the columns that move may write, besides status, version and the timestamps}
MEETING_FLOW = Workflow(
    model=Meeting,
    moves={
        M.PLANNED: {M.IN_SESSION: {"sign_in_code", "opened_at"}, M.CANCELLED: {"cancel_reason"}},
        M.IN_SESSION: {M.CONCLUDED: {"concluded_at", "sign_in_code", "minutes_nudge_at"}},
        M.CONCLUDED: {},
        M.CANCELLED: {},
    },
    record=_record_meeting_move,
    labels=dict(M.choices),
    noun=gettext_lazy("会议"),
    stale_detail=gettext_lazy("该会议刚被其他人更新过，请刷新后查看最新状态。"),
)

RESOLUTION_FLOW = Workflow(
    model=Resolution,
    moves={
        R.OPEN: {R.IN_PROGRESS: {"progress"}, R.DONE: {"progress", "done_at"}},
        R.IN_PROGRESS: {R.DONE: {"progress", "done_at"}},
        R.DONE: {},
    },
    record=_record_resolution_move,
    labels=dict(R.choices),
    noun=gettext_lazy("决议"),
    stale_detail=gettext_lazy("该决议刚被其他人更新过，请刷新后查看最新进度。"),
)

# A topic goes on an agenda when staff turn it into an item, and back to open when the meeting
# it was put on is cancelled (so it can be put on the next one).
SUGGESTION_FLOW = Workflow(
    model=Suggestion,
    moves={
        S.OPEN: {S.ON_AGENDA: set()},
        S.ON_AGENDA: {S.OPEN: set()},
    },
    record=_record_suggestion_move,
    labels=dict(S.choices),
    noun=gettext_lazy("议题"),
    stale_detail=gettext_lazy("该议题刚被其他人列入议程，请刷新后查看。"),
)


# --- Topics ---------------------------------------------------------------------------------


@transaction.atomic
def suggestion_create(*, author: User, area: Area, title: str, body: str = "") -> Suggestion:
    if area.level not in (Area.Level.COMPOUND, Area.Level.COMMUNITY):
        raise ValidationError({"area": _("议题须提给小区或社区。")})
    suggestion = Suggestion(author=author, area=area, title=title.strip(), body=body.strip())
    suggestion.full_clean()
    suggestion.save()
    audit_record(actor=author, action=AuditEntry.Action.CREATE, obj=suggestion)
    return suggestion


# --- Meetings -------------------------------------------------------------------------------


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


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


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


class SignIn:
    """How a person signed in (the audit and the timeline say which)."""

    CODE = "code"  # typed the 6-character code shown at the meeting
    QR = "qr"  # scanned the meeting's QR code, which carries the same code
    STAFF = "staff"  # signed in by hand by the staff running the meeting


def sign_in_closes_at(meeting: Meeting) -> datetime:
    """Self sign-in (code or QR) is open while the meeting is in session, and never later than
    this: a meeting left open by mistake does not take sign-ins days afterwards."""
    return meeting.ends_at + SIGN_IN_GRACE


def sign_in_open(meeting: Meeting, now: datetime | None = None) -> bool:
    return (
        meeting.status == M.IN_SESSION
        and bool(meeting.sign_in_code)
        and (now or timezone.now()) <= sign_in_closes_at(meeting)
    )


def _sign_in(*, participant: Participant, by: User | None, actor: User, via: str) -> Participant:
    moved = Participant.objects.filter(pk=participant.pk, signed_in_at__isnull=True).update(
        signed_in_at=timezone.now(), signed_in_by=by
    )
    participant.refresh_from_db(fields=["signed_in_at", "signed_in_by"])
    if moved:  # once per person: a second scan or a second tap writes nothing
        note = participant.user.display_name
        if by is not None:
            note = _("%(name)s（由 %(by)s 代签）") % {"name": note, "by": by.display_name}
        elif via == SignIn.QR:
            note = _("%(name)s（扫码签到）") % {"name": note}
        timeline_add(meeting=participant.meeting, kind=TimelineEntry.Kind.SIGN_IN, actor=actor, note=note)
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=participant,
            changes={"signed_in": True, "via": via, "meeting": participant.meeting_id},
        )
    return participant


@transaction.atomic
def meeting_sign_in(*, user: User, meeting: Meeting, code: str, via: str = SignIn.CODE) -> Participant:
    """A participant types the code shown at the meeting, or scans its QR code (``via="qr"``,
    the same code); only in the sign-in window, once per person (signing in twice changes nothing)."""
    if meeting.status != M.IN_SESSION or not meeting.sign_in_code:
        raise Conflict(_("签到码已失效：会议未开始或已结束。"), code="sign_in_closed")
    if not sign_in_open(meeting):
        raise Conflict(
            _("签到已于 %(t)s 截止，请联系会议工作人员代为签到。")
            % {"t": timezone.localtime(sign_in_closes_at(meeting)).strftime("%Y-%m-%d %H:%M")},
            code="sign_in_closed",
        )
    participant = meeting.participants.select_related("user", "meeting").filter(user=user).first()
    if participant is None:
        raise NotInvited(_("您不在本次会议的参会名单中。"))
    if (code or "").strip().upper() != meeting.sign_in_code:
        if via == SignIn.QR:
            raise WrongCode(_("二维码已失效（会议重新开始后签到码已更换），请扫描会场当前显示的二维码。"))
        raise WrongCode(_("签到码不正确，请核对会场显示的6位签到码。"))
    return _sign_in(participant=participant, by=None, actor=user, via=via)


@transaction.atomic
def participant_sign_in_by_staff(*, actor: User, participant: Participant) -> Participant:
    if participant.meeting.status != M.IN_SESSION:
        raise Conflict(_("签到码已失效：会议未开始或已结束。"), code="sign_in_closed")
    return _sign_in(participant=participant, by=actor, actor=actor, via=SignIn.STAFF)


# --- Agenda and votes -------------------------------------------------------------------------


def _suggestions_back_to_open(*, meeting: Meeting, actor: User) -> None:
    """The topics of a cancelled meeting go back to open, unless another open meeting has them."""
    elsewhere = AgendaItem.objects.filter(meeting__status__in=[M.PLANNED, M.IN_SESSION]).exclude(meeting=meeting)
    topics = Suggestion.objects.filter(items__meeting=meeting, status=S.ON_AGENDA).exclude(
        pk__in=elsewhere.values("suggestion_id")
    )
    for suggestion in topics.distinct():
        SUGGESTION_FLOW.transition(suggestion, to=S.OPEN, actor=actor, note=_("会议取消：%(t)s") % {"t": meeting.title})


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


# --- Minutes --------------------------------------------------------------------------------


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


def _conveners(meeting: Meeting) -> list[User]:
    people = {u.pk: u for u in (meeting.organization.secretary, meeting.created_by) if u is not None}
    return list(people.values())


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


# --- Resolutions ------------------------------------------------------------------------------


def _set_progress(*, resolution: Resolution, percent: int, actor: User | None, note: str) -> None:
    """Move or write one resolution's progress: 100 % is done, above 0 starts it."""
    if percent == resolution.progress and resolution.status != R.OPEN:
        return
    if percent == 100:
        RESOLUTION_FLOW.transition(
            resolution, to=R.DONE, actor=actor, note=note, changes={"progress": 100, "done_at": timezone.now()}
        )
        return
    if resolution.status == R.OPEN and percent > 0:
        RESOLUTION_FLOW.transition(resolution, to=R.IN_PROGRESS, actor=actor, note=note, changes={"progress": percent})
        return
    written = RESOLUTION_FLOW.clock_write(
        resolution,
        changes={"progress": percent, "updated_at": timezone.now()},
        where=Q(status=resolution.status),
    )
    if not written:
        raise Conflict(RESOLUTION_FLOW.stale_detail, code="stale_state")
    timeline_add(resolution=resolution, kind=TimelineEntry.Kind.PROGRESS, actor=actor, percent=percent, note=note)


def _roll_up(*, parent_id: int, actor: User | None) -> None:
    """A parent's progress is the average of its sub-tasks' (rounded down)."""
    parent = Resolution.objects.get(pk=parent_id)
    children = list(parent.children.values_list("progress", flat=True))
    if not children or parent.status == R.DONE:
        return
    percent = sum(children) // len(children)
    if percent != parent.progress:
        _set_progress(resolution=parent, percent=percent, actor=actor, note=_("由子任务进度汇总"))
    if parent.parent_id:
        _roll_up(parent_id=parent.parent_id, actor=actor)


@transaction.atomic
def resolution_progress(*, actor: User, resolution: Resolution, percent: int, note: str = "") -> Resolution:
    """A dated progress update; 100 % closes the resolution (done), anything above 0 starts it.
    A resolution split into sub-tasks takes its progress from them."""
    if not 0 <= percent <= 100:
        raise ValidationError({"percent": _("进度须在 0 到 100 之间。")})
    if resolution.status == R.DONE:
        raise Conflict(_("该决议已办结。"), code="resolution_done")
    if resolution.children.exists():
        raise Conflict(_("该决议已分解为子任务，进度由子任务汇总。"), code="has_subtasks")
    _set_progress(resolution=resolution, percent=percent, actor=actor, note=(note or "").strip())
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=resolution, changes={"progress": percent})
    if resolution.parent_id:
        _roll_up(parent_id=resolution.parent_id, actor=actor)
    resolution.refresh_from_db()
    return resolution


@transaction.atomic
def resolution_subtask_add(
    *,
    actor: User,
    parent: Resolution,
    title: str,
    due_date: date,
    responsible_department: Department | None = None,
) -> Resolution:
    """Split a resolution into a sub-task; the parent's progress is recomputed from its children."""
    if parent.status == R.DONE:
        raise Conflict(_("该决议已办结，不能再分解。"), code="resolution_done")
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("请填写子任务名称。")})
    child = Resolution.objects.create(
        parent=parent,
        meeting=parent.meeting,
        area=parent.area,
        title=title[:120],
        responsible_department=responsible_department or parent.responsible_department,
        due_date=due_date,
    )
    timeline_add(resolution=child, kind=TimelineEntry.Kind.TRANSITION, actor=actor, to_status=R.OPEN)
    timeline_add(resolution=parent, kind=TimelineEntry.Kind.SUBTASK, actor=actor, note=child.title)
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=child)
    _roll_up(parent_id=parent.pk, actor=actor)
    parent.refresh_from_db()
    return child


# --- Topics: support ------------------------------------------------------------------------------


@transaction.atomic
def suggestion_support(*, user: User, suggestion: Suggestion) -> SuggestionSupport:
    """Support someone else's topic (附议), once."""
    if suggestion.author_id == user.pk:
        raise DomainError(_("不能附议自己提出的议题。"), code="own_topic")
    try:
        with transaction.atomic():
            support = SuggestionSupport.objects.create(suggestion=suggestion, user=user)
    except IntegrityError as exc:
        raise Conflict(_("您已附议过该议题。"), code="already_supported") from exc
    audit_record(actor=user, action=AuditEntry.Action.CREATE, obj=support)
    return support


# --- Clocks: reminders before a meeting, overdue resolutions -----------------------------------


def _remind_q(now: datetime) -> Q:
    """Exactly the predicate of the partial index ``meeting_remind_due_idx`` (plus the time)."""
    return Q(reminded_at__isnull=True, status=M.PLANNED, remind_at__lte=now)


def _overdue_q(today: date) -> Q:
    return Q(overdue_flagged_at__isnull=True, status__in=[R.OPEN, R.IN_PROGRESS], due_date__lt=today)


def _claim(queryset, pk: int):
    qs = queryset.filter(pk=pk)
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return qs.first()


def _each(ids: list[int], step, what: str) -> int:
    done = 0
    for pk in ids:
        try:
            done += bool(step(pk))  # each step is its own transaction
        except Exception:
            logger.exception("%s of %s failed; skipped, the next scan retries it.", what, pk)
    return done


@transaction.atomic
def meeting_remind(*, meeting_id: int, now: datetime | None = None) -> bool:
    """Tell every invitee 24 h ahead; once per meeting (the clock write claims the row)."""
    now = now or timezone.now()
    meeting = _claim(Meeting.objects.filter(_remind_q(now)), meeting_id)
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
    return _each(ids, lambda pk: meeting_remind(meeting_id=pk, now=now), "Meeting reminder")


def _responsible_people(resolution: Resolution) -> list[User]:
    people: dict[int, User] = {}
    if resolution.responsible_department_id:
        for user in User.objects.filter(
            is_active=True,
            posts__is_active=True,
            posts__role=Role.DEPARTMENT_HANDLER,
            posts__department_id=resolution.responsible_department_id,
        ).distinct():
            people[user.pk] = user
    secretary = resolution.meeting.organization.secretary
    if secretary is not None:
        people[secretary.pk] = secretary
    return list(people.values())


@transaction.atomic
def resolution_flag_overdue(*, resolution_id: int, today: date | None = None) -> bool:
    """Flag one resolution past its due date and remind the responsible party and the convener."""
    today = today or timezone.localdate()
    resolution = _claim(Resolution.objects.filter(_overdue_q(today)), resolution_id)
    if resolution is None:
        return False
    if not RESOLUTION_FLOW.clock_write(
        resolution, changes={"overdue_flagged_at": timezone.now()}, where=_overdue_q(today)
    ):
        return False
    resolution = Resolution.objects.select_related("meeting__organization__secretary").get(pk=resolution.pk)
    timeline_add(
        resolution=resolution,
        kind=TimelineEntry.Kind.OVERDUE,
        note=_("已超过办结期限 %(due)s") % {"due": resolution.due_date.isoformat()},
    )
    notification_enqueue(
        recipients=_responsible_people(resolution),
        key=f"resolution:{resolution.pk}:overdue",
        title=_("【督办】决议“%(title)s”已逾期") % {"title": resolution.title},
        body=_("办结期限 %(due)s，当前进度 %(p)d%%")
        % {"due": resolution.due_date.isoformat(), "p": resolution.progress},
        url=reverse("consultation:resolutions"),
        email=True,
    )
    return True


def resolutions_flag_overdue(*, today: date | None = None, limit: int = BATCH) -> int:
    today = today or timezone.localdate()
    ids = list(Resolution.objects.filter(_overdue_q(today)).order_by("due_date").values_list("pk", flat=True)[:limit])
    return _each(ids, lambda pk: resolution_flag_overdue(resolution_id=pk, today=today), "Overdue flag")


def _nudge_q(now: datetime) -> Q:
    """Exactly the predicate of the partial index ``meeting_minutes_nudge_idx`` (plus the time)."""
    return Q(status=M.CONCLUDED, minutes_published_at__isnull=True, minutes_nudge_at__lte=now)


@transaction.atomic
def meeting_minutes_nudge(*, meeting_id: int, now: datetime | None = None) -> bool:
    """Remind the convener 3 and 7 days after the meeting that the minutes are unpublished; each once."""
    now = now or timezone.now()
    meeting = _claim(
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
    return _each(ids, lambda pk: meeting_minutes_nudge(meeting_id=pk, now=now), "Minutes nudge")
