"""Shared reads of grid management, with the jurisdiction scoping every door uses.

Who sees which events:
- a grid worker: events in the grids they are assigned to;
- community staff, street supervisors, admins: events in grids under their posts' areas;
- a department handler: events dispatched to their department or copied to it (抄送);
- a resident (anyone): the events they reported themselves;
- a superuser: everything.
Another grid's event is then simply not found (404).
"""

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from governance.models import Area, Role, User
from governance.prepared import Prepared
from governance.selectors import jurisdiction_paths, jurisdiction_q
from governance.selectors import user_department_ids as core_department_ids
from grids.clock import due_soon_q, is_overdue, overdue_q  # noqa: F401 - importable from here too
from grids.filters import EventFilter, filtered
from grids.geo import point_in_polygon
from grids.models import Event, EventCategory, EventPhoto, Grid, Patrol, TimelineEntry

AREA_ROLES = {Role.COMMUNITY_STAFF, Role.STREET_SUPERVISOR, Role.ADMIN}


# --- The response clock, one definition for every door --------------------------------------


def visible_grids(*, user: User) -> QuerySet[Grid]:
    if not user.is_authenticated:
        return Grid.objects.none()
    scope = Q(workers=user) | jurisdiction_q(user=user, path_field="area__path", roles=AREA_ROLES)
    if user.is_superuser:
        scope = Q()
    return Grid.objects.filter(scope).select_related("area").distinct()


def reportable_grids(*, user: User) -> QuerySet[Grid]:
    """Grids to show on the report form's map: those the user sees, plus the grids of the
    community their posts lie in (a resident's post is on a building, below the grids)."""
    paths = jurisdiction_paths(user=user)
    if paths is None:
        return Grid.objects.filter(is_active=True).select_related("area")
    above = set()
    for path in paths:
        segments = path.strip("/").split("/")
        above.update("/".join(segments[: i + 1]) + "/" for i in range(len(segments)))
    return Grid.objects.filter(
        Q(pk__in=visible_grids(user=user).values("pk")) | Q(area__path__in=above), is_active=True
    ).select_related("area")


# Every report asks it: compiled once (governance.prepared); each bound appears once in the SQL.
_grids_around = Prepared(
    lambda west, east, south, north: (
        Grid.objects.filter(
            is_active=True, min_lon__lte=west, max_lon__gte=east, min_lat__lte=south, max_lat__gte=north
        )
        .select_related("area")  # a new report's notices go to the staff of the grid's area
        .order_by("code")
    ),
    west=1.25,
    east=2.25,
    south=3.25,
    north=4.25,
)


def grid_for_point(*, lon: float, lat: float) -> Grid | None:
    """The active grid whose boundary holds the point (bounding-box prefilter, then exact test)."""
    lon, lat = float(lon), float(lat)
    for grid in _grids_around.fetch(west=lon, east=lon, south=lat, north=lat):
        if point_in_polygon(lon, lat, grid.boundary):
            return grid
    return None


def user_department_ids(*, user: User) -> list[int]:
    return core_department_ids(user=user, roles={Role.DEPARTMENT_HANDLER})


def event_scope_q(*, user: User) -> Q:
    """Rows of ``Event`` the user may see, as conditions on the event's own columns.

    Each part is a single-column test (``grid_id IN (…)``, ``reporter_id = …``), so the query
    needs no join that could multiply rows and no DISTINCT.
    """
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    grids = Grid.objects.filter(
        Q(workers=user) | jurisdiction_q(user=user, path_field="area__path", roles=AREA_ROLES)
    ).values("pk")
    scope = Q(reporter=user) | Q(grid_id__in=grids)
    departments = user_department_ids(user=user)
    if departments:
        copied = EventCategory.objects.filter(cc_departments__in=departments).values("pk")
        scope |= Q(department_id__in=departments) | Q(category_id__in=copied)
    return scope


def visible_events(*, user: User) -> QuerySet[Event]:
    return Event.objects.filter(event_scope_q(user=user))


def event_list(*, user: User, filters=None) -> QuerySet[Event]:

    qs = (
        visible_events(user=user)
        .select_related("category", "grid__area", "department")
        .defer("grid__boundary")  # a GeoJSON polygon per row that lists never show
        .order_by("respond_by", "id")
    )
    return filtered(EventFilter, filters, qs)


def event_get_for_user(*, user: User, pk) -> Event:
    try:
        return (
            visible_events(user=user)
            .select_related("category", "grid__area", "department", "suggested_category")
            .get(pk=pk)
        )
    except (Event.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def event_get_public(*, code: str) -> Event:
    """The tracking page's gate: the code is the credential (10 random characters)."""
    try:
        return Event.objects.select_related("category", "grid__area", "department").get(code=(code or "").upper())
    except Event.DoesNotExist as exc:
        raise Http404 from exc


def event_timeline(*, event: Event) -> QuerySet[TimelineEntry]:
    return event.timeline.select_related("actor").order_by("created_at", "id")


def department_tasks(*, user: User) -> QuerySet[Event]:
    """A handler's work: open events dispatched to their departments, most urgent first."""
    return (
        Event.objects.filter(
            department_id__in=user_department_ids(user=user),
            status__in=[Event.Status.DISPATCHED, Event.Status.IN_PROGRESS, Event.Status.REOPENED],
        )
        .select_related("category", "grid")
        .order_by("respond_by")
    )


def worker_open_events(*, user: User) -> QuerySet[Event]:
    return (
        Event.objects.filter(grid__workers=user, status__in=Event.OPEN_STATUSES)
        .select_related("category", "grid")
        .order_by("respond_by")
    )


def active_patrol(*, user: User) -> Patrol | None:
    return Patrol.objects.filter(worker=user, status=Patrol.Status.ACTIVE).select_related("grid").first()


def visible_patrols(*, user: User) -> QuerySet[Patrol]:
    if user.is_superuser:
        return Patrol.objects.select_related("grid", "worker")
    scope = Q(worker=user) | jurisdiction_q(user=user, path_field="grid__area__path", roles=AREA_ROLES)
    return Patrol.objects.filter(scope).select_related("grid", "worker").distinct()


def active_categories() -> QuerySet[EventCategory]:
    return EventCategory.objects.filter(is_active=True).select_related("department")


def public_categories() -> QuerySet[EventCategory]:
    """Categories published to outside clients (Open311): active and marked public."""
    return active_categories().filter(is_public=True)


def my_reports(*, user: User) -> QuerySet[Event]:
    """What this person reported themselves (我的上报), newest first, closed ones included."""
    if not user.is_authenticated:
        return Event.objects.none()
    return (
        Event.objects.filter(reporter=user)
        .select_related("category", "grid", "department")
        .defer("grid__boundary")
        .order_by("-created_at", "-id")
    )


def my_patrols(*, user: User) -> QuerySet[Patrol]:
    """A grid worker's own patrols (巡查记录), newest first, with the number of findings."""
    return (
        Patrol.objects.filter(worker=user)
        .select_related("grid")
        .defer("grid__boundary")
        .annotate(finding_count=Count("findings"))
        .order_by("-started_at", "-id")
    )


def escalation_summary(*, user: User, now: datetime | None = None) -> dict:
    """For a supervisor's home: overdue events at each level, and what climbed to the street today."""
    now = now or timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    visible = visible_events(user=user)
    counts = visible.aggregate(
        overdue=Count("pk", filter=overdue_q(now=now)),
        grid=Count("pk", filter=overdue_q(now=now) & Q(level=Event.Level.GRID)),
        community=Count("pk", filter=overdue_q(now=now) & Q(level=Event.Level.COMMUNITY)),
        street=Count("pk", filter=overdue_q(now=now) & Q(level=Event.Level.STREET)),
    )
    to_street_today = TimelineEntry.objects.filter(
        event__in=visible.values("pk"),
        kind=TimelineEntry.Kind.ESCALATION,
        level=Event.Level.STREET,
        created_at__gte=start_of_day,
    )
    counts["street_today"] = to_street_today.values("event_id").distinct().count()
    return counts


# Timeline notes the public tracking page shows (masked): what was done, or why it stopped. Other
# notes (a return between units, a staff member's remark) stay inside.
PUBLIC_NOTE_STATUSES = (Event.Status.RESOLVED, Event.Status.REJECTED, Event.Status.WITHDRAWN)


def public_photos() -> QuerySet[EventPhoto]:
    """Photos that may be published, oldest first: after-photos only, never the report photos (they
    may show a home or a face). The category must be public as well: ``event_public_photos``."""
    return EventPhoto.objects.filter(kind=EventPhoto.Kind.RESOLUTION).order_by("created_at", "id")


def event_public_photos(*, event: Event) -> QuerySet:
    """After-photos the tracking page (and Open311's ``media_url``) may show: only for a public
    category (an 老人紧急呼叫 is not)."""

    if event.category is None or not event.category.is_public:
        return EventPhoto.objects.none()
    return public_photos().filter(event=event)


def grid_worker_candidates(*, area: Area | None = None) -> QuerySet[User]:
    """The people who may be a grid's workers: active grid workers posted in ``area`` (the grid's
    community) or below it (a compound, a building); every grid worker when no area is chosen yet."""
    posts = Q(posts__is_active=True, posts__role=Role.GRID_WORKER)
    if area is not None:
        posts &= Q(posts__area__path__startswith=area.path)
    return User.objects.filter(posts, is_active=True).distinct().order_by("full_name", "username")
