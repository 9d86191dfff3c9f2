"""The grids admin goes through the services: transitions are actions that write the timeline,
an event's fields and clocks are read-only, a moved sensor is re-filed, and the timeline and the
computed scores cannot be changed there."""

import json
import re
from datetime import date

from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from governance import services as core
from governance.models import AuditEntry, Role
from grids.geo import from_wgs84
from grids.models import DepartmentScore, Event, Grid, SensorDevice, TimelineEntry
from tests.factories import (
    CommunityFactory,
    CompoundFactory,
    DepartmentFactory,
    EventCategoryFactory,
    EventFactory,
    GridFactory,
    SensorDeviceFactory,
    StreetFactory,
    UserFactory,
    grid_point,
)
from tests.grids.conftest import square

CHANGELIST = "admin:grids_event_changelist"


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _act(client, action: str, events, note: str = ""):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [e.pk for e in events], "index": 0, "note": note},
    )


def test_an_admin_transition_action_writes_the_timeline_entry(admin_client, admin_user, db):
    event = EventFactory()
    assert _act(admin_client, "accept_events", [event]).status_code == 302
    event.refresh_from_db()
    assert _act(admin_client, "dispatch_events", [event]).status_code == 302
    assert _act(admin_client, "start_events", [event]).status_code == 302
    response = _act(admin_client, "resolve_events", [event], note="已更换井盖")
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.status, event.resolution) == ("resolved", "已更换井盖")
    assert event.resolved_at is not None
    entry = TimelineEntry.objects.filter(event=event).latest("id")
    assert (entry.kind, entry.from_status, entry.to_status, entry.actor, entry.note) == (
        "transition",
        "in_progress",
        "resolved",
        admin_user,
        "已更换井盖",
    )
    moves = list(TimelineEntry.objects.filter(event=event).order_by("id").values_list("to_status", flat=True))
    assert moves == ["reported", "accepted", "dispatched", "in_progress", "resolved"]
    assert f"已办结：1 条{Event._meta.verbose_name}。" in _messages(response)


def test_a_service_validation_error_in_an_action_is_a_message_not_a_500(admin_client, db):
    event = EventFactory()
    response = _act(admin_client, "reject_events", [event], note="  ")
    assert response.status_code == 302
    assert f"{event}：请填写不予受理的原因。" in _messages(response)
    event.refresh_from_db()
    assert event.status == "reported"
    assert TimelineEntry.objects.filter(event=event).count() == 1  # only "reported"


def test_an_action_refused_for_one_event_still_moves_the_others(admin_client, db):
    moved, refused = EventFactory(), EventFactory()
    _act(admin_client, "accept_events", [refused])
    response = _act(admin_client, "accept_events", [moved, refused])
    assert response.status_code == 302
    moved.refresh_from_db()
    assert moved.status == "accepted"
    messages = _messages(response)
    assert f"{refused}：事件当前为“已受理”，不能变更为“已受理”。" in messages
    assert f"已受理：1 条{Event._meta.verbose_name}。" in messages


def test_an_events_deadline_and_fields_cannot_be_edited_in_the_admin(admin_client, db):
    event = EventFactory(description="井盖缺失")
    respond_by, category = event.respond_by, event.category
    other = EventCategoryFactory()
    url = reverse("admin:grids_event_change", args=[event.pk])
    response = admin_client.post(
        url,
        {
            "respond_by_0": "2030-01-01",
            "respond_by_1": "00:00:00",
            "status": "closed",
            "category": other.pk,
            "description": "改过的描述",
        },
    )
    assert response.status_code == 403
    event.refresh_from_db()
    assert (event.respond_by, event.status, event.category, event.description) == (
        respond_by,
        "reported",
        category,
        "井盖缺失",
    )
    page = admin_client.get(url)
    assert page.status_code == 200  # readable, with its timeline
    assert 'name="_save"' not in page.content.decode()
    assert 'name="respond_by_0"' not in page.content.decode()


def test_events_cannot_be_deleted_in_the_admin(admin_client, db):
    event = EventFactory()
    response = admin_client.post(reverse("admin:grids_event_delete", args=[event.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()


def _sensor_form(device: SensorDevice, **overrides) -> dict:
    return {
        "kind": device.kind,
        "name": device.name,
        "address": device.address,
        "lon": device.lon,
        "lat": device.lat,
        "category": device.category.pk,
        "is_active": "on",
        **overrides,
    }


def test_moving_a_sensor_in_the_admin_refiles_it_under_the_grid_holding_its_point(admin_client, admin_user, db):
    old, new = GridFactory(), GridFactory()
    device = SensorDeviceFactory(grid=old)
    assert device.grid == old
    lon, lat = grid_point(new)
    url = reverse("admin:grids_sensordevice_change", args=[device.pk])
    response = admin_client.post(url, _sensor_form(device, lon=lon, lat=lat))
    assert response.status_code == 302, response.content.decode()[:2000]
    device.refresh_from_db()
    assert (device.grid, device.lon, device.lat) == (new, lon, lat)
    entry = AuditEntry.objects.get(object_type="grids.sensordevice", object_id=str(device.pk))
    assert entry.actor == admin_user
    assert entry.changes["grid"] == {"from": old.pk, "to": new.pk}


def test_moving_a_sensor_outside_every_grid_is_refused_with_a_form_error(admin_client, db):
    device = SensorDeviceFactory()
    before = (device.grid_id, device.lon, device.lat)
    url = reverse("admin:grids_sensordevice_change", args=[device.pk])
    response = admin_client.post(url, _sensor_form(device, lon=150.0, lat=10.0))
    assert response.status_code == 200
    assert "设备位置不在任何网格内。" in response.content.decode()
    device.refresh_from_db()
    assert (device.grid_id, device.lon, device.lat) == before


def test_a_sensor_added_in_the_admin_is_registered_with_a_token_shown_once(admin_client, db):
    grid = GridFactory()
    category = EventCategoryFactory()
    lon, lat = grid_point(grid)
    response = admin_client.post(
        reverse("admin:grids_sensordevice_add"),
        {
            "device_id": "MC-001",
            "kind": "manhole_cover",
            "name": "",
            "address": "",
            "lon": lon,
            "lat": lat,
            "category": category.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    device = SensorDevice.objects.get(device_id="MC-001")
    assert device.grid == grid
    assert len(device.token_hash) == 64
    assert any(m.startswith("设备令牌（只显示这一次，请立即写入设备）：") for m in _messages(response))


def test_a_grid_in_a_street_is_refused_with_a_form_error_not_a_500(admin_client, db):
    street = StreetFactory()
    community = CommunityFactory(parent=street)
    form = admin_client.get(reverse("admin:grids_grid_add")).context["adminform"].form
    assert list(form.fields["area"].queryset) == [community]  # the picker offers communities only
    response = admin_client.post(
        reverse("admin:grids_grid_add"),
        {
            "code": "BAD-G1",
            "name": "街道网格",
            "area": street.pk,
            "boundary": '{"type": "Polygon", "coordinates": [[[118, 39], [118.01, 39], [118.01, 39.01], [118, 39]]]}',
            "households": 400,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "area" in response.context["adminform"].form.errors
    assert not Grid.objects.filter(code="BAD-G1").exists()


def test_a_grid_added_in_the_admin_goes_through_grid_save(admin_client, db):
    community = CommunityFactory()
    boundary = square(118.0, 39.0)
    response = admin_client.post(
        reverse("admin:grids_grid_add"),
        {
            "code": "OK-G1",
            "name": "新网格",
            "area": community.pk,
            "boundary": json.dumps(boundary),
            "households": 200,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    grid = Grid.objects.get(code="OK-G1")
    assert (grid.min_lon, grid.min_lat, grid.max_lon, grid.max_lat) == (118.0, 39.0, 118.01, 39.01)
    assert "网格户数为 200，建议在 300～500 户之间。" in _messages(response)


def test_timeline_entries_cannot_be_added_changed_or_deleted_in_the_admin(admin_client, db):
    event = EventFactory()
    entry = TimelineEntry.objects.get(event=event)
    change_url = reverse("admin:grids_timelineentry_change", args=[entry.pk])
    assert admin_client.post(change_url, {"note": "篡改", "kind": "note"}).status_code == 403
    delete_url = reverse("admin:grids_timelineentry_delete", args=[entry.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert admin_client.get(reverse("admin:grids_timelineentry_add")).status_code == 403
    entry.refresh_from_db()
    assert entry.note != "篡改"
    assert TimelineEntry.objects.filter(event=event).count() == 1
    assert admin_client.get(change_url).status_code == 200  # still readable


def test_department_scores_cannot_be_changed_or_deleted_in_the_admin(admin_client, db):
    score = DepartmentScore.objects.create(department=DepartmentFactory(), month=date(2026, 11, 1), score=80.0)
    change_url = reverse("admin:grids_departmentscore_change", args=[score.pk])
    assert admin_client.post(change_url, {"score": "100"}).status_code == 403
    delete_url = reverse("admin:grids_departmentscore_delete", args=[score.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    score.refresh_from_db()
    assert score.score == 80.0


def test_every_grids_changelist_loads(admin_client, db):
    SensorDeviceFactory()
    EventFactory()
    for name in (
        "grid",
        "eventcategory",
        "event",
        "timelineentry",
        "patrol",
        "sensordevice",
        "departmentscore",
        "open311key",
    ):
        assert admin_client.get(reverse(f"admin:grids_{name}_changelist")).status_code == 200, name


def test_the_event_and_sensor_pages_load(admin_client, db):
    device = SensorDeviceFactory()
    event = EventFactory()
    for url in (
        reverse("admin:grids_event_change", args=[event.pk]),
        reverse("admin:grids_sensordevice_change", args=[device.pk]),
        reverse("admin:grids_sensordevice_add"),
        reverse("admin:grids_timelineentry_change", args=[event.timeline.get().pk]),
    ):
        assert admin_client.get(url).status_code == 200, url


def test_staff_who_may_only_view_events_get_no_transition_actions(client, db):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_event"))
    client.force_login(viewer)
    event = EventFactory()
    changelist = client.get(reverse(CHANGELIST))
    assert changelist.status_code == 200
    assert "accept_events" not in changelist.content.decode()
    response = _act(client, "accept_events", [event])
    assert response.status_code in (200, 302)
    event.refresh_from_db()
    assert event.status == "reported"


def test_an_admin_action_asks_the_same_policy_as_the_api(client, db):
    """Staff with the admin's change permission but no staff post over the event's area: the
    admin refuses the move with the policy's reason, as the API and the page do."""
    clerk = UserFactory(is_staff=True)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_event", "change_event"]))
    client.force_login(clerk)
    event = EventFactory()
    response = _act(client, "accept_events", [event])
    assert response.status_code in (200, 302)
    assert any("只有该事件所在社区（街道）的工作人员可以执行此操作。" in m for m in _messages(response))
    event.refresh_from_db()
    assert event.status == "reported"
    assert event.timeline.count() == 1


# --- Data entry: the boundary map, pickers by role, the timeline in words -------------------


def _grid_form(community, **overrides) -> dict:
    values = {
        "code": "MAP-G1",
        "name": "画出来的网格",
        "area": community.pk,
        "boundary": json.dumps(square(118.0, 39.0)),
        "households": 400,
        "is_active": "on",
    }
    values.update(overrides)
    return values


def _grid_worker(area, **fields):
    user = UserFactory(**fields)
    core.post_assign(user=user, role=Role.GRID_WORKER, area=area)
    return user


def test_the_grid_form_draws_on_a_map_over_the_other_grids_and_never_prefills_null(admin_client, db):
    neighbour = GridFactory(name="邻居网格")

    response = admin_client.get(reverse("admin:grids_grid_add"))

    html = response.content.decode()
    assert "data-boundary-widget" in html
    assert "/static/vendor/leaflet-draw/leaflet.draw.js" in html
    assert "/static/js/boundary-widget.js" in html
    assert "<script>" not in html.replace("<script src=", "")  # no inline script: CSP
    textarea = html.split('name="boundary"', 1)[1].split("</textarea>", 1)[0]
    assert textarea.rsplit(">", 1)[1].strip() == ""  # empty, not "null"
    data = json.loads(html.split('id="id_boundary_map_data" type="application/json">', 1)[1].split("</script>")[0])
    assert data["crs"] == "wgs84"
    assert data["others"] == [{"name": "邻居网格", "code": neighbour.code, "boundary": neighbour.boundary}]
    assert data["words"]["draw"] == "画网格边界"


def test_the_grid_being_edited_is_not_among_the_outlines_and_its_own_is_in_the_textarea(admin_client, db):
    grid = GridFactory()
    other = GridFactory()

    form = admin_client.get(reverse("admin:grids_grid_change", args=[grid.pk])).context["adminform"].form

    widget = form.fields["boundary"].widget
    assert [g["code"] for g in widget.others] == [other.code]
    assert json.loads(widget.format_value(form["boundary"].value())) == grid.boundary


def test_an_empty_boundary_says_to_draw_it(admin_client, db):
    response = admin_client.post(reverse("admin:grids_grid_add"), _grid_form(CommunityFactory(), boundary=""))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["boundary"] == ["请在地图上画出网格边界。"]


def test_a_boundary_drawn_on_gcj02_tiles_is_stored_in_wgs84(admin_client, db, settings):
    settings.MAP_TILE_CRS = "gcj02"
    wgs = square(116.30, 39.98)
    drawn = {"type": "Polygon", "coordinates": [[list(from_wgs84(*p, "gcj02")) for p in wgs["coordinates"][0]]]}

    response = admin_client.post(
        reverse("admin:grids_grid_add"),
        _grid_form(CommunityFactory(), boundary=json.dumps(drawn), boundary_crs="gcj02"),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    stored = Grid.objects.get(code="MAP-G1").boundary["coordinates"][0]
    for (lon, lat), (want_lon, want_lat) in zip(stored, wgs["coordinates"][0], strict=True):
        assert abs(lon - want_lon) < 1e-5  # about 1 m
        assert abs(lat - want_lat) < 1e-5


def test_the_worker_picker_lists_only_grid_workers_of_the_grids_community(admin_client, db):
    community, elsewhere = CommunityFactory(), CommunityFactory()
    ours = _grid_worker(CompoundFactory(parent=community), full_name="本社区网格员")
    _grid_worker(elsewhere, full_name="别的社区网格员")
    resident = UserFactory(full_name="居民")
    core.post_assign(user=resident, role=Role.RESIDENT, area=community)
    grid = GridFactory(area=community)

    form = admin_client.get(reverse("admin:grids_grid_change", args=[grid.pk])).context["adminform"].form

    assert list(form.fields["workers"].queryset) == [ours]


def test_the_worker_picker_on_a_new_grid_lists_every_grid_worker_and_nobody_else(admin_client, db):
    first, second = _grid_worker(CommunityFactory()), _grid_worker(CommunityFactory())
    UserFactory()  # no post

    form = admin_client.get(reverse("admin:grids_grid_add")).context["adminform"].form

    assert set(form.fields["workers"].queryset) == {first, second}


def test_a_grid_worker_of_another_community_is_refused_with_a_form_error(admin_client, db):
    community = CommunityFactory()
    stranger = _grid_worker(CommunityFactory(), full_name="外社区网格员")

    response = admin_client.post(reverse("admin:grids_grid_add"), _grid_form(community, workers=[stranger.pk]))

    assert response.status_code == 200
    assert "workers" in response.context["adminform"].form.errors
    assert not Grid.objects.filter(code="MAP-G1").exists()


def test_a_grid_worker_of_the_community_is_saved_as_the_grids_worker(admin_client, db):
    community = CommunityFactory()
    worker = _grid_worker(CompoundFactory(parent=community))

    response = admin_client.post(reverse("admin:grids_grid_add"), _grid_form(community, workers=[worker.pk]))

    assert response.status_code == 302
    assert list(Grid.objects.get(code="MAP-G1").workers.all()) == [worker]


def test_the_event_timeline_in_the_admin_reads_in_words(admin_client, db):
    event = EventFactory()
    TimelineEntry.objects.create(event=event, kind="transition", from_status="reported", to_status="accepted")
    TimelineEntry.objects.create(event=event, kind="escalation", level=1, note="超时")

    html = admin_client.get(reverse("admin:grids_event_change", args=[event.pk])).content.decode()

    assert "已上报 → 已受理" in html
    assert "reported→accepted" not in html
    assert ">reported<" not in html
    assert ">accepted<" not in html
    assert re.search(r'class="field-level_text">\s*(<p>)?社区(</p>)?\s*</td>', html)


def test_the_event_timeline_in_the_admin_reads_in_words_in_english(admin_client, db):
    event = EventFactory()
    TimelineEntry.objects.create(event=event, kind="transition", from_status="accepted", to_status="dispatched")

    admin_client.cookies["portal_language"] = "en"
    html = admin_client.get(reverse("admin:grids_event_change", args=[event.pk])).content.decode()

    assert "Accepted → Dispatched" in html
    assert "已受理" not in html


def test_the_lockout_and_picker_strings_are_translated_both_ways(admin_client, db):
    GridFactory()
    index_zh = admin_client.get(reverse("admin:index")).content.decode()
    for words in ("登录锁定", "登录尝试", "登录失败记录", "登录日志"):
        assert words in index_zh
    assert "Access attempts" not in index_zh
    catalogue_zh = admin_client.get(reverse("admin:jsi18n")).content.decode()
    assert "\\u9009\\u4e2d\\u8981\\u6dfb\\u52a0\\u7684%s" in catalogue_zh or "选中要添加的%s" in catalogue_zh

    admin_client.cookies["portal_language"] = "en"
    index_en = admin_client.get(reverse("admin:index")).content.decode()
    assert "Login lockouts" in index_en
    assert "Access attempts" in index_en
    grid_en = admin_client.get(reverse("admin:grids_grid_add")).content.decode()
    assert 'data-field-name="Grid workers"' in grid_en
    assert "网格员" not in grid_en.split('name="workers"', 1)[1].split("</select>", 1)[0]
