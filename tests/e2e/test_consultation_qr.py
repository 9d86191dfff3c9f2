"""QR sign-in and the nested agenda in a real Chromium.

Staff (desktop) see the meeting's agenda numbered 1, 1.1, 1.2, 2 and move an item with its
buttons; they open the meeting and project the sign-in QR code. The QR is read back from the
browser's own screenshot with zxing-cpp, and a participant's phone (360×740) that is not signed in
goes to that address, logs in, lands on the sign-in page and confirms with one tap; the projected
count goes up. Screenshots: var/screenshots/e2e-consultation-qr-*.png. A CSP complaint fails the test.
"""

import io
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import zxingcpp
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from governance.consultation import services
from governance.consultation.models import Group, Participant
from tests.conftest import DEMO_PASSWORD
from tests.consultation import conftest as consultation_fixtures
from tests.e2e.conftest import SMALL_PHONE, open_page, sign_in

committee = consultation_fixtures.committee
secretary = consultation_fixtures.secretary
property_company = consultation_fixtures.property_company
property_head = consultation_fixtures.property_head
rep = consultation_fixtures.rep

pytestmark = pytest.mark.e2e


def test_staff_project_the_qr_and_a_phone_signs_in_by_scanning_it(
    desktop_page, browser, live_server, browser_log, screenshots, east_staff, committee, rep, property_head, area_tree
):
    start = timezone.now() + timedelta(hours=1)
    meeting = services.meeting_create(
        actor=east_staff,
        title="六月红色议事厅",
        organization=committee,
        area=area_tree["east_compound"],
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="东升花园党群服务站",
    )
    services.participant_add(actor=east_staff, meeting=meeting, user=rep, group=Group.RESIDENT_REP)
    services.participant_add(actor=east_staff, meeting=meeting, user=property_head, group=Group.PROPERTY)
    parking = services.agenda_item_add(actor=east_staff, meeting=meeting, title="停车管理")
    services.agenda_item_add(actor=east_staff, meeting=meeting, title="划线", parent=parking)
    services.agenda_item_add(actor=east_staff, meeting=meeting, title="夜间巡查", parent=parking)
    services.agenda_item_add(actor=east_staff, meeting=meeting, title="加装电梯", is_major=True)

    staff = desktop_page
    sign_in(staff, "east_staff", DEMO_PASSWORD)
    staff.goto(f"/consultation/meetings/{meeting.pk}/")
    numbers = staff.locator(".cagenda__item").evaluate_all("items => items.map(i => i.dataset.number)")
    assert numbers == ["1", "1.1", "1.2", "2"]
    # 夜间巡查 up: 1.1 夜间巡查, 1.2 划线.
    staff.get_by_role("button", name="第 1.2 项上移").click()
    expect(staff.locator(".flash--success")).to_have_text("议程顺序已调整。")
    expect(staff.locator('.cagenda__item[data-number="1.1"] .cagenda__title')).to_contain_text("夜间巡查")
    staff.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")
    staff.wait_for_function("() => window.scrollY === 0")
    staff.screenshot(path=screenshots / "e2e-consultation-qr-1-staff-agenda.png", full_page=True)

    # The same agenda on a staff member's phone.
    staff_phone_context, staff_phone = open_page(browser, live_server, browser_log, SMALL_PHONE)
    sign_in(staff_phone, "east_staff", DEMO_PASSWORD)
    staff_phone.goto(f"/consultation/meetings/{meeting.pk}/")
    expect(staff_phone.locator('.cagenda__item[data-number="1.2"] .cagenda__title')).to_contain_text("划线")
    staff_phone.screenshot(path=screenshots / "e2e-consultation-qr-1-phone-agenda.png", full_page=True)
    staff_phone_context.close()

    staff.get_by_role("button", name="开始会议").click()
    expect(staff.get_by_test_id("meeting-status")).to_have_text("进行中")
    staff.get_by_test_id("sign-in-qr-link").click()
    qr = staff.get_by_test_id("sign-in-qr")
    expect(qr).to_be_visible()
    staff.wait_for_function("() => document.querySelector('[data-testid=sign-in-qr]').complete")
    expect(staff.get_by_test_id("qr-count")).to_have_text("已签到 0 / 应到 2 人")
    staff.screenshot(path=screenshots / "e2e-consultation-qr-2-projected.png", full_page=True)
    # Read the QR the way a phone camera would: from the pixels on the screen.
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))
    assert len(decoded) == 1
    target = urlsplit(decoded[0].text)
    code = staff.get_by_test_id("sign-in-code").inner_text().strip()
    assert target.path == f"/consultation/meetings/{meeting.pk}/scan/{code}/"

    phone_context, phone = open_page(browser, live_server, browser_log, SMALL_PHONE)
    phone.goto(target.path)  # not signed in: the login page first, then back here
    phone.wait_for_url("**/accounts/login/**")
    phone.get_by_label("用户名").fill("rep")
    phone.get_by_label("密码").fill(DEMO_PASSWORD)
    phone.locator("form.form").get_by_role("button", name="登录").click()
    phone.wait_for_url(f"**{target.path}")
    expect(phone.get_by_role("heading", name="六月红色议事厅")).to_be_visible()
    phone.screenshot(path=screenshots / "e2e-consultation-qr-3-phone-scan.png", full_page=True)
    phone.get_by_role("button", name="确认签到").click()
    expect(phone.locator(".flash--success")).to_have_text("签到成功。")
    expect(phone.get_by_test_id("signed-in")).to_contain_text("您已于")
    phone.screenshot(path=screenshots / "e2e-consultation-qr-4-phone-signed-in.png", full_page=True)
    phone.goto(target.path)  # a second scan: already signed in, nothing written
    expect(phone.get_by_test_id("signed-in")).to_be_visible()
    assert Participant.objects.filter(meeting=meeting, signed_in_at__isnull=False).count() == 1

    staff.reload()
    expect(staff.get_by_test_id("qr-count")).to_have_text("已签到 1 / 应到 2 人")
    assert browser_log.csp == []
    assert browser_log.errors == []
    phone_context.close()
