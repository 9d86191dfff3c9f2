"""The partners API through the client: contract shapes, the Idempotency-Key, bad input refused in
Chinese with nothing written, contacts masked in lists."""

from datetime import date

import pytest

from governance.models import Role
from partners import services
from partners.models import Account, EarningRule, LedgerTransaction, Partner, Redemption, Reward, ServiceRecord
from tests.partners.conftest import grant, make_partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def rice(area_tree, east_staff):
    return services.reward_save(
        community=area_tree["east"], name="米面油礼包", kind="goods", cost=30, stock=5, actor=east_staff
    )


def post_redemption(client, reward_pk, quantity=1, key="key-1"):
    data = {"reward": reward_pk, "quantity": quantity}
    return client.post("/api/v1/redemptions/", data, format="json", HTTP_IDEMPOTENCY_KEY=key)


def _nothing_written(partner, balance):
    assert Redemption.objects.count() == 0
    assert Account.objects.get(partner=partner).balance == balance


def test_applying_and_approving_through_the_api(make_user, area_tree, east_staff, api_client):
    applicant = make_user(Role.RESIDENT, area_tree["east_building"], username="applicant")
    api_client.force_authenticate(applicant)
    response = api_client.post(
        "/api/v1/partners/",
        {
            "community": area_tree["east"].pk,
            "name": "王医生",
            "kind": "professional",
            "sub_kind": "doctor",
            "contact_phone": "13712345678",
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["contact_phone"]) == ("pending", "137****5678")
    api_client.force_authenticate(east_staff)
    declined = api_client.post(f"/api/v1/partners/{body['id']}/decline/", {}, format="json")
    assert declined.status_code == 400
    assert declined.json() == {"code": "reason_required", "detail": "拒绝或暂停必须填写原因。"}
    approved = api_client.post(f"/api/v1/partners/{body['id']}/approve/", {}, format="json")
    assert (approved.status_code, approved.json()["status"]) == (200, "active")
    again = api_client.post(f"/api/v1/partners/{body['id']}/approve/", {}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"


def test_a_partner_lists_only_itself_with_the_contact_masked(partner, west_partner, partner_user, api_as):
    Partner.objects.filter(pk=partner.pk).update(contact_phone="13900001111")
    rows = api_as(partner_user).get("/api/v1/partners/").json()["results"]
    assert [(r["id"], r["contact_phone"]) for r in rows] == [(partner.pk, "139****1111")]
    assert api_as(partner_user).get(f"/api/v1/partners/{west_partner.pk}/").status_code == 404


def test_staff_create_rules_for_their_community(east_staff, area_tree, api_as):
    response = api_as(east_staff).post(
        "/api/v1/earning-rules/", {"activity": "物资捐赠", "points": 20, "monthly_cap": 100}, format="json"
    )
    assert response.status_code == 201
    assert EarningRule.objects.get().community == area_tree["east"]


def test_a_partner_cannot_create_rules(partner_user, partner, area_tree, api_as):
    response = api_as(partner_user).post(
        "/api/v1/earning-rules/", {"community": area_tree["east"].pk, "activity": "自定", "points": 99}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "not_staff_here"
    assert EarningRule.objects.count() == 0


def test_log_verify_and_see_the_points(partner, partner_user, east_staff, area_tree, api_as, api_client):
    rule = services.earning_rule_save(community=area_tree["east"], activity="法律咨询", points=10, actor=east_staff)
    created = api_as(partner_user).post(
        "/api/v1/service-records/", {"rule": rule.pk, "served_on": "2026-11-20", "hours": "1.0"}, format="json"
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    api_client.force_authenticate(east_staff)
    verified = api_client.post(f"/api/v1/service-records/{pk}/verify/", {}, format="json")
    assert (verified.status_code, verified.json()["points_awarded"]) == (200, 10)
    twice = api_client.post(f"/api/v1/service-records/{pk}/verify/", {}, format="json")
    assert twice.status_code == 409
    assert LedgerTransaction.objects.count() == 1
    api_client.force_authenticate(partner_user)
    assert api_client.get("/api/v1/points/balance/").json() == {
        "partner": partner.pk,
        "balance": 10,
        "frozen": 0,
        "available": 10,
    }
    ledger = api_client.get("/api/v1/points/ledger/").json()["results"]
    assert [(row["kind"], row["amount"], row["running_balance"]) for row in ledger] == [("earn", 10, 10)]


def test_staff_see_a_partners_balance_with_the_parameter(partner, east_staff, api_as):
    grant(partner, 15, "g")
    assert api_as(east_staff).get(f"/api/v1/points/balance/?partner={partner.pk}").json()["available"] == 15


def test_a_partner_cannot_read_another_partners_balance(partner_user, partner, west_partner, api_as):
    assert api_as(partner_user).get(f"/api/v1/points/balance/?partner={west_partner.pk}").status_code == 404


def test_staff_create_rewards_in_their_community(east_staff, area_tree, api_as):
    response = api_as(east_staff).post(
        "/api/v1/rewards/", {"name": "活动室优先使用", "kind": "service", "cost": 15, "stock": None}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["community"], body["stock"], body["partner"]) == (area_tree["east"].pk, None, None)


def test_redeeming_returns_the_voucher_and_the_same_key_returns_the_same_body(partner, partner_user, rice, api_as):
    grant(partner, 100, "g")
    client = api_as(partner_user)
    first = post_redemption(client, rice.pk)
    assert first.status_code == 201
    body = first.json()
    assert (body["status"], body["points"], len(body["voucher_code"])) == ("pending", 30, 8)
    again = post_redemption(client, rice.pk)
    assert (again.status_code, again.json()) == (201, body)
    assert Redemption.objects.count() == 1
    assert Account.objects.get(partner=partner).balance == 70


def test_redeeming_needs_an_idempotency_key(partner, partner_user, rice, api_as):
    grant(partner, 100, "g")
    response = api_as(partner_user).post("/api/v1/redemptions/", {"reward": rice.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_required"
    _nothing_written(partner, 100)


def test_insufficient_points_is_a_409_in_chinese(partner, partner_user, rice, api_as):
    grant(partner, 10, "g")
    response = post_redemption(api_as(partner_user), rice.pk)
    assert response.status_code == 409
    assert response.json() == {"code": "insufficient_points", "detail": "积分不足：可用 10 分，兑换需要 30 分。"}
    _nothing_written(partner, 10)


def test_out_of_stock_is_a_409(partner, partner_user, rice, api_as):
    grant(partner, 1000, "g")
    response = post_redemption(api_as(partner_user), rice.pk, quantity=6)
    assert (response.status_code, response.json()["code"]) == (409, "out_of_stock")
    _nothing_written(partner, 1000)


def test_limit_reached_is_a_409(partner, partner_user, area_tree, east_staff, api_as):
    grant(partner, 100, "g")
    reward = services.reward_save(
        community=area_tree["east"], name="体检券", kind="service", cost=5, per_partner_limit=1, actor=east_staff
    )
    client = api_as(partner_user)
    assert post_redemption(client, reward.pk, key="a").status_code == 201
    response = post_redemption(client, reward.pk, key="b")
    assert response.json() == {"code": "limit_reached", "detail": "每人限兑 1 份，您已兑换 1 份。"}
    assert Redemption.objects.count() == 1


@pytest.mark.parametrize("quantity", [0, -3])
def test_zero_or_negative_quantity(partner, partner_user, rice, api_as, quantity):
    grant(partner, 100, "g")
    response = post_redemption(api_as(partner_user), rice.pk, quantity=quantity)
    assert response.json() == {"code": "invalid_quantity", "detail": "兑换数量必须大于零。"}
    _nothing_written(partner, 100)


def test_an_unknown_reward(partner, partner_user, api_as):
    grant(partner, 100, "g")
    response = post_redemption(api_as(partner_user), 999999)
    assert (response.status_code, response.json()["detail"]) == (400, "兑换商品不存在。")
    _nothing_written(partner, 100)


def test_another_communitys_reward(west_partner, west_partner_user, rice, api_as):
    grant(west_partner, 100, "g")
    response = post_redemption(api_as(west_partner_user), rice.pk)
    assert response.json() == {"code": "other_community", "detail": "该商品不属于您所在的社区，不能兑换。"}
    _nothing_written(west_partner, 100)


def test_a_non_partner_cannot_redeem(make_user, area_tree, rice, api_as):
    resident = make_user(Role.RESIDENT, area_tree["east_building"], username="resident")
    response = post_redemption(api_as(resident), rice.pk)
    assert response.status_code == 403
    assert response.json() == {"code": "not_partner", "detail": "您还不是社区合伙人，不能执行此操作。"}
    assert Redemption.objects.count() == 0


def test_a_foreign_merchant_cannot_fulfil_by_code(partner, partner_user, rice, area_tree, make_user, api_as):
    grant(partner, 100, "g")
    voucher = post_redemption(api_as(partner_user), rice.pk).json()
    other_user = make_user(Role.PARTNER, area_tree["east"], username="other_merchant")
    make_partner(community=area_tree["east"], user=other_user, name="别家商户", kind="resource", sub_kind="merchant")
    response = api_as(other_user).post(
        "/api/v1/redemptions/fulfil-by-code/", {"code": voucher["voucher_code"]}, format="json"
    )
    assert response.status_code == 404
    assert Redemption.objects.get().status == "pending"


def test_the_offering_merchant_fulfils_by_code_typed_loosely(
    partner, partner_user, area_tree, east_staff, make_user, api_as
):
    grant(partner, 100, "g")
    merchant_user = make_user(Role.PARTNER, area_tree["east"], username="cafe")
    cafe = make_partner(
        community=area_tree["east"], user=merchant_user, name="幸福咖啡", kind="resource", sub_kind="merchant"
    )
    coupon = services.reward_save(
        community=area_tree["east"], name="咖啡券", kind="coupon", cost=10, offered_by=cafe, actor=east_staff
    )
    code = post_redemption(api_as(partner_user), coupon.pk).json()["voucher_code"]
    typed = f" {code[:4].lower()}-{code[4:]} "
    response = api_as(merchant_user).post("/api/v1/redemptions/fulfil-by-code/", {"code": typed}, format="json")
    assert (response.status_code, response.json()["status"]) == (200, "fulfilled")


def test_cancelling_through_the_api_refunds(partner, partner_user, rice, api_as):
    grant(partner, 100, "g")
    client = api_as(partner_user)
    voucher = post_redemption(client, rice.pk).json()
    response = client.post(f"/api/v1/redemptions/{voucher['id']}/cancel/", {}, format="json")
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    assert client.get("/api/v1/points/balance/").json()["available"] == 100
    assert Reward.objects.get(pk=rice.pk).stock == 5


def test_rejecting_a_record_needs_a_reason(partner, partner_user, east_staff, area_tree, api_as):
    rule = services.earning_rule_save(community=area_tree["east"], activity="义诊", points=15, actor=east_staff)
    record = services.service_record_submit(partner=partner, rule=rule, served_on=date(2026, 11, 1), actor=partner_user)
    client = api_as(east_staff)
    response = client.post(f"/api/v1/service-records/{record.pk}/reject/", {}, format="json")
    assert response.json() == {"code": "reason_required", "detail": "不通过必须填写原因。"}
    assert ServiceRecord.objects.get(pk=record.pk).status == "submitted"
