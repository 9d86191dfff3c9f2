"""The work on a case: its sessions (with channel notes), in their own small table in the workflow
kit; every step also lands in the case's timeline. The agreement is in
``mediation.services.agreements``, its signatures in ``signatures``, the follow-ups in
``follow_ups`` and judicial confirmation in ``confirmation``. Permission-free: callers ask
``mediation.policies`` first.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.exceptions import Conflict
from governance.models import AuditEntry, User
from governance.services import audit_record
from governance.workflow import Workflow
from mediation.models import (
    Case,
    CaseTimelineEntry,
    Session,
    SessionNote,
)
from mediation.services.cases import (
    case_start,
    timeline_add,
)

S = Case.Status
SESSION_REMIND_BEFORE = timedelta(hours=24)


# --- Sessions -------------------------------------------------------------------------------


def _record_session(*, obj: Session, frm: str, to: str, actor, note: str) -> None:
    label = Session.Status(to).label
    timeline_add(
        case=obj.case,
        kind=CaseTimelineEntry.Kind.SESSION,
        actor=actor,
        note=_("调解会（%(when)s）%(status)s。%(note)s")
        % {"when": timezone.localtime(obj.scheduled_at).strftime("%Y-%m-%d %H:%M"), "status": label, "note": note},
    )


SESSION_FLOW = Workflow(
    model=Session,
    moves={
        Session.Status.SCHEDULED: {
            Session.Status.HELD: {"outcome", "held_at", "attendees"},
            Session.Status.CANCELLED: set(),
        },
        Session.Status.HELD: {},
        Session.Status.CANCELLED: {},
    },
    record=_record_session,
    labels=dict(Session.Status.choices),
    noun=gettext_lazy("调解会"),
)

SESSION_CASE_STATES = (S.ACCEPTED, S.MEDIATING, S.REOPENED)


@transaction.atomic
def session_schedule(
    *,
    case: Case,
    actor: User,
    scheduled_at: datetime,
    mode: str = Session.Mode.IN_PERSON,
    place: str = "",
    video_link: str = "",
    attendees: str = "",
) -> Session:
    if case.status not in SESSION_CASE_STATES:
        raise Conflict(
            _("案件当前为“%(status)s”，不能安排调解会。") % {"status": case.get_status_display()},
            code="case_not_active",
        )
    if mode not in Session.Mode.values:
        raise ValidationError({"mode": _("调解方式无效（现场或视频）。")})
    if mode == Session.Mode.VIDEO and not video_link:
        raise ValidationError({"video_link": _("视频调解请填写会议链接。")})
    if mode == Session.Mode.IN_PERSON and not (place or "").strip():
        raise ValidationError({"place": _("现场调解请填写地点。")})
    session = Session(
        case=case,
        scheduled_at=scheduled_at,
        mode=mode,
        place=(place or "")[:200],
        video_link=video_link,
        attendees=(attendees or "")[:300],
        remind_at=scheduled_at - SESSION_REMIND_BEFORE,
        created_by=actor,
    )
    session.full_clean(exclude=["case", "created_by", "outcome"])
    session.save()
    timeline_add(
        case=case,
        kind=CaseTimelineEntry.Kind.SESSION,
        actor=actor,
        note=_("安排调解会：%(when)s，%(mode)s")
        % {"when": timezone.localtime(scheduled_at).strftime("%Y-%m-%d %H:%M"), "mode": session.get_mode_display()},
    )
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=session, object_repr=case.number)
    return session


@transaction.atomic
def session_hold(
    *, session: Session, actor: User, outcome: str, notes: Iterable[Mapping] = (), attendees: str | None = None
) -> Session:
    """Record a held session: its outcome and its notes per channel. A case not yet in mediation
    (accepted, reopened) starts mediating with its first held session."""
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": _("请填写调解结果。")})
    cleaned = []
    for index, note in enumerate(notes, start=1):
        channel, text = str(note.get("channel") or ""), str(note.get("text") or "").strip()
        if channel not in SessionNote.Channel.values:
            raise ValidationError({"notes": [_("第 %(n)d 条记录的渠道无效。") % {"n": index}]})
        if text:
            cleaned.append((channel, text))
    case = session.case
    if case.status in (S.ACCEPTED, S.REOPENED):
        case_start(case=case, actor=actor, note=_("召开调解会"))
    elif case.status != S.MEDIATING:
        raise Conflict(
            _("案件当前为“%(status)s”，不能记录调解会。") % {"status": case.get_status_display()},
            code="case_not_active",
        )
    changes = {"outcome": outcome, "held_at": timezone.now()}
    if attendees is not None:
        changes["attendees"] = attendees[:300]
    SESSION_FLOW.transition(session, to=Session.Status.HELD, actor=actor, note=outcome[:200], changes=changes)
    for channel, text in cleaned:
        SessionNote.objects.create(session=session, channel=channel, text=text, author=actor)
    audit_record(
        actor=actor, action=AuditEntry.Action.UPDATE, obj=session, changes={"held": True}, object_repr=case.number
    )
    return session


def session_cancel(*, session: Session, actor: User, note: str = "") -> Session:
    return SESSION_FLOW.transition(session, to=Session.Status.CANCELLED, actor=actor, note=note)
