"""In a real Chromium: a case reopened after a follow-up found the dispute back and agreed a second
time shows the current agreement and, below it, the first round as history (its signatures, its
visits — one made, one cancelled — and its PDF). On the phone the mediator withdraws a wrongly
recorded signature (a reason required): the agreement is then not in force. Screenshots go to
var/screenshots/mediation-rounds*.png; any Content Security Policy complaint fails."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mediation import services
from mediation.models import FollowUp
from tests.conftest import DEMO_PASSWORD
from tests.e2e.conftest import sign_in
from tests.e2e.test_mediation_signatures import shot
from tests.mediation import conftest as mediation_fixtures

village_mediator = mediation_fixtures.village_mediator
register = mediation_fixtures.register

pytestmark = pytest.mark.e2e


def _sign_all(case, mediator, signed_on):
    for party in case.parties.order_by("role", "id"):
        case.refresh_from_db()
        services.signature_record(case=case, actor=mediator, party=party, signed_on=signed_on, method="after_the_fact")


@pytest.fixture
def two_rounds(register, village_mediator):
    today = timezone.localdate()
    case = register()
    services.case_accept(case=case, actor=village_mediator)
    services.case_start(case=case, actor=village_mediator)
    services.agreement_record(
        case=case, actor=village_mediator, terms="李大壮赔偿王小明800元。", signed_on=today - timedelta(days=20)
    )
    _sign_all(case, village_mediator, today - timedelta(days=20))
    case.refresh_from_db()
    services.case_close(case=case, actor=village_mediator)
    week = FollowUp.objects.get(case=case, kind="week")
    services.follow_up_record(follow_up=week, actor=village_mediator, outcome="recurred", note="楼上又漏水")
    case.refresh_from_db()
    services.case_start(case=case, actor=village_mediator)
    services.agreement_record(
        case=case,
        actor=village_mediator,
        terms="一、李大壮更换全部老化水管；\n二、李大壮赔偿王小明1200元。",
        signed_on=today - timedelta(days=2),
    )
    _sign_all(case, village_mediator, today - timedelta(days=2))
    case.refresh_from_db()
    return case


def test_the_case_page_shows_the_current_round_and_the_earlier_one(desktop_page, browser_log, screenshots, two_rounds):
    page = desktop_page
    sign_in(page, "village_mediator", DEMO_PASSWORD)
    page.goto(f"/mediation/cases/{two_rounds.pk}/")
    expect(page.locator(".agreement__round")).to_have_text("第2轮调解协议（当前）")
    earlier = page.locator("section[aria-labelledby=rounds-title]")
    expect(earlier.locator("h2")).to_have_text("以前各轮调解协议（已失效）")
    expect(earlier.locator("article.round")).to_have_count(1)
    expect(earlier).to_contain_text("李大壮赔偿王小明800元。")
    expect(earlier.locator(".signature--signed")).to_have_count(2)
    expect(earlier.locator(".crow")).to_have_count(2)
    expect(earlier.locator(".crow").first).to_contain_text("已回访：纠纷复发")
    expect(earlier.locator(".crow").last).to_contain_text("已取消")
    with page.expect_download() as download_info:
        earlier.get_by_role("link", name="下载第1轮协议书（PDF）").click()
    assert download_info.value.suggested_filename == f"agreement-{two_rounds.year}-{two_rounds.sequence}.pdf"
    page.locator("#agreement-title").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "mediation-rounds-desktop.png")
    shot(page, screenshots / "mediation-rounds-desktop-full.png")
    page.context.close()  # before reading the browser's log, as before
    assert browser_log.csp == []
    assert browser_log.errors == []


def test_the_mediator_withdraws_a_wrong_signature_on_the_phone(small_phone_page, browser_log, screenshots, two_rounds):
    page = small_phone_page
    sign_in(page, "village_mediator", DEMO_PASSWORD)
    page.goto(f"/mediation/cases/{two_rounds.pk}/")
    expect(page.locator(".agreement__effective")).to_contain_text("生效日期")
    current = page.locator("section[aria-labelledby=agreement-title]")
    respondent = current.locator(".signature", has_text="李大壮")
    respondent.locator("summary", has_text="撤回签字").click()
    respondent.get_by_role("button", name="撤回").click()  # no reason: the browser asks for one
    expect(page.locator(".flash")).to_have_count(0)
    respondent.get_by_label("撤回原因（如：登记错了当事人或日期）").fill("登记错了日期")
    respondent.get_by_role("button", name="撤回").click()
    expect(page.locator(".flash")).to_have_text("已撤回该签字。")
    expect(page.locator(".agreement__pending")).to_have_text("协议尚未生效：各方当事人签字后生效。")
    expect(current.locator(".signatures--withdrawn")).to_contain_text("已于")
    expect(current.locator(".signatures--withdrawn")).to_contain_text("登记错了日期")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.locator("#agreement-title").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "mediation-rounds-withdrawn-phone.png")
    page.context.close()  # before reading the browser's log, as before
    assert browser_log.csp == []
    assert browser_log.errors == []
