"""The staff pages: earning rules per community, rewards and stock, needs and projects. Each page
asks the policy (a partner or a resident gets 403), another community's rows are a 404, every write
goes through the services, errors come back on the form in Chinese, and no page has inline code."""

import pytest
from django.test import Client
from django.urls import reverse

from governance.models import Role
from partners import services
from partners.models import Claim, EarningRule, LedgerTransaction, Need, Project, Reward
from tests.csp import assert_csp_clean

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def resident(make_user, area_tree):
    return make_user(Role.RESIDENT, area_tree["east_building"], username="resident", full_name="冯居民")


@pytest.fixture
def rule(area_tree, east_staff):
    return services.earning_rule_save(community=area_tree["east"], activity="法律咨询", points=10, actor=east_staff)


@pytest.fixture
def rice(area_tree, east_staff):
    return services.reward_save(
        community=area_tree["east"], name="米面油礼包", kind="goods", cost=30, stock=5, actor=east_staff
    )


STAFF_PAGES = [
    "partners:staff_rules",
    "partners:staff_rewards",
    "partners:staff_projects",
    "partners:staff_project_new",
]


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_a_partner_or_a_resident_is_refused_every_staff_page(name, partner_user, resident):
    for user in (partner_user, resident):
        response = login(user).get(reverse(name))
        assert response.status_code == 403
        assert "只有社区工作人员可以查看此页面。" in response.content.decode()


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_another_communitys_page_is_not_found_for_staff_elsewhere(name, west_staff, area_tree):
    assert login(west_staff).get(reverse(name), {"community": area_tree["east"].pk}).status_code == 404


def test_staff_see_and_add_the_rules_of_their_community(east_staff, rule, area_tree):
    services.earning_rule_save(community=area_tree["west"], activity="西苑巡逻", points=5, actor=east_staff)
    client = login(east_staff)
    page = client.get(reverse("partners:staff_rules"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-rule="{rule.pk}"' in html
    assert "西苑巡逻" not in html
    assert_csp_clean(page)
    added = client.post(
        reverse("partners:staff_rules"),
        {"community": area_tree["east"].pk, "activity": "课后辅导", "points": "8", "per_hour": "on",
         "monthly_cap": "40", "is_active": "on"},
    )  # fmt: skip
    assert added.status_code == 302
    new = EarningRule.objects.get(activity="课后辅导")
    assert (new.community, new.points, new.per_hour, new.monthly_cap) == (area_tree["east"], 8, True, 40)


def test_a_duplicate_activity_comes_back_on_the_form(east_staff, rule, area_tree):
    response = login(east_staff).post(
        reverse("partners:staff_rules"), {"community": area_tree["east"].pk, "activity": "法律咨询", "points": "12"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors
    assert response.context["form"].data["points"] == "12"  # nothing typed is lost
    assert EarningRule.objects.filter(activity="法律咨询").count() == 1


def test_staff_edit_a_rule_and_others_cannot(east_staff, west_staff, partner, partner_user, rule):
    url = reverse("partners:staff_rule_edit", args=[rule.pk])
    page = login(east_staff).get(url)
    assert page.status_code == 200
    assert_csp_clean(page)
    saved = login(east_staff).post(url, {"activity": "法律咨询", "points": "15", "monthly_cap": "60"})
    assert saved.status_code == 302
    rule.refresh_from_db()
    assert (rule.points, rule.monthly_cap, rule.is_active) == (15, 60, False)
    assert login(west_staff).post(url, {"activity": "x", "points": "1"}).status_code == 404
    assert login(partner_user).post(url, {"activity": "x", "points": "1"}).status_code == 403
    rule.refresh_from_db()
    assert rule.points == 15


def test_staff_list_rewards_with_stock_add_one_and_restock(east_staff, rice, area_tree):
    client = login(east_staff)
    page = client.get(reverse("partners:staff_rewards"))
    assert page.status_code == 200
    assert_csp_clean(page)
    assert f'data-reward="{rice.pk}"' in page.content.decode()
    created = client.post(
        reverse("partners:staff_rewards"),
        {"community": area_tree["east"].pk, "name": "活动室优先使用", "kind": "service", "cost": "50"},
    )
    assert created.status_code == 302
    room = Reward.objects.get(name="活动室优先使用")
    assert room.stock is None  # empty stock means unlimited
    restocked = client.post(reverse("partners:staff_reward_restock", args=[rice.pk]), {"add": "3"})
    assert restocked.status_code == 302
    rice.refresh_from_db()
    assert rice.stock == 8
    page = client.get(reverse("partners:staff_rewards"))
    assert "不限量" in page.content.decode()


def test_a_reward_with_a_wrong_window_comes_back_in_chinese(east_staff, area_tree):
    response = login(east_staff).post(
        reverse("partners:staff_rewards"),
        {"community": area_tree["east"].pk, "name": "米", "kind": "goods", "cost": "5",
         "valid_from": "2026-06-01", "valid_until": "2026-05-01"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "截止日期不能早于开始日期。" in response.content.decode()
    assert not Reward.objects.exists()


def test_restocking_is_refused_to_a_partner_and_to_staff_elsewhere(partner, partner_user, west_staff, rice):
    url = reverse("partners:staff_reward_restock", args=[rice.pk])
    assert login(partner_user).post(url, {"add": "3"}).status_code == 403
    assert login(west_staff).post(url, {"add": "3"}).status_code == 404
    rice.refresh_from_db()
    assert rice.stock == 5


def test_a_need_becomes_a_project_claimed_marked_and_closed_through_the_pages(east_staff, resident, partner, area_tree):
    need = services.need_submit(community=area_tree["east"], title="老人智能手机课", actor=resident)
    client = login(east_staff)
    listing = client.get(reverse("partners:staff_projects"))
    assert f'data-need="{need.pk}"' in listing.content.decode()
    assert_csp_clean(listing)
    form = client.get(reverse("partners:staff_project_new"), {"community": area_tree["east"].pk, "need": need.pk})
    assert form.status_code == 200
    assert form.context["form"].initial["title"] == "老人智能手机课"
    assert_csp_clean(form)
    published = client.post(
        reverse("partners:staff_project_new"),
        {"community": area_tree["east"].pk, "need": need.pk, "title": "智能手机课", "slots": "2",
         "points_per_slot": "25"},
    )  # fmt: skip
    assert published.status_code == 302
    project = Project.objects.get(title="智能手机课")
    assert Need.objects.get(pk=need.pk).status == "adopted"
    claim = services.project_claim(project=project, partner=partner, actor=partner.users.first())

    detail = client.get(reverse("partners:staff_project", args=[project.pk]))
    assert detail.status_code == 200
    assert f'data-claim="{claim.pk}"' in detail.content.decode()
    assert_csp_clean(detail)
    client.post(reverse("partners:staff_claim_mark", args=[project.pk, claim.pk]), {"outcome": "done"})
    assert Claim.objects.get(pk=claim.pk).status == "done"
    client.post(reverse("partners:staff_project_close", args=[project.pk]))
    assert Project.objects.get(pk=project.pk).status == "closed"
    assert LedgerTransaction.objects.filter(idempotency_key=f"project:{project.pk}:claim:{claim.pk}").count() == 1
    again = client.post(reverse("partners:staff_project_close", args=[project.pk]), follow=True)
    assert "项目当前为“已结项”，不能变更为“已结项”。" in again.content.decode()
    assert LedgerTransaction.objects.filter(idempotency_key=f"project:{project.pk}:claim:{claim.pk}").count() == 1


def test_project_pages_are_refused_to_a_partner_and_hidden_from_staff_elsewhere(
    east_staff, west_staff, partner, partner_user, area_tree
):
    project = services.project_publish(
        community=area_tree["east"], title="周末辅导", slots=1, points_per_slot=10, actor=east_staff
    )
    assert login(partner_user).get(reverse("partners:staff_project", args=[project.pk])).status_code == 403
    assert login(west_staff).get(reverse("partners:staff_project", args=[project.pk])).status_code == 404
    assert login(partner_user).post(reverse("partners:staff_project_close", args=[project.pk])).status_code == 403
    assert Project.objects.get(pk=project.pk).status == "published"


def test_the_menu_offers_the_staff_pages_to_staff_only(east_staff, partner_user):
    staff_home = login(east_staff).get(reverse("partners:records")).content.decode()
    for name in ("partners:staff_rules", "partners:staff_rewards", "partners:staff_projects"):
        assert reverse(name) in staff_home
    partner_home = login(partner_user).get(reverse("partners:my_points")).content.decode()
    assert reverse("partners:staff_rules") not in partner_home
