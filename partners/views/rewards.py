"""Rewards and vouchers: the shelf, redeeming, my vouchers and their QR codes, cancelling, fulfilment by code."""

import secrets

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from governance.exceptions import DomainError
from governance.permissions import any_portal_user
from partners import policies, selectors, services
from partners.forms import CodeForm, RedeemForm
from partners.views._common import _my_partner_or_none


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
