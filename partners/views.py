"""Partners pages: phone first for partners (my points, log a service, rewards, vouchers), plain
lists for staff (applications, service records to verify, fulfilment by code, the ledger check).

Every page states its rule; per-object decisions come from ``partners.policies``; writes go
through ``partners.services`` like every other door.
"""

import mimetypes
import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance import uploads
from governance.exceptions import DomainError
from governance.permissions import any_portal_user
from partners import policies, selectors, services
from partners.forms import ApplyForm, CodeForm, DecideForm, RedeemForm, RejectForm, ServiceRecordForm
from partners.models import MAX_RECORD_PHOTOS, LedgerCheckpoint, ServiceRecordPhoto

STATEMENT_PAGE = 30


def _my_partner_or_none(request: HttpRequest):
    return selectors.my_partner(user=request.user)


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
def rewards_view(request: HttpRequest) -> HttpResponse:
    partner = _my_partner_or_none(request)
    rewards = selectors.visible_rewards(user=request.user).filter(is_active=True)
    return render(
        request,
        "partners/rewards.html",
        {
            "partner": partner,
            "rewards": rewards,
            "summary": selectors.balance_summary(partner=partner) if partner else None,
        },
    )


@require_http_methods(["GET", "POST"])
@any_portal_user
def redeem_view(request: HttpRequest, pk: int) -> HttpResponse:
    reward = selectors.reward_get_for_user(user=request.user, pk=pk)
    partner = _my_partner_or_none(request)
    if partner is None:
        return render(request, "partners/not_partner.html")
    policies.partner_can(user=request.user, action="redeem", partner=partner).raise_for_page()
    # The key is made when the confirmation is shown: a double tap or a resent form redeems once.
    form = RedeemForm(request.POST or None, initial={"key": secrets.token_hex(16), "quantity": 1})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            _redemption, _created = services.redemption_create(
                partner=partner,
                reward=reward,
                quantity=form.cleaned_data["quantity"],
                actor=request.user,
                key=f"page:{form.cleaned_data['key']}",
            )
        except DomainError as exc:
            form.add_error(None, exc.detail)
            status = 409 if exc.status_code == 409 else 400
        else:
            messages.success(request, _("兑换成功，请向工作人员或商户出示兑换码。"))
            return redirect("partners:vouchers")
    return render(
        request,
        "partners/redeem.html",
        {"reward": reward, "form": form, "summary": selectors.balance_summary(partner=partner)},
        status=status,
    )


@any_portal_user
def vouchers_view(request: HttpRequest) -> HttpResponse:
    partner = _my_partner_or_none(request)
    if partner is None:
        return render(request, "partners/not_partner.html")
    vouchers = selectors.visible_redemptions(user=request.user).filter(partner=partner)[:50]
    return render(request, "partners/vouchers.html", {"partner": partner, "vouchers": vouchers})


@any_portal_user
def voucher_qr_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The voucher's code as a QR image (SVG), for the merchant's scanner."""
    import io

    import segno

    redemption = selectors.redemption_get_for_user(user=request.user, pk=pk)
    policies.redemption_can(user=request.user, action="view", redemption=redemption).raise_for_page()
    buffer = io.BytesIO()
    segno.make_qr(redemption.voucher_code, error="m").save(buffer, kind="svg", scale=6, border=2, xmldecl=False)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_POST
@any_portal_user
def voucher_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    redemption = selectors.redemption_get_for_user(user=request.user, pk=pk)
    policies.redemption_can(user=request.user, action="cancel", redemption=redemption).raise_for_page()
    try:
        services.redemption_cancel(redemption=redemption, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("已取消兑换，积分已退回。"))
    return redirect("partners:vouchers")


@require_http_methods(["GET", "POST"])
@any_portal_user
def fulfil_view(request: HttpRequest) -> HttpResponse:
    """Staff, or a merchant partner for its own rewards, settle a voucher by its code."""
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        code = services.normalise_code(form.cleaned_data["code"])
        redemption = selectors.visible_redemptions(user=request.user).filter(voucher_code=code).first()
        if redemption is None:
            form.add_error("code", _("兑换码不存在，或不是您可以核销的兑换券。"))
            status = 404
        else:
            decision = policies.redemption_can(user=request.user, action="fulfil", redemption=redemption)
            try:
                decision.raise_if_denied()
                services.redemption_fulfil(redemption=redemption, actor=request.user)
            except DomainError as exc:
                form.add_error("code", exc.detail)
                status = exc.status_code
            else:
                messages.success(
                    request,
                    _("已核销：%(reward)s ×%(n)d") % {"reward": redemption.reward.name, "n": redemption.quantity},
                )
                return redirect("partners:fulfil")
    return render(request, "partners/fulfil.html", {"form": form}, status=status)


@any_portal_user
def projects_view(request: HttpRequest) -> HttpResponse:
    partner = _my_partner_or_none(request)
    projects = selectors.visible_projects(user=request.user).filter(status="published")[:50]
    mine = set(partner.claims.values_list("project_id", flat=True)) if partner else set()
    return render(request, "partners/projects.html", {"partner": partner, "projects": projects, "mine": mine})


@require_POST
@any_portal_user
def project_claim_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    policies.project_can(user=request.user, action="claim", project=project).raise_for_page()
    partner = selectors.partners_of(user=request.user).get(community_id=project.community_id)
    try:
        services.project_claim(project=project, partner=partner, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("认领成功：%(title)s") % {"title": project.title})
    return redirect("partners:projects")


@any_portal_user
def credit_view(request: HttpRequest) -> HttpResponse:
    partner = _my_partner_or_none(request)
    if partner is None:
        return render(request, "partners/not_partner.html")
    policies.partner_can(user=request.user, action="view", partner=partner).raise_for_page()
    return render(
        request, "partners/credit.html", {"partner": partner, "credit": services.credit_profile(partner=partner)}
    )


# --- Staff ----------------------------------------------------------------------------------


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


def nav_links(user) -> list[tuple[str, str]]:
    from django.urls import reverse

    links = []
    partners = list(selectors.partners_of(user=user))
    if partners:
        links += [(reverse("partners:my_points"), _("我的积分")), (reverse("partners:rewards"), _("积分兑换"))]
        if any(p.sub_kind == "merchant" for p in partners) and not policies.is_staff_somewhere(user):
            links.append((reverse("partners:fulfil"), _("核销兑换券")))
    if policies.is_staff_somewhere(user):
        links += [
            (reverse("partners:applications"), _("合伙人审核")),
            (reverse("partners:records"), _("服务核实")),
            (reverse("partners:adjustments"), _("积分调整复核")),
            (reverse("partners:staff_rules"), _("积分规则")),
            (reverse("partners:staff_rewards"), _("兑换商品与库存")),
            (reverse("partners:staff_projects"), _("需求与项目")),
            (reverse("partners:fulfil"), _("核销兑换券")),
        ]
    return links
