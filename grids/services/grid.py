"""Every write of grid management."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from governance.models import Area, User
from grids.geo import bbox, validate_polygon
from grids.models import Grid
from grids.selectors import grid_worker_candidates


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
) -> tuple[Grid, list[str]]:
    """Create or update a grid. Returns the grid and warnings (e.g. households outside 300–500)."""
    if area.level != Area.Level.COMMUNITY:
        raise ValidationError({"area": _("网格必须属于一个社区/村。")})
    polygon = validate_polygon(boundary)
    if workers:
        grid_check_workers(area=area, workers=workers)
    grid = grid or Grid()
    grid.code, grid.name, grid.area, grid.boundary, grid.households = code, name, area, polygon, households
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


def grid_check_workers(*, area: Area, workers: Iterable[User]) -> None:
    """Raise ``ValidationError`` unless every one of ``workers`` is a grid worker posted in ``area``
    or below it (``selectors.grid_worker_candidates``)."""
    allowed = set(grid_worker_candidates(area=area).values_list("pk", flat=True))
    strangers = [w for w in workers if w.pk not in allowed]
    if strangers:
        names = "、".join(w.full_name or w.username for w in strangers)
        raise ValidationError(
            {"workers": _("%(names)s 不是%(area)s的网格员，不能分到这个网格。") % {"names": names, "area": area.name}}
        )


def grid_check_area(*, area: Area | None) -> None:
    """Raise ``ValidationError`` unless a grid may belong to ``area`` (the rule ``grid_save``
    applies), so the admin form can report it as a form error."""
    if area is None or area.level != Area.Level.COMMUNITY:
        raise ValidationError({"area": _("网格必须属于一个社区/村。")})
