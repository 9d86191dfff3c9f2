"""A 红色议事厅 run by community staff in a real Chromium, from scheduling to the minutes PDF.

Staff schedule a meeting, invite a residents' representative and the property company's head,
put an item on the agenda and open the meeting; both participants sign in on their phones with
the code shown on the staff's screen; staff enter the tally, conclude the meeting, write and
send the minutes, which both attendees confirm on their phones, publish them and download the PDF,
which is read back with pypdf. The property company reports progress on the resolution; a
resident sees it, follows it to the service item it changed and rates it. Screenshots go to
var/screenshots/e2e-consultation-*.png; any Content Security Policy complaint fails the test.
"""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from governance.consultation import services
from governance.consultation.models import Meeting, Resolution, ServiceRating
from tests.conftest import DEMO_PASSWORD
from tests.consultation import conftest as consultation_fixtures
from tests.e2e.conftest import PHONE, open_page, sign_in

committee = consultation_fixtures.committee
secretary = consultation_fixtures.secretary
property_company = consultation_fixtures.property_company
property_head = consultation_fixtures.property_head
rep = consultation_fixtures.rep

pytestmark = pytest.mark.e2e


def shot(page, path) -> None:
    """A full-page screenshot from the top (after an #anchor jump, wait until the page is back up)."""
    page.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")
    page.wait_for_function("window.scrollY === 0")
    page.screenshot(path=path, full_page=True)


def test_staff_run_a_meeting_to_concluded_and_download_the_minutes(
    desktop_page,
    phone_page,
    browser,
    live_server,
    browser_log,
    screenshots,
    east_staff,
    committee,
    rep,
    property_head,
    property_company,
):
    staff = desktop_page
    sign_in(staff, "east_staff", DEMO_PASSWORD)

    # 1. Schedule the meeting.
    staff.goto("/consultation/")
    staff.get_by_role("link", name="安排会议").click()
    starts = timezone.localtime(timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    staff.get_by_label("会议名称").fill("五月红色议事厅")
    staff.get_by_label("召集党组织").select_option(label="东升社区党委")
    staff.get_by_label("小区/社区").select_option(label="东升花园")
    staff.get_by_label("开始时间").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    staff.get_by_label("结束时间").fill((starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    staff.get_by_label("地点", exact=True).fill("东升花园党群服务站")
    staff.get_by_role("button", name="安排会议").click()
    expect(staff.get_by_role("heading", name="五月红色议事厅", level=1)).to_be_visible()
    meeting = Meeting.objects.get(title="五月红色议事厅")
    assert meeting.area.name == "东升花园"

    # 2. Invite a residents' representative and the property company's head.
    for name, group in (("孙代表", "居民代表"), ("钱经理", "物业公司")):
        staff.locator("summary", has_text="邀请参会人").click()
        staff.get_by_label("参会人").select_option(label=name)
        staff.get_by_label("参会方").select_option(label=group)
        staff.get_by_role("button", name="邀请", exact=True).click()
        expect(staff.locator(".flash--success")).to_have_text("已邀请。")

    # 3. An item on the agenda, with the property company responsible.
    staff.locator("summary", has_text="列入议程").click()
    staff.get_by_label("议题", exact=True).fill("一号楼加装电梯")
    staff.get_by_label("重大事项（须三分之二通过）").check()
    staff.get_by_label("责任单位").select_option(label="红心物业")
    staff.get_by_role("button", name="列入议程").click()
    expect(staff.get_by_role("heading", name="一号楼加装电梯")).to_be_visible()

    # 4. Open the meeting: the code is on the staff's screen.
    staff.get_by_role("button", name="开始会议").click()
    expect(staff.get_by_test_id("meeting-status")).to_have_text("进行中")
    code = staff.get_by_test_id("sign-in-code").inner_text().strip()
    assert len(code) == 6
    expect(staff.get_by_test_id("quorum")).to_contain_text("未达到法定到会人数")

    # 5. Two participants sign in with the code on their phones.
    wuye_context, wuye_phone = open_page(browser, live_server, browser_log, PHONE)
    phone_pages = {"rep": phone_page, "wuye": wuye_phone}
    for username, phone in phone_pages.items():
        sign_in(phone, username, DEMO_PASSWORD)
        phone.goto(f"/consultation/meetings/{meeting.pk}/")
        expect(phone.get_by_test_id("sign-in-code")).to_have_count(0)
        phone.get_by_label("签到码").fill(code.lower())
        phone.get_by_role("button", name="签到", exact=True).click()
        expect(phone.locator(".flash--success")).to_have_text("签到成功。")
        expect(phone.get_by_test_id("signed-in")).to_contain_text("您已于")
        if username == "rep":
            shot(phone, screenshots / "e2e-consultation-2-phone-signed-in.png")

    # 6. Quorum reached; the secretary enters the hand-counted tally.
    staff.reload()
    expect(staff.get_by_test_id("quorum")).to_have_text("已达到法定到会人数，可以表决。")
    staff.get_by_label("赞成").fill("2")
    staff.get_by_label("反对").fill("0")
    staff.get_by_label("弃权").fill("0")
    staff.get_by_label("讨论记录").fill("物业公司牵头征求住户意见。")
    staff.get_by_role("button", name="录入表决结果").click()
    expect(staff.locator(".ctally")).to_contain_text("赞成 2 · 反对 0 · 弃权 0（到会 2 人）")
    expect(staff.locator(".cverdict")).to_have_text("通过")

    # 7. Conclude, write and publish the minutes, download the PDF.
    staff.get_by_role("button", name="结束会议").click()
    expect(staff.get_by_test_id("meeting-status")).to_have_text("已结束")
    staff.get_by_role("textbox", name="会议纪要").fill("会议议定：一号楼加装电梯，由红心物业牵头征求住户意见并报方案。")
    staff.get_by_role("button", name="保存纪要").click()
    staff.get_by_role("button", name="送参会人确认").click()
    expect(staff.get_by_test_id("confirmation")).to_contain_text("已确认 0 人 · 异议 0 人 · 未答复 2 人")

    # 8. Both attendees confirm on their phones; then the minutes are published.
    for phone in phone_pages.values():
        phone.reload()
        expect(phone.locator(".cminutes")).to_contain_text("由红心物业牵头")
        phone.get_by_role("button", name="确认纪要").click()
        expect(phone.locator(".flash--success")).to_have_text("已确认纪要。")
    staff.reload()
    expect(staff.get_by_test_id("confirmation")).to_contain_text("已确认 2 人 · 异议 0 人 · 未答复 0 人")
    staff.get_by_role("button", name="公布纪要").click()
    expect(staff.locator(".flash--success")).to_have_text("纪要已公布。")
    shot(staff, screenshots / "e2e-consultation-1-staff-concluded.png")
    href = staff.get_by_test_id("minutes-pdf").get_attribute("href")
    response = staff.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    text = "".join(PdfReader(io.BytesIO(response.body())).pages[0].extract_text().split())
    assert "五月红色议事厅" in text
    assert "1.一号楼加装电梯（重大事项）" in text
    assert "表决：赞成2，反对0，弃权0（到会2人），通过" in text

    # 9. The resolution changes the service list; the company reports progress on its phone.
    resolution = Resolution.objects.get(meeting=meeting)
    services.service_item_create(
        actor=east_staff,
        compound=meeting.area,
        provider=property_company,
        name="电梯运维",
        standard="每月维保，故障2小时内响应",
        frequency="每月",
        resolution=resolution,
    )
    company = phone_pages["wuye"]
    company.goto("/consultation/resolutions/")
    card = company.locator(f"#resolution-{resolution.pk}")
    card.get_by_label("进度（%）").fill("40")
    card.get_by_label("进展说明").fill("已完成住户意见征集")
    card.get_by_role("button", name="更新进度").click()
    expect(company.locator(".flash--success")).to_have_text("进度已更新。")

    # 10. A resident sees the resolution and its progress, follows it to the service it changed and rates it.
    resident = phone_pages["rep"]
    resident.goto("/consultation/resolutions/")
    card = resident.locator(f"#resolution-{resolution.pk}")
    expect(card.locator(".cprogress__text")).to_have_text("40%")
    expect(card.get_by_role("button", name="更新进度")).to_have_count(0)
    shot(resident, screenshots / "e2e-consultation-3-resident-resolution.png")
    card.get_by_role("link", name="电梯运维").click()
    item = resident.locator("li", has_text="电梯运维")
    item.get_by_label("本月评分").select_option("4")
    item.get_by_role("button", name="提交评价").click()
    expect(resident.locator(".flash--success")).to_have_text("感谢您的评价。")
    expect(resident.locator("li", has_text="电梯运维")).to_contain_text("本月已评价，谢谢。")
    shot(resident, screenshots / "e2e-consultation-4-resident-rated.png")

    meeting.refresh_from_db()
    assert (meeting.status, meeting.minutes_published_at is not None) == ("concluded", True)
    resolution.refresh_from_db()
    assert (resolution.responsible_department, resolution.status, resolution.progress) == (
        property_company,
        "in_progress",
        40,
    )
    assert ServiceRating.objects.get(resident=rep).score == 4
    assert browser_log.csp == []
    assert browser_log.errors == []
    wuye_context.close()
