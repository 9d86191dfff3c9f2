"""The portal's URLs plus three bare views, the baselines the API is measured against.

The bare views do the same database work as the API with plain Django: find the token's user,
scope the events to the user's areas, read one page through ``.values()`` (list) or insert one
event with the ORM (create). The third inserts one row (an audit entry) with the ORM after the same
token lookup: the baseline of a ledger posting over HTTP. No DRF, no serializer, no service. They
exist only here.
"""

import json
import secrets

from django.contrib.auth.decorators import login_not_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from rest_framework.authtoken.models import Token

from governance.models import AuditEntry, Post
from governance.urls import handler403, handler404, handler500  # the portal's error pages
from grids.models import Event, EventCategory, Grid
from grids.services import clock_fields

LIST_FIELDS = [
    "id",
    "code",
    "status",
    "category__id",
    "category__service_code",
    "category__name",
    "grid__id",
    "grid__code",
    "grid__name",
    "department__id",
    "department__name",
    "source",
    "level",
    "description",
    "address",
    "lon",
    "lat",
    "respond_by",
    "responded_at",
    "reporter_name",
    "reporter_phone",
    "created_at",
]


def _token_user(request: HttpRequest):
    header = request.headers.get("Authorization", "")
    keyword, _space, key = header.partition(" ")
    if keyword != "Token" or not key:
        return None
    token = Token.objects.select_related("user").filter(key=key).first()
    return token.user if token and token.user.is_active else None


def _unauthorized() -> JsonResponse:
    return JsonResponse({"detail": "unauthorized"}, status=401)


@login_not_required
@require_GET
def bare_event_list(request: HttpRequest) -> JsonResponse:
    user = _token_user(request)
    if user is None:
        return _unauthorized()
    scope = Q(pk__in=[])
    for area_path in Post.objects.filter(user=user, is_active=True, area__isnull=False).values_list(
        "area__path", flat=True
    ):
        scope |= Q(grid__area__path__startswith=area_path)
    events = Event.objects.filter(scope).order_by("respond_by", "id")
    size = min(int(request.GET.get("page_size", 20)), 100)
    return JsonResponse(
        {"count": events.count(), "results": list(events.values(*LIST_FIELDS)[:size])},
        encoder=DjangoJSONEncoder,
        json_dumps_params={"ensure_ascii": False},
    )


@csrf_exempt
@login_not_required
@require_POST
def bare_event_create(request: HttpRequest) -> JsonResponse:
    user = _token_user(request)
    if user is None:
        return _unauthorized()
    data = json.loads(request.body)
    lon, lat = float(data["lon"]), float(data["lat"])
    category = EventCategory.objects.get(service_code=data["category"], is_active=True)
    grid = Grid.objects.filter(
        is_active=True, min_lon__lte=lon, max_lon__gte=lon, min_lat__lte=lat, max_lat__gte=lat
    ).first()
    now = timezone.now()
    event = Event.objects.create(
        code=secrets.token_hex(5).upper(),
        category=category,
        description=data["description"],
        address=data.get("address", ""),
        lon=lon,
        lat=lat,
        grid=grid,
        source=Event.Source.PATROL,
        reporter=user,
        status=Event.Status.REPORTED,
        status_changed_at=now,
        **clock_fields(category=category, start=now),
    )
    return JsonResponse({"id": event.pk, "code": event.code}, status=201)


@csrf_exempt
@login_not_required
@require_POST
def bare_row_create(request: HttpRequest) -> JsonResponse:
    user = _token_user(request)
    if user is None:
        return _unauthorized()
    data = json.loads(request.body)
    row = AuditEntry.objects.create(
        actor=user, action=AuditEntry.Action.CREATE, object_type="bench.row", changes={"points": int(data["points"])}
    )
    return JsonResponse({"id": row.pk}, status=201)


__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]

urlpatterns = [
    path("bench/events/", bare_event_list, name="bench-event-list"),
    path("bench/events/create/", bare_event_create, name="bench-event-create"),
    path("bench/rows/create/", bare_row_create, name="bench-row-create"),
    path("", include("governance.urls")),
]
