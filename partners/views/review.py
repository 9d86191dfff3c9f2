"""Staff review pages: applications, service records to verify, adjustments to approve, the ledger check."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance.exceptions import DomainError
from governance.permissions import any_portal_user
from partners import policies, selectors, services
from partners.forms import DecideForm, RejectForm
from partners.models import LedgerCheckpoint


@any_portal_user  # the partners policy decides (staff over a community), as on the newer staff pages
def applications_view(request: HttpRequest) -> HttpResponse:
    policies.staff_pages_can(user=request.user).raise_for_page()
    partners = selectors.applications_to_decide(user=request.user)
    active = selectors.visible_partners(user=request.user).exclude(status="pending")[:100]
    return render(request, "partners/applications.html", {"pending": partners, "others": active})


@require_POST
@any_portal_user  # the selector (404) and the policy (403) decide, as on the API
def partner_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    partner = selectors.partner_get_for_user(user=request.user, pk=pk)
    policies.partner_can(user=request.user, action="decide", partner=partner).raise_for_page()
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("不支持的操作。"))
        return redirect("partners:applications")
    try:
        services.partner_decide(partner=partner, actor=request.user, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, f"{partner.name}：{exc.detail}")
    else:
        messages.success(request, _("已处理：%(name)s") % {"name": partner.name})
    return redirect("partners:applications")


@any_portal_user  # the partners policy decides (staff over a community), as on the newer staff pages
def records_view(request: HttpRequest) -> HttpResponse:
    policies.staff_pages_can(user=request.user).raise_for_page()
    return render(request, "partners/records.html", {"records": selectors.records_to_verify(user=request.user)})


@require_POST
@any_portal_user  # the selector (404) and the policy (403) decide, as on the API
def record_verify_view(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.record_get_for_user(user=request.user, pk=pk)
    policies.record_can(user=request.user, action="verify", record=record).raise_for_page()
    try:
        record, _tx = services.service_record_verify(record=record, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        if record.capped:
            messages.warning(
                request,
                _("已核实。已达本月上限，只计 %(n)d 分。") % {"n": record.points_awarded},
            )
        else:
            messages.success(request, _("已核实，记 %(n)d 分。") % {"n": record.points_awarded})
    return redirect("partners:records")


@require_POST
@any_portal_user  # the selector (404) and the policy (403) decide, as on the API
def record_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.record_get_for_user(user=request.user, pk=pk)
    policies.record_can(user=request.user, action="reject", record=record).raise_for_page()
    form = RejectForm(request.POST)
    form.is_valid()
    try:
        services.service_record_reject(record=record, actor=request.user, reason=form.cleaned_data.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("已退回该服务记录。"))
    return redirect("partners:records")


@any_portal_user  # the partners policy decides (staff over a community), as on the newer staff pages
def adjustments_view(request: HttpRequest) -> HttpResponse:
    policies.staff_pages_can(user=request.user).raise_for_page()
    pending = selectors.visible_adjustments(user=request.user).filter(status="pending_approval")
    return render(request, "partners/adjustments.html", {"pending": pending})


@require_POST
@any_portal_user  # the selector (404) and the policy (403, incl. the two-person rule) decide
def adjustment_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    adjustment = selectors.adjustment_get_for_user(user=request.user, pk=pk)
    decision = policies.adjustment_can(user=request.user, action="approve", adjustment=adjustment)
    if not decision:
        messages.error(request, decision.detail)
        return redirect("partners:adjustments")
    try:
        services.adjustment_approve(adjustment=adjustment, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("已复核入账。"))
    return redirect("partners:adjustments")


@any_portal_user  # the partners policy decides (staff over a community), as on the newer staff pages
def ledger_view(request: HttpRequest) -> HttpResponse:
    policies.staff_pages_can(user=request.user).raise_for_page()
    return render(request, "partners/ledger.html", {"checkpoint": LedgerCheckpoint.objects.first()})
