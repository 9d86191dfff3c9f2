"""The partners staff pages in a real Chromium: desktop first, and still usable on a phone.

Staff edit an earning rule, offer a reward and restock it, turn a resident's need into a project,
mark a claim done and close it; a partner logs a service with a real photo on the phone and staff
see it on the records page through the scoped view. Screenshots go to
var/screenshots/e2e-partners-staff-*.png; any Content Security Policy complaint fails the test.
"""

import pytest
from PIL import Image
from playwright.sync_api import expect

from governance.models import Role
from partners import services
from partners.models import Claim, Need, Project, Reward
from tests.conftest import DEMO_PASSWORD
from tests.e2e.conftest import PHONE, open_page, sign_in
from tests.partners.conftest import make_partner

pytestmark = pytest.mark.e2e


def shot(page, path) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=path, full_page=True)


def photo_file(tmp_path):
    path = tmp_path / "service.jpg"
    Image.new("RGB", (640, 480), (180, 40, 40)).save(path, format="JPEG")
    return path


def test_staff_manage_rules_rewards_needs_and_projects(
    browser, live_server, phone_page, desktop_page, browser_log, screenshots, make_user, area_tree, east_staff, tmp_path
):
    east = area_tree["east"]
    lawyer_user = make_user(Role.PARTNER, east, username="lawyer", full_name="张律师")
    lawyer = make_partner(community=east, user=lawyer_user)
    cafe_user = make_user(Role.PARTNER, east, username="cafe", full_name="陈咖啡")
    cafe = make_partner(community=east, user=cafe_user, name="幸福咖啡馆", kind="resource", sub_kind="merchant")
    resident = make_user(Role.RESIDENT, area_tree["east_building"], username="resident", full_name="冯居民")
    services.earning_rule_save(community=east, activity="法律咨询", points=10, monthly_cap=50, actor=east_staff)
    services.earning_rule_save(community=east, activity="课后辅导", points=8, per_hour=True, actor=east_staff)
    services.reward_save(community=east, name="米面油礼包", kind="goods", cost=30, stock=2, actor=east_staff)
    services.reward_save(
        community=east, name="咖啡八折券", kind="coupon", cost=20, stock=10, offered_by=cafe, actor=east_staff
    )
    need = services.need_submit(community=east, title="老人智能手机课", description="每周一次", actor=resident)
    services.need_submit(community=east, title="楼道灯维修", actor=resident)

    # A partner logs a service with a real photo on the phone.
    phone = phone_page
    sign_in(phone, "lawyer", DEMO_PASSWORD)
    phone.goto("/partners/services/new/")
    phone.get_by_label("服务项目").select_option(label="法律咨询 · 10 分")
    phone.get_by_label("服务内容").fill("为两户居民解答租房纠纷")
    phone.get_by_label("现场照片").set_input_files(str(photo_file(tmp_path)))
    phone.get_by_role("button", name="提交").click()
    expect(phone.locator(".flash")).to_contain_text("服务记录已提交")

    desk = desktop_page
    sign_in(desk, east_staff.username, DEMO_PASSWORD)

    # The record's photo, through the scoped view.
    desk.goto("/partners/staff/records/")
    thumb = desk.locator(".record-photos img").first
    expect(thumb).to_be_visible()
    desk.wait_for_function(
        "() => { const i = document.querySelector('.record-photos img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    assert "/media/" not in (thumb.get_attribute("src") or "")
    shot(desk, screenshots / "e2e-partners-staff-0-records-photo.png")

    # Earning rules: edit one.
    desk.goto("/partners/staff/rules/")
    expect(desk.locator("[data-rules] tbody tr")).to_have_count(2)
    shot(desk, screenshots / "e2e-partners-staff-1-rules.png")
    desk.locator("tr", has_text="法律咨询").get_by_role("link", name="编辑").click()
    desk.get_by_label("积分", exact=True).fill("12")
    shot(desk, screenshots / "e2e-partners-staff-2-rule-edit.png")
    desk.get_by_role("button", name="保存").click()
    expect(desk.locator(".flash")).to_contain_text("已保存积分规则：法律咨询")
    expect(desk.locator("tr", has_text="法律咨询")).to_contain_text("12")

    # Rewards: offer one, restock another.
    desk.goto("/partners/staff/rewards/")
    form = desk.locator(".staff-form")
    form.get_by_label("名称").fill("活动室优先使用")
    form.get_by_label("类型").select_option("service")
    form.get_by_label("所需积分").fill("50")
    form.get_by_role("button", name="上架").click()
    expect(desk.locator(".flash")).to_contain_text("已上架：活动室优先使用")
    row = desk.locator("tr", has_text="米面油礼包")
    row.get_by_label("米面油礼包 补充数量").fill("5")
    row.get_by_role("button", name="补充").click()
    expect(desk.locator(".flash")).to_contain_text("现有 7")
    assert Reward.objects.get(name="米面油礼包").stock == 7
    shot(desk, screenshots / "e2e-partners-staff-3-rewards.png")

    # Needs → a project, claimed, marked done, closed.
    desk.goto("/partners/staff/projects/")
    shot(desk, screenshots / "e2e-partners-staff-4-needs-projects.png")
    desk.locator("tr", has_text="老人智能手机课").get_by_role("link", name="立项").click()
    expect(desk.get_by_label("项目名称")).to_have_value("老人智能手机课")
    desk.get_by_label("名额").fill("3")
    desk.get_by_label("每人积分").fill("25")
    shot(desk, screenshots / "e2e-partners-staff-5-project-new.png")
    desk.get_by_role("button", name="发布").click()
    expect(desk.locator(".flash")).to_contain_text("项目已发布")
    assert Need.objects.get(pk=need.pk).status == "adopted"
    project = Project.objects.get(need=need)
    services.project_claim(project=project, partner=lawyer, actor=lawyer_user)
    desk.reload()
    desk.locator("[data-claims] tr", has_text="张律师").get_by_role("button", name="完成").click()
    expect(desk.locator(".flash")).to_contain_text("已标记：张律师")
    assert Claim.objects.get(project=project).status == "done"
    desk.get_by_role("button", name="结项并记分").click()
    expect(desk.locator("[data-status]")).to_have_text("已结项")
    shot(desk, screenshots / "e2e-partners-staff-6-project-closed.png")

    # The same pages on a phone: rows become cards, nothing wider than the screen.
    phone_staff_ctx, phone_staff = open_page(browser, live_server, browser_log, PHONE)
    sign_in(phone_staff, east_staff.username, DEMO_PASSWORD)
    for n, url in enumerate(["/partners/staff/rules/", "/partners/staff/rewards/", "/partners/staff/projects/"]):
        phone_staff.goto(url)
        width = phone_staff.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (url, width)
        shot(phone_staff, screenshots / f"e2e-partners-staff-7-phone-{n}.png")

    for context in (phone.context, desk.context, phone_staff_ctx):
        context.close()
    assert browser_log.csp == []
    assert browser_log.errors == []
