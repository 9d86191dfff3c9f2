"""Complete English: named data, notices and system notes in the reader's language; the report form's
category list, location error, coordinate systems and the out-of-grid notice."""

import re
from importlib import import_module

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from governance.messages import message, render
from governance.models import Notification, Role
from governance.outbox import notification_deliver, notification_enqueue
from grids import geo
from grids.models import Event, EventCategory, TimelineEntry
from grids.services import event_accept
from tests.grids.conftest import EAST_POINT, WEST_POINT

pytestmark = pytest.mark.django_db


def as_user(user, language: str = "zh-hans") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["portal_language"] = language
    return client


def text_of(response) -> str:
    return response.content.decode()


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


# --- Notices and notes stored as keys -----------------------------------------------------------


def test_a_move_notice_is_stored_as_a_key_and_read_in_each_language(report, east_staff):
    event = report()
    notice = Notification.objects.get(recipient=east_staff, idempotency_key__startswith=f"event:{event.pk}:")
    assert notice.message_key == "grids.event.reported"
    assert notice.title == f"新事件 {event.code} 待受理：井盖破损"  # the Chinese fallback
    with translation.override("en"):
        assert notice.display_title == f"New event {event.code} awaits acceptance: Broken manhole cover"
    with translation.override("zh-hans"):
        assert notice.display_title == f"新事件 {event.code} 待受理：井盖破损"


def test_the_inbox_and_the_api_show_the_title_in_the_readers_language(report, east_staff, api_as):
    event = report()
    page = as_user(east_staff, "en").get(reverse("inbox"))
    assert f"New event {event.code} awaits acceptance: Broken manhole cover" in text_of(page)
    assert "井盖破损" not in text_of(page)
    client = api_as(east_staff)
    response = client.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en")
    titles = [row["title"] for row in response.json()["results"]]
    assert f"New event {event.code} awaits acceptance: Broken manhole cover" in titles


def test_the_system_note_is_rendered_in_the_readers_language(report, east_staff):
    event = report()
    entry = TimelineEntry.objects.get(event=event, to_status="reported")
    assert entry.note_key == "grids.note.source"
    assert entry.note == "来源：网格巡查"
    page = as_user(east_staff, "en").get(reverse("grids:event_detail", args=[event.pk]))
    text = text_of(page)
    assert "Source: Grid patrol" in text
    assert "来源：" not in text
    assert "Broken manhole cover" in text
    assert "井盖破损" not in text


def test_a_persons_own_note_stays_as_written(report, east_staff):
    event = event_accept(event=report(), actor=east_staff, note="已电话联系物业")
    entry = TimelineEntry.objects.get(event=event, to_status="accepted")
    assert entry.note_key == ""
    with translation.override("en"):
        assert entry.localized_note == "已电话联系物业"


def test_email_goes_out_in_the_recipients_language_the_default_chinese(make_user, area_tree):
    person = make_user(Role.COMMUNITY_STAFF, area_tree["east"], email="staff@example.cn")
    notification_enqueue(
        recipients=[person], key="k1", email=True, title=message("grids.note.reminder", deadline="2026-05-01 09:00")
    )
    notice = Notification.objects.get(recipient=person, idempotency_key="k1")
    with translation.override("en"):
        assert notification_deliver(notification_id=notice.pk)
    assert mail.outbox[-1].subject == "即将超时，响应期限 2026-05-01 09:00"


def test_enqueue_takes_an_explicit_key_and_params_and_refuses_an_unknown_key(make_user, area_tree):
    person = make_user(Role.COMMUNITY_STAFF, area_tree["east"])
    notification_enqueue(
        recipients=[person],
        key="k2",
        title="",
        message_key="grids.event.reminder",
        params={"code": "AB12", "deadline": "2026-05-01 09:00"},
    )
    notice = Notification.objects.get(recipient=person, idempotency_key="k2")
    assert notice.title == "【提醒】事件 AB12 将于 2026-05-01 09:00 超时"
    assert notice.title_in("en") == "[Reminder] Event AB12 becomes overdue at 2026-05-01 09:00"
    with pytest.raises(ValueError, match=r"no\.such"):
        notification_enqueue(recipients=[person], key="k3", title="x", message_key="no.such")


def test_an_unknown_key_on_an_old_row_falls_back_to_the_stored_text():
    assert render("gone.key", {"a": 1}, fallback="旧的标题") == "旧的标题"


def test_category_names_follow_the_language(manhole):
    with translation.override("en"):
        assert manhole.localized_name == "Broken manhole cover"
        assert str(manhole) == "Broken manhole cover"
    with translation.override("zh-hans"):
        assert manhole.localized_name == "井盖破损"
    manhole.name_en = ""
    with translation.override("en"):
        assert manhole.localized_name == "井盖破损"  # no English name: the Chinese one, never blank


# --- The report form ---------------------------------------------------------------------------


def test_residents_cannot_pick_a_device_only_category(resident, manhole, alarm, east_grid, api_as):
    EventCategory.objects.filter(pk=alarm.pk).update(reportable_by_people=False)
    page = as_user(resident).get(reverse("grids:event_new"))
    assert "井盖破损" in text_of(page)
    assert "老人紧急呼叫" not in text_of(page)
    posted = as_user(resident).post(reverse("grids:event_new"), report_data(category=alarm.pk))
    assert posted.status_code == 400
    assert not Event.objects.exists()
    api = api_as(resident).post(
        "/api/v1/events/",
        {"description": "老人摔倒", "category": "elderly_alarm", "lon": EAST_POINT[0], "lat": EAST_POINT[1]},
        format="json",
    )
    assert api.status_code == 400
    assert not Event.objects.exists()


def test_the_migration_takes_the_wristband_alarm_off_the_form(alarm, manhole):
    from django.apps import apps

    migration = import_module("grids.migrations.0008_timeline_note_key_category_reportable")
    migration.device_only_categories(apps, None)
    assert EventCategory.objects.get(pk=alarm.pk).reportable_by_people is False
    assert EventCategory.objects.get(pk=manhole.pk).reportable_by_people is True


def test_the_location_error_comes_on_the_first_submit_with_the_others(grid_worker, east_grid):
    response = as_user(grid_worker).post(reverse("grids:event_new"), report_data(description="", lon="", lat=""))
    assert response.status_code == 400
    text = text_of(response)
    assert "请描述发生了什么。" in text
    assert "请提供事件位置（经纬度）。" in text


def test_a_point_given_in_gcj02_is_stored_in_wgs84(grid_worker, east_grid):
    gcj = geo.wgs84_to_gcj02(*EAST_POINT)
    assert geo.distance_m(*gcj, *EAST_POINT) > 100  # the offset is real
    response = as_user(grid_worker).post(
        reverse("grids:event_new"), report_data(lon=f"{gcj[0]:.7f}", lat=f"{gcj[1]:.7f}", crs="gcj02")
    )
    assert response.status_code == 302
    event = Event.objects.get()
    assert geo.distance_m(event.lon, event.lat, *EAST_POINT) < 1.0


def test_the_api_takes_bd09(grid_worker, east_grid, api_as):
    bd = geo.from_wgs84(*EAST_POINT, "bd09")
    response = api_as(grid_worker).post(
        "/api/v1/events/",
        {"description": "井盖缺失", "lon": bd[0], "lat": bd[1], "crs": "bd09"},
        format="json",
    )
    assert response.status_code == 201, response.content
    event = Event.objects.get()
    assert geo.distance_m(event.lon, event.lat, *EAST_POINT) < 1.0


def test_the_map_draws_in_the_tiles_system(grid_worker, east_grid, settings):
    settings.MAP_TILE_CRS = "gcj02"
    text = text_of(as_user(grid_worker).get(reverse("grids:event_new")))
    data = re.search(r'<script id="report-map-data" type="application/json">(.*?)</script>', text, re.S).group(1)
    assert '"crs": "gcj02"' in data
    # The grid's south-west corner (116.30, 39.98) is drawn at its GCJ-02 position, not the stored one.
    shown = geo.wgs84_to_gcj02(116.30, 39.98)
    assert f"{shown[0]:.6f}"[:9] in data
    assert "[116.3, 39.98]" not in data


def test_a_worker_reporting_outside_their_grid_is_told_and_not_stamped_patrol(grid_worker, east_grid, west_grid):
    response = as_user(grid_worker).post(
        reverse("grids:event_new"), report_data(lon=str(WEST_POINT[0]), lat=str(WEST_POINT[1])), follow=True
    )
    event = Event.objects.get()
    assert event.grid == west_grid
    assert event.source == Event.Source.RESIDENT
    assert "该位置不在您负责的社区内，事件已归入西苑第一网格" in text_of(response)


def test_a_worker_in_their_own_grid_files_a_patrol_finding_without_a_notice(grid_worker, east_grid):
    response = as_user(grid_worker).post(reverse("grids:event_new"), report_data(), follow=True)
    assert Event.objects.get().source == Event.Source.PATROL
    assert "该位置不在" not in text_of(response)
