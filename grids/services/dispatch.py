"""Categories and dispatch: a category suggested from the text, the department the rules choose,
and open events of the same category nearby (the duplicate check every door applies)."""

import math

from django.db.models import Q, QuerySet

from governance.models import Area, Department
from governance.prepared import Prepared
from governance.selectors import area_ancestors
from grids.models import DispatchRule, Event, EventCategory

NEARBY_METRES = 50


# --- Categories and dispatch ----------------------------------------------------------------


def category_suggest(*, text: str) -> EventCategory | None:
    """The active category whose keywords (or name) occur most often in ``text``."""
    text = (text or "").lower()
    best, best_hits = None, 0
    for category in EventCategory.objects.filter(is_active=True).only("id", "name", "keywords"):
        words = {w.strip().lower() for w in category.keywords.replace("，", ",").replace(",", " ").split()}
        words.add(category.name.lower())
        hits = sum(1 for w in words if w and w in text)
        if hits > best_hits:
            best, best_hits = category, hits
    return best


def dispatch_department_for(*, category: EventCategory, area: Area) -> Department | None:
    """The most specific dispatch rule for the category on the area or an ancestor, else the
    category's responsible department."""
    ancestors = area_ancestors(area=area)
    rules = list(
        DispatchRule.objects.filter(category=category)
        .filter(Q(area__isnull=True) | Q(area__in=ancestors))
        .select_related("department", "area")
    )
    if rules:
        rule = max(rules, key=lambda r: r.area.depth if r.area_id else -1)
        return rule.department
    return category.department


# --- Nearby duplicates ----------------------------------------------------------------------


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    r = 6371000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def _open_in_box_of(events: QuerySet[Event], *, category_id, west, east, south, north) -> QuerySet[Event]:
    return events.filter(
        category_id=category_id,
        status__in=Event.OPEN_STATUSES,
        lon__gte=west,
        lon__lte=east,
        lat__gte=south,
        lat__lte=north,
    )


_open_in_box = Prepared(
    lambda **values: _open_in_box_of(Event.objects.all(), **values),
    category_id=-7,
    west=1.25,
    east=2.25,
    south=3.25,
    north=4.25,
)


def events_nearby_open(
    *,
    category: EventCategory,
    lon: float,
    lat: float,
    metres: float = NEARBY_METRES,
    queryset: QuerySet[Event] | None = None,
) -> list[Event]:
    """Open events of the same category within ``metres`` (bounding box, then exact distance)."""
    dlat = metres / 111_320
    dlon = metres / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    box = {"west": lon - dlon, "east": lon + dlon, "south": lat - dlat, "north": lat + dlat}
    if queryset is None:  # every report asks: the compiled query
        rows = _open_in_box.fetch(category_id=category.pk, **box)
    else:
        rows = _open_in_box_of(queryset, category_id=category.pk, **box)
    found = [(distance_m(lon, lat, e.lon, e.lat), e) for e in rows]
    return [e for d, e in sorted(found, key=lambda x: x[0]) if d <= metres]
