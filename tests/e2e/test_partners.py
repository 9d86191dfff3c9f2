"""A partner's points in a real Chromium at a phone viewport.

The partner logs a service on the phone; community staff verify it on a desktop; the partner sees
the points and the statement, redeems a coupon through the confirmation step and sees the voucher;
the café that offers the coupon fulfils it by typing the code. Screenshots go to
var/screenshots/e2e-partners-*.png; any Content Security Policy complaint fails the test.
"""

import pytest
from playwright.sync_api import expect

from governance.models import Role
from partners import services
from partners.models import Account, Redemption
from tests.conftest import DEMO_PASSWORD
from tests.e2e.conftest import PHONE, open_page, sign_in
from tests.partners.conftest import make_partner

pytestmark = pytest.mark.e2e


def shot(page, path) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=path, full_page=True)


def test_a_partner_earns_sees_the_statement_redeems_and_the_merchant_fulfils(
    browser, live_server, phone_page, desktop_page, browser_log, screenshots, make_user, area_tree, east_staff
):
    east = area_tree["east"]
    lawyer_user = make_user(Role.PARTNER, east, username="lawyer", full_name="张律师")
    cafe_user = make_user(Role.PARTNER, east, username="cafe", full_name="陈咖啡")
    lawyer = make_partner(community=east, user=lawyer_user)
    cafe = make_partner(community=east, user=cafe_user, name="幸福咖啡馆", kind="resource", sub_kind="merchant")
    services.earning_rule_save(community=east, activity="法律咨询", points=30, actor=east_staff)
    coupon = services.reward_save(
        community=east, name="咖啡八折券", kind="coupon", cost=20, stock=5, offered_by=cafe, actor=east_staff
    )

    # The partner logs a service on the phone.
    phone = phone_page
    sign_in(phone, "lawyer", DEMO_PASSWORD)
    phone.goto("/partners/services/new/")
    phone.get_by_label("服务项目").select_option(label="法律咨询 · 30 分")
    phone.get_by_label("受益人数").fill("2")
    phone.get_by_label("服务内容").fill("为两户居民解答租房纠纷")
    phone.get_by_role("button", name="提交").click()
    expect(phone.locator(".flash")).to_contain_text("服务记录已提交")
    shot(phone, screenshots / "e2e-partners-1-logged.png")

    # Staff verify it on the desktop.
    desk = desktop_page
    sign_in(desk, "east_staff", DEMO_PASSWORD)
    desk.goto("/partners/staff/records/")
    desk.get_by_role("button", name="核实并记分").click()
    expect(desk.locator(".flash")).to_contain_text("已核实，记 30 分。")
    shot(desk, screenshots / "e2e-partners-2-verified.png")

    # The partner sees the points and the statement.
    phone.goto("/partners/")
    expect(phone.locator("[data-available]")).to_have_text("30")
    expect(phone.locator("#statement")).to_contain_text("服务获得 · 法律咨询")
    expect(phone.locator("#statement")).to_contain_text("余额 30")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
    shot(phone, screenshots / "e2e-partners-3-statement.png")

    # Redeem the coupon through the confirmation step.
    phone.get_by_role("link", name="积分兑换").click()
    phone.locator(f'[data-reward="{coupon.pk}"]').get_by_role("link", name="兑换").click()
    expect(phone.get_by_role("heading", name="确认兑换")).to_be_visible()
    phone.get_by_role("button", name="确认兑换").click()
    expect(phone.locator(".flash")).to_contain_text("兑换成功")
    code = phone.locator("[data-voucher-code]").first.inner_text().strip()
    assert len(code) == 8
    qr = phone.locator(".voucher__qr").first
    expect(qr).to_be_visible()
    # The QR image loads (wait for it: the image is fetched after the page).
    phone.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle(), timeout=10_000)
    shot(phone, screenshots / "e2e-partners-4-voucher.png")

    # The café fulfils it by typing the code.
    cafe_ctx, cafe_page = open_page(browser, live_server, browser_log, PHONE)
    sign_in(cafe_page, "cafe", DEMO_PASSWORD)
    cafe_page.goto("/partners/fulfil/")
    cafe_page.get_by_label("兑换码").fill(code.lower())
    cafe_page.get_by_role("button", name="核销").click()
    expect(cafe_page.locator(".flash")).to_contain_text("已核销：咖啡八折券 ×1")
    shot(cafe_page, screenshots / "e2e-partners-5-fulfilled.png")

    phone.goto("/partners/")
    expect(phone.locator("[data-available]")).to_have_text("10")
    expect(phone.locator("[data-frozen]")).to_have_text("0")
    shot(phone, screenshots / "e2e-partners-6-after.png")

    for context in (phone.context, desk.context, cafe_ctx):
        context.close()
    assert Redemption.objects.get().status == "fulfilled"
    assert Account.objects.get(partner=lawyer).balance == 10
    assert browser_log.csp == []
    assert browser_log.errors == []
