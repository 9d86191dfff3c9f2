"""Sign-in at a meeting: the 6-character code typed on a phone, its QR code, or by hand by the staff."""

import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.consultation.models import (
    Meeting,
    Participant,
    TimelineEntry,
)
from governance.consultation.services.flows import (
    timeline_add,
)
from governance.exceptions import Conflict, DomainError
from governance.models import AuditEntry, User
from governance.services import audit_record

M = Meeting.Status

SIGN_IN_GRACE = timedelta(hours=2)  # self sign-in closes this long after the scheduled end at the latest
# 6 characters without look-alikes (no 0/O, 1/I/L), typed on a phone at the meeting.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class WrongCode(DomainError):
    code = "wrong_code"


class NotInvited(DomainError):
    code = "not_invited"


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


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
