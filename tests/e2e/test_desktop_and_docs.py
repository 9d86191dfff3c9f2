"""Wider screens and the API docs page, in a real Chromium under the portal's CSP."""

import pytest
from playwright.sync_api import expect

from governance import services
from tests.conftest import DEMO_PASSWORD
from tests.e2e.conftest import SMALL_PHONE, open_page, sign_in

pytestmark = pytest.mark.e2e


def test_home_on_a_desktop_screen(desktop_page, grid_worker, browser_log, screenshots):
    sign_in(desktop_page, "worker", DEMO_PASSWORD)
    expect(desktop_page.get_by_role("heading", level=1)).to_have_text("您好，王网格")
    desktop_page.screenshot(path=screenshots / "e2e-home-desktop.png", full_page=True)
    assert browser_log.csp == []
    assert browser_log.errors == []


def test_api_docs_render_offline_under_the_csp(desktop_page, db, browser_log, screenshots):
    page = desktop_page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("社区治理门户 API", timeout=15_000)
    expect(page.locator(".opblock").first).to_be_visible()
    page.screenshot(path=screenshots / "e2e-api-docs-desktop.png")

    live = page.context._impl_obj._options.get("baseURL", "")
    assert [url for url in requested if not url.startswith((live, "data:"))] == []  # nothing from a CDN
    assert browser_log.csp == []
    assert browser_log.errors == []


def test_every_core_page_fits_a_360px_phone_without_csp_errors(
    browser, live_server, grid_worker, east_staff, browser_log, screenshots
):
    for i in range(25):
        services.notification_send(
            recipient=grid_worker,
            key=f"e2e:{i}",
            title=f"网格事件提醒 {i}：东升花园1号楼电梯故障待处理",
            body="请尽快到现场核实并上报处理结果。",
            url="/" if i % 2 else "",
        )
    context, page = open_page(browser, live_server, browser_log, SMALL_PHONE)

    def check(name: str) -> None:
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
        page.screenshot(path=screenshots / f"e2e-360-{name}.png", full_page=True)

    page.goto("/accounts/login/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    for _ in range(5):
        page.get_by_label("用户名").fill("east_staff")
        page.get_by_label("密码").fill("wrong")
        page.locator("form.form").get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("账号已锁定")
    check("locked-out")

    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("worker")
    page.get_by_label("密码").fill("wrong")
    page.locator("form.form").get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("请输入一个正确的用户名和密码")
    check("login-error")

    sign_in(page, "worker", DEMO_PASSWORD)
    check("home")
    page.goto("/inbox/")
    expect(page.locator(".notice")).to_have_count(20)
    check("inbox")
    page.goto("/accounts/password/")
    page.get_by_role("button", name="保存新密码").click()
    check("password-change")
    page.goto("/no-such-page/")
    expect(page.get_by_role("heading", level=1)).to_have_text("找不到这个页面")
    check("404")

    context.close()
    assert browser_log.csp == []
    assert [e for e in browser_log.errors if "404" not in e and "429" not in e] == []  # the pages we asked for
