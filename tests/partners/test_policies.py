"""The role × action matrix of the partners app: one policy, and every door gives the same answer.

For each person and each action the expected answer is written down here as literal data
(``ok`` / ``403`` / ``404``), and the API and, where a page offers the action, the page are both
asked on a fresh world where the action is possible: they must agree with the table.

The world (东升社区 unless said): 张律师 (``lawyer``) is an active partner with 100 points, a
submitted service record and a pending voucher for a coupon that 幸福咖啡 (``merchant``) offers;
``applicant`` has a pending application; ``west_partner`` is a partner of 西苑社区.
"""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from governance.models import Role
from partners import services
from partners.models import Partner
from tests.partners.conftest import grant, make_partner

pytestmark = pytest.mark.django_db

PEOPLE = [
    "lawyer",
    "merchant",
    "applicant",
    "west_partner",
    "resident",
    "east_staff",
    "west_staff",
    "supervisor",
    "admin",
]
ACTIONS = ["decide", "verify", "balance", "cancel", "fulfil"]

EXPECTED = {
    "lawyer":       {"decide": "404", "verify": "403", "balance": "ok",  "cancel": "ok",  "fulfil": "403"},
    "merchant":     {"decide": "404", "verify": "404", "balance": "404", "cancel": "403", "fulfil": "ok"},
    "applicant":    {"decide": "403", "verify": "404", "balance": "404", "cancel": "404", "fulfil": "404"},
    "west_partner": {"decide": "404", "verify": "404", "balance": "404", "cancel": "404", "fulfil": "404"},
    "resident":     {"decide": "404", "verify": "404", "balance": "404", "cancel": "404", "fulfil": "404"},
    "east_staff":   {"decide": "ok",  "verify": "ok",  "balance": "ok",  "cancel": "ok",  "fulfil": "ok"},
    "west_staff":   {"decide": "404", "verify": "404", "balance": "404", "cancel": "404", "fulfil": "404"},
    "supervisor":   {"decide": "ok",  "verify": "ok",  "balance": "ok",  "cancel": "ok",  "fulfil": "ok"},
    "admin":        {"decide": "ok",  "verify": "ok",  "balance": "ok",  "cancel": "ok",  "fulfil": "ok"},
}  # fmt: skip


@pytest.fixture
def world(make_user, area_tree):
    east, west = area_tree["east"], area_tree["west"]
    people = {
        "lawyer": make_user(Role.PARTNER, east, username="lawyer"),
        "merchant": make_user(Role.PARTNER, east, username="merchant"),
        "applicant": make_user(Role.RESIDENT, area_tree["east_building"], username="applicant"),
        "west_partner": make_user(Role.PARTNER, west, username="west_partner"),
        "resident": make_user(Role.RESIDENT, area_tree["east_building"], username="resident"),
        "east_staff": make_user(Role.COMMUNITY_STAFF, east, username="east_staff"),
        "west_staff": make_user(Role.COMMUNITY_STAFF, west, username="west_staff"),
        "supervisor": make_user(Role.STREET_SUPERVISOR, area_tree["street"], username="supervisor"),
        "admin": make_user(Role.ADMIN, area_tree["district"], username="admin"),
    }
    lawyer = make_partner(community=east, user=people["lawyer"])
    merchant = make_partner(
        community=east, user=people["merchant"], name="幸福咖啡", kind="resource", sub_kind="merchant"
    )
    make_partner(community=west, user=people["west_partner"], name="西苑志愿者", kind="volunteer", sub_kind="student")
    application = services.partner_apply(
        applicant=people["applicant"], community=east, name="新申请", kind="volunteer", sub_kind="resident"
    )
    staff = people["east_staff"]
    rule = services.earning_rule_save(community=east, activity="法律咨询", points=10, actor=staff)
    record = services.service_record_submit(
        partner=lawyer, rule=rule, served_on=date(2026, 11, 2), actor=people["lawyer"]
    )
    grant(lawyer, 100, "seed")
    coupon = services.reward_save(
        community=east, name="咖啡券", kind="coupon", cost=10, offered_by=merchant, actor=staff
    )
    voucher, _ = services.redemption_create(partner=lawyer, reward=coupon, quantity=1, actor=people["lawyer"], key="v")
    return {
        "people": people,
        "lawyer": lawyer,
        "coupon": coupon,
        "application": application,
        "record": record,
        "voucher": voucher,
    }


def _api_call(client, action: str, world) -> int:
    if action == "decide":
        return client.post(f"/api/v1/partners/{world['application'].pk}/approve/", {}, format="json").status_code
    if action == "verify":
        return client.post(f"/api/v1/service-records/{world['record'].pk}/verify/", {}, format="json").status_code
    if action == "balance":
        return client.get(f"/api/v1/points/balance/?partner={world['lawyer'].pk}").status_code
    if action == "cancel":
        return client.post(f"/api/v1/redemptions/{world['voucher'].pk}/cancel/", {}, format="json").status_code
    return client.post(f"/api/v1/redemptions/{world['voucher'].pk}/fulfil/", {}, format="json").status_code


def _answer(code: int, ok: set[int]) -> str:
    return "ok" if code in ok else str(code)


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("action", ACTIONS)
def test_the_api_follows_the_matrix(person, action, world, api_as):
    client = api_as(world["people"][person])
    assert _answer(_api_call(client, action, world), {200}) == EXPECTED[person][action]


PAGE_ACTIONS = {
    "decide": lambda w: (reverse("partners:partner_decide", args=[w["application"].pk]), {"decision": "approve"}),
    "verify": lambda w: (reverse("partners:record_verify", args=[w["record"].pk]), {}),
    "cancel": lambda w: (reverse("partners:voucher_cancel", args=[w["voucher"].pk]), {}),
}


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("action", sorted(PAGE_ACTIONS))
def test_the_pages_agree_with_the_matrix(person, action, world):
    client = Client()
    client.force_login(world["people"][person])
    url, data = PAGE_ACTIONS[action](world)
    assert _answer(client.post(url, data).status_code, {302}) == EXPECTED[person][action]


def test_the_fulfil_page_agrees_with_the_matrix(world):
    answers = {}
    for person in PEOPLE:
        voucher = world["voucher"]
        client = Client()
        client.force_login(world["people"][person])
        response = client.post(reverse("partners:fulfil"), {"code": voucher.voucher_code})
        answers[person] = _answer(response.status_code, {302})
        if answers[person] == "ok":  # put the voucher back for the next person
            break
    assert answers == {"lawyer": "403", "merchant": "ok"}


def test_a_refusal_carries_the_policys_code_and_reason(world, api_as):
    response = api_as(world["people"]["lawyer"]).post(
        f"/api/v1/redemptions/{world['voucher'].pk}/fulfil/", {}, format="json"
    )
    assert response.json() == {
        "code": "not_offering_merchant",
        "detail": "只有社区工作人员或提供该商品的商户可以核销。",
    }


def test_a_suspended_partner_may_not_redeem(world, api_as):
    lawyer = world["lawyer"]
    services.partner_decide(partner=lawyer, decision="suspend", actor=world["people"]["east_staff"], reason="暂停")
    assert Partner.objects.get(pk=lawyer.pk).status == "suspended"
    response = api_as(world["people"]["lawyer"]).post(
        "/api/v1/redemptions/", {"reward": world["coupon"].pk, "quantity": 1}, format="json", HTTP_IDEMPOTENCY_KEY="x"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "partner_not_active"
