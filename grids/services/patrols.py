"""Patrols (巡查): a grid worker starts, adds route points and findings, and ends a walk."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.exceptions import Conflict, InvalidTransition, StaleState
from governance.models import User
from governance.workflow import Workflow
from grids.models import Grid, Patrol

MAX_ROUTE_POINTS = 5000

# A patrol's one move; adding route points is a clock-like write on the same version, so a point
# added while the walk is being ended is neither lost nor written to a finished patrol.
PATROL_FLOW = Workflow(
    model=Patrol,
    moves={
        Patrol.Status.ACTIVE: {Patrol.Status.FINISHED: {"ended_at", "notes", "route"}},
        Patrol.Status.FINISHED: {},
    },
    labels=dict(Patrol.Status.choices),
    noun=gettext_lazy("巡查"),
)


def _finished() -> Conflict:
    return Conflict(_("该巡查已结束。"), code="patrol_finished")


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
    for _attempt in range(PATROL_FLOW.retries):
        if patrol.status != Patrol.Status.ACTIVE:
            raise _finished()
        route = (patrol.route + cleaned)[-MAX_ROUTE_POINTS:]
        if PATROL_FLOW.clock_write(patrol, changes={"route": route}, where=Q(status=Patrol.Status.ACTIVE)):
            return patrol
        patrol.refresh_from_db()  # another write came first: append to what it left
    raise StaleState()


@transaction.atomic
def patrol_finish(*, patrol: Patrol, notes: str = "", points=None) -> Patrol:
    cleaned = _clean_points(points) if points else []
    now = timezone.now()
    try:
        return PATROL_FLOW.transition(
            patrol,
            to=Patrol.Status.FINISHED,
            changes=lambda current: {
                "ended_at": now,
                "notes": notes.strip(),
                "route": (current.route + cleaned)[-MAX_ROUTE_POINTS:],
            },
        )
    except (InvalidTransition, StaleState) as exc:
        raise _finished() from exc
