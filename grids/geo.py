"""GeoJSON checks and point-in-polygon, in plain Python (no GIS extension needed).

Coordinates are GeoJSON order: ``[longitude, latitude]`` (WGS 84).
"""

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
