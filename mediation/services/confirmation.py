"""Judicial confirmation of the current agreement: its window, its warning, its table and its moves."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.exceptions import Conflict
from governance.models import AuditEntry, User
from governance.services import audit_record
from governance.workflow import Workflow
from mediation.models import Agreement, Case, CaseTimelineEntry, JudicialConfirmation
from mediation.services.agreements import CONFIRMATION_WARN_DAY, CONFIRMATION_WINDOW_DAYS, current_agreement
from mediation.services.cases import timeline_add


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
