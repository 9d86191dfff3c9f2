"""The parties' signatures on the current agreement: recorded, or withdrawn with a reason."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.exceptions import Conflict
from governance.models import AuditEntry, User
from governance.services import audit_record
from mediation.models import AgreementSignature, Case, CaseTimelineEntry, JudicialConfirmation, Party
from mediation.services.agreements import agreement_settle, current_agreement, live_signatures
from mediation.services.cases import timeline_add

S = Case.Status


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
