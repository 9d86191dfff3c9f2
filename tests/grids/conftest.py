"""Grids fixtures: two communities with a grid each, categories, a department with a handler."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from governance import services as core
from governance.models import Department, Role
from grids.models import DispatchRule, EventCategory
from grids.services import event_report, grid_save


def square(lon: float, lat: float, size: float = 0.01) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]],
    }


# A point inside each grid.
EAST_POINT = (116.305, 39.985)
WEST_POINT = (116.315, 39.985)
NOWHERE = (117.5, 40.5)


@pytest.fixture
def east_grid(area_tree, grid_worker):
    grid, _ = grid_save(
        code="DS-G1",
        name="东升第一网格",
        area=area_tree["east"],
        boundary=square(116.30, 39.98),
        households=400,
        workers=[grid_worker],
    )
    return grid


@pytest.fixture
def west_grid(area_tree, make_user):
    grid, _ = grid_save(
        code="XY-G1", name="西苑第一网格", area=area_tree["west"], boundary=square(116.31, 39.98), households=420
    )
    return grid


@pytest.fixture
def municipal(area_tree) -> Department:
    return core.department_create(name="市政所", code="SZ", kind=Department.Kind.MUNICIPAL, area=area_tree["street"])


@pytest.fixture
def water(area_tree) -> Department:
    return core.department_create(name="水务站", code="SW", kind=Department.Kind.WATER, area=area_tree["street"])


@pytest.fixture
def handler(make_user, municipal):
    return make_user(
        Role.DEPARTMENT_HANDLER,
        department=municipal,
        username="handler",
        full_name="吴处置",
        email="handler@example.org",
    )


@pytest.fixture
def water_handler(make_user, water):
    return make_user(Role.DEPARTMENT_HANDLER, department=water, username="water_handler")


@pytest.fixture
def manhole(municipal) -> EventCategory:
    category = EventCategory.objects.create(
        service_code="manhole",
        name="井盖破损",
        name_en="Broken manhole cover",
        keywords="井盖 窨井 下水道盖",
        department=municipal,
    )
    DispatchRule.objects.create(category=category, department=municipal)
    return category


@pytest.fixture
def leak(water) -> EventCategory:
    return EventCategory.objects.create(
        service_code="water_leak", name="管道漏水", name_en="Water leak", keywords="漏水 水管 爆管", department=water
    )


@pytest.fixture
def alarm(area_tree) -> EventCategory:
    civil = core.department_create(name="民政科", code="MZ", kind=Department.Kind.CIVIL, area=area_tree["street"])
    return EventCategory.objects.create(
        service_code="elderly_alarm",
        name="老人紧急呼叫",
        keywords="手环 呼叫",
        department=civil,
        response_minutes=15,
        resolution_minutes=120,
    )


@pytest.fixture
def west_staff(make_user, area_tree):
    return make_user(Role.COMMUNITY_STAFF, area_tree["west"], username="west_staff")


@pytest.fixture
def resident(make_user, area_tree):
    return make_user(Role.RESIDENT, area_tree["east_building"], username="resident", full_name="冯居民")


@pytest.fixture
def report(grid_worker, manhole, east_grid):
    def _report(**overrides):
        values = {
            "reporter": grid_worker,
            "description": "东升花园北门井盖缺失",
            "lon": EAST_POINT[0],
            "lat": EAST_POINT[1],
            "source": "patrol",
            "category": manhole,
        }
        values.update(overrides)
        return event_report(**values)

    return _report


def image_bytes(fmt: str = "JPEG", size=(64, 48), exif_gps: bool = False) -> bytes:
    img = Image.new("RGB", size, (200, 30, 30))
    buffer = io.BytesIO()
    kwargs = {}
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = {1: "N", 2: (39.0, 59.0, 6.0), 3: "E", 4: (116.0, 18.0, 18.0)}  # GPSInfo
        kwargs["exif"] = exif
    img.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


@pytest.fixture
def photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("scene.jpg", image_bytes(exif_gps=True), content_type="image/jpeg")
