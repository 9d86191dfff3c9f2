"""A mediator, on a phone, turns a grid worker's event into a case, opens it, accepts it, schedules
a session and records it with notes per channel (背对背), records the agreement and finds the
one-week follow-up on their list, in a real Chromium; on the way they declare a relationship between
the parties and download the agreement PDF. Screenshots of the
case page go to var/screenshots/mediation-*.png; any Content Security Policy complaint fails."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from mediation.models import Case, Session
from tests.conftest import DEMO_PASSWORD
from tests.e2e.conftest import sign_in
from tests.mediation import conftest as mediation_fixtures

boundary_event = mediation_fixtures.boundary_event
east_grid = mediation_fixtures.east_grid
village_mediator = mediation_fixtures.village_mediator

pytestmark = pytest.mark.e2e


def shot(page, path) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=path, full_page=True)


def test_a_mediator_opens_a_case_from_an_event_and_records_a_session(
    phone_page, browser_log, screenshots, boundary_event, village_mediator
):
    page = phone_page
    sign_in(page, "village_mediator", DEMO_PASSWORD)

    # 1. From the grid event: "转为调解案件".
    page.goto(f"/mediation/cases/new/?event={boundary_event.pk}")
    expect(page.get_by_role("heading", name="转为调解案件", level=1)).to_be_visible()
    page.get_by_label("纠纷类型").select_option("homestead")
    page.get_by_label("申请人姓名", exact=True).fill("王小明")
    page.get_by_label("申请人电话", exact=True).fill("13812345678")
    page.get_by_label("被申请人姓名").fill("李大壮")
    page.get_by_role("button", name="登记").click()
    case = Case.objects.get()
    page.wait_for_url(f"**/mediation/cases/{case.pk}/")
    expect(page.locator(".event-head__code strong")).to_have_text(case.number)
    expect(page.locator(".parties")).to_contain_text("13812345678")  # unmasked on the case page

    # 2. The case list shows it masked.
    page.goto("/mediation/")
    expect(page.locator(".crow").first).to_contain_text("王*明 138****5678")
    page.locator(".crow").first.click()
    page.wait_for_url(f"**/mediation/cases/{case.pk}/")

    # 3. Accept, schedule a session, record it with channel notes.
    page.get_by_role("button", name="受理", exact=True).click()
    expect(page.locator(".flash")).to_have_text("已受理。")
    page.get_by_role("link", name="安排调解会").click()
    when = (timezone.localtime() + timedelta(days=1)).replace(hour=10, minute=0)
    page.get_by_label("时间").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("地点（现场调解）").fill("东升社区调解室")
    page.get_by_label("参加人员").fill("王小明、李大壮、网格员李网格")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".flash")).to_have_text("已安排调解会。")
    page.get_by_role("link", name="记录调解会").click()
    page.get_by_label("共同调解").fill("双方到场，核对宅基地界址图。")
    page.get_by_label("仅申请人方（背对背）").fill("申请人可接受退让30厘米。")
    page.get_by_label("仅被申请人方（背对背）").fill("被申请人同意重砌围墙。")
    page.get_by_label("调解结果").fill("双方初步同意按界址图重砌围墙")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".flash")).to_have_text("已记录调解会。")
    expect(page.locator(".status").first).to_have_text("调解中")
    expect(page.locator(".channel--applicant")).to_contain_text("申请人可接受退让30厘米。")
    shot(page, screenshots / "mediation-case-phone.png")

    # 4. A declared relationship between the two parties, on the case page's own form.
    page.locator("summary", has_text="申报关系").click()
    page.locator("#id_rel-party").select_option(label="申请人 王小明")
    page.get_by_label("关系（如：亲属、同事、邻居）").fill("邻居")
    page.get_by_label("关系人：本案当事人").select_option(label="被申请人 李大壮")
    page.get_by_role("button", name="申报", exact=True).click()
    expect(page.locator(".flash")).to_have_text("已申报当事人关系。")
    expect(page.locator(".relations")).to_contain_text("申请人 王小明 — 邻居 — 被申请人 李大壮")
    page.locator("#relations-title").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "mediation-relations-phone.png")

    # 5. The agreement, signed today, downloaded as a PDF; the one-week visit then appears on the
    # mediator's list.
    page.get_by_role("link", name="记录调解协议").click()
    page.get_by_label("协议内容").fill("一、被申请人按界址图重砌围墙；二、费用双方各半。")
    page.get_by_label("签订日期").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".flash")).to_have_text("已记录调解协议，回访已安排。")
    expect(page.locator(".status").first).to_have_text("已达成协议")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载调解协议书（PDF）").click()
    download = download_info.value
    assert download.suggested_filename == f"agreement-{case.year}-{case.sequence}.pdf"
    text = "".join("".join(p.extract_text() for p in PdfReader(download.path()).pages).split())
    assert f"编号：{case.number}" in text
    assert "一、被申请人按界址图重砌围墙；二、费用双方各半。" in text
    page.goto("/mediation/")
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    expect(page.locator("#fu-title + .crows .crow").first).to_contain_text(case.number)
    expect(page.locator("#fu-title + .crows .crow").first).to_contain_text(f"应于 {due} 回访")
    shot(page, screenshots / "mediation-list-phone.png")

    session = Session.objects.get()
    case.refresh_from_db()
    assert (session.status, case.status) == ("held", "agreed")
    assert list(session.notes.values_list("channel", flat=True)) == ["joint", "applicant", "respondent"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert browser_log.csp == []
    assert browser_log.errors == []


def test_the_supervisor_sees_dispute_prone_events_on_the_early_warning_page(
    desktop_page, browser_log, screenshots, east_grid, grid_worker, street_supervisor, village_mediator
):
    from grids.models import EventCategory
    from grids.services import event_report
    from mediation import services

    neighbour = EventCategory.objects.create(service_code="neighbour_dispute", name="邻里纠纷", dispute_prone=True)
    converted = event_report(reporter=grid_worker, category=neighbour, description="两户因楼道堆物争吵",
                             lon=116.305, lat=39.985, source="patrol")  # fmt: skip
    waiting = event_report(reporter=grid_worker, category=neighbour, description="两户因空调滴水争执",
                           lon=116.305, lat=39.985, source="patrol")  # fmt: skip
    case = services.case_from_event(event=converted, actor=village_mediator, type="neighbour")
    page = desktop_page
    sign_in(page, "supervisor", DEMO_PASSWORD)
    page.goto("/mediation/overview/")
    section = page.locator("section[aria-labelledby=prone-title]")
    expect(section.locator("h2")).to_have_text("易引发纠纷的未办结网格事件（2 件）")
    expect(section).to_contain_text(waiting.code)
    expect(section).to_contain_text(f"已转调解 {case.number}")
    shot(page, screenshots / "mediation-overview-desktop.png")
    assert browser_log.csp == []
    assert browser_log.errors == []


def test_the_village_mediator_hands_a_case_up_and_then_only_reads_it(
    phone_page, browser_log, screenshots, area_tree, village_mediator, street_supervisor
):
    from mediation import services
    from tests.mediation.conftest import PARTIES

    case = services.case_register(
        actor=village_mediator, type="homestead", description="宅基地边界纠纷",
        area=area_tree["east_compound"],
        source="walk_in", parties=PARTIES, lead=village_mediator,
    )  # fmt: skip
    page = phone_page
    sign_in(page, "village_mediator", DEMO_PASSWORD)
    page.goto(f"/mediation/cases/{case.pk}/")
    page.locator("summary", has_text="移交上一级调解中心").click()
    page.get_by_label("已采取的调解措施").fill("两次上门调解，双方对界址仍有争议")
    page.get_by_label("调解员评估意见").fill("涉及宅基地确权，需街道国土所参与")
    expect(page.get_by_label("郑调解")).not_to_be_checked()  # the keep-on choice, left unticked
    page.locator("#actions-title").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "mediation-escalate-phone.png")
    page.get_by_role("button", name="移交", exact=True).last.click()
    expect(page.locator(".flash")).to_have_text("已移交上一级调解中心。")
    expect(page.locator(".alert")).to_have_text("本案已移交上一级调解中心：您仍可查看案件和下载协议书，但不能再办理。")
    expect(page.locator(".team")).to_contain_text("已移交上级，可查看")
    expect(page.locator("#actions-title")).to_have_count(0)  # nothing left to act on
    expect(page.locator(".parties")).to_contain_text("13812345678")  # still reads the parties
    shot(page, screenshots / "mediation-handed-over-phone.png")
    assert browser_log.csp == []
    assert browser_log.errors == []
