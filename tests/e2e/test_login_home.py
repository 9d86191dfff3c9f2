"""A grid worker on a phone, in a real Chromium: sign in, see the Chinese home page, read the inbox."""

import re

import pytest
from playwright.sync_api import expect

from governance import services
from governance.models import Notification
from tests.conftest import DEMO_PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_grid_worker_signs_in_on_a_phone_and_sees_the_chinese_home(phone_page, grid_worker, browser_log, screenshots):
    page = phone_page
    services.notification_send(recipient=grid_worker, key="e2e:1", title="新工单：东升花园3号楼楼道灯不亮")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    page.screenshot(path=screenshots / "e2e-login-grid-worker.png", full_page=True)

    sign_in(page, "worker", DEMO_PASSWORD)

    expect(page.get_by_role("heading", level=1)).to_have_text("您好，王网格")
    expect(page.locator(".post__role")).to_have_text("网格员")
    expect(page.locator(".post__place")).to_have_text("东升花园")
    card = page.locator(".card", has=page.get_by_role("heading", name="消息通知"))
    expect(card).to_contain_text("您有 1 条未读消息。")
    expect(card.get_by_role("link", name="查看消息")).to_have_attribute("href", "/inbox/")
    expect(page.locator("#unread-badge .bell__count")).to_have_text("1")
    # Nothing overflows a 390 px screen sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # htmx loaded from our own static files and kept its inline indicator style off.
    assert page.evaluate("window.htmx && htmx.config.includeIndicatorStyles") is False
    page.screenshot(path=screenshots / "e2e-home-grid-worker.png", full_page=True)

    page.locator(".menu__toggle").click()
    menu = page.get_by_role("navigation", name="主菜单")
    expect(menu.get_by_role("link", name="修改密码")).to_be_visible()
    expect(menu.get_by_role("button", name="退出登录")).to_be_visible()
    expect(menu.get_by_role("link", name="后台管理")).to_have_count(0)
    page.screenshot(path=screenshots / "e2e-home-grid-worker-menu.png")

    assert browser_log.csp == []
    assert browser_log.errors == []


def test_grid_worker_marks_a_message_read_with_htmx_without_a_reload(phone_page, grid_worker, browser_log, screenshots):
    page = phone_page
    first, _ = services.notification_send(
        recipient=grid_worker, key="e2e:1", title="新工单：东升花园3号楼楼道灯不亮", body="请在 24 小时内响应。"
    )
    services.notification_send(recipient=grid_worker, key="e2e:2", title="议事会提醒：周五下午红色议事厅")
    sign_in(page, "worker", DEMO_PASSWORD)

    page.goto("/inbox/")
    badge = page.locator("#unread-badge .bell__count")
    expect(badge).to_have_text("2")
    row = page.locator(f"#notice-{first.pk}")
    expect(row).to_have_class(re.compile(r"\bnotice--unread\b"))
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith(f"/inbox/{first.pk}/read/")) as sent:
        row.get_by_role("button", name=re.compile("标为已读")).click()
    headers = sent.value.headers
    assert headers.get("hx-request") == "true"
    assert headers.get("x-csrftoken")  # set by static/js/portal.js from <meta name="csrf-token">

    expect(row).not_to_have_class(re.compile(r"\bnotice--unread\b"))
    expect(row.locator(".notice__state")).to_have_text("已读")
    expect(badge).to_have_text("1")  # swapped out-of-band with the row
    assert page.evaluate("window.__sameDocument") is True
    assert Notification.objects.get(pk=first.pk).read_at is not None
    page.screenshot(path=screenshots / "e2e-inbox-grid-worker.png", full_page=True)

    page.reload()
    expect(page.locator("#unread-badge .bell__count")).to_have_text("1")
    expect(page.locator(".notice--unread")).to_have_count(1)
    page.get_by_role("link", name="未读", exact=True).click()
    expect(page.locator(".notice")).to_have_count(1)
    expect(page.locator(".notice")).to_contain_text("议事会提醒")

    assert browser_log.csp == []
    assert browser_log.errors == []
