"""Every bad input is a 4xx in the JSON envelope ``{"code", "detail"}``, never a 500.

Each case below was a 500 before (a probe of 130 bad inputs found 17 of them, 7 causes). The
requests go through Django's full stack (``raise_request_exception=False``), as a client sees it.
"""

import json

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from grids import services
from grids.models import Event, EventCategory, Patrol, SensorDevice
from tests.grids.conftest import EAST_POINT, square

pytestmark = pytest.mark.django_db

DEEP = 100_000  # far past Python's recursion limit
JSON = "application/json"


@pytest.fixture
def web() -> Client:
    return Client(raise_request_exception=False)


@pytest.fixture
def manhole(db) -> EventCategory:
    return EventCategory.objects.create(service_code="manhole", name="井盖破损")


@pytest.fixture
def world(grid_worker, area_tree, manhole):
    """A grid worker with a token and an active patrol, and a registered sensor with its token."""
    east_grid, _ = services.grid_save(
        code="DS-G1", name="东升第一网格", area=area_tree["east"], boundary=square(116.30, 39.98), workers=[grid_worker]
    )
    patrol = services.patrol_start(worker=grid_worker, grid=east_grid)
    _device, device_token = services.sensor_register(
        device_id="MH-001", kind="manhole_cover", lon=EAST_POINT[0], lat=EAST_POINT[1], category=manhole
    )
    return {
        "worker": {"HTTP_AUTHORIZATION": f"Token {Token.objects.create(user=grid_worker).key}"},
        "device": {"HTTP_AUTHORIZATION": f"Device {device_token}"},
        "patrol": patrol,
    }


def _post(web, url, body: str, headers=None):
    return web.generic("POST", url, body.encode(), content_type=JSON, **(headers or {}))


# (case id, request) → literal status and envelope code
CASES = {
    "token_nested_list": (
        lambda web, w: _post(web, "/api/v1/auth/token/", "[" * DEEP + "]" * DEEP),
        400,
        "parse_error",
    ),
    "token_nested_object": (
        lambda web, w: _post(web, "/api/v1/auth/token/", '{"username":' * DEEP + "1" + "}" * DEEP),
        400,
        "parse_error",
    ),
    "token_nested_below_recursion_limit": (
        lambda web, w: _post(
            web, "/api/v1/auth/token/", '{"username": ' + "[" * 500 + "]" * 500 + ', "password": "x"}'
        ),
        400,
        "parse_error",
    ),
    "token_list_body": (lambda web, w: _post(web, "/api/v1/auth/token/", '["a", "b"]'), 400, "parse_error"),
    "sensor_list_body": (
        lambda web, w: _post(web, "/api/v1/sensors/alerts/", "[1, 2]", w["device"]),
        400,
        "parse_error",
    ),
    "sensor_string_body": (
        lambda web, w: _post(web, "/api/v1/sensors/alerts/", '"MH-001"', w["device"]),
        400,
        "parse_error",
    ),
    "sensor_number_body": (lambda web, w: _post(web, "/api/v1/sensors/alerts/", "42", w["device"]), 400, "parse_error"),
    "sensor_null_body": (lambda web, w: _post(web, "/api/v1/sensors/alerts/", "null", w["device"]), 400, "parse_error"),
    "patrol_points_list_body": (
        lambda web, w: _post(web, f"/api/v1/patrols/{w['patrol'].pk}/points/", "[[116.3, 39.9]]", w["worker"]),
        400,
        "parse_error",
    ),
    "event_create_list_body": (lambda web, w: _post(web, "/api/v1/events/", "[]", w["worker"]), 400, "parse_error"),
    "patrol_points_non_numeric_pk": (
        lambda web, w: _post(web, "/api/v1/patrols/abc/points/", '{"points": [[116.3, 39.9]]}', w["worker"]),
        404,
        "not_found",
    ),
    "patrol_finish_non_numeric_pk": (
        lambda web, w: _post(web, "/api/v1/patrols/abc/finish/", "{}", w["worker"]),
        404,
        "not_found",
    ),
    "patrol_detail_non_numeric_pk": (lambda web, w: web.get("/api/v1/patrols/abc/", **w["worker"]), 404, "not_found"),
    "nearby_lat_inf": (
        lambda web, w: web.get("/api/v1/events/nearby/?category=manhole&lon=116.305&lat=inf", **w["worker"]),
        400,
        "invalid",
    ),
    "nearby_lat_nan": (
        lambda web, w: web.get("/api/v1/events/nearby/?category=manhole&lon=116.305&lat=nan", **w["worker"]),
        400,
        "invalid",
    ),
    "nearby_lat_1e400": (
        lambda web, w: web.get("/api/v1/events/nearby/?category=manhole&lon=116.305&lat=1e400", **w["worker"]),
        400,
        "invalid",
    ),
    "nearby_lon_out_of_range": (
        lambda web, w: web.get("/api/v1/events/nearby/?category=manhole&lon=999&lat=39.9", **w["worker"]),
        400,
        "invalid",
    ),
    # A filter value the list cannot apply is refused, not dropped (dropping it lists everything).
    "event_list_unknown_status": (
        lambda web, w: web.get("/api/v1/events/?status=bogus", **w["worker"]),
        400,
        "invalid",
    ),
    "event_list_level_not_a_level": (lambda web, w: web.get("/api/v1/events/?level=9", **w["worker"]), 400, "invalid"),
    "nearby_category_with_nul": (
        lambda web, w: web.get("/api/v1/events/nearby/?category=%00&lon=116.305&lat=39.985", **w["worker"]),
        400,
        "invalid",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_a_4xx_in_the_json_envelope(web, world, case):
    send, status, code = CASES[case]

    response = send(web, world)

    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str)
    assert body["detail"]


@pytest.mark.parametrize(
    "query",
    ["grid=²", "category=①", "grid=٣", "category=99999999999999999999999999", "grid=9223372036854775808", "grid=-1"],
)
def test_odd_filter_values_match_nothing_instead_of_failing(web, world, manhole, query):
    services.event_report(
        reporter=world["patrol"].worker,
        category=manhole,
        description="东升花园北门井盖缺失",
        lon=EAST_POINT[0],
        lat=EAST_POINT[1],
        source="patrol",
    )

    response = web.get(f"/api/v1/events/?{query}", **world["worker"])

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_a_refused_filter_names_the_field_and_says_why_in_chinese(web, world):
    response = web.get("/api/v1/events/?status=bogus", **world["worker"])

    assert response.status_code == 400
    body = response.json()
    assert list(body["fields"]) == ["status"]
    assert "bogus" in body["fields"]["status"][0]
    assert "选择" in body["fields"]["status"][0]  # Django's own "选择一个有效的选项" in Chinese


def test_a_sensor_alert_with_a_non_object_body_opens_no_event(web, world):
    _post(web, "/api/v1/sensors/alerts/", '[{"device_id": "MH-001", "fault": "tilt"}]', world["device"])

    assert Event.objects.count() == 0
    assert SensorDevice.objects.count() == 1


def test_a_list_of_points_leaves_the_patrol_route_unchanged(web, world):
    _post(web, f"/api/v1/patrols/{world['patrol'].pk}/points/", "[[116.305, 39.985]]", world["worker"])

    assert Patrol.objects.get(pk=world["patrol"].pk).route == []


@pytest.mark.parametrize(
    "start_date",
    [
        "2026-11-23T00:00:00-23:59",
        "2026-11-23T00:00:00+23:59",
        "2026-11-23T00:00:00-16:00",
        "9999-12-31T23:59:59+23:59",
        "2026-11-23",
    ],
)
def test_open311_start_date_with_an_odd_but_valid_offset_answers_a_list(web, world, start_date):
    response = web.get("/open311/v2/requests.json", {"start_date": start_date})

    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize(
    "start_date",
    ["2026-11-23T00:00:00+24:00", "2026-11-23T25:00:00", "2026-02-30", "yesterday", "2026-11-23T00:00:00+99"],
)
def test_open311_start_date_that_is_not_a_time_is_a_400_in_open311_shape(web, world, start_date):
    response = web.get("/open311/v2/requests.json", {"start_date": start_date})

    assert response.status_code == 400
    (error,) = response.json()
    assert error["code"] == 400
    assert "start_date" in error["description"]


def test_an_over_size_json_body_under_the_api_is_413_in_the_envelope(web, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"username": "x" * 2000, "password": "y"})

    response = _post(web, "/api/v1/auth/token/", body)

    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_an_over_size_form_body_under_the_api_is_413_in_the_envelope(web, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = web.post("/api/v1/auth/token/", {"username": "x" * 2000, "password": "y"})

    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "request_too_large"


def test_an_over_size_form_body_on_a_page_keeps_the_html_error_page(web, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = web.post("/accounts/login/", {"username": "x" * 2000, "password": "y"})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "url",
    [
        "/open311/v2/requests.json?service_code=%00",
        "/open311/v2/requests.json?service_request_id=%00",
        "/open311/v2/requests.json?status=%00",
        "/open311/v2/requests/%00.json",
        "/open311/v2/tokens/%00.json",
        "/open311/v2/services/%00.json",
    ],
)
def test_open311_nul_characters_are_a_400_in_open311_shape(web, world, url):
    response = web.get(url)

    assert response.status_code == 400
    (error,) = response.json()
    assert error["code"] == 400
    assert "NUL" in error["description"]


def test_a_nul_character_in_a_page_url_is_the_400_page(web, world):
    response = web.get("/track/%00/")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_an_over_size_multipart_field_under_the_api_is_413_in_the_envelope(web, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = web.post("/api/v1/events/", {"description": "井" * 2000, "category": "manhole"}, **world["worker"])

    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert Event.objects.count() == 0
