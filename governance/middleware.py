"""Language choice: 简体中文 unless the person chose otherwise.

Pages follow the language cookie set by the switch in the layout, and otherwise stay in the
portal's default language whatever the browser sends (staff phones are often set to English).
API and Open311 clients may also ask with ``Accept-Language``.
"""

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.core.exceptions import PermissionDenied
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import get_supported_language_variant

from governance.permissions import page_rule

_MACHINE_PREFIXES = ("/api/", "/open311/")


class PortalLocaleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = self._language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response

    @staticmethod
    def _language_for(request) -> str:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen:
            try:
                return get_supported_language_variant(chosen)
            except LookupError:
                pass
        if request.path.startswith(_MACHINE_PREFIXES) and request.headers.get("Accept-Language"):
            return translation.get_language_from_request(request)
        return settings.LANGUAGE_CODE


class MachineErrorsAsJsonMiddleware:
    """Unknown URLs under ``/api/`` and ``/open311/`` answer in the JSON error envelope, also
    with DEBUG on (where Django would otherwise show its HTML debug page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path.startswith(("/api/",))
            and not response.get("Content-Type", "").startswith(("application/json", "application/vnd.oai"))
        ):
            from django.http import JsonResponse
            from django.utils.translation import gettext as _

            return JsonResponse({"code": "not_found", "detail": _("未找到。")}, status=404)
        return response


class PortalLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Pages need a signed-in user unless marked ``@login_not_required``.

    Machine interfaces (``/api/``, ``/open311/``) authenticate per request (token, device or API
    key) and are closed by their own default-deny permission instead of a redirect to a page.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        path = request.path_info
        if path.startswith(_MACHINE_PREFIXES):
            return None
        refused = super().process_view(request, view_func, view_args, view_kwargs)
        if refused is not None:
            return refused
        # Denied by default: a page that states no rule is closed. The admin has its own staff check.
        if page_rule(view_func) is None and not path.startswith(_admin_prefix()):
            raise PermissionDenied
        return None


def _admin_prefix() -> str:
    try:
        return reverse("admin:index")
    except NoReverseMatch:
        return "/admin/"


class SecurityHeadersMiddleware:
    """``Permissions-Policy`` on every response (camera and geolocation for the portal itself, every
    other powerful feature off), and ``Cache-Control: no-store`` on the responses that carry a
    person's full contact details (``settings.NO_STORE_VIEWS``, by URL name), so neither the
    browser nor a proxy keeps a copy."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = ", ".join(
            f"{feature}=({' '.join(allow)})" for feature, allow in settings.PERMISSIONS_POLICY.items()
        )
        self.no_store_views = frozenset(settings.NO_STORE_VIEWS)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in self.no_store_views and response.status_code < 400:
            add_never_cache_headers(response)  # max-age=0, no-cache, no-store, must-revalidate, private
        return response
