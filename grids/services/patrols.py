"""Patrols (巡查): a grid worker starts, adds route points and findings, and ends a walk."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.exceptions import Conflict
from governance.models import User
from grids.models import Grid, Patrol

MAX_ROUTE_POINTS = 5000


def _clean_points(points) -> list[list[float]]:
    if not isinstance(points, list):
        raise ValidationError({"route": _("轨迹必须是坐标点列表。")})
    cleaned = []
    for point in points:
        if (
            not isinstance(point, list | tuple)
            or len(point) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in point[:2])
            or not (-180 <= point[0] <= 180 and -90 <= point[1] <= 90)
        ):
            raise ValidationError({"route": _("轨迹点必须是 [经度, 纬度] 数字对。")})
        cleaned.append([float(point[0]), float(point[1]), *point[2:3]])
    return cleaned


@transaction.atomic
def patrol_start(*, worker: User, grid: Grid, started_at: datetime | None = None) -> Patrol:
    if not grid.workers.filter(pk=worker.pk).exists():
        raise ValidationError({"grid": _("您不是该网格的网格员。")})
    try:
        with transaction.atomic():
            return Patrol.objects.create(worker=worker, grid=grid, started_at=started_at or timezone.now())
    except IntegrityError as exc:
        raise Conflict(_("您还有一次巡查没有结束，请先结束它。"), code="patrol_active") from exc


@transaction.atomic
def patrol_add_points(*, patrol: Patrol, points) -> Patrol:
    cleaned = _clean_points(points)
    if patrol.status != Patrol.Status.ACTIVE:
        raise Conflict(_("该巡查已结束。"), code="patrol_finished")
    route = (patrol.route + cleaned)[-MAX_ROUTE_POINTS:]
    Patrol.objects.filter(pk=patrol.pk).update(route=route)
    patrol.route = route
    return patrol


@transaction.atomic
def patrol_finish(*, patrol: Patrol, notes: str = "", points=None) -> Patrol:
    cleaned = _clean_points(points) if points else []
    now = timezone.now()
    moved = Patrol.objects.filter(pk=patrol.pk, status=Patrol.Status.ACTIVE).update(
        status=Patrol.Status.FINISHED,
        ended_at=now,
        notes=notes.strip(),
        route=(patrol.route + cleaned)[-MAX_ROUTE_POINTS:],
    )
    if not moved:
        raise Conflict(_("该巡查已结束。"), code="patrol_finished")
    patrol.refresh_from_db()
    return patrol
