"""The grid loop's pages: results before rating on the tracking page, 我的上报 and 巡查记录, a
photo in a page, no dead ends (/admin/ for a worker, the login page, the 12345 caller's SMS)."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from governance.celery import app
from governance.models import Notification, Role
from grids import services
from grids.models import DepartmentScore, Event
from grids.services.scores import department_scores_compute
from grids.views.cards import nav_links
from tests.grids.conftest import EAST_POINT

S = Event.Status
pytestmark = pytest.mark.django_db


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def resolved(report, east_staff, handler, photo, resident):
    event = report(reporter=resident, source="resident", description="楼下井盖缺失，联系人王小明 13912345678")
    services.event_accept(event=event, actor=east_staff)
    services.event_dispatch(event=event, actor=east_staff)
    services.event_start(event=event, actor=handler)
    services.event_resolve(
        event=event, actor=handler, resolution="已更换井盖，现场联系人 13987654321 确认", photos=[photo]
    )
    return Event.objects.get(pk=event.pk)


def test_tracking_page_shows_the_result_masked_and_the_after_photo_but_no_rating(resolved, client):
    page = client.get(reverse("grids:track", args=[resolved.code]))
    text = page.content.decode()
    assert "办理结果" in text
    assert "已更换井盖，现场联系人 139****4321 确认" in text
    assert "13987654321" not in text
    assert "13912345678" not in text
    photo = resolved.photos.get(kind="resolution")
    url = reverse("grids:track_photo", args=[resolved.code, photo.pk])
    assert f'src="{url}"' in text
    assert 'name="rating"' not in text  # rating is the reporter's, not the code holder's
    served = client.get(url)
    assert (served.status_code, served["Content-Type"]) == (200, "image/jpeg")
    assert (served["Cache-Control"], served["Referrer-Policy"]) == ("private, max-age=3600", "no-referrer")


def test_the_public_photo_needs_a_public_category_and_is_never_a_report_photo(resolved, client, manhole, report, photo):
    after = resolved.photos.get(kind="resolution")
    manhole.is_public = False
    manhole.save()
    assert client.get(reverse("grids:track_photo", args=[resolved.code, after.pk])).status_code == 404
    assert "处置照片" not in client.get(reverse("grids:track", args=[resolved.code])).content.decode()
    manhole.is_public = True
    manhole.save()
    other = report(photos=[photo])
    before = other.photos.get()
    assert client.get(reverse("grids:track_photo", args=[other.code, before.pk])).status_code == 404
    assert client.get(reverse("grids:track_photo", args=[resolved.code, before.pk])).status_code == 404


def test_my_reports_lists_my_own_reports_with_a_rate_button_when_resolved(resolved, resident, report, grid_worker):
    report(description="别人报的路灯问题")  # the worker's own, not the resident's
    page = _as(resident).get(reverse("grids:my_reports"))
    text = page.content.decode()
    assert page.status_code == 200
    assert resolved.code in text
    assert "别人报的路灯问题" not in text
    assert f'href="{reverse("grids:event_detail", args=[resolved.pk])}#rate"' in text
    detail = _as(resident).get(reverse("grids:event_detail", args=[resolved.pk])).content.decode()
    assert 'id="rate"' in detail
    assert "已更换井盖" in detail
    worker_page = _as(grid_worker).get(reverse("grids:my_reports")).content.decode()
    assert "别人报的路灯问题" in worker_page
    assert "#rate" not in worker_page  # the worker's report is not resolved


def test_my_reports_keeps_closed_reports_in_sight(resolved, resident):
    services.event_rate(event=resolved, rating=5, actor=resident)
    text = _as(resident).get(reverse("grids:my_reports")).content.decode()
    assert resolved.code in text
    assert "已关闭" in text


def test_patrol_history_shows_the_workers_patrols_and_their_findings(grid_worker, east_grid, report):
    patrol = services.patrol_start(worker=grid_worker, grid=east_grid)
    finding = report(patrol=patrol)
    services.patrol_finish(patrol=patrol, notes="北门井盖缺失", points=[[EAST_POINT[0], EAST_POINT[1]]])
    text = _as(grid_worker).get(reverse("grids:my_patrols")).content.decode()
    assert "东升第一网格" in text
    assert "北门井盖缺失" in text
    assert "1 个发现" in text
    assert finding.code in text
    english = Client()
    english.force_login(grid_worker)
    english.cookies["portal_language"] = "en"
    with translation.override("en"):  # and back to the default language after the request
        text = english.get(reverse("grids:my_patrols")).content.decode()
    assert "Broken manhole cover" in text  # the finding's category in the reader's language
    assert "井盖破损" not in text


def test_the_menu_has_my_reports_for_residents_and_workers_and_patrols_for_workers(resident, grid_worker, east_staff):
    assert ("/my/reports/", "我的上报") in nav_links(resident)
    assert ("/track/", "查询进度") in nav_links(resident)
    assert ("/my/patrols/", "巡查记录") not in nav_links(resident)
    worker = nav_links(grid_worker)
    assert ("/my/reports/", "我的上报") in worker
    assert ("/my/patrols/", "巡查记录") in worker
    assert ("/track/", "查询进度") in worker


def test_a_photo_opens_in_a_portal_page_with_a_way_back(resolved, resident):
    photo = resolved.photos.get(kind="resolution")
    detail = _as(resident).get(reverse("grids:event_detail", args=[resolved.pk])).content.decode()
    page_url = reverse("grids:event_photo_page", args=[resolved.pk, photo.pk])
    assert f'<a href="{page_url}">' in detail
    page = _as(resident).get(page_url).content.decode()
    assert f'src="{reverse("grids:event_photo", args=[resolved.pk, photo.pk])}"' in page
    assert f'href="{reverse("grids:event_detail", args=[resolved.pk])}"' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", page)  # CSP: no inline script


def test_a_worker_at_admin_gets_a_portal_page_with_a_way_back(grid_worker, client):
    response = _as(grid_worker).get("/admin/", follow=True)
    text = response.content.decode()
    assert response.status_code == 403
    assert "后台管理只供系统管理员使用" in text
    assert 'href="/"' in text
    assert 'name="password"' not in text
    anonymous = client.get("/admin/", follow=True)
    assert anonymous.redirect_chain[-1][0] == "/accounts/login/?next=%2Fadmin%2F"


def test_an_admin_still_reaches_the_admin(make_user):
    admin = make_user(username="boss", is_superuser=True, is_staff=True)
    assert _as(admin).get("/admin/login/?next=/admin/grids/").url == "/admin/grids/"
    assert _as(admin).get("/admin/").status_code == 200


def test_the_login_page_links_to_tracking(client):
    assert f'href="{reverse("grids:track_lookup")}"' in client.get(reverse("login")).content.decode()


def test_a_12345_caller_registered_by_staff_gets_the_tracking_code_by_sms(east_staff, manhole, east_grid):
    response = _as(east_staff).post(
        reverse("grids:event_new"),
        {
            "description": "来电反映北门井盖缺失",
            "category": manhole.pk,
            "lon": EAST_POINT[0],
            "lat": EAST_POINT[1],
            "source": "hotline",
            "reporter_name": "赵来电",
            "reporter_phone": "13900001111",
            "confirm_new": "on",
        },
    )
    assert response.status_code == 302
    event = Event.objects.get(source="hotline")
    sms = Notification.objects.get(to_phone="13900001111")
    assert sms.by_sms
    assert event.code in sms.title
    assert "查询进度" in sms.title
    assert sms.url.startswith("/r/")


def test_the_success_message_points_to_a_page_in_the_reporters_menu(grid_worker, manhole, east_grid):
    response = _as(grid_worker).post(
        reverse("grids:event_new"),
        {"description": "井盖缺失", "category": manhole.pk, "lon": EAST_POINT[0], "lat": EAST_POINT[1]},
        follow=True,
    )
    text = response.content.decode()
    assert "可在“我的上报”中查看办理情况" in text
    assert ("/my/reports/", "我的上报") in nav_links(grid_worker)


def test_efficiency_says_as_of_when_and_stacks_on_a_phone(report, east_staff, client):
    event = report()
    services.event_accept(event=event, actor=east_staff)
    services.event_dispatch(event=event, actor=east_staff)
    department_scores_compute(month=timezone.localdate())
    text = client.get(reverse("grids:efficiency")).content.decode()
    assert "数据截至" in text
    assert "本月数据每 5 分钟更新" in text
    assert 'class="scores scores--stack"' in text
    assert 'data-label="效能指数"' in text


def test_the_scores_beat_runs_every_five_minutes():
    schedule = app.conf.beat_schedule["department-scores"]["schedule"]
    assert schedule.minute == set(range(0, 60, 5))
    assert schedule.hour == set(range(24))


def test_withdrawn_events_count_for_no_department(report, east_staff):
    kept, dropped = report(), report(description="重复的上报")
    for event in (kept, dropped):
        services.event_accept(event=event, actor=east_staff)
        services.event_dispatch(event=event, actor=east_staff)
    services.event_withdraw(event=dropped, actor=east_staff, reason="重复上报")
    department_scores_compute(month=timezone.localdate())
    assert DepartmentScore.objects.get().events == 1


def test_the_roles_in_the_fixture_are_what_the_tests_assume(resident, grid_worker):
    assert resident.posts.get().role == Role.RESIDENT
    assert grid_worker.posts.get().role == Role.GRID_WORKER
