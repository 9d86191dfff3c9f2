"""The grid loop as its people live it, in a real Chromium at a phone viewport (360×740):

1. a street supervisor finds an event escalated to the street from the home page;
2. a resident follows “我的上报”, sees the result and the after-photo (also on the public tracking
   page, masked, without a rating form), and rates it;
3. a handler returns a task dispatched to the wrong unit, and staff dispatch it again.

Screenshots go to var/screenshots/e2e-loop-*.png; any Content Security Policy complaint or
script error fails the test.
"""

from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from grids import services
from grids.models import Event
from grids.services.scores import department_scores_compute
from tests.conftest import DEMO_PASSWORD
from tests.e2e.conftest import SMALL_PHONE, open_page, sign_in
from tests.grids import conftest as grids_fixtures
from tests.grids.conftest import image_bytes

east_grid = grids_fixtures.east_grid
handler = grids_fixtures.handler
water_handler = grids_fixtures.water_handler
manhole = grids_fixtures.manhole
municipal = grids_fixtures.municipal
water = grids_fixtures.water
report = grids_fixtures.report
resident = grids_fixtures.resident

pytestmark = pytest.mark.e2e


@pytest.fixture
def phone(browser, live_server, browser_log):
    contexts = []

    def _open():
        context, page = open_page(browser, live_server, browser_log, SMALL_PHONE)
        contexts.append(context)
        return page

    yield _open
    for context in contexts:
        context.close()


def shot(page, path) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=path, full_page=True)


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def _open_menu_and_go(page, label: str) -> None:
    page.locator(".menu__toggle").click()
    page.locator(".menu__panel").get_by_role("link", name=label, exact=True).click()


def _escalate_to_street(event: Event) -> None:
    past = timezone.now() - timezone.timedelta(minutes=1)
    for _level in (1, 2):
        Event.objects.filter(pk=event.pk).update(respond_by=past, due_at=timezone.now() - timezone.timedelta(hours=25))
        assert services.escalate_overdue() == 1


def test_a_supervisor_finds_the_escalated_event_from_the_home_page(
    phone, browser_log, screenshots, report, street_supervisor, east_staff
):
    late = report(description="东升花园北门井盖缺失，多次上报无人处理")
    report(description="路灯不亮")  # on time: not on the 督办 list
    _escalate_to_street(late)

    page = phone()
    sign_in(page, "supervisor", DEMO_PASSWORD)
    card = page.locator(".card", has_text="超时督办")
    expect(card).to_contain_text("已超时 1 件；今日升级至街道督办 1 件。")
    expect(card.get_by_role("link", name="街道 1 件")).to_be_visible()
    _fits(page)
    shot(page, screenshots / "e2e-loop-1-supervisor-home.png")

    card.get_by_role("link", name="街道 1 件").click()
    page.wait_for_url("**/queue/?overdue=1&level=2")
    rows = page.locator(".erow")
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".level")).to_have_text("街道督办")
    expect(rows.first.locator(".clock")).to_contain_text("已超时")
    expect(rows.first.locator(".erow__reason")).to_contain_text("未响应，升级至街道督办")
    _fits(page)
    shot(page, screenshots / "e2e-loop-1-supervisor-queue.png")

    rows.first.locator(".erow__link").click()
    expect(page.locator(".event-head .level")).to_have_text("街道督办")
    expect(page.locator(".timeline__item--escalation")).to_have_count(2)
    shot(page, screenshots / "e2e-loop-1-supervisor-event.png")
    assert browser_log.csp == []
    assert browser_log.errors == []


def test_a_resident_follows_my_reports_sees_the_result_and_photo_and_rates(
    phone, browser_log, screenshots, tmp_path, report, resident, east_staff, handler
):
    event = report(reporter=resident, source="resident", description="楼下井盖缺失，请尽快处理")
    services.event_accept(event=event, actor=east_staff)
    services.event_dispatch(event=event, actor=east_staff)
    services.event_start(event=event, actor=handler)
    after = tmp_path / "fixed.jpg"
    after.write_bytes(image_bytes(size=(480, 640)))
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.event_resolve(
        event=event,
        actor=handler,
        resolution="已更换新井盖并加固，现场负责人 13987654321",
        photos=[SimpleUploadedFile("fixed.jpg", after.read_bytes(), content_type="image/jpeg")],
    )

    # Anyone with the code: the result, masked, and the after-photo; no rating form.
    page = phone()
    page.goto(f"/track/{event.code}/")
    expect(page.locator("main")).to_contain_text("已更换新井盖并加固，现场负责人 139****4321")
    image = page.locator(".photos img")
    expect(image).to_have_count(1)
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", image.element_handle())
    expect(page.get_by_role("button", name="提交评价")).to_have_count(0)
    _fits(page)
    shot(page, screenshots / "e2e-loop-2-track.png")

    # The resident, signed in: home → 我的上报 → the event, its result and photo → rate.
    page = phone()
    sign_in(page, "resident", DEMO_PASSWORD)
    _open_menu_and_go(page, "我的上报")
    page.wait_for_url("**/my/reports/")
    expect(page.locator(".erow")).to_have_count(1)
    expect(page.locator(".erow .status")).to_have_text("已办结")
    _fits(page)
    shot(page, screenshots / "e2e-loop-2-my-reports.png")

    page.get_by_role("link", name="查看结果并评价").click()
    expect(page.locator("main")).to_contain_text("已更换新井盖并加固")
    page.locator(".photos a").first.click()
    expect(page.get_by_role("heading", name="处置照片 1/1")).to_be_visible()
    assert page.evaluate("() => document.querySelector('.photo-view img').naturalWidth") == 480
    shot(page, screenshots / "e2e-loop-2-photo-page.png")
    page.get_by_role("link", name=f"返回事件 {event.code}").click()

    page.locator(".stars__option", has_text="5 分").click()
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator(".flash--success")).to_have_text("已记录评价，事件已关闭。")
    expect(page.locator(".event-head .status")).to_have_text("已关闭")
    _fits(page)
    shot(page, screenshots / "e2e-loop-2-rated.png")
    event.refresh_from_db()
    assert (event.status, event.rating, event.rated_via) == ("closed", 5, "reporter")
    assert browser_log.csp == []
    assert browser_log.errors == []


def test_a_handler_returns_a_wrong_task_and_staff_dispatch_it_again(
    phone, browser_log, screenshots, report, east_staff, water, water_handler, municipal
):
    event = report(description="北门井盖缺失")
    services.event_accept(event=event, actor=east_staff)
    services.event_dispatch(event=event, actor=east_staff, department=water)  # the wrong unit

    page = phone()
    sign_in(page, "water_handler", DEMO_PASSWORD)
    page.goto("/tasks/")
    page.locator(".erow__link").first.click()
    page.locator("summary", has_text="退回（派错单位）").click()
    page.get_by_label("退回原因").fill("井盖属于市政设施，不是供水管线")
    shot(page, screenshots / "e2e-loop-3-handler-return.png")
    page.get_by_role("button", name="确认退回").click()
    page.wait_for_url("**/tasks/")
    expect(page.locator(".flash--success")).to_have_text("已退回，工作人员将重新派单。")
    expect(page.locator(".erow")).to_have_count(0)
    _fits(page)

    page = phone()
    sign_in(page, "east_staff", DEMO_PASSWORD)
    page.goto("/inbox/")
    notice = page.locator(".notice", has_text=event.code).first  # the newest: the return
    expect(notice.locator(".notice__title")).to_contain_text(
        f"事件 {event.code} 被水务站退回，请重新派单。原因：井盖属于市政设施，不是供水管线"
    )
    expect(page.locator(".notice__title", has_text="已受理")).to_have_count(0)  # staff accepted it themselves
    _fits(page)
    shot(page, screenshots / "e2e-loop-3-staff-inbox-returned.png")
    notice.get_by_role("button", name="查看").click()
    page.wait_for_url(f"**/events/{event.pk}/")
    page.goto("/queue/")
    row = page.locator(".erow", has_text=event.code)
    expect(row.locator(".status")).to_have_text("已受理")
    row.locator(".erow__link").click()
    expect(page.locator(".timeline__item").last).to_contain_text("退回（原派往水务站）：井盖属于市政设施，不是供水管线")
    page.get_by_label("处置单位").select_option(label="市政所（按派单规则）")
    shot(page, screenshots / "e2e-loop-3-staff-redispatch.png")
    page.locator("form.action", has_text="派单").get_by_role("button", name="派单").click()
    expect(page.locator(".flash--success")).to_have_text("已派往市政所。")
    expect(page.locator(".event-head .status")).to_have_text("已派单")
    expect(page.locator(f"form[action='/events/{event.pk}/accept/']")).to_have_count(0)
    expect(page.locator(f"form[action='/events/{event.pk}/dispatch/']")).to_have_count(0)
    expect(page.locator("summary", has_text="改派")).to_be_visible()
    _fits(page)
    shot(page, screenshots / "e2e-loop-3-dispatched-again.png")
    assert urlsplit(page.url).path == f"/events/{event.pk}/"
    event.refresh_from_db()
    assert (event.status, event.department) == ("dispatched", municipal)
    assert browser_log.csp == []
    assert browser_log.errors == []


def test_efficiency_on_a_phone_is_stacked_cards_with_the_time_of_the_data(
    phone, browser_log, screenshots, report, east_staff
):
    event = report()
    services.event_accept(event=event, actor=east_staff)
    services.event_dispatch(event=event, actor=east_staff)
    department_scores_compute(month=timezone.localdate())
    page = phone()
    page.goto("/efficiency/")
    expect(page.locator(".asof")).to_contain_text("数据截至")
    score = page.locator(".scores--stack td.score").first
    # each figure on its own line, its column's name drawn beside it
    assert score.evaluate("td => getComputedStyle(td).display") == "flex"
    assert score.evaluate("td => getComputedStyle(td, '::before').content") == '"效能指数"'
    expect(page.locator(".scores--stack thead")).not_to_be_in_viewport()
    _fits(page)
    shot(page, screenshots / "e2e-loop-4-efficiency.png")
    assert browser_log.csp == []
    assert browser_log.errors == []
