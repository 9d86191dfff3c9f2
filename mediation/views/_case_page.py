"""The case page, the one door its actions go through, and the forms it shows."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.exceptions import DomainError
from mediation import forms, policies, selectors, services
from mediation.models import Case, JudicialConfirmation
from mediation.services.confirmation import confirmation_deadline
from mediation.views._common import S, _errors


def _case_page(request: HttpRequest, case: Case, *, status: int = 200, bound: dict | None = None) -> HttpResponse:
    user = request.user
    policies.case_can(user=user, action="view", case=case).raise_for_page()
    services.case_read_record(actor=user, case=case, part="page", request=request)
    allowed = policies.case_actions_allowed(user=user, case=case)
    agreement = selectors.case_agreement(case=case)
    confirmation = JudicialConfirmation.objects.filter(agreement=agreement).first() if agreement else None
    may_withdraw = (
        agreement is not None and confirmation is None and case.status == S.AGREED and "withdraw_signature" in allowed
    )
    targets = services.CASE_TRANSITIONS.get(case.status, frozenset())
    bound = bound or {}
    notes_visible = policies.channel_notes_visible(user=user, case=case)
    sessions = list(selectors.case_sessions(case=case))
    for session in sessions:
        session.notes_visible = notes_visible(session)
    moves = {
        "accept": S.ACCEPTED in targets and "accept" in allowed,
        "decline": S.DECLINED in targets and "decline" in allowed,
        "start": S.MEDIATING in targets and "start" in allowed,
        "fail": S.FAILED in targets and "fail" in allowed,
        "refer": S.REFERRED in targets and "refer" in allowed,
        "close": S.CLOSED in targets and "close" in allowed,
        "reopen": S.REOPENED in targets and "reopen" in allowed,
        "escalate": case.is_open and case.tier != "county" and "escalate" in allowed,
    }
    context = {
        "case": case,
        "parties": selectors.case_parties(case=case),
        "mediators": selectors.case_mediators(case=case),
        "timeline": selectors.case_timeline(case=case),
        "sessions": sessions,
        "follow_ups": selectors.case_follow_ups(case=case, agreement=agreement) if agreement else [],
        "agreement": agreement,
        "confirmation": confirmation,
        "confirmation_deadline": confirmation_deadline(agreement) if agreement else None,
        "confirmation_warning": services.confirmation_warning(agreement=agreement) if agreement else "",
        "allowed": allowed,
        "moves": moves,
        "today": timezone.localdate(),
        "public_status": services.public_status(case),
        "decline_form": bound.get("decline") or forms.ReasonForm(prefix="decline"),
        "fail_form": bound.get("fail") or forms.ReasonForm(prefix="fail"),
        "refer_form": bound.get("refer") or forms.ReferForm(prefix="refer"),
        "escalate_form": bound.get("escalate") or _escalate_form(case),
        "handed_over": policies.is_handed_over_reader(user=user, case=case),
        # (party, live signature or None, its withdrawal form when it may be withdrawn)
        "signatures": [
            (party, signature, _withdraw_form(signature, bound) if signature and may_withdraw else None)
            for party, signature in (selectors.agreement_signatures(case=case) if agreement else [])
        ],
        "withdrawn_signatures": selectors.withdrawn_signatures(agreement=agreement) if agreement else [],
        "earlier_agreements": selectors.case_earlier_agreements(case=case),
        "signature_form": (bound.get("record_signature") or _signature_form(case))
        if agreement and case.status == S.AGREED and "record_signature" in allowed
        else None,
        "assign_form": (
            bound.get("assign") or forms.AssignForm(prefix="assign", mediators=selectors.mediators_for(case=case))
        )
        if "assign" in allowed
        else None,
        "relations": selectors.case_relations(case=case),
        "relation_form": (bound.get("declare_relation") or _relation_form(case))
        if "declare_relation" in allowed
        else None,
        "confirmation_form": bound.get("confirmation") or forms.ConfirmationForm(prefix="jc"),
        "decide_form": bound.get("decide") or forms.DecideForm(prefix="jd"),
        "session_active": case.status in (S.ACCEPTED, S.MEDIATING, S.REOPENED),
    }
    return render(request, "mediation/case_detail.html", context, status=status)


def _case_action(
    request: HttpRequest, pk: int, *, action: str, form, run: Callable[[Case, dict], object], done: str
) -> HttpResponse:
    """One door for the case page's actions: scoped read (404), policy (403), form, service."""
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    policies.case_can(user=request.user, action=action, case=case).raise_for_page()
    if form.is_valid():
        try:
            run(case, form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            for message in _errors(exc):
                messages.error(request, message)
            status = getattr(exc, "status_code", 400)
            return _case_page(request, selectors.case_get_for_user(user=request.user, pk=pk), status=status)
        messages.success(request, done)
        if not selectors.visible_cases(user=request.user).filter(pk=pk).exists():
            # Escalated above the actor's own reach: the case page would now be a 404.
            messages.info(request, _("案件已移交上级调解中心，不在您的督办范围内。"))
            return redirect("mediation:cases")
        return redirect("mediation:case_detail", pk=pk)
    return _case_page(request, case, status=400, bound={action: form})


def _escalate_form(case: Case, data=None) -> forms.EscalateForm:
    return forms.EscalateForm(data, prefix="escalate", mediators=selectors.acting_mediators(case_id=case.pk))


def _signature_form(case: Case, data=None) -> forms.SignatureForm | None:
    unsigned = selectors.unsigned_parties(case=case)
    if data is None and not unsigned:
        return None
    return forms.SignatureForm(
        data, prefix="sig", parties=selectors.case_parties(case=case).filter(pk__in=[p.pk for p in unsigned])
    )


def _withdraw_form(signature, bound: dict | None = None, data=None) -> forms.ReasonForm:
    """One form per signature (its own prefix: the page has one per signed party)."""
    form = (bound or {}).get("withdraw_signature")
    if form is not None and form.prefix == f"withdraw{signature.pk}":
        return form
    return forms.ReasonForm(data, prefix=f"withdraw{signature.pk}")


def _relation_form(case: Case, data=None) -> forms.RelationForm:
    return forms.RelationForm(
        data,
        prefix="rel",
        parties=selectors.case_parties(case=case),
        mediators=selectors.mediators_for(case=case),
    )
