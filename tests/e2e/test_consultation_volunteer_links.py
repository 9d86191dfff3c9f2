"""A 红色管家 who is a partner of the points bank, in a real Chromium on a 360×740 phone: the link a
provider registers for ``consultation.volunteer`` (partners, later; a stand-in here) stands beside
that volunteer on the staff volunteers page and on the compound page, and leads where it says.
Screenshots: var/screenshots/e2e-consultation-volunteer-links-*.png. A CSP complaint fails the test."""

import pytest
from playwright.sync_api import expect

from governance import extensions
from governance.consultation import services
from governance.extensions import Link
from tests.conftest import DEMO_PASSWORD
from tests.consultation import conftest as consultation_fixtures
from tests.e2e.conftest import SMALL_PHONE, open_page, sign_in

owner_member = consultation_fixtures.owner_member
rep = consultation_fixtures.rep

pytestmark = pytest.mark.e2e
COMPOUND = "HD-ZGC-DS-01"


def test_a_partner_volunteer_shows_the_points_bank_link(
    browser, live_server, browser_log, screenshots, monkeypatch, east_staff, owner_member, rep, area_tree
):
    building = area_tree["east_building"]
    partner = services.volunteer_assign(actor=east_staff, person=rep, building=building, duties="夜间巡查")
    other = services.volunteer_assign(actor=east_staff, person=owner_member, building=building, duties="邻里调解")

    def links(user, volunteer):
        if volunteer.person_id != rep.pk:
            return []
        return [Link(label="积分银行伙伴", url=f"/consultation/people/{rep.pk}/", note="积分 120")]

    monkeypatch.setitem(extensions._providers, "consultation.volunteer", [links])
    context, page = open_page(browser, live_server, browser_log, SMALL_PHONE)
    sign_in(page, "east_staff", DEMO_PASSWORD)

    page.goto(f"/consultation/compounds/{COMPOUND}/volunteers/")
    expect(page.get_by_test_id(f"volunteer-link-{partner.pk}")).to_contain_text("积分银行伙伴")
    expect(page.get_by_test_id(f"volunteer-link-{other.pk}")).to_have_count(0)
    page.screenshot(path=screenshots / "e2e-consultation-volunteer-links-staff.png", full_page=True)

    page.goto(f"/consultation/compounds/{COMPOUND}/")
    link = page.get_by_test_id(f"volunteer-link-{partner.pk}")
    page.screenshot(path=screenshots / "e2e-consultation-volunteer-links-compound.png", full_page=True)
    link.get_by_role("link", name="积分银行伙伴").click()
    expect(page).to_have_url(f"{live_server.url}/consultation/people/{rep.pk}/")
    assert browser_log.csp == []
    context.close()
