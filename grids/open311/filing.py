"""Filing a service request (POST requests): check the client's key and fields, then report the event.

Two rules keep a retried or repeated request from making a second event:

- ``Idempotency-Key`` (header, optional): the same key from the same client key within 24 hours
  returns the first response, status and body, byte for byte (``governance.idempotency``); the
  same key with a different request is 422 in the spec's error shape.
- The API's nearby-duplicate rule: a request for the same service within 50 m of an open request
  (``events_nearby_open``) is not filed again. Chosen for 311 clients: the answer is the ordinary
  success response carrying the *existing* request's ``service_request_id``, with a
  ``service_notice`` saying it was merged. A 409 would read as a failed submission to clients
  built by others (they retry, or tell the resident it failed), the spec has no way to say
  "file it anyway" (the API's ``confirm_new``), and the existing id lets the resident follow the
  problem they reported. Only requests an Open311 client may read count (public categories, not
  sensors), so the answer reveals nothing GET requests does not.
"""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from governance import idempotency
from governance.exceptions import DomainError
from grids.models import Event, Open311Key
from grids.open311.formats import Open311Error, render
from grids.open311.params import coordinates, mainland_mobile, param, parse_attributes, reporter_name
from grids.open311.reads import category_for, open311_events, service_notice
from grids.services import events_nearby_open
from grids.services.open311 import open311_key_authenticate, open311_request_create

MAX_DESCRIPTION = 4000
MAX_PHOTOS = 6


def file_request(request: HttpRequest, fmt: str) -> HttpResponse:
    key = open311_key_authenticate(key=param(request, "api_key"))
    if key is None:
        raise Open311Error(403, _("api_key 缺失或无效，不能提交。"))
    idempotency_key = request.headers.get(idempotency.HEADER)
    if idempotency_key is None:
        return _file(request, fmt, key)

    def produce() -> idempotency.StoredResponse:
        response = _file(request, fmt, key)  # an Open311Error leaves the transaction: nothing is kept
        return idempotency.StoredResponse(
            status=response.status_code, body=response.content.decode(), content_type=response["Content-Type"]
        )

    fingerprint = idempotency.request_fingerprint(
        method=request.method, path=request.path, data=request.POST, files=request.FILES
    )
    try:
        stored, replayed = idempotency.idempotent_call(
            caller=f"open311:{key.pk}", key=idempotency_key, fingerprint=fingerprint, produce=produce
        )
    except DomainError as exc:  # a reused or malformed key
        raise Open311Error(exc.status_code, exc.detail) from None
    response = HttpResponse(stored.body, content_type=stored.content_type, status=stored.status)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _file(request: HttpRequest, fmt: str, key: Open311Key) -> HttpResponse:
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
    nearby = events_nearby_open(category=category, lon=lon, lat=lat, queryset=open311_events())
    if nearby:
        return _merged_into(nearby[0], fmt)
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


def _merged_into(event: Event, fmt: str) -> HttpResponse:
    merged = _("附近 50 米内已有同类问题正在办理，本次提交已并入该请求（%(code)s），请以此编号查询进度。") % {
        "code": event.code
    }
    notice = " ".join(part for part in (merged, service_notice(event)) if part)
    body = [{"service_request_id": event.code, "service_notice": notice, "account_id": None}]
    return render(body, fmt, root="service_requests", item="request")
