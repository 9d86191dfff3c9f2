"""The agreement of each round of mediation, the parties' signatures on it, the day it takes
effect, its follow-up visits and its judicial confirmation. Permission-free: callers ask
``mediation.policies`` first.

Rounds. A case has at most one *current* agreement (``Agreement.superseded_at`` empty). When the
case is reopened (a follow-up found the dispute back, or a mediator reopened it) the round is
over: :func:`case_reopen` supersedes the current agreement and cancels its pending visits, each
through the workflow kit with its timeline entry. The case mediates again and may record a new
agreement (round 2, …); the earlier ones stay, with their signatures, confirmation and visits, as
history.

The day the agreement takes effect (``Agreement.effective_on``) is the date of the last party
signature, once every party of the case has signed (the case cannot be closed before). The
follow-ups (+7 and +30 days) and the judicial-confirmation window (30 days, warned at day 20)
count from it:

- The visits are created with the agreement, provisionally due from its own date (``signed_on``:
  when the parties sign at the table, as they mostly do, that *is* the day it takes effect), so the
  mediator's list shows them from the start.
- Whenever the effective day is settled or changes — the last signature recorded (in person or
  after the fact), or a withdrawal followed by a new signature — :func:`agreement_settle` writes
  ``effective_on`` and moves the *pending* visits to count from it. Each visit moves with the kit's
  clock write (compare-and-set on ``version``, like the reminder clock in ``clock.py``), its
  reminder and overdue stamps cleared so the clock tells about the new date (the notification keys
  carry the due date); one timeline entry says when the agreement took effect and the new dates.
  Visits already made stay as they are.
- A withdrawal that leaves a party unsigned takes the effective day away (``effective_on`` empty:
  not in force, no confirmation window) and leaves the visits where they were until it takes
  effect again.
- Judicial confirmation may be applied for only while the agreement is in force, no earlier than
  the day it took effect and no later than 30 days after it.

A signature recorded wrongly is withdrawn (:func:`signature_withdraw`), with a reason, by the
case's mediators: never once the confirmation has been applied for (the court has the agreement
as signed) nor once the case is closed.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.exceptions import Conflict, StaleState
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
)
from mediation.selectors import case_supervisors, mediators_for
from mediation.services.assignment import case_assign
from mediation.services.cases import (
    case_close,
    case_transition,
    deadline_days,
    timeline_add,
)
from mediation.services.recusal import recusal_reason

S = Case.Status
CONFIRMATION_WINDOW_DAYS = 30
CONFIRMATION_WARN_DAY = 20
FOLLOW_UPS = ((FollowUp.Kind.WEEK, 7), (FollowUp.Kind.MONTH, 30))
FOLLOW_UP_DAYS = dict(FOLLOW_UPS)

# The agreement's own columns (effective_on, superseded_at, confirmation_warned_at) have no status
# to move: every write of them is a clock write of the kit, a compare-and-set on ``version``.
AGREEMENT_CLOCK = Workflow(model=Agreement, moves={})


def _stale() -> StaleState:
    return StaleState(_("调解协议刚被其他人更新，请刷新后重试。"))


def current_agreement(*, case: Case, lock: bool = False) -> Agreement | None:
    """The case's current agreement (the latest round not superseded), locked on PostgreSQL."""
    qs = Agreement.objects.filter(case=case, superseded_at__isnull=True)
    if lock and connection.features.has_select_for_update:
        qs = qs.select_for_update()
    return qs.order_by("-round").first()


def live_signatures(agreement: Agreement):
    return AgreementSignature.objects.filter(agreement=agreement, withdrawn_at__isnull=True)


def effective_date(*, agreement: Agreement) -> date | None:
    """The day the agreement takes effect: the last signature's date once every party of the case
    has signed (None while anyone has not)."""
    parties = set(Party.objects.filter(case_id=agreement.case_id).values_list("pk", flat=True))
    signed = dict(live_signatures(agreement).values_list("party_id", "signed_on"))
    if not parties or not parties <= set(signed):
        return None
    return max(signed[pk] for pk in parties)


def follow_up_base(agreement: Agreement) -> date:
    """What the visits count from: the day it took effect, provisionally its own date."""
    return agreement.effective_on or agreement.signed_on


# --- Follow-up visits: their table ------------------------------------------------------------


def _record_follow_up(*, obj: FollowUp, frm: str, to: str, actor, note: str) -> None:
    if to == FollowUp.Status.CANCELLED:
        text = _("%(kind)s（%(date)s）已取消：%(note)s") % {
            "kind": obj.get_kind_display(),
            "date": obj.due_on.isoformat(),
            "note": note,
        }
    else:
        text = _("%(kind)s：%(outcome)s。%(note)s") % {
            "kind": obj.get_kind_display(),
            "outcome": obj.get_outcome_display(),
            "note": note,
        }
    timeline_add(case=obj.case, kind=CaseTimelineEntry.Kind.FOLLOW_UP, actor=actor, note=text)


FOLLOW_UP_FLOW = Workflow(
    model=FollowUp,
    moves={
        FollowUp.Status.PENDING: {
            FollowUp.Status.DONE: {"outcome", "note", "done_at", "done_by"},
            FollowUp.Status.CANCELLED: {"note", "done_at"},
        },
        FollowUp.Status.DONE: {},
        FollowUp.Status.CANCELLED: {},
    },
    record=_record_follow_up,
    labels=dict(FollowUp.Status.choices),
    noun=gettext_lazy("回访"),
)


def _schedule(base: date, days: int) -> dict:
    due = base + timedelta(days=days)
    return {"due_on": due, "remind_on": due - timedelta(days=1)}


def _follow_ups_move(*, agreement: Agreement, base: date) -> list[str]:
    """Move the agreement's pending visits to count from ``base`` (the kit's clock write, retried
    on a fresh row when the reminder clock ticked in between). Returns the new dates."""
    moved = []
    for follow_up in FollowUp.objects.filter(agreement=agreement, status=FollowUp.Status.PENDING):
        for _attempt in range(3):
            changes = _schedule(base, FOLLOW_UP_DAYS[follow_up.kind])
            if follow_up.due_on == changes["due_on"]:
                break
            changes.update(reminded_at=None, overdue_reported_at=None)
            if FOLLOW_UP_FLOW.clock_write(follow_up, changes=changes, where=Q(status=FollowUp.Status.PENDING)):
                moved.append(
                    _("%(kind)s改为 %(date)s") % {"kind": follow_up.get_kind_display(), "date": changes["due_on"]}
                )
                break
            follow_up.refresh_from_db()
            if follow_up.status != FollowUp.Status.PENDING:
                break
        else:
            raise _stale()
    return moved


# --- The agreement ----------------------------------------------------------------------------


@transaction.atomic
def agreement_record(
    *, case: Case, actor: User, terms: str, signed_on: date, performance_due: date | None = None
) -> Agreement:
    """Record this round's agreement (never dated in the future): the case becomes ``agreed`` and
    its follow-ups are scheduled 7 and 30 days on, provisionally from the agreement's date until it
    takes effect (:func:`agreement_settle`). A case reopened after an earlier agreement records a
    new one here (the next round); the earlier one stays as history."""
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
    if current_agreement(case=case) is not None:
        raise Conflict(_("本案已有调解协议。"), code="agreement_exists")
    case_transition(
        case=case, to=S.AGREED, actor=actor, note=_("签订调解协议（%(date)s）") % {"date": signed_on.isoformat()}
    )
    last = Agreement.objects.filter(case=case).aggregate(last=Max("round"))["last"] or 0
    agreement = Agreement.objects.create(
        case=case,
        round=last + 1,
        terms=terms,
        signed_on=signed_on,
        performance_due=performance_due,
        recorded_by=actor,
    )
    for kind, days in FOLLOW_UPS:
        FollowUp.objects.create(case=case, agreement=agreement, kind=kind, **_schedule(signed_on, days))
    timeline_add(
        case=case,
        kind=CaseTimelineEntry.Kind.AGREEMENT,
        actor=actor,
        note=(_("第%(round)d轮调解协议。") % {"round": agreement.round} if agreement.round > 1 else "")
        + _("回访安排：%(week)s、%(month)s")
        % {"week": (signed_on + timedelta(days=7)).isoformat(), "month": (signed_on + timedelta(days=30)).isoformat()},
    )
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=agreement, object_repr=case.number)
    return agreement


def agreement_settle(*, agreement: Agreement, actor: User | None) -> Agreement:
    """Re-evaluate the day the agreement takes effect after its signatures changed; when it
    changed, write it (and clear the day-20 warning stamp: the window moved) and move the pending
    visits to count from it. Runs inside the caller's transaction."""
    effective = effective_date(agreement=agreement)
    for _attempt in range(3):
        if effective == agreement.effective_on:
            return agreement
        if AGREEMENT_CLOCK.clock_write(
            agreement,
            changes={"effective_on": effective, "confirmation_warned_at": None},
            where=Q(superseded_at__isnull=True),
        ):
            break
        agreement.refresh_from_db()  # the day-20 clock stamped it since it was read
        if agreement.superseded_at is not None:
            raise _stale()
    else:
        raise _stale()
    case = agreement.case
    if effective is None:
        note = _("有当事人签字被撤回，协议尚未生效；回访日期暂不变动。")
    else:
        moved = _follow_ups_move(agreement=agreement, base=effective)
        note = _("协议自 %(date)s 起生效（最后一位当事人签字之日）；申请司法确认的截止日期为 %(deadline)s。") % {
            "date": effective.isoformat(),
            "deadline": (effective + timedelta(days=CONFIRMATION_WINDOW_DAYS)).isoformat(),
        }
        if moved:
            note += _("回访改期：%(dates)s。") % {"dates": "、".join(moved)}
    timeline_add(case=case, kind=CaseTimelineEntry.Kind.AGREEMENT, actor=actor, note=note)
    return agreement


# --- Signatures -------------------------------------------------------------------------------


@transaction.atomic
def signature_record(
    *, case: Case, actor: User, party: Party, signed_on: date | None = None, method: str = ""
) -> AgreementSignature:
    """Record that ``party`` signed the current agreement: in person today, or by the mediator after
    the fact with the date on the paper (never in the future, never before the agreement's date).
    The last signature makes the agreement take effect (:func:`agreement_settle`); once every party
    has signed, the case can be closed (:func:`case_close`)."""
    agreement = current_agreement(case=case, lock=True)
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
    existing = live_signatures(agreement).filter(party=party).first()
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
    agreement_settle(agreement=agreement, actor=actor)
    return signature


@transaction.atomic
def signature_withdraw(*, case: Case, actor: User, signature: AgreementSignature, reason: str) -> AgreementSignature:
    """Withdraw a signature recorded in error (the wrong party, the wrong date), with a reason. The
    row stays, marked withdrawn; the party counts as not signed and the day the agreement takes
    effect is re-evaluated. Refused once the case is closed (409 ``case_closed``), once judicial
    confirmation has been applied for (409 ``confirmation_applied``), and on an earlier round's
    agreement (409 ``agreement_superseded``)."""
    reason = (reason or "").strip()
    agreement = current_agreement(case=case, lock=True)
    if signature is None or signature.agreement.case_id != case.pk:
        raise ValidationError({"signature": _("该签字不属于本案的调解协议。")})
    if not reason:
        raise ValidationError({"reason": _("请说明撤回签字的原因（如：登记错了当事人或日期）。")})
    if case.status == S.CLOSED:
        raise Conflict(_("案件已结案，不能再撤回协议签字。"), code="case_closed")
    if agreement is None or signature.agreement_id != agreement.pk:
        raise Conflict(_("这是以前一轮的调解协议，已经失效，其签字不能撤回。"), code="agreement_superseded")
    if case.status != S.AGREED:
        raise Conflict(
            _("案件当前为“%(status)s”，不能撤回协议签字。") % {"status": case.get_status_display()},
            code="case_not_agreed",
        )
    if JudicialConfirmation.objects.filter(agreement=agreement).exists():
        raise Conflict(_("已申请司法确认，协议签字不能再撤回。"), code="confirmation_applied")
    now = timezone.now()
    withdrawn = AgreementSignature.objects.filter(pk=signature.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=now, withdrawn_by=actor, withdraw_reason=reason[:300]
    )
    if not withdrawn:
        raise Conflict(_("该签字已被撤回。"), code="already_withdrawn")
    signature.withdrawn_at, signature.withdrawn_by, signature.withdraw_reason = now, actor, reason[:300]
    party = signature.party
    timeline_add(
        case=case,
        kind=CaseTimelineEntry.Kind.AGREEMENT,
        actor=actor,
        note=_("撤回 %(role)s %(name)s 的签字（%(date)s）：%(reason)s")
        % {
            "role": party.get_role_display(),
            "name": party.name_masked,
            "date": signature.signed_on.isoformat(),
            "reason": reason,
        },
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=signature,
        object_repr=case.number,
        changes={"withdrawn": True, "party": party.pk, "signed_on": signature.signed_on.isoformat(), "reason": reason},
    )
    agreement_settle(agreement=agreement, actor=actor)
    return signature


# --- Reopening: the round is over -------------------------------------------------------------


@transaction.atomic
def case_reopen(*, case: Case, actor: User | None, note: str = "") -> Case:
    """Reopen a closed case (the dispute is back): a new mediation round. The current agreement,
    if any, is superseded — kept with its signatures, confirmation and visits as an earlier round —
    and its pending visits are cancelled, each through the kit with its timeline entry."""
    due = timezone.localdate() + timedelta(days=deadline_days())
    case = case_transition(
        case=case, to=S.REOPENED, actor=actor, note=note, changes={"closed_at": None, "deadline": due}
    )
    agreement = current_agreement(case=case, lock=True)
    if agreement is None:
        return case
    now = timezone.now()
    for follow_up in FollowUp.objects.filter(agreement=agreement, status=FollowUp.Status.PENDING):
        FOLLOW_UP_FLOW.transition(
            follow_up,
            to=FollowUp.Status.CANCELLED,
            actor=actor,
            note=_("案件重新启动，本次回访取消"),
            changes={"note": _("案件重新启动，本次回访取消"), "done_at": now},
        )
    if not AGREEMENT_CLOCK.clock_write(agreement, changes={"superseded_at": now}, where=Q(superseded_at__isnull=True)):
        raise _stale()
    timeline_add(
        case=case,
        kind=CaseTimelineEntry.Kind.AGREEMENT,
        actor=actor,
        note=_("第%(round)d轮调解协议（%(date)s）因案件重新启动而失效，作为历史保留。")
        % {"round": agreement.round, "date": agreement.signed_on.isoformat()},
    )
    audit_record(
        actor=actor, action=AuditEntry.Action.UPDATE, obj=agreement, object_repr=case.number,
        changes={"superseded": True},
    )  # fmt: skip
    return case


# --- Follow-up visits -------------------------------------------------------------------------


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
    first — the agreement stage is over — then reopened: :func:`case_reopen` ends the round);
    "needs counselling" refers the parties to a psychologist mediator."""
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
            case = case_reopen(case=case, actor=actor, note=_("回访发现纠纷复发，重新启动调解"))
        follow_up.case = case
    if needs_counselling:
        counselling_refer(case=Case.objects.get(pk=follow_up.case_id), actor=actor)
    return follow_up


# --- Judicial confirmation --------------------------------------------------------------------


def confirmation_deadline(agreement: Agreement | None) -> date | None:
    """The last day to apply: 30 days after the agreement took effect (None: not in force)."""
    if agreement is None or agreement.effective_on is None:
        return None
    return agreement.effective_on + timedelta(days=CONFIRMATION_WINDOW_DAYS)


def confirmation_warning(*, agreement: Agreement, today: date | None = None) -> str:
    """From day 20 after the agreement took effect, until applied: how many days are left."""
    today = today or timezone.localdate()
    deadline = confirmation_deadline(agreement)
    if deadline is None or JudicialConfirmation.objects.filter(agreement=agreement).exists():
        return ""
    age = (today - agreement.effective_on).days
    left = (deadline - today).days
    if age < CONFIRMATION_WARN_DAY:
        return ""
    if left < 0:
        return _("已超过申请司法确认的30日期限。")
    return _("距申请司法确认截止还有 %(n)d 天（%(date)s）。") % {"n": left, "date": deadline.isoformat()}


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
    """Apply for judicial confirmation of the current agreement: only once it is in force (every
    party signed), dated from the day it took effect to 30 days after, never in the future."""
    agreement = current_agreement(case=case, lock=True)
    if agreement is None:
        raise Conflict(_("尚未签订调解协议，不能申请司法确认。"), code="no_agreement")
    if JudicialConfirmation.objects.filter(agreement=agreement).exists():
        raise Conflict(_("已申请过司法确认。"), code="already_applied")
    if agreement.effective_on is None:
        raise Conflict(_("调解协议尚未生效（还有当事人未签字），不能申请司法确认。"), code="agreement_not_in_force")
    court = (court or "").strip()
    deadline = confirmation_deadline(agreement)
    errors = {}
    if not court:
        errors["court"] = [_("请填写受理法院。")]
    if applied_on is None:
        errors["applied_on"] = [_("请填写申请日期。")]
    elif applied_on > timezone.localdate():
        errors["applied_on"] = [_("申请日期不能晚于今天。")]
    elif applied_on < agreement.effective_on:
        errors["applied_on"] = [
            _("申请日期不能早于协议生效日期（%(date)s）。") % {"date": agreement.effective_on.isoformat()}
        ]
    elif applied_on > deadline:
        errors["applied_on"] = [
            _("司法确认应在协议生效之日起30日内申请（截止 %(date)s），已超过期限。") % {"date": deadline.isoformat()}
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
    """The court's decision on the current agreement's application."""
    confirmation = (
        JudicialConfirmation.objects.filter(agreement__case=case, agreement__superseded_at__isnull=True)
        .select_related("agreement__case")
        .first()
    )
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
