"""Report (上报): a new event in the grid that holds its point, its clock started, staff told."""

import secrets
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.exceptions import DomainError
from governance.messages import message
from governance.models import User
from grids.models import Event, EventCategory, EventPhoto, Grid, Patrol, SensorDevice, TimelineEntry
from grids.selectors import grid_for_point
from grids.services.deadlines import clock_fields
from grids.services.dispatch import category_suggest
from grids.services.events import timeline_add
from grids.services.notify import event_notify_move
from grids.services.photos import photo_clean
from grids.services.reporter import RATED_BY_LINK_SOURCES, rating_link_issue, rating_link_send

S = Event.Status
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class OutsideEveryGrid(DomainError):
    code = "outside_grid"


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def _locate(*, lon: float | None, lat: float | None) -> Grid:
    if lon is None or lat is None:
        raise ValidationError({"location": _("请提供事件位置（经纬度）。")})
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationError({"location": _("坐标超出范围（经度 -180～180，纬度 -90～90）。")})
    grid = grid_for_point(lon=lon, lat=lat)
    if grid is None:
        raise OutsideEveryGrid(
            _("该位置不在任何网格内，请确认位置后重新上报。"), fields={"location": [_("该位置不在任何网格内。")]}
        )
    return grid


@transaction.atomic
def event_report(
    *,
    reporter: User | None,
    description: str,
    lon: float | None,
    lat: float | None,
    source: str,
    category: EventCategory | None = None,
    address: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_email: str = "",
    patrol: Patrol | None = None,
    sensor: SensorDevice | None = None,
    sensor_fault: str = "",
    photos: Sequence[UploadedFile] = (),
) -> Event:
    """Record a new event in the grid that holds its point, start its clock and tell staff.

    Everything is checked before anything is written: location, category, photos.
    """
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("请描述发生了什么。")})
    if category is not None and not category.is_active:
        raise ValidationError({"category": _("该事件类别已停用。")})
    grid = _locate(lon=lon, lat=lat)
    cleaned = [photo_clean(p) for p in photos]
    if patrol is not None and patrol.status != Patrol.Status.ACTIVE:
        raise ValidationError({"patrol": _("该巡查已结束，不能再添加发现。")})
    now = timezone.now()
    event = Event(
        code=_new_code(),
        category=category,
        description=description,
        address=address[:200],
        lon=lon,
        lat=lat,
        grid=grid,
        source=source,
        patrol=patrol,
        sensor=sensor,
        sensor_fault=sensor_fault,
        reporter=reporter if reporter is not None and reporter.is_authenticated else None,
        reporter_name=reporter_name
        or (reporter.display_name if reporter is not None and reporter.is_authenticated else ""),
        reporter_phone=reporter_phone,
        reporter_email=reporter_email,
        suggested_category=None if category else category_suggest(text=description),
        status=S.REPORTED,
        status_changed_at=now,
        **clock_fields(category=category, start=now),
    )
    # Field values only: the related objects are in hand and were checked above, and the
    # constraints are the database's (a tracking-code clash among 31^10 codes is negligible).
    event.clean_fields(
        exclude=["code", "category", "suggested_category", "grid", "patrol", "sensor", "reporter", "department"]
    )
    event.save(force_insert=True)
    for content in cleaned:
        EventPhoto.objects.create(event=event, image=content, kind=EventPhoto.Kind.REPORT, uploaded_by=event.reporter)
    entry = timeline_add(
        event=event,
        kind=TimelineEntry.Kind.TRANSITION,
        actor=event.reporter,
        to_status=S.REPORTED,
        note=message("grids.note.source", source=Event.Source(event.source).label),
    )
    event_notify_move(event=event, entry=entry, actor=event.reporter)
    if source in RATED_BY_LINK_SOURCES:
        # The caller has no account here: their secret rating link goes to them by SMS (and is
        # kept on the instance for the page to show once to the staff member registering it).
        event.rating_secret = (
            rating_link_send(event=event, phone=reporter_phone) if reporter_phone else rating_link_issue(event=event)
        )
    return event
