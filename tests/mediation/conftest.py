"""Mediation fixtures: mediators at village and township level, a supervisor, staff, a resident,
a grid with an event, and a helper that registers a case."""

import pytest

from governance.models import Role
from grids.services import event_report, grid_save
from mediation import services
from mediation.models import Case
from tests.grids.conftest import EAST_POINT, square


@pytest.fixture
def village_mediator(make_user, area_tree):
    return make_user(
        Role.MEDIATOR, area_tree["east"], username="village_mediator", full_name="郑调解", phone="13900000001"
    )


@pytest.fixture
def co_mediator(make_user, area_tree):
    return make_user(Role.MEDIATOR, area_tree["east"], username="co_mediator", full_name="钱协办")


@pytest.fixture
def township_mediator(make_user, area_tree):
    return make_user(Role.MEDIATOR, area_tree["street"], username="township_mediator", full_name="孙中心")


@pytest.fixture
def west_mediator(make_user, area_tree):
    return make_user(Role.MEDIATOR, area_tree["west"], username="west_mediator", full_name="周西苑")


@pytest.fixture
def east_resident(make_user, area_tree):
    return make_user(Role.RESIDENT, area_tree["east_building"], username="east_resident", full_name="冯居民")


@pytest.fixture
def east_grid(area_tree, grid_worker):
    grid, _ = grid_save(
        code="DS-G1", name="东升第一网格", area=area_tree["east"], boundary=square(116.30, 39.98), households=400,
        workers=[grid_worker],
    )  # fmt: skip
    return grid


@pytest.fixture
def boundary_event(east_grid, grid_worker):
    return event_report(
        reporter=grid_worker,
        description="两户人家因宅基地边界争吵",
        lon=EAST_POINT[0],
        lat=EAST_POINT[1],
        source="patrol",
    )


PARTIES = [
    {
        "role": "applicant",
        "name": "王小明",
        "phone": "13812345678",
        "id_number": "110101199003071234",
        "address": "东升花园1号楼101",
    },
    {"role": "respondent", "name": "李大壮", "phone": "13987654321", "address": "东升花园1号楼102"},
]


@pytest.fixture
def register(area_tree, village_mediator):
    """Register a case in the east compound, led by the village mediator (unless ``lead=None``)."""

    def _register(lead="default", **overrides) -> Case:
        values = {
            "actor": village_mediator,
            "type": "neighbour",
            "description": "楼上漏水引发邻里纠纷",
            "area": area_tree["east_compound"],
            "source": "walk_in",
            "parties": PARTIES,
            "lead": village_mediator if lead == "default" else lead,
        }
        values.update(overrides)
        return services.case_register(**values)

    return _register
