"""Grid pages through the Django test client: who may open what, the actions wired to the same
services as the API, bad input re-rendered with the typed values and nothing written, the public
tracking page, the efficiency index, home cards, and no inline code (CSP)."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from governance import home
from governance import services as core
from governance.models import Department, Role
from grids import services, views
from grids.models import DepartmentScore, Event, EventPhoto, Patrol, TimelineEntry
from tests.csp import assert_csp_clean, inline_code_in
from tests.grids.conftest import EAST_POINT, NOWHERE, WEST_POINT, image_bytes

pytestmark = pytest.mark.django_db
S = Event.Status
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


# --- helpers --------------------------------------------------------------------------------


def html(response) -> str:
    return response.content.decode()


def as_user(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend=MODEL_BACKEND)
    return client


@pytest.fixture
def east_event(report):
    return report()


@pytest.fixture
def west_event(west_grid, manhole, make_user, area_tree):
    reporter = make_user(Role.GRID_WORKER, area_tree["west"], username="west_worker", full_name="赵西苑")
    west_grid.workers.add(reporter)
    return services.event_report(
        reporter=reporter,
        description="西苑井盖缺失",
        lon=WEST_POINT[0],
        lat=WEST_POINT[1],
        source="patrol",
        category=manhole,
    )


@pytest.fixture
def property_company(area_tree) -> Department:
    """A department inside the east community, so east staff may pick it by hand."""
    return core.department_create(name="东升物业", code="DSWY", kind=Department.Kind.PROPERTY, area=area_tree["east"])


@pytest.fixture
def dispatched(east_event, east_staff):
    services.event_accept(event=east_event, actor=east_staff)
    return services.event_dispatch(event=east_event, actor=east_staff)


@pytest.fixture
def resolved(dispatched, handler):
    services.event_start(event=dispatched, actor=handler)
    return services.event_resolve(event=dispatched, actor=handler, resolution="已更换新井盖")


def jpeg(name: str = "scene.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(), content_type="image/jpeg")


def report_data(**overrides) -> dict:
    data = {
        "category": "",
        "description": "东升花园北门井盖缺失，夜间很危险",
        "address": "东升花园北门",
        "lon": str(EAST_POINT[0]),
        "lat": str(EAST_POINT[1]),
    }
    data.update(overrides)
    return data


def timeline_count(event: Event) -> int:
    return TimelineEntry.objects.filter(event=event).count()


# --- Who may open which page ----------------------------------------------------------------


PAGE_MATRIX = [
    # (url name, who, expected status)
    ("grids:grid", "grid_worker", 200),
    ("grids:grid", "east_staff", 403),
    ("grids:grid", "handler", 403),
    ("grids:grid", "resident", 403),
    ("grids:grid", None, 302),
    ("grids:event_new", "grid_worker", 200),
    ("grids:event_new", "east_staff", 200),
    ("grids:event_new", "resident", 200),
    ("grids:event_new", "handler", 403),
    ("grids:event_new", None, 302),
    ("grids:queue", "east_staff", 200),
    ("grids:queue", "street_supervisor", 200),
    ("grids:queue", "grid_worker", 403),
    ("grids:queue", "handler", 403),
    ("grids:queue", "resident", 403),
    ("grids:queue", None, 302),
    ("grids:tasks", "handler", 200),
    ("grids:tasks", "east_staff", 403),
    ("grids:tasks", "grid_worker", 403),
    ("grids:tasks", None, 302),
    ("grids:track_lookup", None, 200),
    ("grids:track_lookup", "resident", 200),
    ("grids:efficiency", None, 200),
    ("grids:efficiency", "east_staff", 200),
]


@pytest.mark.parametrize(("name", "who", "expected"), PAGE_MATRIX)
def test_pages_open_for_the_right_roles_only(request, east_grid, name, who, expected):
    user = request.getfixturevalue(who) if who else None
    response = as_user(user).get(reverse(name))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("login"))
    if expected == 200:
        assert_csp_clean(response)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("grid_worker", 200),
        ("east_staff", 200),
        ("street_supervisor", 200),
        ("west_staff", 404),
        ("handler", 404),  # not dispatched to the handler's department (yet)
        ("resident", 404),
    ],
)
def test_event_detail_is_scoped_like_the_api(request, east_event, who, expected):
    response = as_user(request.getfixturevalue(who)).get(reverse("grids:event_detail", args=[east_event.pk]))
    assert response.status_code == expected
    api = as_user(request.getfixturevalue(who)).get(f"/api/v1/events/{east_event.pk}/")
    assert api.status_code == expected


def test_another_grids_event_is_a_404_for_a_grid_worker(grid_worker, east_grid, west_event):
    client = as_user(grid_worker)
    assert client.get(reverse("grids:event_detail", args=[west_event.pk])).status_code == 404
    photo_url = reverse("grids:event_photo", args=[west_event.pk, 1])
    assert client.get(photo_url).status_code == 404


def test_the_handler_sees_the_event_once_dispatched_to_their_department(handler, dispatched):
    response = as_user(handler).get(reverse("grids:event_detail", args=[dispatched.pk]))
    assert response.status_code == 200
    assert reverse("grids:event_start", args=[dispatched.pk]) in html(response)


@pytest.mark.parametrize(
    ("action", "who", "expected"),
    [
        ("event_accept", "grid_worker", 403),  # sees the event in their grid, may not accept it
        ("event_accept", "handler", 404),  # not dispatched to them: the event stays invisible
        ("event_reject", "resident", 404),
        ("event_dispatch", "grid_worker", 403),
        ("event_close", "handler", 404),
        ("event_start", "east_staff", 403),
        ("event_resolve", "grid_worker", 403),
        ("event_rate", "east_staff", 403),
        ("event_return_visit", "grid_worker", 403),
    ],
)
def test_actions_refuse_the_wrong_roles_and_change_nothing(request, east_event, action, who, expected):
    client = as_user(request.getfixturevalue(who))
    response = client.post(
        reverse(f"grids:{action}", args=[east_event.pk]), {"reason": "x", "resolution": "x", "rate-rating": "5"}
    )
    assert response.status_code == expected
    east_event.refresh_from_db()
    assert east_event.status == S.REPORTED
    assert timeline_count(east_event) == 1


def test_actions_are_post_only(east_staff, east_event):
    response = as_user(east_staff).get(reverse("grids:event_accept", args=[east_event.pk]))
    assert response.status_code == 405


# --- Staff: accept, dispatch, reject, close ---------------------------------------------------


def test_staff_accept_from_the_page_moves_the_event_and_writes_the_timeline(east_staff, east_event):
    client = as_user(east_staff)
    detail = client.get(reverse("grids:event_detail", args=[east_event.pk]))
    assert "受理" in html(detail)
    assert_csp_clean(detail)

    response = client.post(
        reverse("grids:event_accept", args=[east_event.pk]), {"note": "已核实", "seen_status": "reported"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("grids:event_detail", args=[east_event.pk])
    east_event.refresh_from_db()
    assert east_event.status == S.ACCEPTED
    entry = TimelineEntry.objects.filter(event=east_event).last()
    assert (entry.actor, entry.from_status, entry.to_status, entry.note) == (
        east_staff,
        "reported",
        "accepted",
        "已核实",
    )

    page = client.get(response["Location"])
    text = html(page)
    assert "已受理，类别：井盖破损。" in text
    assert "已核实" in text
    assert "李社区" in text


def test_accepting_an_uncategorised_report_needs_a_category_and_preselects_the_suggestion(east_staff, report, manhole):
    event = report(category=None, description="北门的井盖不见了")
    assert event.suggested_category == manhole
    client = as_user(east_staff)
    detail = html(client.get(reverse("grids:event_detail", args=[event.pk])))
    assert f'<option value="{manhole.pk}" selected>井盖破损</option>' in detail

    refused = client.post(reverse("grids:event_accept", args=[event.pk]), {"category": "", "note": "先受理"})
    assert refused.status_code == 400
    assert "受理前请先选择事件类别。" in html(refused)
    assert "先受理" in html(refused)  # what was typed is kept
    event.refresh_from_db()
    assert event.status == S.REPORTED

    done = client.post(reverse("grids:event_accept", args=[event.pk]), {"category": manhole.pk})
    assert done.status_code == 302
    event.refresh_from_db()
    assert (event.status, event.category) == (S.ACCEPTED, manhole)


def test_dispatch_preselects_the_rule_department_and_follows_it(east_staff, east_event, municipal):
    services.event_accept(event=east_event, actor=east_staff)
    client = as_user(east_staff)
    detail = html(client.get(reverse("grids:event_detail", args=[east_event.pk])))
    assert "市政所（按派单规则）" in detail

    response = client.post(reverse("grids:event_dispatch", args=[east_event.pk]), {"department": ""})
    assert response.status_code == 302
    east_event.refresh_from_db()
    assert (east_event.status, east_event.department) == (S.DISPATCHED, municipal)
    entry = TimelineEntry.objects.filter(event=east_event).last()
    assert entry.to_status == "dispatched"
    assert "按派单规则" in entry.note


def test_a_person_can_override_the_dispatch_department(east_staff, east_event, property_company):
    services.event_accept(event=east_event, actor=east_staff)
    response = as_user(east_staff).post(
        reverse("grids:event_dispatch", args=[east_event.pk]), {"department": property_company.pk}
    )
    assert response.status_code == 302
    east_event.refresh_from_db()
    assert east_event.department == property_company
    assert "人工指定" in TimelineEntry.objects.filter(event=east_event).last().note


def test_dispatch_to_a_department_outside_the_jurisdiction_is_refused(east_staff, east_event, area_tree):
    from governance.services import department_create

    neighbours = department_create(name="西苑物业", code="XY-WY", area=area_tree["west"])
    services.event_accept(event=east_event, actor=east_staff)
    response = as_user(east_staff).post(
        reverse("grids:event_dispatch", args=[east_event.pk]), {"department": neighbours.pk}
    )
    assert response.status_code == 400
    assert "该处置单位不存在或不在您的管辖范围内。" in html(response)
    east_event.refresh_from_db()
    assert east_event.status == S.ACCEPTED


def test_reject_needs_a_reason_and_keeps_nothing_half_done(east_staff, east_event):
    client = as_user(east_staff)
    refused = client.post(reverse("grids:event_reject", args=[east_event.pk]), {"reject-reason": "  "})
    assert refused.status_code == 400
    assert "请填写不予受理的原因。" in html(refused)
    east_event.refresh_from_db()
    assert east_event.status == S.REPORTED
    assert timeline_count(east_event) == 1

    done = client.post(reverse("grids:event_reject", args=[east_event.pk]), {"reject-reason": "不属于本社区管辖"})
    assert done.status_code == 302
    east_event.refresh_from_db()
    assert (east_event.status, east_event.reject_reason) == (S.REJECTED, "不属于本社区管辖")
    assert TimelineEntry.objects.filter(event=east_event).last().note == "不属于本社区管辖"


def test_a_refused_transition_shows_the_message_and_changes_nothing(east_staff, street_supervisor, east_event):
    """Two people act on the same event: the second sees "刚被其他人处理过" and nothing moves again."""
    services.event_accept(event=east_event, actor=street_supervisor)
    before = timeline_count(east_event)
    response = as_user(east_staff).post(
        reverse("grids:event_accept", args=[east_event.pk]), {"seen_status": "reported", "note": "我来受理"}
    )
    assert response.status_code == 409
    text = html(response)
    assert "该事件刚被其他人处理过" in text
    assert "当前状态为“已受理”" in text
    east_event.refresh_from_db()
    assert east_event.status == S.ACCEPTED
    assert timeline_count(east_event) == before
    assert_csp_clean(response)


def test_a_transition_the_table_forbids_shows_the_service_message(east_staff, east_event):
    response = as_user(east_staff).post(reverse("grids:event_close", args=[east_event.pk]), {})
    assert response.status_code == 409
    assert "事件当前为“已上报”，不能变更为“已关闭”。" in html(response)
    east_event.refresh_from_db()
    assert east_event.status == S.REPORTED


def test_staff_close_a_resolved_event(east_staff, resolved):
    response = as_user(east_staff).post(
        reverse("grids:event_close", args=[resolved.pk]), {"close-note": "电话回访满意"}
    )
    assert response.status_code == 302
    resolved.refresh_from_db()
    assert resolved.status == S.CLOSED
    assert TimelineEntry.objects.filter(event=resolved).last().note == "电话回访满意"


# --- Department handler: tasks, start, resolve ------------------------------------------------


def test_handler_tasks_list_the_departments_open_events(handler, dispatched, west_event):
    response = as_user(handler).get(reverse("grids:tasks"))
    text = html(response)
    assert dispatched.code in text
    assert west_event.code not in text
    assert_csp_clean(response)


def test_handler_starts_and_resolves_with_a_photo(handler, dispatched):
    client = as_user(handler)
    started = client.post(reverse("grids:event_start", args=[dispatched.pk]), {"start-note": "已到现场"})
    assert started.status_code == 302
    dispatched.refresh_from_db()
    assert dispatched.status == S.IN_PROGRESS

    resolved = client.post(
        reverse("grids:event_resolve", args=[dispatched.pk]),
        {"resolution": "已更换新井盖", "photos": [jpeg("after.jpg")]},
    )
    assert resolved.status_code == 302
    dispatched.refresh_from_db()
    assert (dispatched.status, dispatched.resolution) == (S.RESOLVED, "已更换新井盖")
    photo = EventPhoto.objects.get(event=dispatched)
    assert photo.kind == EventPhoto.Kind.RESOLUTION

    detail = client.get(reverse("grids:event_detail", args=[dispatched.pk]))
    photo_url = reverse("grids:event_photo", args=[dispatched.pk, photo.pk])
    assert photo_url in html(detail)
    image = client.get(photo_url)
    assert image.status_code == 200
    assert image["Content-Type"] == "image/jpeg"
    assert image["Cache-Control"] == "private, max-age=86400"
    assert b"".join(image.streaming_content).startswith(b"\xff\xd8")


def test_resolve_with_a_bad_photo_keeps_the_text_and_changes_nothing(handler, dispatched):
    client = as_user(handler)
    services.event_start(event=dispatched, actor=handler)
    response = client.post(
        reverse("grids:event_resolve", args=[dispatched.pk]),
        {"resolution": "已更换新井盖并加固", "photos": [SimpleUploadedFile("x.jpg", b"not an image")]},
    )
    assert response.status_code == 400
    text = html(response)
    assert "只能上传 JPEG、PNG 或 WebP 格式的图片。" in text
    assert "已更换新井盖并加固" in text
    dispatched.refresh_from_db()
    assert dispatched.status == S.IN_PROGRESS
    assert not EventPhoto.objects.filter(event=dispatched).exists()


def test_a_handler_of_another_department_cannot_start_it(water_handler, dispatched):
    response = as_user(water_handler).post(reverse("grids:event_start", args=[dispatched.pk]), {})
    assert response.status_code == 404
    dispatched.refresh_from_db()
    assert dispatched.status == S.DISPATCHED


# --- Report form ----------------------------------------------------------------------------


def test_a_grid_worker_reports_with_photos_and_gets_the_tracking_code(grid_worker, manhole, east_grid):
    client = as_user(grid_worker)
    response = client.post(
        reverse("grids:event_new"),
        report_data(category=manhole.pk, photos=[jpeg("a.jpg"), jpeg("b.jpg")]),
    )
    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("grids:event_detail", args=[event.pk])
    assert (event.grid, event.category, event.source, event.reporter) == (east_grid, manhole, "patrol", grid_worker)
    assert event.photos.count() == 2
    page = html(client.get(response["Location"]))
    assert f"上报成功，查询编号：{event.code}" in page


def test_a_finding_is_linked_to_the_active_patrol(grid_worker, east_grid, manhole):
    patrol = services.patrol_start(worker=grid_worker, grid=east_grid)
    client = as_user(grid_worker)
    form = html(client.get(reverse("grids:event_new")))
    assert "作为本次巡查的发现" in form
    client.post(reverse("grids:event_new"), report_data(category=manhole.pk, link_patrol="on"))
    assert Event.objects.get().patrol == patrol


def test_a_resident_report_is_a_resident_source(resident, east_grid):
    response = as_user(resident).post(reverse("grids:event_new"), report_data())
    assert response.status_code == 302
    event = Event.objects.get()
    assert (event.source, event.reporter, event.category) == ("resident", resident, None)


def test_a_resident_sees_their_own_community_grids_on_the_report_map(resident, east_grid, west_grid):
    response = as_user(resident).get(reverse("grids:event_new"))
    codes = [f["properties"]["code"] for f in response.context["map_data"]["grids"]["features"]]
    assert codes == ["DS-G1"]  # the resident lives in 东升; 西苑's grid is not theirs
    assert response.context["show_map"] is True


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"lon": str(NOWHERE[0]), "lat": str(NOWHERE[1])}, "该位置不在任何网格内"),
        ({"lon": "", "lat": ""}, "请提供事件位置（经纬度）。"),
        ({"photos": [SimpleUploadedFile("virus.jpg", b"MZ\x90\x00 not an image")]}, "只能上传 JPEG、PNG 或 WebP"),
        ({"category": "99999"}, "该事件类别不存在或已停用，请重新选择。"),
        ({"photos": [jpeg(f"p{i}.jpg") for i in range(7)]}, "最多上传 6 张照片。"),
    ],
    ids=["outside-every-grid", "no-location", "not-an-image", "unknown-category", "too-many-photos"],
)
def test_bad_reports_come_back_with_the_error_and_the_typed_values(grid_worker, east_grid, overrides, message):
    data = report_data(**overrides)
    response = as_user(grid_worker).post(reverse("grids:event_new"), data)
    assert response.status_code == 400
    text = html(response)
    assert message in text
    assert "东升花园北门井盖缺失，夜间很危险" in text  # the description typed is kept
    assert 'value="东升花园北门"' in text
    assert not Event.objects.exists()
    assert not EventPhoto.objects.exists()
    assert_csp_clean(response)


def test_an_oversized_photo_is_refused_with_the_limit(grid_worker, east_grid, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.jpg", image_bytes(size=(400, 400)) + b"\0" * 2048, content_type="image/jpeg")
    response = as_user(grid_worker).post(reverse("grids:event_new"), report_data(photos=[big]))
    assert response.status_code == 400
    assert "文件过大" in html(response)
    assert "已保留刚才选择的" not in html(response)  # a refused photo is not kept
    assert not Event.objects.exists()


def test_a_nearby_open_event_of_the_same_category_is_offered_first(grid_worker, east_event, manhole):
    client = as_user(grid_worker)
    response = client.post(reverse("grids:event_new"), report_data(category=manhole.pk, photos=[jpeg()]))
    assert response.status_code == 200
    text = html(response)
    assert "附近已有同类事件" in text
    assert reverse("grids:event_detail", args=[east_event.pk]) in text
    assert east_event.code in text
    assert "确认是新问题，继续上报" in text
    assert "已保留刚才选择的 1 张照片" in text  # nobody has to take the photo again
    assert "东升花园北门井盖缺失，夜间很危险" in text
    assert Event.objects.count() == 1
    token = re.search(r'name="pending_photos" value="([^"]+)"', text).group(1)

    confirmed = client.post(
        reverse("grids:event_new"), report_data(category=manhole.pk, confirm_new="on", pending_photos=token)
    )
    assert confirmed.status_code == 302
    assert Event.objects.count() == 2
    created = Event.objects.exclude(pk=east_event.pk).get()
    assert created.photos.count() == 1


def test_kept_photos_belong_to_the_person_who_chose_them(
    grid_worker, make_user, east_grid, east_event, manhole, area_tree
):
    response = as_user(grid_worker).post(reverse("grids:event_new"), report_data(category=manhole.pk, photos=[jpeg()]))
    token = re.search(r'name="pending_photos" value="([^"]+)"', html(response)).group(1)
    other = make_user(Role.GRID_WORKER, area_tree["east"])
    east_grid.workers.add(other)
    confirmed = as_user(other).post(
        reverse("grids:event_new"), report_data(category=manhole.pk, confirm_new="on", pending_photos=token)
    )
    assert confirmed.status_code == 302
    assert Event.objects.exclude(pk=east_event.pk).get().photos.count() == 0


def test_a_resident_is_warned_of_a_duplicate_without_seeing_its_code(resident, east_event, manhole):
    response = as_user(resident).post(
        reverse("grids:event_new"), report_data(category=manhole.pk, description="小区门口井盖坏了")
    )
    text = html(response)
    assert "附近已有同类事件" in text
    assert east_event.code not in text
    assert east_event.description not in text
    assert Event.objects.count() == 1


# --- Grid worker: grid page and patrol ------------------------------------------------------


def test_the_grid_page_shows_the_boundary_data_and_open_events_with_time_left(grid_worker, report, east_grid):
    overdue = report()
    Event.objects.filter(pk=overdue.pk).update(
        respond_by=timezone.now() - timedelta(hours=2, minutes=5), due_at=timezone.now() - timedelta(hours=2, minutes=5)
    )
    soon = report(description="路灯不亮")
    Event.objects.filter(pk=soon.pk).update(
        remind_at=timezone.now() - timedelta(minutes=1),
        respond_by=timezone.now() + timedelta(minutes=30),
        due_at=timezone.now() + timedelta(minutes=30),
    )
    fine = report(description="垃圾桶满了")
    response = as_user(grid_worker).get(reverse("grids:grid"))
    text = html(response)
    assert '<script id="grid-map-data" type="application/json">' in text
    assert "东升第一网格" in text
    assert '"coordinates"' in text
    assert "clock--overdue" in text
    assert "已超时" in text
    assert "2 小时 5 分钟" in text
    assert "clock--due_soon" in text
    assert "即将到期" in text
    assert "clock--normal" in text
    assert "剩余 23 小时" in text
    assert all(e.code in text for e in (overdue, soon, fine))
    assert "data-tile-url" not in text  # no tile server configured: boundaries only
    assert_csp_clean(response)


def test_the_map_gets_the_tile_layer_when_configured(grid_worker, east_grid, settings):
    settings.MAP_TILE_URL = "http://tiles.intranet/{z}/{x}/{y}.png"
    text = html(as_user(grid_worker).get(reverse("grids:grid")))
    assert 'data-tile-url="http://tiles.intranet/{z}/{x}/{y}.png"' in text


def test_patrol_start_points_and_finish_from_the_page(grid_worker, east_grid):
    client = as_user(grid_worker)
    started = client.post(reverse("grids:patrol_start"), {"grid": east_grid.pk})
    assert started.status_code == 302
    patrol = Patrol.objects.get(worker=grid_worker)
    assert patrol.status == Patrol.Status.ACTIVE
    page = html(client.get(reverse("grids:grid")))
    assert "结束巡查" in page
    assert "添加发现" in page

    points_url = reverse("grids:patrol_points", args=[patrol.pk])
    saved = client.post(
        points_url, {"points": [[116.305, 39.985, 1700000000], [116.3051, 39.9851]]}, content_type="application/json"
    )
    assert saved.status_code == 200
    assert saved.json() == {"points": 2}
    bad = client.post(points_url, {"points": [["x", 1]]}, content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid"

    finished = client.post(
        reverse("grids:patrol_finish", args=[patrol.pk]),
        {"notes": "北门井盖已上报", "points": "[[116.3052, 39.9852]]"},
    )
    assert finished.status_code == 302
    patrol.refresh_from_db()
    assert (patrol.status, patrol.notes, len(patrol.route)) == (Patrol.Status.FINISHED, "北门井盖已上报", 3)
    after = html(client.get(reverse("grids:grid")))
    assert "巡查已结束，记录了 3 个轨迹点、0 个发现。" in after
    assert "开始巡查" in after


def test_a_second_patrol_start_shows_the_message(grid_worker, east_grid):
    services.patrol_start(worker=grid_worker, grid=east_grid)
    client = as_user(grid_worker)
    response = client.post(reverse("grids:patrol_start"), {"grid": east_grid.pk}, follow=True)
    assert "您还有一次巡查没有结束，请先结束它。" in html(response)
    assert Patrol.objects.count() == 1


def test_a_worker_cannot_touch_someone_elses_patrol(grid_worker, east_grid, make_user, area_tree):
    other = make_user(Role.GRID_WORKER, area_tree["east"], username="other_worker")
    east_grid.workers.add(other)
    patrol = services.patrol_start(worker=other, grid=east_grid)
    client = as_user(grid_worker)
    assert client.post(reverse("grids:patrol_finish", args=[patrol.pk]), {"notes": "x"}).status_code == 404
    patrol.refresh_from_db()
    assert patrol.status == Patrol.Status.ACTIVE


def test_a_worker_cannot_patrol_a_grid_that_is_not_theirs(grid_worker, east_grid, west_grid):
    response = as_user(grid_worker).post(reverse("grids:patrol_start"), {"grid": west_grid.pk}, follow=True)
    assert "请选择您负责的网格。" in html(response)
    assert not Patrol.objects.exists()


# --- Staff queue ----------------------------------------------------------------------------


def test_the_queue_filters_orders_by_time_left_and_is_scoped(east_staff, report, leak, west_event):
    late = report(description="最早的井盖")
    Event.objects.filter(pk=late.pk).update(
        respond_by=timezone.now() - timedelta(hours=1), due_at=timezone.now() - timedelta(hours=1)
    )
    leak_event = report(category=leak, description="水管漏水")
    closed = report(description="已经处理完的")
    Event.objects.filter(pk=closed.pk).update(status=S.CLOSED)
    client = as_user(east_staff)

    text = html(client.get(reverse("grids:queue")))
    assert west_event.code not in text  # another community
    assert closed.code not in text  # open events by default
    assert text.index(late.code) < text.index(leak_event.code)  # least time left first

    assert closed.code in html(client.get(reverse("grids:queue"), {"status": "all"}))
    only_leak = html(client.get(reverse("grids:queue"), {"category": "water_leak"}))
    assert leak_event.code in only_leak
    assert late.code not in only_leak
    only_overdue = html(client.get(reverse("grids:queue"), {"overdue": "on"}))
    assert late.code in only_overdue
    assert leak_event.code not in only_overdue
    by_grid = html(client.get(reverse("grids:queue"), {"grid": "XY-G1"}))
    assert late.code not in by_grid
    by_status = html(client.get(reverse("grids:queue"), {"status": "closed"}))
    assert closed.code in by_status
    assert late.code not in by_status


def test_the_queue_paginates_and_keeps_the_filters(east_staff, report):
    for n in range(views.PAGE_SIZE + 3):
        report(description=f"事件 {n}")
    client = as_user(east_staff)
    first = html(client.get(reverse("grids:queue"), {"category": "manhole"}))
    assert "第 1 / 2 页" in first
    assert "?category=manhole&amp;page=2" in first
    second = client.get(reverse("grids:queue"), {"category": "manhole", "page": 2})
    assert second.status_code == 200
    assert html(second).count('<li class="erow') == 3


# --- Resident tracking ----------------------------------------------------------------------


def test_track_page_shows_progress_without_names_or_contact(client, report, east_staff, handler):
    event = report(reporter_phone="13900001111", reporter_name="王网格")
    services.event_accept(event=event, actor=east_staff, note="李社区已核实")
    services.event_dispatch(event=event, actor=east_staff)
    response = client.get(reverse("grids:track", args=[event.code.lower()]))
    assert response.status_code == 200
    text = html(response)
    for secret in ("王网格", "李社区", "吴处置", "13900001111", "139****1111", "13812345678", "已核实"):
        assert secret not in text
    assert "已派单" in text
    assert "市政所" in text
    assert "东升第一网格" in text
    assert event.description in text
    assert "已受理 → 已派单" in text
    assert '<meta name="robots" content="noindex">' in text
    assert_csp_clean(response)


def test_track_lookup_finds_the_code_or_says_it_does_not_exist(client, east_event):
    found = client.get(reverse("grids:track_lookup"), {"code": f" {east_event.code.lower()} "})
    assert found.status_code == 302
    assert found["Location"] == reverse("grids:track", args=[east_event.code])
    missing = client.get(reverse("grids:track_lookup"), {"code": "NOPE000000"})
    assert "没有找到这个查询编号" in html(missing)
    assert client.get(reverse("grids:track", args=["NOPE000000"])).status_code == 404


def test_the_tracking_code_shows_progress_but_offers_no_rating(client, resolved):
    page = html(client.get(reverse("grids:track", args=[resolved.code])))
    assert "提交评价" not in page
    assert "查询编号只能查看进度" in page
    response = client.post(reverse("grids:track", args=[resolved.code]), {"rating": "1"})
    assert response.status_code == 405
    resolved.refresh_from_db()
    assert (resolved.status, resolved.rating) == (S.RESOLVED, None)


def test_rating_2_by_the_secret_link_reopens_and_says_so(client, resolved):
    secret = services.rating_link_issue(event=resolved)
    url = reverse("grids:rate_by_link", args=[secret])
    page = html(client.get(url))
    assert "事件已办结，请评价" in page
    assert "评 2 分及以下表示不满意，事件将重新打开" in page
    response = client.post(url, {"rating": "2", "comment": "井盖还是松的"})
    assert response.status_code == 302
    resolved.refresh_from_db()
    assert (resolved.status, resolved.rating, resolved.rated_via) == (S.REOPENED, 2, "link")
    after = html(client.get(response["Location"]))
    assert "事件已重新打开，将由处置单位再次处理" in after


def test_rating_5_by_the_secret_link_closes(client, resolved):
    secret = services.rating_link_issue(event=resolved)
    client.post(reverse("grids:rate_by_link", args=[secret]), {"rating": "5"})
    resolved.refresh_from_db()
    assert (resolved.status, resolved.rating) == (S.CLOSED, 5)


def test_a_wrong_or_old_rating_link_is_not_found(client, resolved):
    old = services.rating_link_issue(event=resolved)
    services.rating_link_issue(event=resolved)  # a new link replaces the old one
    assert client.post(reverse("grids:rate_by_link", args=[old]), {"rating": "5"}).status_code == 404
    assert client.get(reverse("grids:rate_by_link", args=["x" * 24])).status_code == 404
    assert client.get(reverse("grids:rate_by_link", args=[resolved.code])).status_code == 404
    resolved.refresh_from_db()
    assert resolved.status == S.RESOLVED


def test_rating_an_unresolved_event_by_link_is_refused_and_changes_nothing(client, dispatched):
    secret = services.rating_link_issue(event=dispatched)
    before = timeline_count(dispatched)
    page = html(client.get(reverse("grids:rate_by_link", args=[secret])))
    assert "提交评价" not in page
    response = client.post(reverse("grids:rate_by_link", args=[secret]), {"rating": "5"})
    assert response.status_code == 409
    assert "只有已办结的事件才能评价。" in html(response)
    dispatched.refresh_from_db()
    assert (dispatched.status, dispatched.rating) == (S.DISPATCHED, None)
    assert timeline_count(dispatched) == before


def test_a_rating_out_of_range_is_refused(client, resolved):
    secret = services.rating_link_issue(event=resolved)
    response = client.post(reverse("grids:rate_by_link", args=[secret]), {"rating": "9"})
    assert response.status_code == 400
    assert "请选择 1 到 5 分。" in html(response)
    resolved.refresh_from_db()
    assert resolved.status == S.RESOLVED


# --- Efficiency index -----------------------------------------------------------------------


def test_efficiency_page_renders_the_months_scores_and_trend(client, municipal, water):
    month = timezone.localdate().replace(day=1)
    DepartmentScore.objects.create(
        department=municipal,
        month=month,
        events=12,
        avg_response_minutes=95,
        on_time_rate=0.75,
        resolution_rate=0.9,
        satisfaction=4.5,
        score=82.4,
    )
    DepartmentScore.objects.create(
        department=water, month=month, events=3, on_time_rate=0.5, resolution_rate=1, score=61
    )
    previous = (month - timedelta(days=1)).replace(day=1)
    DepartmentScore.objects.create(department=municipal, month=previous, events=5, score=70)
    response = client.get(reverse("grids:efficiency"))
    assert response.status_code == 200
    text = html(response)
    assert text.index("市政所") < text.index("水务站")  # best first
    for shown in ("82.4", "75%", "90%", "4.5 / 5", "1 小时 35 分钟", "12"):
        assert shown in text
    assert "<svg" in text
    assert 'class="trend__bar trend__bar--current"' in text
    assert "71.7" in text  # this month's average of 82.4 and 61
    assert_csp_clean(response)


def test_efficiency_page_without_scores_says_not_yet_generated(client, municipal):
    month = timezone.localdate().replace(day=1)
    old = DepartmentScore.objects.create(department=municipal, month=month.replace(year=month.year - 2), score=50)
    text = html(client.get(reverse("grids:efficiency")))
    assert "本月数据尚未生成。" in text
    assert timezone.localtime(old.computed_at).strftime("%Y-%m-%d %H:%M") in text
    assert not DepartmentScore.objects.filter(month=month).exists()  # read-only page


def test_efficiency_month_selector(client, municipal):
    month = timezone.localdate().replace(day=1)
    previous = (month - timedelta(days=1)).replace(day=1)
    DepartmentScore.objects.create(department=municipal, month=previous, events=4, score=66.6)
    text = html(client.get(reverse("grids:efficiency"), {"month": previous.strftime("%Y-%m")}))
    assert "66.6" in text
    assert f'<option value="{previous:%Y-%m}" selected>' in text


# --- Home cards and menu --------------------------------------------------------------------


def test_home_cards_per_role(grid_worker, east_staff, handler, resident, report):
    overdue = report()
    Event.objects.filter(pk=overdue.pk).update(
        respond_by=timezone.now() - timedelta(minutes=5), due_at=timezone.now() - timedelta(minutes=5)
    )
    report(description="路灯不亮")

    worker_home = html(as_user(grid_worker).get("/"))
    assert "我的网格" in worker_home
    assert "网格内有 2 件未办结事件，其中 1 件已超时。" in worker_home
    assert "开始巡查" in worker_home
    staff_home = html(as_user(east_staff).get("/"))
    assert "事件队列" in staff_home
    assert "待受理 2 件，已超时 1 件。" in staff_home
    handler_home = html(as_user(handler).get("/"))
    assert "我的任务" in handler_home
    assert "没有待处置的事件。" in handler_home
    resident_home = html(as_user(resident).get("/"))
    assert "我要上报" in resident_home
    assert "查询进度" in resident_home
    assert "事件队列" not in resident_home


def test_the_worker_card_says_continue_when_a_patrol_runs(grid_worker, east_grid):
    services.patrol_start(worker=grid_worker, grid=east_grid)
    cards = views.grid_worker_cards(grid_worker, {Role.GRID_WORKER})
    assert cards[0].action == "继续巡查"


@pytest.mark.parametrize(
    ("provider", "who", "role"),
    [
        (views.grid_worker_cards, "grid_worker", Role.GRID_WORKER),
        (views.staff_cards, "east_staff", Role.COMMUNITY_STAFF),
        (views.handler_cards, "handler", Role.DEPARTMENT_HANDLER),
        (views.resident_cards, "resident", Role.RESIDENT),
    ],
)
def test_each_home_card_provider_is_registered_and_cheap(
    request, django_assert_max_num_queries, report, provider, who, role
):
    report()
    user = request.getfixturevalue(who)
    assert provider in home._providers
    with django_assert_max_num_queries(3):
        cards = provider(user, {role})
    assert cards
    assert provider(user, set()) == []


@pytest.mark.parametrize(
    ("who", "shown", "hidden"),
    [
        ("grid_worker", ["我的网格", "上报事件", "服务效能指数"], ["事件队列", "我的任务"]),
        ("east_staff", ["事件队列", "上报事件"], ["我的网格", "我的任务"]),
        ("handler", ["我的任务"], ["上报事件", "事件队列"]),
        ("resident", ["上报事件", "查询进度"], ["事件队列", "我的网格"]),
    ],
)
def test_menu_links_follow_the_roles(request, who, shown, hidden):
    text = html(as_user(request.getfixturevalue(who)).get(reverse("inbox")))
    menu = text[text.index('class="menu__list"') : text.index("</nav>")]
    for label in shown:
        assert f">{label}</a>" in menu
    for label in hidden:
        assert f">{label}</a>" not in menu


# --- CSP on the pages with forms, maps and errors -------------------------------------------


def test_every_grid_page_is_csp_clean(grid_worker, east_staff, handler, resident, dispatched, east_grid, client):
    services.patrol_start(worker=grid_worker, grid=east_grid)
    pages = [
        (grid_worker, reverse("grids:grid")),
        (grid_worker, reverse("grids:event_new")),
        (grid_worker, reverse("grids:event_detail", args=[dispatched.pk])),
        (east_staff, reverse("grids:queue")),
        (east_staff, reverse("grids:event_detail", args=[dispatched.pk])),
        (handler, reverse("grids:tasks")),
        (handler, reverse("grids:event_detail", args=[dispatched.pk])),
        (resident, reverse("grids:event_new")),
        (None, reverse("grids:track", args=[dispatched.code])),
        (None, reverse("grids:track_lookup")),
        (None, reverse("grids:efficiency")),
    ]
    for user, url in pages:
        response = as_user(user).get(url)
        assert response.status_code == 200, url
        assert_csp_clean(response)


def test_the_scanner_catches_inline_code_but_allows_json_data():
    assert inline_code_in('<script type="application/json" id="x">{"a": 1}</script>') == []
    assert inline_code_in("<script>alert(1)</script>")
    assert inline_code_in('<p style="color:red">x</p>')
    assert inline_code_in('<button onclick="x()">x</button>')


def test_staff_may_reveal_the_reporters_number_and_the_read_is_audited(east_staff, grid_worker, report):
    from governance.models import AuditEntry

    event = report(reporter_phone="13912345678")
    page = html(as_user(east_staff).get(reverse("grids:event_detail", args=[event.pk])))
    assert "139****5678" in page
    assert "13912345678" not in page
    assert AuditEntry.objects.filter(action=AuditEntry.Action.READ_PERSONAL).count() == 0
    revealed = as_user(east_staff).post(reverse("grids:event_contact", args=[event.pk]))
    assert revealed.status_code == 200
    assert 'href="tel:13912345678"' in html(revealed)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.READ_PERSONAL)
    assert (entry.actor, entry.object_type, entry.object_id) == (east_staff, "grids.event", str(event.pk))
    # A grid worker sees the event but may not read the number: refused, and nothing recorded.
    assert as_user(grid_worker).post(reverse("grids:event_contact", args=[event.pk])).status_code == 403
    assert AuditEntry.objects.filter(action=AuditEntry.Action.READ_PERSONAL).count() == 1


def test_a_staff_role_elsewhere_does_not_open_this_areas_reporter_numbers(grid_worker, area_tree, report):
    from governance import services as core
    from governance.models import AuditEntry

    core.post_assign(user=grid_worker, role=Role.COMMUNITY_STAFF, area=area_tree["west"])  # staff in 西苑 only
    event = report(reporter_phone="13912345678")  # in 东升, which they see as its grid worker
    response = as_user(grid_worker).post(reverse("grids:event_contact", args=[event.pk]))
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.READ_PERSONAL).exists()
