"""A partner's own pages: my points, applying, logging a service (with photos), a record's photo, my credit."""

import mimetypes

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from governance import uploads
from governance.exceptions import DomainError
from governance.permissions import any_portal_user
from partners import policies, selectors, services
from partners.forms import ApplyForm, ServiceRecordForm
from partners.models import MAX_RECORD_PHOTOS, ServiceRecordPhoto
from partners.views._common import _my_partner_or_none

STATEMENT_PAGE = 30


@any_portal_user
def my_points_view(request: HttpRequest) -> HttpResponse:
    partner = _my_partner_or_none(request)
    if partner is None:
        return render(request, "partners/not_partner.html")
    policies.partner_can(user=request.user, action="view_account", partner=partner).raise_for_page()
    page = Paginator(selectors.statement(partner=partner), STATEMENT_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/my_points.html",
        {
            "partner": partner,
            "summary": selectors.balance_summary(partner=partner),
            "page": page,
            "records": selectors.visible_records(user=request.user).filter(partner=partner)[:10],
        },
    )


@require_http_methods(["GET", "POST"])
@any_portal_user
def apply_view(request: HttpRequest) -> HttpResponse:
    policies.partner_apply_can(user=request.user).raise_for_page()
    form = ApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_apply(applicant=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("申请已提交，社区工作人员审核后会通知您。"))
            return redirect("partners:my_points")
    return render(request, "partners/apply.html", {"form": form})


PENDING_NAMESPACE = "partners-record"
PHOTO_ERROR_CODES = frozenset(
    {"file_too_large", "invalid_image_type", "invalid_image", "image_too_large", "too_many_files"}
)


@require_http_methods(["GET", "POST"])
@any_portal_user
def service_new_view(request: HttpRequest) -> HttpResponse:
    """Log a service with photos. A form sent back (a missing field, a refused photo) keeps what was
    typed and the valid photos already chosen (held under a token, see governance.uploads)."""
    partner = _my_partner_or_none(request)
    if partner is None:
        return render(request, "partners/not_partner.html")
    policies.partner_can(user=request.user, action="log_service", partner=partner).raise_for_page()
    user = request.user
    pending_count = 0
    status = 200
    if request.method == "POST":
        form = ServiceRecordForm(request.POST, request.FILES, partner=partner)
        token = request.POST.get("pending_photos", "")
        kept = (
            []
            if request.POST.get("drop_pending")
            else uploads.pending_load(namespace=PENDING_NAMESPACE, user=user, token=token)
        )
        chosen = [f for f in request.FILES.getlist("photos") if f]
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.service_record_submit(
                    partner=partner,
                    rule=data["rule"],
                    served_on=data["served_on"],
                    hours=data["hours"] or 0,
                    beneficiaries=data["beneficiaries"] or 0,
                    description=data["description"],
                    photos=[*kept, *data["photos"]],
                    actor=user,
                )
            except ValidationError as exc:
                on_photos = any(e.code in PHOTO_ERROR_CODES for e in exc.error_list)
                form.add_error("photos" if on_photos else None, exc)
            except DomainError as exc:
                form.add_error(None, exc.detail)
            else:
                uploads.pending_drop(namespace=PENDING_NAMESPACE, user=user, token=token)
                messages.success(request, _("服务记录已提交，工作人员核实后积分到账。"))
                return redirect("partners:my_points")
        # Sent back: keep the valid photos so nobody takes them again; name the refused ones.
        token, pending_count, refused = uploads.pending_keep(
            namespace=PENDING_NAMESPACE, user=user, token=token, kept=kept, new=chosen, limit=MAX_RECORD_PHOTOS
        )
        for error in refused:
            if "photos" not in form.errors:
                form.add_error("photos", error)
        form.data = form.data.copy()
        form.data["pending_photos"] = token if pending_count else ""
        status = 400
    else:
        form = ServiceRecordForm(partner=partner)
    return render(
        request,
        "partners/service_new.html",
        {"form": form, "partner": partner, "pending_count": pending_count},
        status=status,
    )


@require_GET
@any_portal_user
def record_photo_view(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    """An evidence photo, served only to who may see its record (media files are never public)."""
    record = selectors.record_get_for_user(user=request.user, pk=pk)
    policies.record_can(user=request.user, action="view", record=record).raise_for_page()
    photo = get_object_or_404(ServiceRecordPhoto, pk=photo_pk, record=record)
    try:
        handle = photo.image.open("rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=mimetypes.guess_type(photo.image.name)[0] or "image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@any_portal_user
def credit_view(request: HttpRequest) -> HttpResponse:
    partner = _my_partner_or_none(request)
    if partner is None:
        return render(request, "partners/not_partner.html")
    policies.partner_can(user=request.user, action="view", partner=partner).raise_for_page()
    return render(
        request, "partners/credit.html", {"partner": partner, "credit": services.credit_profile(partner=partner)}
    )
