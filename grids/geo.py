"""GeoJSON checks and point-in-polygon, in plain Python (no GIS extension needed).

Coordinates are GeoJSON order: ``[longitude, latitude]`` (WGS 84).
"""

import math
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

Ring = list[list[float]]


def _check_position(position, where: str) -> None:
    if (
        not isinstance(position, list | tuple)
        or len(position) < 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position[:2])
    ):
        raise ValidationError(
            _("%(where)s：坐标必须是 [经度, 纬度] 数字对。") % {"where": where}, code="invalid_geojson"
        )
    lon, lat = position[0], position[1]
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationError(
            _("%(where)s：坐标超出范围（经度 -180～180，纬度 -90～90）。") % {"where": where}, code="invalid_geojson"
        )


def validate_polygon(geometry) -> dict:
    """Validate a GeoJSON ``Polygon`` (or a Feature holding one) and return the geometry."""
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") != "Polygon":
        raise ValidationError(_("边界必须是 GeoJSON Polygon（多边形）。"), code="invalid_geojson")
    rings = geometry.get("coordinates")
    if not isinstance(rings, list) or not rings:
        raise ValidationError(_("多边形缺少坐标。"), code="invalid_geojson")
    for index, ring in enumerate(rings):
        where = _("第 %(n)d 个环") % {"n": index + 1}
        if not isinstance(ring, list) or len(ring) < 4:
            raise ValidationError(
                _("%(where)s：至少需要 4 个点（首尾相同）。") % {"where": where}, code="invalid_geojson"
            )
        for position in ring:
            _check_position(position, where)
        if list(ring[0][:2]) != list(ring[-1][:2]):
            raise ValidationError(_("%(where)s：首尾坐标必须相同（闭合）。") % {"where": where}, code="invalid_geojson")
    return {"type": "Polygon", "coordinates": rings}


def _in_ring(lon: float, lat: float, ring: Ring) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def point_in_polygon(lon: float, lat: float, polygon: dict) -> bool:
    """Ray casting: inside the outer ring and outside every hole."""
    rings = polygon["coordinates"]
    if not _in_ring(lon, lat, rings[0]):
        return False
    return not any(_in_ring(lon, lat, hole) for hole in rings[1:])


def bbox(polygon: dict) -> tuple[float, float, float, float]:
    outer = polygon["coordinates"][0]
    lons = [p[0] for p in outer]
    lats = [p[1] for p in outer]
    return min(lons), min(lats), max(lons), max(lats)


# --- Overlap of two polygons ------------------------------------------------------------------
#
# The area two polygons share, by vertical slabs: between two neighbouring x's where no vertex
# lies and no two edges cross, each polygon's cross-section is a set of intervals whose ends move
# linearly, so the length of what the two share is linear in x and the slab's area is its width
# times that length at its middle (exact). Holes count through the even-odd rule. A shared edge or
# a touching corner adds nothing; only what lies inside both does.

Edge = tuple[float, float, float, float]
M_PER_DEGREE = 6371008.8 * math.pi / 180  # along a meridian (mean Earth radius)


def _edges(polygon: dict) -> list[Edge]:
    edges = []
    for ring in polygon["coordinates"]:
        for a, b in pairwise(ring):
            if (a[0], a[1]) != (b[0], b[1]):
                edges.append((float(a[0]), float(a[1]), float(b[0]), float(b[1])))
    return edges


def _crossing_x(e: Edge, f: Edge) -> float | None:
    """The x where two edges cross (not merely touch end to end), or None."""
    x1, y1, x2, y2 = e
    x3, y3, x4, y4 = f
    if max(x1, x2) < min(x3, x4) or max(x3, x4) < min(x1, x2):
        return None
    if max(y1, y2) < min(y3, y4) or max(y3, y4) < min(y1, y2):
        return None
    denominator = (x2 - x1) * (y4 - y3) - (y2 - y1) * (x4 - x3)
    if denominator == 0:
        return None  # parallel or on one line: their ends are vertices already
    t = ((x3 - x1) * (y4 - y3) - (y3 - y1) * (x4 - x3)) / denominator
    u = ((x3 - x1) * (y2 - y1) - (y3 - y1) * (x2 - x1)) / denominator
    if 0 < t < 1 and 0 < u < 1:
        return x1 + t * (x2 - x1)
    return None


def _cross_section(edges: list[Edge], x: float) -> list[tuple[float, float]]:
    """The intervals of y inside the polygon on the vertical line at ``x`` (no vertex on it)."""
    ys = sorted(y1 + (x - x1) * (y2 - y1) / (x2 - x1) for x1, y1, x2, y2 in edges if min(x1, x2) < x < max(x1, x2))
    return list(zip(ys[0::2], ys[1::2], strict=False))


def _shared_length(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> float:
    total, i, j = 0.0, 0, 0
    while i < len(a) and j < len(b):
        low, high = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if high > low:
            total += high - low
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def overlap_area_m2(a: dict, b: dict) -> float:
    """The area, in square metres, that polygons ``a`` and ``b`` (GeoJSON, WGS-84) both cover.
    Degrees are taken as metres at the overlap's mean latitude: plenty for grids a few km across."""
    a_box, b_box = bbox(a), bbox(b)
    left, right = max(a_box[0], b_box[0]), min(a_box[2], b_box[2])
    bottom, top = max(a_box[1], b_box[1]), min(a_box[3], b_box[3])
    if right <= left or top <= bottom:
        return 0.0
    a_edges, b_edges = _edges(a), _edges(b)
    every = a_edges + b_edges
    xs = {x for x1, _y1, x2, _y2 in every for x in (x1, x2) if left < x < right}
    for i, e in enumerate(every):
        for f in every[i + 1 :]:
            x = _crossing_x(e, f)
            if x is not None and left < x < right:
                xs.add(x)
    cuts = [left, *sorted(xs), right]
    degrees = 0.0
    for x0, x1 in pairwise(cuts):
        middle = (x0 + x1) / 2
        degrees += (x1 - x0) * _shared_length(_cross_section(a_edges, middle), _cross_section(b_edges, middle))
    mean_lat = math.radians((bottom + top) / 2)
    return degrees * M_PER_DEGREE * M_PER_DEGREE * math.cos(mean_lat)


# --- Coordinate systems ------------------------------------------------------------------------
#
# Everything is stored in WGS-84 (GPS). Chinese map SDKs and tile services use GCJ-02 (the
# national "offset" datum) or, for Baidu, BD-09 on top of it. Points coming in are converted to
# WGS-84; what the map draws is converted to the tiles' system (settings.MAP_TILE_CRS). The
# published GCJ-02 formula (Krasovsky ellipsoid and the well-known polynomial offset) is applied
# forward in closed form; the inverse is found by fixed-point iteration to well under a centimetre.

WGS84, GCJ02, BD09 = "wgs84", "gcj02", "bd09"
CRS_CHOICES = [(WGS84, "WGS-84"), (GCJ02, "GCJ-02"), (BD09, "BD-09")]

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as the GCJ-02 formula uses it
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0


def _outside_china(lon: float, lat: float) -> bool:
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _offset(lon: float, lat: float) -> tuple[float, float]:
    x, y = lon - 105.0, lat - 35.0
    d = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x)) + d
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x)) + d
    dlon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    if _outside_china(lon, lat):
        return lon, lat
    dlon, dlat = _offset(lon, lat)
    return lon + dlon, lat + dlat


def _invert(forward, lon: float, lat: float) -> tuple[float, float]:
    """The point p with forward(p) == (lon, lat), by fixed-point iteration (converges in a few steps)."""
    guess_lon, guess_lat = lon, lat
    for _step in range(30):
        got_lon, got_lat = forward(guess_lon, guess_lat)
        err_lon, err_lat = got_lon - lon, got_lat - lat
        if abs(err_lon) < 1e-10 and abs(err_lat) < 1e-10:
            break
        guess_lon, guess_lat = guess_lon - err_lon, guess_lat - err_lat
    return guess_lon, guess_lat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    if _outside_china(lon, lat):
        return lon, lat
    return _invert(wgs84_to_gcj02, lon, lat)


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    return _invert(gcj02_to_bd09, lon, lat)


def to_wgs84(lon: float, lat: float, crs: str = WGS84) -> tuple[float, float]:
    """A point given in ``crs`` (wgs84, gcj02, bd09) as WGS-84."""
    crs = (crs or WGS84).lower()
    if crs == WGS84:
        return lon, lat
    if crs == GCJ02:
        return gcj02_to_wgs84(lon, lat)
    if crs == BD09:
        return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))
    raise ValueError(f"Unknown coordinate system {crs!r}")


def from_wgs84(lon: float, lat: float, crs: str = WGS84) -> tuple[float, float]:
    """A stored WGS-84 point in ``crs``."""
    crs = (crs or WGS84).lower()
    if crs == WGS84:
        return lon, lat
    if crs == GCJ02:
        return wgs84_to_gcj02(lon, lat)
    if crs == BD09:
        return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))
    raise ValueError(f"Unknown coordinate system {crs!r}")


def polygon_from_wgs84(polygon: dict | None, crs: str = WGS84) -> dict | None:
    """A stored WGS-84 polygon with every position in ``crs`` (for drawing on the tiles)."""
    if not polygon or (crs or WGS84).lower() == WGS84:
        return polygon
    return {
        **polygon,
        "coordinates": [[list(from_wgs84(p[0], p[1], crs)) for p in ring] for ring in polygon["coordinates"]],
    }


def polygon_to_wgs84(polygon: dict | None, crs: str = WGS84) -> dict | None:
    if not polygon or (crs or WGS84).lower() == WGS84:
        return polygon
    return {
        **polygon,
        "coordinates": [[list(to_wgs84(p[0], p[1], crs)) for p in ring] for ring in polygon["coordinates"]],
    }


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine, mean Earth radius)."""
    r = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(h))
