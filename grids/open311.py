"""Open311 GeoReport v2 at ``/open311/v2/``: 311 clients written by others file and follow events.

Spec: http://wiki.open311.org/GeoReport_v2. Every endpoint answers in ``.json`` or ``.xml`` (format
by extension; anything else is a 404). Lists, one request, POST answers and errors are arrays
(JSON) or wrapped lists (XML); errors are ``[{"code": <HTTP status>, "description": "…"}]``.

Choices made here:
- ``service_request_id`` is the event's public tracking code (10 random characters), never the
  numeric id, so requests cannot be listed by counting. Requests are created synchronously, so
  ``tokens/{token}`` exists only for clients that ask: the token *is* the code.
- Filing needs coordinates (``lat`` + ``long``): the grid is found from the point. An address
  alone is refused with 400.
- ``attribute[CODE]`` / ``attribute[CODE][]`` values (our services define none) are kept,
  appended to the description under "附加信息（Open311）", as is a ``media_url``. A multipart
  ``media`` file (a common GeoReport extension) becomes the event's photo.
- Reading is public and carries no personal data: no reporter name, phone or email; phone and ID
  numbers inside free text are masked. Sensor events are left out (a device's name and place can
  identify a person, e.g. an elderly resident's wristband).
"""

import functools
import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from governance.exceptions import DomainError
from governance.masking import mask_text
from governance.throttles import open311_post_limit
from grids.models import Event, EventCategory, EventPhoto
from grids.selectors import public_categories
from grids.services.events import time_left_state
from grids.services.open311 import open311_key_authenticate, open311_request_create

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-23T00:00:00+08:00"  # when this interface last changed (discovery's "changeset")
FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
DEFAULT_DAYS = 90
PAGE_SIZE, MAX_PAGE_SIZE, MAX_PAGE = 50, 200, 100_000
MAX_DESCRIPTION = 4000
MAX_ATTRIBUTES, MAX_ATTRIBUTE_VALUE = 20, 200
MAX_PHOTOS = 6
CLOSED = (Event.Status.CLOSED, Event.Status.REJECTED, Event.Status.WITHDRAWN)
MOBILE = re.compile(r"^1[3-9]\d{9}$")
ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
# Characters XML 1.0 cannot carry at all, even escaped.
XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# XML element for each item of a list held by the element named on the left.
XML_ITEMS = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        self.status, self.description = status, str(description)
        super().__init__(self.description)


def jurisdiction_id() -> str:
    return getattr(settings, "OPEN311_JURISDICTION_ID", "portal.local")


# --- Rendering ------------------------------------------------------------------------------


def _xml_fill(element: ET.Element, value: Any) -> None:
    if value is None:
        return  # null is an empty element
    if isinstance(value, dict):
        for key, item in value.items():
            _xml_fill(ET.SubElement(element, key), item)
    elif isinstance(value, list):
        for item in value:
            _xml_fill(ET.SubElement(element, XML_ITEMS[element.tag]), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = XML_ILLEGAL.sub("", str(value))


def render(data: dict | list, fmt: str, *, root: str, item: str | None = None, status: int = 200) -> HttpResponse:
    """``data`` as JSON, or as XML under ``<root>`` (a list: one ``<item>`` per entry)."""
    if fmt == "xml":
        element = ET.Element(root)
        if isinstance(data, list):
            for entry in data:
                _xml_fill(ET.SubElement(element, item or root), entry)
        else:
            _xml_fill(element, data)
        body = XML_DECLARATION + ET.tostring(element, encoding="unicode")
    else:
        body = json.dumps(data, ensure_ascii=False)
    return HttpResponse(body, content_type=FORMATS[fmt], status=status)


def render_error(status: int, description: str, fmt: str) -> HttpResponse:
    return render(
        [{"code": status, "description": str(description)}],
        fmt if fmt in FORMATS else "json",
        root="errors",
        item="error",
        status=status,
    )


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
                if check_jurisdiction:
                    _check_jurisdiction(request)
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                return render_error(exc.status, exc.description, fmt)
            except (MultiPartParserError, RequestDataTooBig, TooManyFieldsSent):
                return render_error(400, _("无法解析提交的表单数据。"), fmt)

        return wrapper

    return decorator


def _param(request: HttpRequest, name: str) -> str:
    """A parameter from the form body, else the query string."""
    value = request.POST.get(name, "") if request.method == "POST" else ""
    return (value or request.GET.get(name, "")).strip()


def _check_jurisdiction(request: HttpRequest) -> None:
    given = _param(request, "jurisdiction_id")
    if given and given != jurisdiction_id():
        raise Open311Error(404, _("未知的 jurisdiction_id“%(id)s”。") % {"id": given})


def _iso(value: datetime | None) -> str | None:
    """ISO 8601 with the offset, in the portal's time zone: 2026-11-23T20:10:00+08:00."""
    if value is None:
        return None
    return timezone.localtime(value, timezone.get_default_timezone()).isoformat(timespec="seconds")


def _local(value: datetime) -> str:
    return timezone.localtime(value, timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M")


# --- Reads ----------------------------------------------------------------------------------


def open311_events() -> QuerySet[Event]:
    """Events a public 311 client may read, ready to render: not from sensors (device places can
    identify a person) and only in public categories (not, e.g., elderly emergency alarms)."""
    photos = EventPhoto.objects.filter(kind=EventPhoto.Kind.REPORT).order_by("created_at", "id")
    return (
        Event.objects.exclude(source=Event.Source.SENSOR)
        .filter(category__is_public=True)
        .select_related("category__department", "department")
        .prefetch_related(Prefetch("photos", queryset=photos, to_attr="report_photos"))
    )


def _category(service_code: str) -> EventCategory:
    category = public_categories().filter(service_code=service_code).first() if service_code else None
    if category is None:
        raise Open311Error(404, _("未知的 service_code“%(code)s”。") % {"code": service_code})
    return category


def _keywords(category: EventCategory) -> str | None:
    words = category.keywords.replace("，", ",").replace(",", " ").split()
    return ", ".join(words) or None


def service_fields(category: EventCategory) -> dict:
    return {
        "service_code": category.service_code,
        "service_name": category.display_name(translation.get_language()),
        "description": category.description or None,
        "metadata": False,
        "type": "realtime",
        "keywords": _keywords(category),
        "group": category.group or None,
    }


def service_notice(event: Event) -> str | None:
    """The response promise while nobody has responded yet."""
    if not event.is_open or event.responded_at is not None:
        return None
    if time_left_state(event=event) == "overdue":
        return _("已超过响应期限（%(deadline)s），正在督办。") % {"deadline": _local(event.respond_by)}
    return _("将于 %(deadline)s 前响应。") % {"deadline": _local(event.respond_by)}


def _status_notes(event: Event) -> str | None:
    if event.status == Event.Status.REJECTED:
        return mask_text(event.reject_reason) or None
    if event.status in (Event.Status.RESOLVED, Event.Status.CLOSED):
        return mask_text(event.resolution) or None
    return None


def request_fields(event: Event, request: HttpRequest) -> dict:
    """One service request, every field of the spec present (``None`` when empty), no personal data."""
    category = event.category
    department = event.department or (category.department if category else None)
    photos = getattr(event, "report_photos", None)
    if photos is None:
        photos = list(event.photos.filter(kind=EventPhoto.Kind.REPORT).order_by("created_at", "id")[:1])
    return {
        "service_request_id": event.code,
        "status": "closed" if event.status in CLOSED else "open",
        "status_notes": _status_notes(event),
        "service_name": category.display_name(translation.get_language()) if category else None,
        "service_code": category.service_code if category else None,
        "description": mask_text(event.description),
        "agency_responsible": department.name if department else None,
        "service_notice": service_notice(event),
        "requested_datetime": _iso(event.created_at),
        "updated_datetime": _iso(event.updated_at),
        "expected_datetime": _iso(event.respond_by),
        "address": event.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": event.lat,
        "long": event.lon,
        "media_url": request.build_absolute_uri(photos[0].image.url) if photos else None,
    }


def _when(value: str, *, name: str, end: bool = False) -> datetime:
    text = value.strip()
    if "T" in text and " " in text:
        text = text.replace(" ", "+")  # a "+08:00" sent without URL-encoding arrives as " 08:00"
    try:
        parsed = parse_datetime(text)
        if parsed is None:
            day = parse_date(text)
            if day is None:
                raise ValueError(text)
            parsed = datetime.combine(day, time.max if end else time.min)
    except ValueError:
        raise Open311Error(
            400,
            _("%(name)s 不是有效的 ISO 8601 时间（例如 2026-11-23T20:10:00+08:00）。") % {"name": name},
        ) from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed


def _page_number(value: str, *, name: str, default: int, maximum: int) -> int:
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= maximum:
        raise Open311Error(400, _("%(name)s 须为 1 到 %(max)d 之间的整数。") % {"name": name, "max": maximum})
    return number


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def request_search(params: QueryDict) -> QuerySet[Event]:
    """GET requests: the spec's filters (``service_request_id`` overrides all others), newest first."""
    qs = open311_events().order_by("-created_at", "-id")
    ids = _split(params.get("service_request_id", ""))
    if ids:
        return qs.filter(code__in=[code.upper() for code in ids])
    codes = _split(params.get("service_code", ""))
    if codes:
        qs = qs.filter(category__service_code__in=codes)
    statuses = {s.lower() for s in _split(params.get("status", ""))}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status 只能是 open 或 closed（可用逗号分隔）。"))
    if statuses == {"open"}:
        qs = qs.exclude(status__in=CLOSED)
    elif statuses == {"closed"}:
        qs = qs.filter(status__in=CLOSED)
    start, end = params.get("start_date", "").strip(), params.get("end_date", "").strip()
    start_at = _when(start, name="start_date") if start else None
    end_at = _when(end, name="end_date", end=True) if end else None
    if start_at and end_at and start_at > end_at:
        raise Open311Error(400, _("start_date 不能晚于 end_date。"))
    if start_at is None and end_at is None:
        start_at = timezone.now() - timedelta(days=DEFAULT_DAYS)
    if start_at is not None:
        qs = qs.filter(created_at__gte=start_at)
    if end_at is not None:
        qs = qs.filter(created_at__lte=end_at)
    return qs


# --- Filing ---------------------------------------------------------------------------------


def parse_attributes(data: QueryDict) -> dict[str, list[str]]:
    """``attribute[CODE]=v`` and ``attribute[CODE][]=v1&attribute[CODE][]=v2`` → ``{CODE: [values]}``."""
    found: dict[str, list[str]] = {}
    for name in data:
        match = ATTRIBUTE.match(name)
        if match is None:
            continue
        code = match.group(1).strip()[:60]
        values = [v.strip()[:MAX_ATTRIBUTE_VALUE] for v in data.getlist(name) if v.strip()]
        if not code or not values or (code not in found and len(found) >= MAX_ATTRIBUTES):
            continue
        found.setdefault(code, []).extend(values)
    return found


def mainland_mobile(raw: str) -> str:
    """An 11-digit mainland mobile (spaces, dashes and a +86 prefix allowed), else ``""``."""
    digits = re.sub(r"[\s-]", "", raw or "")
    digits = re.sub(r"^(\+86|0086|86)(?=1\d{10}$)", "", digits)
    return digits if MOBILE.match(digits) else ""


def _reporter_name(first: str, last: str) -> str:
    if first and last and not (first + last).isascii():
        return f"{last}{first}"[:60]  # 王 + 小明 → 王小明
    return " ".join(part for part in (first, last) if part)[:60]


def _coordinates(request: HttpRequest) -> tuple[float, float]:
    lat_text, lon_text = _param(request, "lat"), _param(request, "long")
    if not lat_text and not lon_text:
        if _param(request, "address_string") or _param(request, "address_id"):
            raise Open311Error(400, _("仅凭地址无法确定事件所属网格：请同时提供 lat 和 long（经纬度）。"))
        raise Open311Error(400, _("请提供事件位置：lat 和 long（经纬度）。"))
    if not lat_text or not lon_text:
        raise Open311Error(400, _("lat 和 long 须同时提供。"))
    try:
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        raise Open311Error(400, _("lat 和 long 须为十进制度数。")) from None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise Open311Error(400, _("lat/long 超出范围（纬度 -90～90，经度 -180～180）。"))
    return lon, lat


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    key = open311_key_authenticate(key=_param(request, "api_key"))
    if key is None:
        raise Open311Error(403, _("api_key 缺失或无效，不能提交。"))
    category = _category(_param(request, "service_code"))
    lon, lat = _coordinates(request)
    description = _param(request, "description")
    if not description:
        raise Open311Error(400, _("请填写 description（发生了什么）。"))
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, _("description 不能超过 %(n)d 字。") % {"n": MAX_DESCRIPTION})
    email = _param(request, "email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Open311Error(400, _("email 不是有效的邮箱地址。")) from None
    media_url = _param(request, "media_url")
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise Open311Error(400, _("media_url 不是有效的 http(s) 链接。")) from None
    photos = request.FILES.getlist("media")
    if len(photos) > MAX_PHOTOS:
        raise Open311Error(400, _("最多上传 %(n)d 张照片。") % {"n": MAX_PHOTOS})
    try:
        event = open311_request_create(
            key=key,
            category=category,
            lon=lon,
            lat=lat,
            description=description,
            address=_param(request, "address_string"),
            reporter_name=_reporter_name(_param(request, "first_name"), _param(request, "last_name")),
            reporter_phone=mainland_mobile(_param(request, "phone")),
            reporter_email=email,
            attributes=parse_attributes(request.POST),
            media_url=media_url,
            photos=photos,
        )
    except DomainError as exc:  # OutsideEveryGrid among them: 400 with its message
        raise Open311Error(exc.status_code, exc.detail) from None
    except ValidationError as exc:
        raise Open311Error(400, "；".join(exc.messages)) from None
    body = [{"service_request_id": event.code, "service_notice": service_notice(event), "account_id": None}]
    # 200, not 201: the spec names no success status and common 311 clients expect 200.
    return render(body, fmt, root="service_requests", item="request")


# --- Views ----------------------------------------------------------------------------------


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
    category = _category(service_code)
    return render({"service_code": category.service_code, "attributes": []}, fmt, root="service_definition")


@login_not_required
@csrf_exempt
@open311_endpoint("GET", "POST")
@open311_post_limit  # POSTs per api_key: settings.RATE_LIMITS["open311"] (governance/throttles.py)
def request_list_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    page = _page_number(request.GET.get("page", "").strip(), name="page", default=1, maximum=MAX_PAGE)
    size = _page_number(
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
