"""In a real Chromium, at 360×740 and on a desktop: the mediator records each party's signature on
the agreement from the case page (one entered afterwards from the paper, one in person), is told in
Chinese who has not signed when closing too early, and closes once everyone has; the agreement PDF
is rendered to an image (pdftoppm) with 已签字 and the date. A street supervisor whose centre handed
a case up to the county reads it on the desktop with nothing to act on. Screenshots go to
var/screenshots/mediation-sign*.png; any Content Security Policy complaint fails."""

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from governance.models import Role
from mediation import services
from tests.conftest import DEMO_PASSWORD, require
from tests.e2e.conftest import sign_in
from tests.mediation import conftest as mediation_fixtures

village_mediator = mediation_fixtures.village_mediator
township_mediator = mediation_fixtures.township_mediator
register = mediation_fixtures.register

pytestmark = pytest.mark.e2e


def shot(page, path) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=path, full_page=True)


@pytest.fixture
def agreed(register, village_mediator):
    case = register()
    services.case_accept(case=case, actor=village_mediator)
    services.case_start(case=case, actor=village_mediator)
    services.agreement_record(
        case=case, actor=village_mediator, terms="一、李大壮于十日内修复漏水管道；\n二、李大壮赔偿王小明800元。",
        signed_on=timezone.localdate() - timedelta(days=2), performance_due=timezone.localdate() + timedelta(days=10),
    )  # fmt: skip
    case.refresh_from_db()
    return case


def test_the_mediator_records_each_signature_and_closes_when_all_have_signed(
    small_phone_page, browser_log, screenshots, agreed, village_mediator
):
    page = small_phone_page
    sign_in(page, "village_mediator", DEMO_PASSWORD)
    page.goto(f"/mediation/cases/{agreed.pk}/")
    expect(page.locator(".signature")).to_have_count(2)
    expect(page.locator(".signature__state--missing")).to_have_count(2)
    page.locator("#signatures-title").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "mediation-sign-before-phone.png")

    # The respondent signed the paper on the agreement's day: entered afterwards.
    signed_on = agreed.agreement.signed_on
    page.locator("summary", has_text="登记签字").click()
    page.locator("#id_sig-party").select_option(label="被申请人 李大壮")
    page.get_by_label("登记方式").select_option("after_the_fact")
    page.get_by_label("签字日期").fill((timezone.localdate() + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="登记签字").click()
    expect(page.locator(".flash--error, .flash").first).to_contain_text("签字日期不能晚于今天。")
    page.locator("summary", has_text="登记签字").click()  # the page came back with the form closed
    page.locator("#id_sig-party").select_option(label="被申请人 李大壮")
    page.get_by_label("登记方式").select_option("after_the_fact")
    page.get_by_label("签字日期").fill(signed_on.isoformat())
    page.get_by_role("button", name="登记签字").click()
    expect(page.locator(".flash")).to_have_text("已登记当事人签字。")
    expect(page.locator(".signature--signed")).to_contain_text(f"已签字 {signed_on.isoformat()}")

    # Closing with the applicant unsigned: refused, naming them.
    page.get_by_role("button", name="结案", exact=True).click()
    expect(page.locator(".flash").first).to_contain_text(
        "以下当事人尚未在调解协议上签字，不能结案：申请人 王*明。请先登记签字。"
    )
    shot(page, screenshots / "mediation-sign-refused-phone.png")

    # The applicant signs in person (today), then the case closes.
    page.locator("summary", has_text="登记签字").click()
    page.get_by_label("登记方式").select_option("in_person")
    page.get_by_role("button", name="登记签字").click()
    expect(page.locator(".flash")).to_have_text("已登记当事人签字。")
    expect(page.locator(".signature--signed")).to_have_count(2)
    page.locator("#signatures-title").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "mediation-sign-after-phone.png")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载调解协议书（PDF）").click()
    pdf = screenshots / "mediation-sign-agreement.pdf"
    download_info.value.save_as(pdf)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name="结案", exact=True).click()
    expect(page.locator(".flash")).to_have_text("已结案。")
    expect(page.locator(".status").first).to_have_text("已结案")
    page.context.close()  # before reading the browser's log, as before

    text = "".join("".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    today = timezone.localdate()
    assert f"申请人（签名盖章或按指印）：王小明已签字{today.year}年{today.month}月{today.day}日" in text
    assert f"被申请人（签名盖章或按指印）：李大壮已签字{signed_on.year}年{signed_on.month}月{signed_on.day}日" in text
    pdftoppm = shutil.which("pdftoppm")
    require(pdftoppm is not None, "needs pdftoppm (poppler-utils)")
    subprocess.run([pdftoppm, "-png", "-r", "80", str(pdf), str(screenshots / "mediation-sign-agreement")], check=True)
    assert (screenshots / "mediation-sign-agreement-1.png").exists()
    assert browser_log.csp == []
    # The two refusals the test provoked (the page answers them with their status), nothing else.
    assert browser_log.errors == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)",
        "Failed to load resource: the server responded with a status of 409 (Conflict)",
    ]


def test_the_desktop_case_page_shows_the_signatures(desktop_page, browser_log, screenshots, agreed, village_mediator):
    services.signature_record(
        case=agreed, actor=village_mediator, party=agreed.parties.get(role="applicant"), method="in_person"
    )
    page = desktop_page
    sign_in(page, "village_mediator", DEMO_PASSWORD)
    page.goto(f"/mediation/cases/{agreed.pk}/")
    expect(page.locator(".signature--signed")).to_have_count(1)
    expect(page.locator(".signature__state--missing")).to_have_count(1)
    shot(page, screenshots / "mediation-sign-desktop.png")
    page.context.close()  # before reading the browser's log, as before
    assert browser_log.csp == []
    assert browser_log.errors == []


def test_the_street_supervisor_reads_a_case_handed_up_to_the_county(
    desktop_page, browser_log, screenshots, register, make_user, area_tree, village_mediator,
    township_mediator, street_supervisor,
):  # fmt: skip
    district_supervisor = make_user(Role.STREET_SUPERVISOR, area_tree["district"], username="district_sup")
    county_mediator = make_user(Role.MEDIATOR, area_tree["district"], username="county_mediator", full_name="冯县调")
    case = register()
    services.case_escalate(case=case, actor=village_mediator, tried="上门调解两次", assessment="需街道协调")
    case.refresh_from_db()
    services.case_assign(case=case, mediator=township_mediator, actor=street_supervisor, lead=True)
    services.case_escalate(case=case, actor=street_supervisor, tried="街道调解一次", assessment="涉及面广")
    case.refresh_from_db()
    services.case_assign(case=case, mediator=county_mediator, actor=district_supervisor, lead=True)

    page = desktop_page
    sign_in(page, "supervisor", DEMO_PASSWORD)
    page.goto("/mediation/")
    expect(page.locator(".crow", has_text=case.number)).to_have_count(1)
    page.goto(f"/mediation/cases/{case.pk}/")
    expect(page.locator(".alert")).to_have_text("本案已移交上一级调解中心：您仍可查看案件和下载协议书，但不能再办理。")
    expect(page.locator(".level")).to_contain_text("县（区）调解中心")
    expect(page.locator("#actions-title")).to_have_count(0)
    shot(page, screenshots / "mediation-sign-supervisor-handed-over-desktop.png")
    page.context.close()  # before reading the browser's log, as before
    assert browser_log.csp == []
    assert browser_log.errors == []
