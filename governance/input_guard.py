"""Refuse a NUL character in a URL's path or query string, with a 400, before any view sees it.

No field of the portal can hold one (PostgreSQL refuses NUL in text, and Django's form fields
refuse it too), yet a view that filters by a raw query value or a path segment would pass it to
the database and fail with a 500. Answered in each door's own error shape: the JSON envelope under
``/api/``, GeoReport v2's error list under ``/open311/``, the error page elsewhere.
"""

import json

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import bad_request


def has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists())


class NulCharacterGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not has_nul(request):
            return self.get_response(request)
        detail = _("请求地址或参数中含有不允许的空字符（NUL）。")
        if request.path.startswith("/api/"):
            return JsonResponse({"code": "invalid", "detail": detail}, status=400)
        if request.path.startswith("/open311/"):
            body = json.dumps([{"code": 400, "description": detail}], ensure_ascii=False)
            return HttpResponse(body, status=400, content_type="application/json; charset=utf-8")
        return bad_request(request, SuspiciousOperation(detail))
