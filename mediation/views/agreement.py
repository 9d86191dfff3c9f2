"""The agreement: its record, the parties' signatures, its PDF and its judicial confirmation."""

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from governance.permissions import any_portal_user
from mediation import documents, forms, policies, selectors, services
from mediation.views._case_page import _case_action, _signature_form, _withdraw_form
from mediation.views._common import _form_page


@require_http_methods(["GET", "POST"])
@any_portal_user
def agreement_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    return _form_page(
        request,
        case=case,
        action="record_agreement",
        form=forms.AgreementForm(request.POST or None),
        run=lambda d: services.agreement_record(case=case, actor=request.user, **d),
        done=_("已记录调解协议，回访已安排。"),
        template="mediation/agreement_form.html",
    )


@require_http_methods(["GET"])
@any_portal_user
def agreement_pdf_view(request: HttpRequest, pk: int, agreement_pk: int | None = None) -> HttpResponse:
    """The agreement as a PDF (调解协议书), for those who may see the case; each download audited.
    The current agreement, or with ``agreement_pk`` an earlier round's."""
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    policies.case_can(user=request.user, action="download_agreement", case=case).raise_for_page()
    if agreement_pk is None:
        agreement = selectors.case_agreement(case=case)
        if agreement is None:
            raise Http404
    else:
        agreement = selectors.case_agreement_get(case=case, pk=agreement_pk)
    services.case_read_record(actor=request.user, case=case, part="agreement_pdf", request=request)
    return documents.agreement_response(case=case, agreement=agreement)


@require_POST
@any_portal_user
def signature_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a party's signature on the agreement (in person, or after the fact by the mediator)."""
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    return _case_action(
        request,
        pk,
        action="record_signature",
        form=_signature_form(case, request.POST),
        run=lambda c, d: services.signature_record(
            case=c, actor=request.user, party=d["party"], signed_on=d["signed_on"], method=d["method"]
        ),
        done=_("已登记当事人签字。"),
    )


@require_POST
@any_portal_user
def signature_withdraw_view(request: HttpRequest, pk: int, signature_pk: int) -> HttpResponse:
    """Withdraw a wrongly recorded signature, with a reason (the case's mediators only)."""
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    signature = selectors.signature_get(case=case, pk=signature_pk)
    return _case_action(
        request,
        pk,
        action="withdraw_signature",
        form=_withdraw_form(signature, data=request.POST),
        run=lambda c, d: services.signature_withdraw(
            case=c, actor=request.user, signature=signature, reason=d["reason"]
        ),
        done=_("已撤回该签字。"),
    )


@require_POST
@any_portal_user
def confirmation_apply_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_action(
        request,
        pk,
        action="apply_confirmation",
        form=forms.ConfirmationForm(request.POST, prefix="jc"),
        run=lambda c, d: services.confirmation_apply(case=c, actor=request.user, **d),
        done=_("已登记司法确认申请。"),
    )


@require_POST
@any_portal_user
def confirmation_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_action(
        request,
        pk,
        action="decide_confirmation",
        form=forms.DecideForm(request.POST, prefix="jd"),
        run=lambda c, d: services.confirmation_decide(case=c, actor=request.user, **d),
        done=_("已登记司法确认结果。"),
    )
