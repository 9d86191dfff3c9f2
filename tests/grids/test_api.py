"""Grids API: scoping per role, actions, sensors, bad input → clear error and nothing written."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from governance.models import Role
from grids import services
from grids.models import Event, EventPhoto, Grid, Patrol, TimelineEntry
from tests.grids.conftest import EAST_POINT, NOWHERE, WEST_POINT, image_bytes, square

pytestmark = pytest.mark.django_db
S = Event.Status


@pytest.fixture
def east_event(report):
    return report()


@pytest.fixture
def west_event(west_grid, manhole, make_user, area_tree):
    reporter = make_user(Role.GRID_WORKER, area_tree["west"], username="west_worker")
    west_grid.workers.add(reporter)
    return services.event_report(
        reporter=reporter,
        description="西苑井盖缺失",
        lon=WEST_POINT[0],
        lat=WEST_POINT[1],
        source="patrol",
        category=manhole,
    )


# --- Scoping --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees_east", "sees_west"),
    [
        ("grid_worker", True, False),
        ("east_staff", True, False),
        ("west_staff", False, True),
        ("street_supervisor", True, True),
        ("handler", False, False),
        ("resident", False, False),
    ],
)
def test_event_list_is_scoped_by_role(request, api_as, east_event, west_event, who, sees_east, sees_west):
    user = request.getfixturevalue(who)
    response = api_as(user).get("/api/v1/events/")
    assert response.status_code == 200
    codes = {row["code"] for row in response.json()["results"]}
    assert (east_event.code in codes, west_event.code in codes) == (sees_east, sees_west)
    other = api_as(user).get(f"/api/v1/events/{west_event.pk}/")
    assert other.status_code == (200 if sees_west else 404)
    if not sees_west:
        assert other.json()["code"] == "not_found"


def test_handler_sees_events_dispatched_to_their_department(api_as, east_event, east_staff, handler):
    services.event_accept(event=east_event, actor=east_staff)
    services.event_dispatch(event=east_event, actor=east_staff)
    codes = [row["code"] for row in api_as(handler).get("/api/v1/events/").json()["results"]]
    assert codes == [east_event.code]


def test_reporter_sees_their_own_report(api_as, resident, east_grid, manhole):
    event = services.event_report(
        reporter=resident,
        description="楼下井盖响",
        lon=EAST_POINT[0],
        lat=EAST_POINT[1],
        source="resident",
        category=manhole,
    )
    assert api_as(resident).get(f"/api/v1/events/{event.pk}/").status_code == 200


def test_grid_list_is_geojson_and_scoped(api_as, grid_worker, east_grid, west_grid):
    body = api_as(grid_worker).get("/api/v1/grids/geojson/").json()
    assert body["type"] == "FeatureCollection"
    assert [f["properties"]["code"] for f in body["features"]] == ["DS-G1"]
    assert body["features"][0]["geometry"]["type"] == "Polygon"


def test_list_masks_reporter_phone(api_as, east_staff, report):
    report(reporter_phone="13912345678")
    row = api_as(east_staff).get("/api/v1/events/").json()["results"][0]
    assert row["reporter_phone"] == "139****5678"


def test_list_filters_by_status_category_grid_and_overdue(api_as, street_supervisor, east_event, west_event):
    client = api_as(street_supervisor)
    Event.objects.filter(pk=west_event.pk).update(respond_by="2020-01-01T00:00:00Z", due_at="2020-01-01T00:00:00Z")
    assert [r["code"] for r in client.get("/api/v1/events/?overdue=true").json()["results"]] == [west_event.code]
    assert [r["code"] for r in client.get("/api/v1/events/?grid=DS-G1").json()["results"]] == [east_event.code]
    assert len(client.get("/api/v1/events/?category=manhole&status=reported").json()["results"]) == 2
    overdue_first = [r["code"] for r in client.get("/api/v1/events/").json()["results"]]
    assert overdue_first[0] == west_event.code  # ordered by time left


# --- Create ---------------------------------------------------------------------------------


def test_grid_worker_reports_with_a_photo_through_the_api(api_as, grid_worker, east_grid, manhole):
    photo = SimpleUploadedFile("p.jpg", image_bytes(exif_gps=True), content_type="image/jpeg")
    response = api_as(grid_worker).post(
        "/api/v1/events/",
        {
            "description": "路口井盖缺失",
            "category": "manhole",
            "lon": EAST_POINT[0],
            "lat": EAST_POINT[1],
            "photos": [photo],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["source"] == "patrol"
    assert body["grid"]["code"] == "DS-G1"
    assert len(body["photos"]) == 1
    assert body["time_left"] == "normal"


def test_report_near_an_open_one_offers_the_existing_event(api_as, grid_worker, east_event):
    payload = {"description": "井盖又坏了", "category": "manhole", "lon": EAST_POINT[0], "lat": EAST_POINT[1] + 0.0001}
    response = api_as(grid_worker).post("/api/v1/events/", payload, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "possible_duplicate"
    assert [e["code"] for e in body["fields"]["existing"]] == [east_event.code]
    assert Event.objects.count() == 1
    confirmed = api_as(grid_worker).post("/api/v1/events/", {**payload, "confirm_new": True}, format="json")
    assert confirmed.status_code == 201


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"lon": NOWHERE[0], "lat": NOWHERE[1], "category": "manhole"}, 400, "location"),
        ({"lon": EAST_POINT[0], "lat": EAST_POINT[1], "category": "no_such_thing"}, 400, "category"),
        ({"lon": 500, "lat": EAST_POINT[1], "category": "manhole"}, 400, "lon"),
        ({"lat": EAST_POINT[1], "category": "manhole"}, 400, "lon"),
    ],
)
def test_bad_report_is_refused_with_a_clear_error_and_nothing_written(
    api_as, grid_worker, east_grid, manhole, payload, status, field
):
    response = api_as(grid_worker).post("/api/v1/events/", {"description": "测试", **payload}, format="json")
    assert response.status_code == status
    body = response.json()
    assert body["code"] in {"invalid", "outside_grid"}
    assert field in body["fields"]
    assert body["detail"]
    assert Event.objects.count() == 0
    assert TimelineEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.jpg", b"plain text pretending", "只能上传"),
        ("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * (5 * 1024 * 1024 + 1), "文件过大"),
    ],
)
def test_bad_photo_through_the_api_is_refused_and_nothing_written(
    api_as, grid_worker, east_grid, manhole, name, content, expected
):
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = api_as(grid_worker).post(
        "/api/v1/events/",
        {
            "description": "有照片",
            "category": "manhole",
            "lon": EAST_POINT[0],
            "lat": EAST_POINT[1],
            "photos": [upload],
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert expected in str(response.json())
    assert Event.objects.count() == 0
    assert EventPhoto.objects.count() == 0


def test_malformed_json_body_is_a_parse_error(api_as, grid_worker, east_grid):
    response = api_as(grid_worker).post("/api/v1/events/", data='{"description": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert Event.objects.count() == 0


def test_malformed_geojson_boundary_is_refused_and_nothing_written(area_tree):
    bad = [
        {"type": "Point", "coordinates": [116.3, 39.9]},
        {"type": "Polygon", "coordinates": [[[116.3, 39.9], [116.4, 39.9], [116.4, 40.0]]]},
        {"type": "Polygon", "coordinates": [[[116.3, 39.9], [116.4, 39.9], [116.4, 40.0], [116.3, 40.1]]]},
        {"type": "Polygon", "coordinates": [[["a", 39.9], [116.4, 39.9], [116.4, 40.0], ["a", 39.9]]]},
        "not even json",
    ]
    for boundary in bad:
        with pytest.raises(ValidationError):
            services.grid_save(code="BAD", name="坏网格", area=area_tree["east"], boundary=boundary)
    assert Grid.objects.count() == 0


def test_households_outside_300_to_500_is_a_warning_not_an_error(area_tree):
    grid, warnings = services.grid_save(
        code="SMALL", name="小网格", area=area_tree["east"], boundary=square(116.0, 39.0), households=120
    )
    assert grid.pk
    assert "300" in warnings[0]


# --- Actions --------------------------------------------------------------------------------


def test_staff_accepts_and_dispatches_handler_starts_and_resolves(api_as, east_event, east_staff, handler):
    staff = api_as(east_staff)
    assert staff.post(f"/api/v1/events/{east_event.pk}/accept/", {}, format="json").json()["status"] == "accepted"
    dispatched = staff.post(f"/api/v1/events/{east_event.pk}/dispatch/", {}, format="json").json()
    assert dispatched["department"]["name"] == "市政所"
    worker = api_as(handler)
    assert worker.post(f"/api/v1/events/{east_event.pk}/start/", {}, format="json").json()["status"] == "in_progress"
    resolved = worker.post(f"/api/v1/events/{east_event.pk}/resolve/", {"resolution": "已修复"}, format="json").json()
    assert resolved["status"] == "resolved"
    timeline = worker.get(f"/api/v1/events/{east_event.pk}/timeline/").json()
    assert [t["to_status"] for t in timeline] == ["reported", "accepted", "dispatched", "in_progress", "resolved"]


def test_refused_transition_is_409_invalid_transition_and_changes_nothing(api_as, east_event, east_staff):
    response = api_as(east_staff).post(f"/api/v1/events/{east_event.pk}/close/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    east_event.refresh_from_db()
    assert east_event.status == S.REPORTED
    assert east_event.timeline.count() == 1


@pytest.mark.parametrize("action", ["accept", "reject", "dispatch", "close"])
def test_grid_worker_may_not_run_staff_actions(api_as, grid_worker, east_event, action):
    response = api_as(grid_worker).post(f"/api/v1/events/{east_event.pk}/{action}/", {"reason": "x"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "not_staff_here"
    east_event.refresh_from_db()
    assert east_event.status == S.REPORTED


def test_handler_of_another_department_cannot_start_the_event(
    api_as, east_event, east_staff, water_handler, manhole, water
):
    manhole.cc_departments.add(water)  # copied, so visible, but not theirs to handle
    services.event_accept(event=east_event, actor=east_staff)
    services.event_dispatch(event=east_event, actor=east_staff)
    response = api_as(water_handler).post(f"/api/v1/events/{east_event.pk}/start/", {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "not_assigned_department"
    east_event.refresh_from_db()
    assert east_event.status == S.DISPATCHED


def test_reject_without_reason_is_a_field_error(api_as, east_event, east_staff):
    response = api_as(east_staff).post(f"/api/v1/events/{east_event.pk}/reject/", {}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]


def test_only_the_reporter_rates(api_as, east_event, east_staff, grid_worker):
    Event.objects.filter(pk=east_event.pk).update(status=S.RESOLVED)
    refused = api_as(east_staff).post(f"/api/v1/events/{east_event.pk}/rate/", {"rating": 5})
    assert (refused.status_code, refused.json()["code"]) == (403, "not_reporter")
    east_event.refresh_from_db()
    assert (east_event.status, east_event.rating) == (S.RESOLVED, None)
    response = api_as(grid_worker).post(f"/api/v1/events/{east_event.pk}/rate/", {"rating": 1}, format="json")
    assert response.json()["status"] == "reopened"


# --- Patrols --------------------------------------------------------------------------------


def test_patrol_through_the_api(api_as, grid_worker, east_grid):
    client = api_as(grid_worker)
    started = client.post("/api/v1/patrols/", {"grid": "DS-G1"}, format="json")
    assert started.status_code == 201
    pk = started.json()["id"]
    client.post(f"/api/v1/patrols/{pk}/points/", {"points": [[116.301, 39.981]]}, format="json")
    finished = client.post(f"/api/v1/patrols/{pk}/finish/", {"notes": "正常"}, format="json").json()
    assert finished["status"] == "finished"
    assert finished["route"] == [[116.301, 39.981]]
    again = client.post(f"/api/v1/patrols/{pk}/finish/", {}, format="json")
    assert again.status_code == 409
    assert Patrol.objects.get(pk=pk).notes == "正常"


# --- Sensors --------------------------------------------------------------------------------


def test_sensor_alert_endpoint_authenticates_by_device_token_and_deduplicates(api_client, east_grid, manhole):
    device, token = services.sensor_register(
        device_id="MC-9", kind="manhole_cover", lon=EAST_POINT[0], lat=EAST_POINT[1], category=manhole
    )
    url = "/api/v1/sensors/alerts/"
    body = {"device_id": "MC-9", "fault": "tilted"}
    assert api_client.post(url, body, format="json").status_code in (401, 403)
    bad = api_client.post(url, body, format="json", HTTP_AUTHORIZATION="Device wrong-token")
    assert bad.status_code in (401, 403)
    assert bad.json()["code"] == "authentication_failed"
    assert Event.objects.count() == 0
    first = api_client.post(url, body, format="json", HTTP_AUTHORIZATION=f"Device {token}")
    assert first.status_code == 201
    assert first.json()["status"] == "dispatched"
    second = api_client.post(url, {**body, "message": "仍倾斜"}, format="json", HTTP_AUTHORIZATION=f"Device {token}")
    assert second.status_code == 200
    assert second.json()["created"] is False
    assert Event.objects.count() == 1
    assert device.events.get().timeline.filter(kind=TimelineEntry.Kind.SENSOR_REPEAT).count() == 1


def test_duplicate_offer_never_reveals_codes_of_events_the_reporter_cannot_see(api_as, resident, east_event):
    payload = {"description": "井盖坏了", "category": "manhole", "lon": EAST_POINT[0], "lat": EAST_POINT[1]}
    response = api_as(resident).post("/api/v1/events/", payload, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["fields"]["existing"] == []
    assert body["fields"]["count"] == 1
    assert east_event.code not in response.content.decode()


def test_community_staff_may_override_dispatch_to_a_street_level_department(api_as, east_event, east_staff, water):
    assert water.area.level == "street"  # serves the street above the staff member's community
    client = api_as(east_staff)
    client.post(f"/api/v1/events/{east_event.pk}/accept/", {}, format="json")
    body = client.post(f"/api/v1/events/{east_event.pk}/dispatch/", {"department": water.pk}, format="json").json()
    assert body["department"]["name"] == "水务站"


def test_photo_links_go_through_the_scoped_view(api_as, grid_worker, east_grid, manhole, west_staff):
    photo = SimpleUploadedFile("p.jpg", image_bytes(), content_type="image/jpeg")
    body = (
        api_as(grid_worker)
        .post(
            "/api/v1/events/",
            {
                "description": "有照片",
                "category": "manhole",
                "lon": EAST_POINT[0],
                "lat": EAST_POINT[1],
                "photos": [photo],
            },
            format="multipart",
        )
        .json()
    )
    url = body["photos"][0]["url"]
    assert "/media/" not in url
    assert url.endswith(f"/events/{body['id']}/photos/{body['photos'][0]['id']}/")
    from django.test import Client

    owner, stranger = Client(), Client()
    owner.force_login(grid_worker)
    stranger.force_login(west_staff)
    path = url.split("testserver", 1)[1]
    assert owner.get(path).status_code == 200
    assert stranger.get(path).status_code == 404


def test_fast_event_outputs_equal_the_generic_serializers(report, east_staff, handler, water):
    from django.utils import timezone

    from grids.serializers import EventDetailBase, EventDetailOutput, EventListOutput, EventOutputBase

    uncategorised = report(category=None, description="小区东侧漏水", reporter_phone="13912345678")
    dispatched = services.event_dispatch(
        event=services.event_accept(event=report(), actor=east_staff), actor=east_staff, department=water
    )
    started = services.event_start(
        event=services.event_dispatch(event=services.event_accept(event=report(), actor=east_staff), actor=east_staff),
        actor=handler,
    )
    photo = SimpleUploadedFile("p.jpg", image_bytes(), content_type="image/jpeg")
    resolved = services.event_resolve(event=started, actor=handler, resolution="已修好", photos=[photo])
    rejected = services.event_reject(event=report(lon=EAST_POINT[0] + 0.002), actor=east_staff, reason="重复")
    context = {"now": timezone.now()}
    pks = [uncategorised.pk, dispatched.pk, resolved.pk, rejected.pk]
    events = Event.objects.filter(pk__in=pks).select_related("category", "grid", "department", "suggested_category")
    assert len(events) == 4
    for event in events:
        assert EventListOutput(event, context=context).data == EventOutputBase(event, context=context).data
        assert EventDetailOutput(event, context=context).data == EventDetailBase(event, context=context).data


def test_contact_endpoint_for_the_assigned_department_is_audited(api_as, report, east_staff, handler, water_handler):
    from governance.models import AuditEntry

    event = report(reporter_phone="13912345678")
    services.event_dispatch(event=services.event_accept(event=event, actor=east_staff), actor=east_staff)
    assert api_as(handler).get(f"/api/v1/events/{event.pk}/contact/").json()["phone"] == "13912345678"
    assert AuditEntry.objects.filter(action=AuditEntry.Action.READ_PERSONAL, actor=handler).count() == 1
    stranger = api_as(water_handler).get(f"/api/v1/events/{event.pk}/contact/")
    assert stranger.status_code == 404  # not their department's event: not even visible
    assert AuditEntry.objects.filter(action=AuditEntry.Action.READ_PERSONAL).count() == 1
