"""Shared helpers of the grid pages: clocks, form errors, map data."""

import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from governance.exceptions import Conflict, DomainError, InvalidTransition
from grids import geo, services
from grids.models import Event, EventPhoto

S = Event.Status
PAGE_SIZE = 20
MAP_GRID_LIMIT = 200
PHOTO_ERROR_CODES = {"file_too_large", "invalid_image_type", "invalid_image", "too_many_files"}


# --- Helpers ------------------------------------------------------------------------------


def photo_response(photo: EventPhoto, *, fallback_type: str, max_age: int) -> FileResponse:
    """The photo's file (404 when the file is gone), cached privately for ``max_age`` seconds."""
    try:
        handle = photo.image.open("rb")
    except OSError as exc:
        raise Http404 from exc
    content_type = mimetypes.guess_type(photo.image.name)[0] or fallback_type
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = f"private, max-age={max_age}"
    return response


@dataclass(frozen=True)
class Clock:
    """How much of the response window is left, for a badge: colour (state) and words; for an
    escalated event its 督办 level and the reason it climbed."""

    state: str  # normal | due_soon | overdue | answered
    label: str
    text: str = ""
    level: int = 0
    level_label: str = ""
    reason: str = ""


def _minutes(n: int) -> str:
    return ngettext("%(n)d 分钟", "%(n)d 分钟", n) % {"n": n}


def _hours(n: int) -> str:
    return ngettext("%(n)d 小时", "%(n)d 小时", n) % {"n": n}


def _days(n: int) -> str:
    return ngettext("%(n)d 天", "%(n)d 天", n) % {"n": n}


def duration_text(minutes: int) -> str:
    """``45 分钟`` · ``23 小时 59 分钟`` · ``3 天 2 小时`` (plural-aware in English)."""
    minutes = abs(int(minutes))
    if minutes < 60:
        return _minutes(minutes)
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{_hours(hours)} {_minutes(rest)}" if rest else _hours(hours)
    days, hours = divmod(hours, 24)
    return f"{_days(days)} {_hours(hours)}" if hours else _days(days)


def clock_for(event: Event, now: datetime) -> Clock | None:
    if not event.is_open:
        return None
    if event.responded_at is not None:
        return Clock("answered", _("已响应"))
    state = services.time_left_state(event=event, now=now)
    level = {}
    if event.level:
        level = {
            "level": event.level,
            "level_label": _("%(level)s督办") % {"level": event.get_level_display()},
            "reason": _("超过响应期限 %(deadline)s 未响应，升级至%(level)s督办")
            % {
                "deadline": timezone.localtime(event.due_at or event.respond_by).strftime("%m-%d %H:%M"),
                "level": event.get_level_display(),
            },
        }
    if state == "overdue":
        late = int((now - (event.due_at or event.respond_by)).total_seconds() // 60)
        text = duration_text(late)
        if event.level and event.respond_by > now:
            text = _("%(late)s，本级期限剩余 %(left)s") % {
                "late": text,
                "left": duration_text(int((event.respond_by - now).total_seconds() // 60)),
            }
        return Clock(state, _("已超时"), text, **level)
    minutes = int((event.respond_by - now).total_seconds() // 60)
    label = _("即将到期") if state == "due_soon" else _("正常")
    return Clock(state, label, _("剩余 %(t)s") % {"t": duration_text(minutes)}, **level)


def window_text(category) -> str:
    """How the category's response window counts, in words (the event page shows it)."""
    minutes = int(services.response_window(category).total_seconds() // 60)
    if services.is_working_clock(category):
        return _("%(t)s工作时间（法定工作日 9:00–12:00、13:00–18:00，节假日不计，调休上班日照常计）") % {
            "t": duration_text(minutes)
        }
    return _("%(t)s（自然时间，连续计时）") % {"t": duration_text(minutes)}


def with_clocks(events: Iterable[Event], now: datetime | None = None) -> list[Event]:
    now = now or timezone.now()
    rows = list(events)
    for event in rows:
        event.clock = clock_for(event, now)
    return rows


def apply_errors(form, exc: Exception, *, aliases: dict[str, str] | None = None) -> None:
    """Put a service's refusal on the form: field errors where the form has the field, else on top."""
    aliases = aliases or {}

    def place(key: str | None, error) -> None:
        name = aliases.get(key, key) if key else None
        form.add_error(name if name in form.fields else None, error)

    if isinstance(exc, DomainError):
        form.add_error(None, exc.detail)
        for key, errors in (exc.fields or {}).items():
            if isinstance(errors, list | tuple):
                for error in errors:
                    if isinstance(error, str) and aliases.get(key, key) in form.fields:
                        form.add_error(aliases.get(key, key), error)
        return
    if hasattr(exc, "error_dict"):
        for key, errors in exc.error_dict.items():
            for error in errors:
                place(None if key == "__all__" else key, error)
        return
    photo_error = "photos" in form.fields and any(e.code in PHOTO_ERROR_CODES for e in exc.error_list)
    form.add_error("photos" if photo_error else None, exc)


def conflict_message(exc: Conflict, *, seen_status: str, event: Event) -> str:
    """A refused transition: name the cause when the event moved since the page was drawn."""
    if isinstance(exc, InvalidTransition) and seen_status and seen_status != event.status:
        return _("该事件刚被其他人处理过，当前状态为“%(status)s”，请查看最新状态。") % {
            "status": event.get_status_display()
        }
    return exc.detail


def map_payload(*, grids: Iterable, route=None, markers=None, point=None) -> dict:
    """What static/js/grid-map.js draws, handed over with json_script (never executed).

    Stored coordinates are WGS-84; everything is converted to the tiles' system (MAP_TILE_CRS), so
    boundaries and points sit in place on a GCJ-02 or BD-09 map. ``crs`` tells the page which system
    a point picked on the map is in."""
    crs = settings.MAP_TILE_CRS

    def out(lon, lat):
        return geo.from_wgs84(lon, lat, crs)

    return {
        "crs": crs,
        "grids": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": geo.polygon_from_wgs84(g.boundary, crs),
                    "properties": {"name": g.localized_name, "code": g.code},
                }
                for g in grids
            ],
        },
        "route": [list(reversed(out(p[0], p[1]))) for p in (route or []) if len(p) >= 2],
        "markers": [{**m, **dict(zip(("lon", "lat"), out(m["lon"], m["lat"]), strict=True))} for m in markers or []],
        "point": list(out(point[0], point[1])) if point else None,
    }


def map_settings() -> dict:
    return {
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "crs": settings.MAP_TILE_CRS,
    }
