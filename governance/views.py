"""Core pages: sign-in, home, inbox, password, health, errors. Same services as the API."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from governance import home, selectors, services, throttles
from governance.health import check_broker, check_cache, check_database
from governance.models import AuditEntry
from governance.permissions import any_portal_user


class LoginView(auth_views.LoginView):
    """Sign-in. Failed attempts are counted per client IP (``RATE_LIMITS["login"]``): over the limit,
    every POST from that address is answered 429 until the window ends, whatever the username."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        wait = throttles.exhausted("login", f"ip:{throttles.client_ip(request)}")
        if wait is not None:
            response = render(
                request, "registration/throttled.html", {"message": throttles.retry_message(wait)}, status=429
            )
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        throttles.hit("login", f"ip:{throttles.client_ip(self.request)}")
        return super().form_invalid(form)

    def form_valid(self, form):
        response = super().form_valid(form)
        services.audit_record(
            actor=self.request.user, action=AuditEntry.Action.LOGIN, obj=self.request.user, request=self.request
        )
        return response


@method_decorator(any_portal_user, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.audit_record(
            actor=self.request.user,
            action=AuditEntry.Action.UPDATE,
            obj=self.request.user,
            changes={"fields": ["password"]},
            request=self.request,
        )
        messages.success(self.request, _("密码已修改。"))
        return response


@login_not_required
def locked_out(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """Shown by django-axes after 5 failures for the same username and IP (15-minute cool-off)."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "locked_out", "detail": _("登录失败次数过多，账号已锁定15分钟，请稍后再试。")}, status=429
        )
    return render(request, "registration/locked_out.html", status=429)


@require_GET
@any_portal_user
def home_view(request: HttpRequest) -> HttpResponse:
    roles = selectors.user_roles(user=request.user)
    posts = selectors.user_active_posts(user=request.user)
    return render(
        request,
        "governance/home.html",
        {
            "cards": home.cards_for(request.user, roles),
            "posts": posts,
        },
    )


@require_GET
@any_portal_user
def inbox_view(request: HttpRequest) -> HttpResponse:
    notifications = selectors.notifications_for(user=request.user)
    show = request.GET.get("show", "all")
    if show == "unread":
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications, 20).get_page(request.GET.get("page"))
    return render(request, "governance/inbox.html", {"page": page, "show": show})


@require_POST
@any_portal_user
def notification_read_view(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(selectors.notifications_for(user=request.user), pk=pk)
    services.notification_mark_read(notification=notification)
    if request.htmx:
        # The row, plus the top bar's unread badge swapped out-of-band so the count drops at once.
        return render(request, "governance/_notification_row.html", {"n": notification, "swap_badge": True})
    if (
        notification.url
        and request.POST.get("follow")
        and url_has_allowed_host_and_scheme(
            notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return redirect(notification.url)
    return redirect("inbox")


@require_POST
@any_portal_user
def notifications_read_all_view(request: HttpRequest) -> HttpResponse:
    count = services.notification_mark_all_read(user=request.user)
    messages.success(
        request, ngettext("已将 %(n)d 条消息标为已读。", "已将 %(n)d 条消息标为已读。", count) % {"n": count}
    )
    return redirect("inbox")


@login_not_required
def language_switch_view(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language`` (the cookie the pages follow); a signed-in person's choice is also
    remembered on the account, so their email and SMS come in the same language."""
    response = set_language(request)
    language = request.POST.get("language", "")
    offered = {code for code, _name in settings.LANGUAGES}
    if request.method == "POST" and request.user.is_authenticated and language in offered:
        services.user_language_set(user=request.user, language=language)
    return response


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that link none (the admin): send them to ours."""
    return redirect(static("img/favicon.svg"), permanent=True)


@never_cache
@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Each dependency ``"ok"`` or ``"down"``, with a short ``detail`` (the backend, or the error's class).

    ``200 ok`` when all answer; ``200 degraded`` when the database answers but the cache or the
    broker (Redis) does not: pages and reports still work (the cache falls back to process memory,
    tasks wait for the periodic scans), so a load balancer must keep this node in service;
    ``503 error`` only when the database is down.
    """
    checks = {"database": check_database(), "cache": check_cache(), "broker": check_broker()}
    if not checks["database"][0]:
        status, code = "error", 503
    elif all(ok for ok, _info in checks.values()):
        status, code = "ok", 200
    else:
        status, code = "degraded", 200
    body = {
        "status": status,
        **{name: "ok" if ok else "down" for name, (ok, _info) in checks.items()},
        "down": [name for name, (ok, _info) in checks.items() if not ok],
        "detail": {name: info for name, (_ok, info) in checks.items()},
    }
    return JsonResponse(body, status=code)


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(("/api/", "/open311/")) or "application/json" in request.headers.get("Accept", "")


@login_not_required
def error_403(request: HttpRequest, exception=None) -> HttpResponse:
    code = getattr(exception, "code", "permission_denied")
    reason = getattr(exception, "detail", "")
    if _wants_json(request):
        return JsonResponse({"code": code, "detail": reason or _("您没有执行该操作的权限。")}, status=403)
    return render(request, "403.html", {"reason": reason, "code": code}, status=403)


@login_not_required
def error_404(request: HttpRequest, exception=None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"code": "not_found", "detail": _("未找到。")}, status=404)
    return render(request, "404.html", status=404)


@login_not_required
def error_500(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"code": "server_error", "detail": _("服务器出错了，请稍后再试。")}, status=500)
    return render(request, "500.html", status=500)


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"code": "csrf_failed", "detail": _("页面已过期，请刷新后重试。")}, status=403)
    return render(request, "403_csrf.html", status=403)


@login_not_required
@never_cache
def admin_login_view(request: HttpRequest) -> HttpResponse:
    """``/admin/login/``, where the admin sends anyone it does not admit: the portal's own sign-in
    for a visitor, and for a signed-in person without admin rights a portal page with a way back,
    never the stock admin login form."""
    target = request.GET.get("next") or "/admin/"
    host = {request.get_host()}
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts=host, require_https=request.is_secure())
    if not safe:
        target = "/admin/"
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?{urlencode({'next': target})}")
    if request.user.is_active and request.user.is_staff:
        return redirect(target)
    reason = _("后台管理只供系统管理员使用。您的事项都在门户首页和菜单中。")
    return render(request, "403.html", {"reason": reason, "code": "admin_only"}, status=403)
