"""A mediator, on a phone, turns a grid worker's event into a case, opens it, accepts it, schedules
a session and records it with notes per channel (背对背), records the agreement and finds the
one-week follow-up on their list, in a real Chromium. Screenshots of the
case page go to var/screenshots/mediation-*.png; any Content Security Policy complaint fails."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

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

    # 4. The agreement, signed today: the one-week visit then appears on the mediator's list.
    page.get_by_role("link", name="记录调解协议").click()
    page.get_by_label("协议内容").fill("一、被申请人按界址图重砌围墙；二、费用双方各半。")
    page.get_by_label("签订日期").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".flash")).to_have_text("已记录调解协议，回访已安排。")
    expect(page.locator(".status").first).to_have_text("已达成协议")
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
