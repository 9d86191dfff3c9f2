"""Shared reads of grid management, with jurisdiction scoping."""

from django.db.models import QuerySet

from governance.models import User
from governance.selectors import jurisdiction_q
from grids.geo import point_in_polygon
from grids.models import Grid


def visible_grids(*, user: User) -> QuerySet[Grid]:
    return Grid.objects.filter(jurisdiction_q(user=user, path_field="area__path")).select_related("area")


def grid_for_point(*, lon: float, lat: float) -> Grid | None:
    """The active grid whose boundary holds the point (bounding-box prefilter, then exact test)."""
    candidates = Grid.objects.filter(is_active=True, min_lon__lte=lon, max_lon__gte=lon,
                                     min_lat__lte=lat, max_lat__gte=lat).order_by("code")
    for grid in candidates:
        if point_in_polygon(lon, lat, grid.boundary):
            return grid
    return None
