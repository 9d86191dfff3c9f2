"""Filing a service request (POST requests): check the client's key and fields, then report the event."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from governance.exceptions import DomainError
from grids.open311.formats import Open311Error, render
from grids.open311.params import coordinates, mainland_mobile, param, parse_attributes, reporter_name
from grids.open311.reads import category_for, service_notice
from grids.services.open311 import open311_key_authenticate, open311_request_create

MAX_DESCRIPTION = 4000
MAX_PHOTOS = 6


def file_request(request: HttpRequest, fmt: str) -> HttpResponse:
    key = open311_key_authenticate(key=param(request, "api_key"))
    if key is None:
        raise Open311Error(403, _("api_key 缺失或无效，不能提交。"))
    category = category_for(param(request, "service_code"))
    lon, lat = coordinates(request)
    description = param(request, "description")
    if not description:
        raise Open311Error(400, _("请填写 description（发生了什么）。"))
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, _("description 不能超过 %(n)d 字。") % {"n": MAX_DESCRIPTION})
    email = param(request, "email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Open311Error(400, _("email 不是有效的邮箱地址。")) from None
    media_url = param(request, "media_url")
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
            address=param(request, "address_string"),
            reporter_name=reporter_name(param(request, "first_name"), param(request, "last_name")),
            reporter_phone=mainland_mobile(param(request, "phone")),
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
