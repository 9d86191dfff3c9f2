"""Reading a 311 client's parameters: form body or query string, times, pages, people, places."""

import math
import re
from datetime import UTC, datetime, time

from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from grids.open311.formats import Open311Error

MAX_ATTRIBUTES, MAX_ATTRIBUTE_VALUE = 20, 200
MOBILE = re.compile(r"^1[3-9]\d{9}$")
ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")


def refuse_nul(data: QueryDict) -> None:
    """A NUL character in a form field is a 400: no text column can store one (PostgreSQL refuses it)."""
    if any("\x00" in name or any("\x00" in v for v in values) for name, values in data.lists()):
        raise Open311Error(400, _("提交的内容中含有不允许的空字符（NUL）。"))


def param(request: HttpRequest, name: str) -> str:
    """A parameter from the form body, else the query string."""
    value = request.POST.get(name, "") if request.method == "POST" else ""
    return (value or request.GET.get(name, "")).strip()


def parse_when(value: str, *, name: str, end: bool = False) -> datetime:
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
    try:
        # In UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 (and Python) allow, e.g. -23:59.
        return parsed.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+08:00 is before year 1 in UTC
        raise Open311Error(400, _("%(name)s 超出可查询的时间范围（公元 1 年至 9999 年）。") % {"name": name}) from None


def page_number(value: str, *, name: str, default: int, maximum: int) -> int:
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= maximum:
        raise Open311Error(400, _("%(name)s 须为 1 到 %(max)d 之间的整数。") % {"name": name, "max": maximum})
    return number


def split_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


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


def reporter_name(first: str, last: str) -> str:
    if first and last and not (first + last).isascii():
        return f"{last}{first}"[:60]  # 王 + 小明 → 王小明
    return " ".join(part for part in (first, last) if part)[:60]


def coordinates(request: HttpRequest) -> tuple[float, float]:
    lat_text, lon_text = param(request, "lat"), param(request, "long")
    if not lat_text and not lon_text:
        if param(request, "address_string") or param(request, "address_id"):
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
