"""One event from the street to the resident's rating, in a real Chromium.

A grid worker on a phone starts a patrol, reports a finding with a photo and the phone's location,
and ends the patrol; community staff on a desktop accept and dispatch it from the queue; the
department's handler on a phone starts and resolves it with a photo; anyone holding the tracking
code sees the progress but cannot act on it; the reporter, signed in, rates it 5, which closes
it. A screenshot of every step goes to var/screenshots/e2e-flow-*.png, and any Content Security
Policy complaint fails the test.
"""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from grids.models import Event, EventPhoto, Patrol
from tests.conftest import DEMO_PASSWORD
from tests.e2e.conftest import DESKTOP, PHONE, open_page, sign_in
from tests.grids import conftest as grids_fixtures
from tests.grids.conftest import EAST_POINT, NOWHERE, image_bytes

# The grids fixtures (a grid holding EAST_POINT, a category dispatched to a department that has a
# handler), shared with tests/grids/ by name since tests/e2e has its own conftest.
east_grid = grids_fixtures.east_grid
handler = grids_fixtures.handler
manhole = grids_fixtures.manhole
municipal = grids_fixtures.municipal
report = grids_fixtures.report
water = grids_fixtures.water

pytestmark = pytest.mark.e2e


def shot(page, path) -> None:
    """A full-page screenshot from the top (the sticky top bar would otherwise cover the middle)."""
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=path, full_page=True)


def _no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_an_event_goes_from_patrol_to_rating_in_a_real_browser(
    browser, live_server, browser_log, screenshots, tmp_path, grid_worker, east_staff, handler, east_grid, manhole
):
    photo = tmp_path / "manhole.jpg"
    photo.write_bytes(image_bytes(size=(640, 480)))
    after = tmp_path / "fixed.jpg"
    after.write_bytes(image_bytes(size=(480, 640)))
    contexts = []

    # 1. The grid worker, on a phone standing inside the grid, starts a patrol.
    context, page = open_page(
        browser,
        live_server,
        browser_log,
        {
            **PHONE,
            "geolocation": {"longitude": EAST_POINT[0], "latitude": EAST_POINT[1], "accuracy": 12},
            "permissions": ["geolocation"],
        },
    )
    contexts.append(context)
    sign_in(page, "worker", DEMO_PASSWORD)
    page.goto("/grid/")
    expect(page.get_by_role("heading", name="我的网格", level=1)).to_be_visible()
    expect(page.locator(".grid-map.leaflet-container")).to_be_visible()
    expect(page.locator(".grid-map__label")).to_have_text("东升第一网格")  # the boundary, named, no tiles
    assert page.locator(".grid-map path.grid-map__area").count() == 1
    page.get_by_role("button", name="开始巡查").click()
    expect(page.locator(".flash--success")).to_contain_text("巡查已开始：东升第一网格。")
    expect(page.locator(".patrol__state")).to_contain_text("正在巡查 东升第一网格")
    expect(page.locator("[data-patrol-status]")).to_contain_text("正在记录巡查轨迹")
    _no_sideways_scroll(page, 390)
    shot(page, screenshots / "e2e-flow-1-worker-grid.png")

    # 2. A finding: category, words, the phone's location, a photo from the camera.
    page.get_by_role("link", name="添加发现").click()
    page.wait_for_url("**/events/new/?patrol=1")
    expect(page.get_by_label(re.compile("作为本次巡查的发现"))).to_be_checked()
    page.get_by_label("事件类别").select_option(label="井盖破损")
    page.get_by_label("问题描述").fill("东升花园北门井盖缺失，夜间行人容易踩空")
    page.get_by_label("地址").fill("东升花园北门")
    page.get_by_role("button", name="使用我的位置").click()
    expect(page.locator("[data-locate-status]")).to_contain_text("已填入当前位置")
    expect(page.get_by_label("经度")).to_have_value(f"{EAST_POINT[0]:.6f}")
    expect(page.get_by_label("纬度")).to_have_value(f"{EAST_POINT[1]:.6f}")
    expect(page.locator(".grid-map__pin")).to_have_count(1)  # the map shows the chosen point
    photos = page.locator("input[name=photos]")
    assert photos.get_attribute("capture") == "environment"
    assert photos.get_attribute("multiple") is not None
    photos.set_input_files(str(photo))
    _no_sideways_scroll(page, 390)
    shot(page, screenshots / "e2e-flow-2-report.png")
    page.get_by_role("button", name="提交上报").click()
    page.wait_for_url(re.compile(r"/events/\d+/$"))
    success = page.locator(".flash--success")
    expect(success).to_contain_text("上报成功，查询编号：")
    code = page.locator(".event-head__code strong").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{10}", code)
    assert code in success.inner_text()
    expect(page.locator(".photos img")).to_have_count(1)
    assert page.locator(".photos img").evaluate("img => img.complete && img.naturalWidth") == 640
    shot(page, screenshots / "e2e-flow-2b-reported.png")

    # The patrol ends with a note; the route point from the phone goes with it.
    page.goto("/grid/")
    expect(page.locator(".erow")).to_have_count(1)
    expect(page.locator(".erow .clock--normal")).to_contain_text("剩余 23 小时")
    page.get_by_label("巡查记录").fill("北门井盖缺失已上报，其余正常")
    page.get_by_role("button", name="结束巡查").click()
    expect(page.locator(".flash--success")).to_contain_text("巡查已结束")
    expect(page.locator(".flash--success")).to_contain_text("1 个发现")
    expect(page.get_by_role("button", name="开始巡查")).to_be_visible()
    shot(page, screenshots / "e2e-flow-2c-patrol-ended.png")
    patrol = Patrol.objects.get(worker=grid_worker)
    assert patrol.status == Patrol.Status.FINISHED
    assert patrol.route
    assert patrol.route[0][:2] == [EAST_POINT[0], EAST_POINT[1]]
    event = Event.objects.get(code=code)
    assert (event.patrol, event.source, event.grid, event.status) == (patrol, "patrol", east_grid, "reported")

    # 3. Community staff on a desktop: the queue, then accept and dispatch by the rules.
    context, page = open_page(browser, live_server, browser_log, DESKTOP)
    contexts.append(context)
    sign_in(page, "east_staff", DEMO_PASSWORD)
    page.locator(".card", has=page.get_by_role("heading", name="事件队列")).get_by_role("link").click()
    page.wait_for_url("**/queue/")
    row = page.locator(".erow", has_text=code)
    expect(row).to_contain_text("井盖破损")
    expect(row).to_contain_text("东升第一网格")
    expect(row.locator(".status")).to_have_text("已上报")
    shot(page, screenshots / "e2e-flow-3-staff-queue.png")
    row.get_by_role("link").click()
    page.wait_for_url(f"**/events/{event.pk}/")
    expect(page.locator("details.action--reject summary")).to_have_text("不予受理")
    shot(page, screenshots / "e2e-flow-3b-staff-detail.png")
    page.locator("form.action", has=page.get_by_role("heading", name="受理")).get_by_role("button", name="受理").click()
    expect(page.locator(".flash--success")).to_have_text("已受理，类别：井盖破损。")
    dispatch = page.locator("form.action", has=page.get_by_role("heading", name="派单"))
    expect(dispatch.get_by_label("处置单位").locator("option:checked")).to_have_text("市政所（按派单规则）")
    dispatch.get_by_role("button", name="派单").click()
    expect(page.locator(".flash--success")).to_have_text("已派往市政所。")
    expect(page.locator(".event-head .status")).to_have_text("已派单")
    expect(page.locator(".timeline__item")).to_have_count(3)
    expect(page.locator(".timeline")).to_contain_text("已受理 → 已派单")
    shot(page, screenshots / "e2e-flow-4-dispatched.png")

    # 4. The municipal handler on a phone: my tasks, start, resolve with a photo.
    context, page = open_page(browser, live_server, browser_log, PHONE)
    contexts.append(context)
    sign_in(page, "handler", DEMO_PASSWORD)
    page.goto("/tasks/")
    page.locator(".erow", has_text=code).get_by_role("link").click()
    shot(page, screenshots / "e2e-flow-5a-handler-task.png")
    page.get_by_role("button", name="开始处置").click()
    expect(page.locator(".flash--success")).to_have_text("已开始处置。")
    page.get_by_label("处置结果").fill("已更换新井盖并设置警示牌")
    page.locator("form.action input[name=photos]").set_input_files(str(after))
    page.get_by_role("button", name="办结").click()
    expect(page.locator(".flash--success")).to_have_text("已办结，等待居民评价。")
    expect(page.locator(".event-head .status")).to_have_text("已办结")
    expect(page.locator(".photos img")).to_have_count(2)
    _no_sideways_scroll(page, 390)
    shot(page, screenshots / "e2e-flow-5-handler.png")

    # 5. Anyone with the code, not signed in, sees the progress only: no rating there.
    context, page = open_page(browser, live_server, browser_log, PHONE)
    contexts.append(context)
    page.goto("/track/")
    page.get_by_label("查询编号").fill(code.lower())
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(f"**/track/{code}/")
    assert urlsplit(page.url).path == f"/track/{code}/"
    expect(page.locator(".status")).to_have_text("已办结")
    body = page.locator("main").inner_text()
    for private in ("王网格", "李社区", "吴处置", "13812345678"):
        assert private not in body
    expect(page.locator(".timeline__item")).to_have_count(5)
    expect(page.get_by_role("button", name="提交评价")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("查询编号只能查看进度")
    shot(page, screenshots / "e2e-flow-6a-track.png")

    # 6. The reporter, signed in on their phone, rates 5 on the event page: closed.
    context, page = open_page(browser, live_server, browser_log, PHONE)
    contexts.append(context)
    sign_in(page, "worker", DEMO_PASSWORD)
    page.goto(f"/events/{event.pk}/")
    page.locator(".stars__option", has_text="5 分").click()
    page.get_by_label("意见（可不填）").fill("处理很快，谢谢")
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator(".flash--success")).to_have_text("已记录评价，事件已关闭。")
    expect(page.locator(".event-head .status")).to_have_text("已关闭")
    expect(page.get_by_role("button", name="提交评价")).to_have_count(0)
    _no_sideways_scroll(page, 390)
    shot(page, screenshots / "e2e-flow-6-reporter-rated.png")

    event.refresh_from_db()
    assert (event.status, event.rating, event.rating_comment) == ("closed", 5, "处理很快，谢谢")
    assert event.department.name == "市政所"
    kinds = list(EventPhoto.objects.filter(event=event).values_list("kind", flat=True))
    assert kinds == ["report", "resolution"]

    for context in contexts:
        context.close()
    assert browser_log.csp == []
    assert browser_log.errors == []


def test_a_bad_report_comes_back_in_chinese_and_a_nearby_duplicate_is_offered(
    phone_page, browser_log, screenshots, tmp_path, grid_worker, report, manhole
):
    photo = tmp_path / "again.jpg"
    photo.write_bytes(image_bytes(size=(320, 240)))
    existing = report()  # an open 井盖破损 at the middle of the grid
    late = report(category=None, description="3号楼前路灯不亮")
    Event.objects.filter(pk=late.pk).update(
        respond_by=timezone.now() - timedelta(hours=3, minutes=10),
        due_at=timezone.now() - timedelta(hours=3, minutes=10),
    )
    page = phone_page
    sign_in(page, "worker", DEMO_PASSWORD)

    page.goto("/grid/")
    expect(page.locator(".grid-map path.grid-map__event")).to_have_count(2)
    expect(page.locator(".grid-map path.grid-map__event--overdue")).to_have_count(1)
    expect(page.locator(".erow").first.locator(".clock--overdue")).to_have_text(re.compile(r"已超时\s*3 小时 10 分钟"))
    shot(page, screenshots / "e2e-report-1-grid-with-events.png")

    page.goto("/events/new/")
    page.get_by_label("事件类别").select_option(label="井盖破损")
    page.get_by_label("问题描述").fill("北门井盖又松动了，踩上去会翻")
    page.get_by_label("经度").fill(str(NOWHERE[0]))
    page.get_by_label("纬度").fill(str(NOWHERE[1]))
    page.locator("input[name=photos]").set_input_files(str(photo))
    page.get_by_role("button", name="提交上报").click()
    alert = page.locator(".alert--danger")
    expect(alert).to_contain_text("该位置不在任何网格内，请确认位置后重新上报。")
    # The photo chosen is kept across the refusal: nobody takes it again.
    expect(page.locator("[data-pending-photos]")).to_contain_text("已保留刚才选择的 1 张照片")
    expect(page.get_by_label("问题描述")).to_have_value("北门井盖又松动了，踩上去会翻")
    expect(page.get_by_label("事件类别").locator("option:checked")).to_have_text("井盖破损")
    expect(page.locator(".location .field__error")).to_have_text("该位置不在任何网格内。")
    shot(page, screenshots / "e2e-report-2-outside-grid.png")

    # The manual fallback: tap the grid on the map (no geolocation permission in this browser).
    page.locator(".grid-map path.grid-map__area").click()
    lon = float(page.get_by_label("经度").input_value())
    lat = float(page.get_by_label("纬度").input_value())
    assert abs(lon - EAST_POINT[0]) < 0.0003
    assert abs(lat - EAST_POINT[1]) < 0.0003
    expect(page.locator(".grid-map__pin")).to_have_count(1)
    page.get_by_role("button", name="提交上报").click()
    expect(page.get_by_role("heading", name="附近已有同类事件")).to_be_visible()
    expect(page.locator(".nearby__item a")).to_have_text(existing.code)
    expect(page.locator("[data-pending-photos]")).to_contain_text("已保留刚才选择的 1 张照片")
    assert Event.objects.count() == 2
    shot(page, screenshots / "e2e-report-3-duplicate.png")

    page.get_by_label("确认是新问题，继续上报").check()
    page.get_by_role("button", name="继续上报").click()
    expect(page.locator(".flash--success")).to_contain_text("上报成功")
    created = Event.objects.latest("id")
    assert (created.description, created.photos.count()) == ("北门井盖又松动了，踩上去会翻", 1)
    assert browser_log.csp == []
    # The refused form comes back with status 400 (as the API would answer), which Chromium logs.
    refused = "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    assert [e for e in browser_log.errors if e != refused] == []


def test_the_efficiency_index_is_public_and_drawn_without_script(
    desktop_page, browser_log, screenshots, municipal, water
):
    from grids.models import DepartmentScore

    month = timezone.localdate().replace(day=1)
    for back, (m_score, w_score) in enumerate([(78.0, 55.5), (74.2, 58.0), (69.9, 63.1), (71.3, None)], start=1):
        earlier = (month - timedelta(days=28 * back)).replace(day=1)
        DepartmentScore.objects.create(department=municipal, month=earlier, events=9, score=m_score)
        if w_score is not None:
            DepartmentScore.objects.create(department=water, month=earlier, events=3, score=w_score)
    DepartmentScore.objects.create(
        department=municipal, month=month, events=12, avg_response_minutes=95, on_time_rate=0.75,
        resolution_rate=0.9, satisfaction=4.5, score=82.4,
    )  # fmt: skip
    DepartmentScore.objects.create(
        department=water, month=month, events=4, avg_response_minutes=300, on_time_rate=0.5,
        resolution_rate=0.75, satisfaction=3.5, score=61.0,
    )  # fmt: skip
    page = desktop_page
    page.goto("/efficiency/")
    expect(page.get_by_role("heading", name="服务效能指数")).to_be_visible()
    expect(page.locator(".scores tbody tr").first).to_contain_text("市政所")
    expect(page.locator(".trend__bar--current")).to_have_count(1)
    shot(page, screenshots / "e2e-flow-7-efficiency.png")
    assert browser_log.csp == []
    assert browser_log.errors == []
