"""Every write of grid management."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from governance.models import Area, User
from grids.geo import bbox, overlap_area_m2, validate_polygon
from grids.models import Grid
from grids.selectors import grid_worker_candidates

# What two active grids may share, in square metres: their common edges (no area) and the noise
# of coordinates converted from a map's system; any real overlap is far larger.
OVERLAP_TOLERANCE_M2 = 10.0
# Boundary writes take turns (PostgreSQL), so two grids saved at once cannot both miss each other.
BOUNDARY_LOCK = 0x6772_6964  # "grid"


@transaction.atomic
def grid_save(
    *,
    code: str,
    name: str,
    area: Area,
    boundary: dict,
    households: int = 0,
    workers: list[User] | None = None,
    grid: Grid | None = None,
    name_en: str | None = None,
) -> tuple[Grid, list[str]]:
    """Create or update a grid. Returns the grid and warnings (e.g. households outside 300–500)."""
    if area.level != Area.Level.COMMUNITY:
        raise ValidationError({"area": _("网格必须属于一个社区/村。")})
    polygon = validate_polygon(boundary)
    if workers:
        grid_check_workers(area=area, workers=workers)
    grid = grid or Grid()
    if grid.is_active:
        _boundary_lock()
        grid_check_overlap(boundary=polygon, grid=grid)
    grid.code, grid.name, grid.area, grid.boundary, grid.households = code, name, area, polygon, households
    if name_en is not None:  # None keeps the English name
        grid.name_en = name_en
    grid.min_lon, grid.min_lat, grid.max_lon, grid.max_lat = bbox(polygon)
    grid.full_clean()
    grid.save()
    if workers is not None:
        grid.workers.set(workers)
    warnings = []
    if not grid.households_advised:
        low, high = Grid.ADVISED_HOUSEHOLDS
        warnings.append(
            _("网格户数为 %(n)d，建议在 %(low)d～%(high)d 户之间。") % {"n": households, "low": low, "high": high}
        )
    return grid, warnings


def _boundary_lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BOUNDARY_LOCK])


def grid_overlaps(*, boundary: dict, grid: Grid | None = None) -> list[tuple[Grid, float]]:
    """The other active grids ``boundary`` overlaps by more than the tolerance, with the area
    shared (m²), in code order. ``grid`` is the one being edited (not compared with itself)."""
    min_lon, min_lat, max_lon, max_lat = bbox(boundary)
    candidates = Grid.objects.filter(
        is_active=True, min_lon__lt=max_lon, max_lon__gt=min_lon, min_lat__lt=max_lat, max_lat__gt=min_lat
    ).order_by("code")
    if grid is not None and grid.pk:
        candidates = candidates.exclude(pk=grid.pk)
    found = []
    for other in candidates:
        area = overlap_area_m2(boundary, other.boundary)
        if area > OVERLAP_TOLERANCE_M2:
            found.append((other, area))
    return found


def grid_check_overlap(*, boundary: dict, grid: Grid | None = None) -> None:
    """Raise ``ValidationError`` (on ``boundary``) when an active grid's ``boundary`` would overlap
    another active grid: neighbours may share an edge, never ground (a point must have one grid)."""
    overlaps = grid_overlaps(boundary=boundary, grid=grid)
    if overlaps:
        names = _("、").join(
            _("“%(name)s”（%(code)s，约 %(area)s 平方米）")
            % {"name": other.name, "code": other.code, "area": f"{round(area):,}"}
            for other, area in overlaps
        )
        raise ValidationError(
            {
                "boundary": _("边界与已启用的网格%(names)s重叠。相邻网格可以共用边线，但不能重叠，请调整边界。")
                % {"names": names}
            }
        )


def grid_check_workers(*, area: Area, workers: Iterable[User]) -> None:
    """Raise ``ValidationError`` unless every one of ``workers`` is a grid worker posted in ``area``
    or below it (``selectors.grid_worker_candidates``)."""
    allowed = set(grid_worker_candidates(area=area).values_list("pk", flat=True))
    strangers = [w for w in workers if w.pk not in allowed]
    if strangers:
        names = _("、").join(w.full_name or w.username for w in strangers)
        raise ValidationError(
            {"workers": _("%(names)s 不是%(area)s的网格员，不能分到这个网格。") % {"names": names, "area": area.name}}
        )


def grid_check_area(*, area: Area | None) -> None:
    """Raise ``ValidationError`` unless a grid may belong to ``area`` (the rule ``grid_save``
    applies), so the admin form can report it as a form error."""
    if area is None or area.level != Area.Level.COMMUNITY:
        raise ValidationError({"area": _("网格必须属于一个社区/村。")})
