"""factory_boy factories for the core and grids, built through the services.

Each ``_create`` calls the service the pages and the API call, so a factory-made row has what the
service computes (an area's ``path`` and ``depth``, a grid's bounding box, an event's code, clocks
and first timeline entry, a sensor's hashed token) and passes the same rules. ``build()`` gives
an unsaved instance without calling anything.

Areas chain by level: ``CommunityFactory()`` makes a district, a street and the community under
it; pass ``parent=`` to hang a new one under an existing area. Grids sit on their own squares,
east of the fixtures' squares in ``tests/grids/conftest.py``, so a factory grid never swallows a
fixture's point (use ``grid_point(grid)`` for a point inside).
"""

import factory

from governance import services as core
from governance.models import Area, Department, PartyOrganization, Post, Role, User
from grids import services as grids
from grids.models import Event, EventCategory, Grid, SensorDevice

PASSWORD = "Portal-test-2026"


def _next_level(parent: Area | None) -> str:
    return Area.LEVEL_ORDER[parent.level_index() + 1] if parent is not None else Area.Level.DISTRICT


class AreaFactory(factory.Factory):
    """A district by default; with ``parent=`` the level one below the parent's."""

    class Meta:
        model = Area

    parent = None
    name = factory.Sequence(lambda n: f"区域{n}")
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code}-{n}" if o.parent else f"F{n}")
    level = factory.LazyAttribute(lambda o: _next_level(o.parent))

    @classmethod
    def _create(cls, model_class, **kwargs):
        return core.area_create(**kwargs)


class StreetFactory(AreaFactory):
    parent = factory.SubFactory(AreaFactory)
    name = factory.Sequence(lambda n: f"街道{n}")


class CommunityFactory(AreaFactory):
    parent = factory.SubFactory(StreetFactory)
    name = factory.Sequence(lambda n: f"社区{n}")


class CompoundFactory(AreaFactory):
    parent = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"小区{n}")


class UserFactory(factory.Factory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"fuser{n}")
    password = PASSWORD
    full_name = factory.Sequence(lambda n: f"用户{n}")
    phone = ""
    email = ""
    is_staff = False
    is_superuser = False

    @classmethod
    def _create(cls, model_class, **kwargs):
        return core.user_create(**kwargs)


class DepartmentFactory(factory.Factory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"处置单位{n}")
    code = factory.Sequence(lambda n: f"FD{n}")
    kind = Department.Kind.MUNICIPAL
    area = factory.SubFactory(StreetFactory)

    @classmethod
    def _create(cls, model_class, **kwargs):
        return core.department_create(**kwargs)


class PostFactory(factory.Factory):
    """A community-staff post by default; ``HandlerPostFactory`` for a department handler."""

    class Meta:
        model = Post

    user = factory.SubFactory(UserFactory)
    role = Role.COMMUNITY_STAFF
    area = factory.SubFactory(CommunityFactory)
    department = None
    title = ""

    @classmethod
    def _create(cls, model_class, **kwargs):
        return core.post_assign(**kwargs)


class HandlerPostFactory(PostFactory):
    role = Role.DEPARTMENT_HANDLER
    area = None
    department = factory.SubFactory(DepartmentFactory)


class PartyOrganizationFactory(factory.Factory):
    """A community party committee by default; with ``parent=`` the level one below it."""

    class Meta:
        model = PartyOrganization

    parent = None
    name = factory.Sequence(lambda n: f"党组织{n}")
    level = factory.LazyAttribute(
        lambda o: (
            PartyOrganization.LEVEL_ORDER[PartyOrganization.LEVEL_ORDER.index(o.parent.level) + 1]
            if o.parent
            else PartyOrganization.Level.COMMITTEE
        )
    )
    area = factory.Maybe(
        "parent",
        yes_declaration=factory.SelfAttribute("parent.area"),
        no_declaration=factory.SubFactory(CommunityFactory),
    )
    secretary = None

    @classmethod
    def _create(cls, model_class, **kwargs):
        return core.party_organization_create(**kwargs)


# --- Grids ----------------------------------------------------------------------------------

GRID_SIZE = 0.01


def _square(lon: float, lat: float) -> dict:
    s = GRID_SIZE
    return {
        "type": "Polygon",
        "coordinates": [[[lon, lat], [lon + s, lat], [lon + s, lat + s], [lon, lat + s], [lon, lat]]],
    }


def grid_point(grid: Grid) -> tuple[float, float]:
    """A point well inside ``grid`` (the centre of its bounding box)."""
    return (grid.min_lon + grid.max_lon) / 2, (grid.min_lat + grid.max_lat) / 2


class GridFactory(factory.Factory):
    """A 400-household grid on its own square (the n-th square east of 117°E)."""

    class Meta:
        model = Grid

    code = factory.Sequence(lambda n: f"FG{n}")
    name = factory.Sequence(lambda n: f"网格{n}")
    area = factory.SubFactory(CommunityFactory)
    boundary = factory.Sequence(lambda n: _square(117.0 + 2 * GRID_SIZE * n, 39.0))
    households = 400
    workers = None

    @classmethod
    def _create(cls, model_class, **kwargs):
        grid, _warnings = grids.grid_save(**kwargs)
        return grid


class EventCategoryFactory(factory.django.DjangoModelFactory):
    """Categories are reference data kept in the admin (no service): a plain model factory."""

    class Meta:
        model = EventCategory

    service_code = factory.Sequence(lambda n: f"fcat{n}")
    name = factory.Sequence(lambda n: f"类别{n}")
    department = factory.SubFactory(DepartmentFactory)
    response_minutes = 24 * 60
    resolution_minutes = 72 * 60


class EventFactory(factory.Factory):
    """A reported event, filed through ``event_report`` at a point inside ``grid``."""

    class Meta:
        model = Event
        exclude = ["grid"]

    grid = factory.SubFactory(GridFactory)
    reporter = None
    description = factory.Sequence(lambda n: f"事件描述{n}")
    lon = factory.LazyAttribute(lambda o: grid_point(o.grid)[0])
    lat = factory.LazyAttribute(lambda o: grid_point(o.grid)[1])
    source = Event.Source.PATROL
    category = factory.SubFactory(EventCategoryFactory)

    @classmethod
    def _create(cls, model_class, **kwargs):
        return grids.event_report(**kwargs)


class SensorDeviceFactory(factory.Factory):
    """A device registered with ``sensor_register`` inside ``grid`` (its token is discarded)."""

    class Meta:
        model = SensorDevice
        exclude = ["grid"]

    grid = factory.SubFactory(GridFactory)
    device_id = factory.Sequence(lambda n: f"DEV-{n}")
    kind = SensorDevice.Kind.MANHOLE
    lon = factory.LazyAttribute(lambda o: grid_point(o.grid)[0])
    lat = factory.LazyAttribute(lambda o: grid_point(o.grid)[1])
    category = factory.SubFactory(EventCategoryFactory)
    name = factory.Sequence(lambda n: f"设备{n}")

    @classmethod
    def _create(cls, model_class, **kwargs):
        device, _token = grids.sensor_register(**kwargs)
        return device
