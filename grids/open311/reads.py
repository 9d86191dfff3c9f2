"""What a public 311 client may read: services, and requests without personal data."""

from datetime import timedelta

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from governance.masking import mask_text
from grids.models import Event, EventCategory
from grids.open311.formats import Open311Error, iso, local_time
from grids.open311.params import parse_when, split_list
from grids.selectors import public_categories, public_photos
from grids.services.deadlines import time_left_state

DEFAULT_DAYS = 90
CLOSED = (Event.Status.CLOSED, Event.Status.REJECTED, Event.Status.WITHDRAWN)


def open311_events() -> QuerySet[Event]:
    """Events a public 311 client may read, ready to render: not from sensors (device places can
    identify a person) and only in public categories (not, e.g., elderly emergency alarms)."""
    return (
        Event.objects.exclude(source=Event.Source.SENSOR)
        .filter(category__is_public=True)
        .select_related("category__department", "department", "grid__area")
        .prefetch_related(Prefetch("photos", queryset=public_photos(), to_attr="open311_photos"))
    )


def category_for(service_code: str) -> EventCategory:
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
        return _("已超过响应期限（%(deadline)s），正在督办。") % {"deadline": local_time(event.respond_by)}
    return _("将于 %(deadline)s 前响应。") % {"deadline": local_time(event.respond_by)}


def _status_notes(event: Event) -> str | None:
    if event.status == Event.Status.REJECTED:
        return mask_text(event.reject_reason) or None
    if event.status in (Event.Status.RESOLVED, Event.Status.CLOSED):
        return mask_text(event.resolution) or None
    return None


def address_in_words(event: Event) -> str:
    """Where it is, in words, never empty: what the reporter wrote (masked: it is free text), then
    the grid and the community it lies in (``东升花园北门，东升第一网格，东升社区``), their names in
    the request's language like ``service_name`` (``东升花园北门, Dongsheng Grid 1, Dongsheng
    Community``). Some clients refuse a request whose ``address`` is not a string, and every event
    has a grid."""
    grid = event.grid
    parts = [mask_text(event.address).strip(), grid.localized_name, grid.area.localized_name]
    words: list[str] = []
    for part in parts:
        if part and part not in words:
            words.append(part)
    return _("，").join(words)


def media_url(event: Event, request: HttpRequest) -> str | None:
    """A public link to the request's first photo that is safe to publish (an after-photo of a
    public category: ``grids.selectors.public_photos``), served without sign-in by the tracking
    page's photo view; ``None`` while there is none. Report photos are never linked: they may show
    a home, a face or a car plate. The spec's ``media_url`` is a public URL of an image."""
    photos = getattr(event, "open311_photos", None)
    if photos is None:
        photos = list(public_photos().filter(event=event)[:1])
    if not photos:
        return None
    path = reverse("grids:track_photo", kwargs={"code": event.code, "photo_pk": photos[0].pk})
    return request.build_absolute_uri(path)


def request_fields(event: Event, request: HttpRequest) -> dict:
    """One service request, every field of the spec present (``None`` when empty), no personal data."""
    category = event.category
    department = event.department or (category.department if category else None)
    return {
        "service_request_id": event.code,
        "status": "closed" if event.status in CLOSED else "open",
        "status_notes": _status_notes(event),
        "service_name": category.display_name(translation.get_language()) if category else None,
        "service_code": category.service_code if category else None,
        "description": mask_text(event.description),
        "agency_responsible": department.localized_name if department else None,
        "service_notice": service_notice(event),
        "requested_datetime": iso(event.created_at),
        "updated_datetime": iso(event.updated_at),
        "expected_datetime": iso(event.respond_by),
        "address": address_in_words(event),
        "address_id": None,
        "zipcode": None,
        "lat": event.lat,
        "long": event.lon,
        "media_url": media_url(event, request),
    }


def request_search(params: QueryDict) -> QuerySet[Event]:
    """GET requests: the spec's filters (``service_request_id`` overrides all others), newest first."""
    qs = open311_events().order_by("-created_at", "-id")
    ids = split_list(params.get("service_request_id", ""))
    if ids:
        return qs.filter(code__in=[code.upper() for code in ids])
    codes = split_list(params.get("service_code", ""))
    if codes:
        qs = qs.filter(category__service_code__in=codes)
    statuses = {s.lower() for s in split_list(params.get("status", ""))}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status 只能是 open 或 closed（可用逗号分隔）。"))
    if statuses == {"open"}:
        qs = qs.exclude(status__in=CLOSED)
    elif statuses == {"closed"}:
        qs = qs.filter(status__in=CLOSED)
    start, end = params.get("start_date", "").strip(), params.get("end_date", "").strip()
    start_at = parse_when(start, name="start_date") if start else None
    end_at = parse_when(end, name="end_date", end=True) if end else None
    if start_at and end_at and start_at > end_at:
        raise Open311Error(400, _("start_date 不能晚于 end_date。"))
    if start_at is None and end_at is None:
        start_at = timezone.now() - timedelta(days=DEFAULT_DAYS)
    if start_at is not None:
        qs = qs.filter(created_at__gte=start_at)
    if end_at is not None:
        qs = qs.filter(created_at__lte=end_at)
    return qs
