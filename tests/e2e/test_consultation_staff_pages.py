"""The staff pages for seats (交叉任职 marked) and 红色管家 volunteers in a real Chromium, on a desk
and on a 360×740 phone: staff seat a person and assign a volunteer through the forms.
Screenshots: var/screenshots/e2e-consultation-staff-*.png. A CSP complaint fails the test."""

import pytest
from playwright.sync_api import expect

from governance.consultation import services
from tests.conftest import DEMO_PASSWORD
from tests.consultation import conftest as consultation_fixtures
from tests.e2e.conftest import DESKTOP, SMALL_PHONE, open_page, sign_in

committee = consultation_fixtures.committee
secretary = consultation_fixtures.secretary
property_company = consultation_fixtures.property_company
property_head = consultation_fixtures.property_head
owner_member = consultation_fixtures.owner_member
rep = consultation_fixtures.rep

pytestmark = pytest.mark.e2e
COMPOUND = "HD-ZGC-DS-01"


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_staff_manage_seats_and_volunteers(
    device,
    browser,
    live_server,
    browser_log,
    screenshots,
    east_staff,
    committee,
    property_company,
    property_head,
    owner_member,
    rep,
    area_tree,
):
    services.seat_assign(
        actor=east_staff, person=property_head, body="property", position="manager", department=property_company
    )
    services.seat_assign(
        actor=east_staff, person=property_head, body="party", position="committee_member", organization=committee
    )
    services.volunteer_assign(actor=east_staff, person=owner_member, building=area_tree["east_building"])
    context, page = open_page(browser, live_server, browser_log, DESKTOP if device == "desktop" else SMALL_PHONE)
    sign_in(page, "east_staff", DEMO_PASSWORD)

    page.goto(f"/consultation/compounds/{COMPOUND}/")
    page.get_by_test_id("manage-seats").click()
    expect(page.get_by_role("heading", name="组织任职", level=1)).to_be_visible()
    expect(page.get_by_test_id("cross-holders")).to_contain_text("钱经理")
    page.get_by_label("人员", exact=True).select_option(label="吴委员")
    page.get_by_label("组织类别").select_option(label="业委会")
    page.get_by_label("职务", exact=True).select_option(label="主任")
    page.get_by_role("button", name="登记任职").click()
    expect(page.locator(".flash--success")).to_have_text("已登记任职：吴委员。")
    expect(page.get_by_test_id("seats-owners_committee")).to_contain_text("吴委员")
    page.screenshot(path=screenshots / f"e2e-consultation-staff-seats-{device}.png", full_page=True)

    page.goto(f"/consultation/compounds/{COMPOUND}/volunteers/")
    expect(page.get_by_role("heading", name="红色管家", level=1)).to_be_visible()
    page.get_by_label("志愿者").select_option(label="孙代表")
    page.get_by_label("楼栋").select_option(label="1号楼")
    page.get_by_label("职责").fill("夜间巡查、邻里调解")
    page.get_by_role("button", name="安排上岗").click()
    expect(page.locator(".flash--success")).to_have_text("已安排 孙代表 为1号楼的红色管家。")
    expect(page.get_by_test_id("volunteers-HD-ZGC-DS-01-B1")).to_contain_text("孙代表")
    page.screenshot(path=screenshots / f"e2e-consultation-staff-volunteers-{device}.png", full_page=True)
    assert browser_log.csp == []
    assert browser_log.errors == []
    context.close()
