"""The GeoReport v2 endpoints: format by extension, method and jurisdiction checks, errors in the spec's shape."""

import functools
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from governance.throttles import open311_post_limit
from grids.open311.filing import file_request
from grids.open311.formats import FORMATS, Open311Error, render, render_error
from grids.open311.params import page_number, param, refuse_nul
from grids.open311.reads import category_for, open311_events, request_fields, request_search, service_fields
from grids.selectors import public_categories

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-23T00:00:00+08:00"  # when this interface last changed (discovery's "changeset")
PAGE_SIZE, MAX_PAGE_SIZE, MAX_PAGE = 50, 200, 100_000


def jurisdiction_id() -> str:
    return getattr(settings, "OPEN311_JURISDICTION_ID", "portal.local")


def open311_endpoint(*methods: str, check_jurisdiction: bool = True) -> Callable:
    """Format from the extension (404 otherwise), method check (405), jurisdiction check (404),
    and ``Open311Error`` rendered in the spec's error shape."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, fmt: str, **kwargs) -> HttpResponse:
            fmt = fmt.lower()
            if fmt not in FORMATS:
                return render_error(404, _("不支持的格式“%(fmt)s”，请使用 .json 或 .xml。") % {"fmt": fmt}, "json")
            if request.method not in allowed:
                response = render_error(405, _("不支持 %(method)s 方法。") % {"method": request.method}, fmt)
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            try:
                if request.method == "POST":
                    refuse_nul(request.POST)
                if check_jurisdiction:
                    _check_jurisdiction(request)
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                return render_error(exc.status, exc.description, fmt)
            except (MultiPartParserError, RequestDataTooBig, TooManyFieldsSent):
                return render_error(400, _("无法解析提交的表单数据。"), fmt)

        return wrapper

    return decorator


def _check_jurisdiction(request: HttpRequest) -> None:
    given = param(request, "jurisdiction_id")
    if given and given != jurisdiction_id():
        raise Open311Error(404, _("未知的 jurisdiction_id“%(id)s”。") % {"id": given})


@login_not_required
@csrf_exempt
@open311_endpoint("GET", check_jurisdiction=False)
def discovery_view(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt}))
    body = {
        "changeset": CHANGESET,
        "contact": getattr(settings, "OPEN311_CONTACT", "") or _("如需帮助，请联系社区治理门户管理员。"),
        "key_service": _("提交服务请求需要 api_key，请向门户管理员申请（后台“Open311 密钥”）。"),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base.rsplit("/", 1)[0],
                "changeset": CHANGESET,
                "type": "test" if settings.DEBUG else "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return render(body, fmt, root="discovery")


@login_not_required
@csrf_exempt
@open311_endpoint("GET")
def service_list_view(request: HttpRequest, fmt: str) -> HttpResponse:
    services = [service_fields(c) for c in public_categories().order_by("group", "service_code")]
    return render(services, fmt, root="services", item="service")


@login_not_required
@csrf_exempt
@open311_endpoint("GET")
def service_definition_view(request: HttpRequest, service_code: str, fmt: str) -> HttpResponse:
    category = category_for(service_code)
    return render({"service_code": category.service_code, "attributes": []}, fmt, root="service_definition")


@login_not_required
@csrf_exempt
@open311_endpoint("GET", "POST")
@open311_post_limit  # POSTs per api_key: settings.RATE_LIMITS["open311"] (governance/throttles.py)
def request_list_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return file_request(request, fmt)
    page = page_number(request.GET.get("page", "").strip(), name="page", default=1, maximum=MAX_PAGE)
    size = page_number(
        request.GET.get("page_size", "").strip(), name="page_size", default=PAGE_SIZE, maximum=MAX_PAGE_SIZE
    )
    events = request_search(request.GET)[(page - 1) * size : page * size]
    return render([request_fields(e, request) for e in events], fmt, root="service_requests", item="request")


@login_not_required
@csrf_exempt
@open311_endpoint("GET")
def request_detail_view(request: HttpRequest, service_request_id: str, fmt: str) -> HttpResponse:
    event = open311_events().filter(code=service_request_id.upper()).first()
    if event is None:
        raise Open311Error(404, _("未找到服务请求“%(id)s”。") % {"id": service_request_id})
    return render([request_fields(event, request)], fmt, root="service_requests", item="request")


@login_not_required
@csrf_exempt
@open311_endpoint("GET")
def token_view(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    """Requests are created at once, so a token is simply the request's id (the tracking code)."""
    code = open311_events().filter(code=token.upper()).values_list("code", flat=True).first()
    if code is None:
        raise Open311Error(404, _("未找到令牌“%(token)s”。") % {"token": token})
    return render([{"service_request_id": code, "token": code}], fmt, root="service_requests", item="request")
