"""The work on a case: sessions (with channel notes), the agreement, judicial confirmation and the
follow-up visits. Each has its own small table in the workflow kit; every step also lands in the
case's timeline. Permission-free: callers ask ``mediation.policies`` first.
"""

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.exceptions import Conflict
from governance.models import AuditEntry, User
from governance.outbox import notification_enqueue
from governance.services import audit_record
from governance.workflow import Workflow
from mediation.models import (
    Agreement,
    AgreementSignature,
    Case,
    CaseTimelineEntry,
    FollowUp,
    JudicialConfirmation,
    MediatorProfile,
    Party,
    Session,
    SessionNote,
)
from mediation.selectors import case_supervisors, mediators_for
from mediation.services.cases import (
    case_assign,
    case_close,
    case_reopen,
    case_start,
    case_transition,
    recusal_reason,
    timeline_add,
)

S = Case.Status
CONFIRMATION_WINDOW_DAYS = 30
CONFIRMATION_WARN_DAY = 20
FOLLOW_UPS = ((FollowUp.Kind.WEEK, 7), (FollowUp.Kind.MONTH, 30))
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


# --- Agreement and follow-ups ---------------------------------------------------------------


@transaction.atomic
def agreement_record(
    *, case: Case, actor: User, terms: str, signed_on: date, performance_due: date | None = None
) -> Agreement:
    """Record the signed agreement (never dated in the future): the case becomes ``agreed`` and its
    follow-ups fall due 7 and 30 days after signing."""
    terms = (terms or "").strip()
    today = timezone.localdate()
    errors = {}
    if not terms:
        errors["terms"] = [_("请填写协议内容。")]
    if signed_on is None:
        errors["signed_on"] = [_("请填写签订日期。")]
    elif signed_on > today:
        errors["signed_on"] = [_("签订日期不能晚于今天。")]
    if performance_due is not None and signed_on is not None and performance_due < signed_on:
        errors["performance_due"] = [_("履行期限不能早于签订日期。")]
    if errors:
        raise ValidationError(errors)
    if Agreement.objects.filter(case=case).exists():
        raise Conflict(_("本案已有调解协议。"), code="agreement_exists")
    case_transition(
        case=case, to=S.AGREED, actor=actor, note=_("签订调解协议（%(date)s）") % {"date": signed_on.isoformat()}
    )
    agreement = Agreement.objects.create(
        case=case, terms=terms, signed_on=signed_on, performance_due=performance_due, recorded_by=actor
    )
    for kind, days in FOLLOW_UPS:
        due = signed_on + timedelta(days=days)
        FollowUp.objects.create(case=case, kind=kind, due_on=due, remind_on=due - timedelta(days=1))
    timeline_add(
        case=case,
        kind=CaseTimelineEntry.Kind.AGREEMENT,
        actor=actor,
        note=_("回访安排：%(week)s、%(month)s")
        % {"week": (signed_on + timedelta(days=7)).isoformat(), "month": (signed_on + timedelta(days=30)).isoformat()},
    )
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=agreement, object_repr=case.number)
    return agreement


@transaction.atomic
def signature_record(
    *, case: Case, actor: User, party: Party, signed_on: date | None = None, method: str = ""
) -> AgreementSignature:
    """Record that ``party`` signed the agreement: in person today, or by the mediator after the
    fact with the date on the paper (never in the future, never before the agreement's date).
    Once every party has signed, the case can be closed (:func:`case_close`)."""
    agreement = Agreement.objects.select_for_update().filter(case=case).first()
    if agreement is None:
        raise Conflict(_("尚未记录调解协议，不能登记签字。"), code="no_agreement")
    if case.status != S.AGREED:
        raise Conflict(
            _("案件当前为“%(status)s”，不能再登记协议签字。") % {"status": case.get_status_display()},
            code="case_not_agreed",
        )
    today = timezone.localdate()
    errors = {}
    if party is None or party.case_id != case.pk:
        errors["party"] = [_("当事人不属于本案。")]
    if method not in AgreementSignature.Method.values:
        errors["method"] = [_("请选择登记方式：当面签字，或调解员事后补录。")]
    if method == AgreementSignature.Method.IN_PERSON and signed_on is None:
        signed_on = today
    if signed_on is None:
        errors["signed_on"] = [_("请填写签字日期。")]
    elif signed_on > today:
        errors["signed_on"] = [_("签字日期不能晚于今天。")]
    elif signed_on < agreement.signed_on:
        errors["signed_on"] = [
            _("签字日期不能早于协议签订日期（%(date)s）。") % {"date": agreement.signed_on.isoformat()}
        ]
    elif method == AgreementSignature.Method.IN_PERSON and signed_on != today:
        errors["signed_on"] = [_("当面签字的日期应为今天；补录以前的签字请选择“调解员事后补录”。")]
    if errors:
        raise ValidationError(errors)
    existing = AgreementSignature.objects.filter(agreement=agreement, party=party).first()
    if existing is not None:
        raise Conflict(
            _("%(role)s %(name)s 已于 %(date)s 签字。")
            % {"role": party.get_role_display(), "name": party.name_masked, "date": existing.signed_on.isoformat()},
            code="already_signed",
        )
    signature = AgreementSignature.objects.create(
        agreement=agreement, party=party, signed_on=signed_on, method=method, recorded_by=actor
    )
    timeline_add(
        case=case,
        kind=CaseTimelineEntry.Kind.AGREEMENT,
        actor=actor,
        note=_("%(role)s %(name)s 在调解协议上签字（%(date)s，%(method)s）")
        % {
            "role": party.get_role_display(),
            "name": party.name_masked,
            "date": signed_on.isoformat(),
            "method": signature.get_method_display(),
        },
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=signature,
        object_repr=case.number,
        changes={"party": party.pk, "signed_on": signed_on.isoformat(), "method": method},
    )
    return signature


def _record_follow_up(*, obj: FollowUp, frm: str, to: str, actor, note: str) -> None:
    timeline_add(
        case=obj.case,
        kind=CaseTimelineEntry.Kind.FOLLOW_UP,
        actor=actor,
        note=_("%(kind)s：%(outcome)s。%(note)s")
        % {"kind": obj.get_kind_display(), "outcome": obj.get_outcome_display(), "note": note},
    )


FOLLOW_UP_FLOW = Workflow(
    model=FollowUp,
    moves={
        FollowUp.Status.PENDING: {FollowUp.Status.DONE: {"outcome", "note", "done_at", "done_by"}},
        FollowUp.Status.DONE: {},
    },
    record=_record_follow_up,
    labels=dict(FollowUp.Status.choices),
    noun=gettext_lazy("回访"),
)


def counselling_refer(*, case: Case, actor: User) -> User | None:
    """Refer the parties to a psychologist mediator: the least-loaded qualified one who need not
    recuse joins the case as co-mediator. Without one, the centre's supervisors are asked."""
    for candidate in mediators_for(case=case, kind=MediatorProfile.Kind.PSYCHOLOGIST):
        if recusal_reason(case=case, mediator=candidate):
            continue
        case_assign(case=case, mediator=candidate, actor=actor, lead=False)
        timeline_add(
            case=case,
            kind=CaseTimelineEntry.Kind.FOLLOW_UP,
            actor=actor,
            note=_("转介心理咨询师：%(name)s") % {"name": candidate.display_name},
        )
        return candidate
    timeline_add(
        case=case, kind=CaseTimelineEntry.Kind.FOLLOW_UP, actor=actor, note=_("需要心理疏导，暂无可转介的心理咨询师")
    )
    notification_enqueue(
        recipients=case_supervisors(case=case),
        key=f"mediation:case:{case.pk}:counselling:{case.version}",
        title=_("【调解】案件 %(number)s 的当事人需要心理疏导，请安排心理咨询师") % {"number": case.number},
        url=reverse("mediation:case_detail", args=[case.pk]),
    )
    return None


@transaction.atomic
def follow_up_record(
    *, follow_up: FollowUp, actor: User, outcome: str, note: str = "", needs_counselling: bool = False
) -> FollowUp:
    """Record what the visit found. "Dispute recurred" reopens the case (an agreed case is closed
    first — the agreement stage is over — then reopened); "needs counselling" refers the parties
    to a psychologist mediator."""
    if outcome not in FollowUp.Outcome.values:
        raise ValidationError({"outcome": _("请选择回访结果。")})
    note = (note or "").strip()
    FOLLOW_UP_FLOW.transition(
        follow_up,
        to=FollowUp.Status.DONE,
        actor=actor,
        note=note[:300],
        changes={"outcome": outcome, "note": note, "done_at": timezone.now(), "done_by": actor},
    )
    if outcome == FollowUp.Outcome.RECURRED:
        case = Case.objects.get(pk=follow_up.case_id)
        if case.status == S.AGREED:
            case = case_close(case=case, actor=actor, note=_("回访发现纠纷复发"), agreement_failed=True)
        if case.status == S.CLOSED:
            case_reopen(case=case, actor=actor, note=_("回访发现纠纷复发，重新启动调解"))
        follow_up.case = case
        # The visits not yet made belong to the old agreement: they are not due any more.
        FollowUp.objects.filter(case=case, status=FollowUp.Status.PENDING).update(
            status=FollowUp.Status.DONE, outcome="", note=_("案件重新启动，本次回访取消"), done_at=timezone.now()
        )
    if needs_counselling:
        counselling_refer(case=Case.objects.get(pk=follow_up.case_id), actor=actor)
    return follow_up


# --- Judicial confirmation ------------------------------------------------------------------


def confirmation_deadline(agreement: Agreement) -> date:
    return agreement.signed_on + timedelta(days=CONFIRMATION_WINDOW_DAYS)


def confirmation_warning(*, agreement: Agreement, today: date | None = None) -> str:
    """From day 20 after signing, until applied: how many days are left to apply."""
    today = today or timezone.localdate()
    if JudicialConfirmation.objects.filter(agreement=agreement).exists():
        return ""
    age = (today - agreement.signed_on).days
    left = (confirmation_deadline(agreement) - today).days
    if age < CONFIRMATION_WARN_DAY:
        return ""
    if left < 0:
        return _("已超过申请司法确认的30日期限。")
    return _("距申请司法确认截止还有 %(n)d 天（%(date)s）。") % {
        "n": left,
        "date": confirmation_deadline(agreement).isoformat(),
    }


def _record_confirmation(*, obj: JudicialConfirmation, frm: str, to: str, actor, note: str) -> None:
    timeline_add(
        case=obj.agreement.case,
        kind=CaseTimelineEntry.Kind.CONFIRMATION,
        actor=actor,
        note=_("司法确认：%(status)s。%(note)s") % {"status": JudicialConfirmation.Status(to).label, "note": note},
    )


CONFIRMATION_FLOW = Workflow(
    model=JudicialConfirmation,
    moves={
        JudicialConfirmation.Status.APPLIED: {
            JudicialConfirmation.Status.CONFIRMED: {"ruling_number", "decided_at"},
            JudicialConfirmation.Status.REJECTED: {"reason", "decided_at"},
        },
        JudicialConfirmation.Status.CONFIRMED: {},
        JudicialConfirmation.Status.REJECTED: {},
    },
    record=_record_confirmation,
    labels=dict(JudicialConfirmation.Status.choices),
    noun=gettext_lazy("司法确认"),
)


@transaction.atomic
def confirmation_apply(*, case: Case, actor: User, applied_on: date, court: str) -> JudicialConfirmation:
    """Apply for judicial confirmation: within 30 days of the agreement, never in the future."""
    agreement = Agreement.objects.filter(case=case).first()
    if agreement is None:
        raise Conflict(_("尚未签订调解协议，不能申请司法确认。"), code="no_agreement")
    if JudicialConfirmation.objects.filter(agreement=agreement).exists():
        raise Conflict(_("已申请过司法确认。"), code="already_applied")
    court = (court or "").strip()
    errors = {}
    if not court:
        errors["court"] = [_("请填写受理法院。")]
    if applied_on is None:
        errors["applied_on"] = [_("请填写申请日期。")]
    elif applied_on > timezone.localdate():
        errors["applied_on"] = [_("申请日期不能晚于今天。")]
    elif applied_on < agreement.signed_on:
        errors["applied_on"] = [_("申请日期不能早于协议签订日期。")]
    elif applied_on > confirmation_deadline(agreement):
        errors["applied_on"] = [
            _("司法确认应在协议生效之日起30日内申请（截止 %(date)s），已超过期限。")
            % {"date": confirmation_deadline(agreement).isoformat()}
        ]
    if errors:
        raise ValidationError(errors)
    confirmation = JudicialConfirmation.objects.create(agreement=agreement, court=court[:100], applied_on=applied_on)
    timeline_add(
        case=case,
        kind=CaseTimelineEntry.Kind.CONFIRMATION,
        actor=actor,
        note=_("向%(court)s申请司法确认（%(date)s）") % {"court": confirmation.court, "date": applied_on.isoformat()},
    )
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=confirmation, object_repr=case.number)
    return confirmation


@transaction.atomic
def confirmation_decide(
    *, case: Case, actor: User, result: str, ruling_number: str = "", reason: str = ""
) -> JudicialConfirmation:
    confirmation = JudicialConfirmation.objects.filter(agreement__case=case).select_related("agreement__case").first()
    if confirmation is None:
        raise Conflict(_("尚未申请司法确认。"), code="not_applied")
    now = timezone.now()
    if result == JudicialConfirmation.Status.CONFIRMED:
        if not (ruling_number or "").strip():
            raise ValidationError({"ruling_number": _("请填写裁定书文号。")})
        changes = {"ruling_number": ruling_number.strip()[:80], "decided_at": now}
        note = ruling_number.strip()
    elif result == JudicialConfirmation.Status.REJECTED:
        if not (reason or "").strip():
            raise ValidationError({"reason": _("请填写法院不予确认的理由。")})
        changes = {"reason": reason.strip()[:300], "decided_at": now}
        note = reason.strip()
    else:
        raise ValidationError({"result": _("结果应为“已确认”或“不予确认”。")})
    CONFIRMATION_FLOW.transition(confirmation, to=result, actor=actor, note=note, changes=changes)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=confirmation,
        changes={"result": result},
        object_repr=case.number,
    )
    return confirmation
