"""Every partners API write that creates something honours ``Idempotency-Key`` as the core does
(``governance.idempotency.idempotent_api``): the same key and body again → the first response
(status and body, ``Idempotent-Replayed: true``) and nothing more written; the same key with another
body → 422 ``idempotency_key_reused`` and nothing written."""

import pytest

from governance.models import Role
from partners import services
from partners.models import (
    Claim,
    EarningRule,
    Evaluation,
    EvaluationAppeal,
    Need,
    NeedSupport,
    Partner,
    PointsAdjustment,
    Project,
    Redemption,
    Reward,
    ServiceRecord,
)
from tests.partners.conftest import grant

pytestmark = pytest.mark.django_db


def post(client, path, body, key):
    return client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_the_same_adjustment_key_twice_makes_one_adjustment_and_the_same_response(partner, east_staff, api_as):
    client = api_as(east_staff)
    body = {"partner": partner.pk, "points": 5, "reason": "志愿服务补记"}
    first = post(client, "/api/v1/points/adjustments/", body, "adj-1")
    again = post(client, "/api/v1/points/adjustments/", body, "adj-1")
    assert first.status_code == 201
    assert (again.status_code, again.json()) == (201, first.json())
    assert first.json()["status"] == "posted"
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert PointsAdjustment.objects.count() == 1
    partner.account.refresh_from_db()
    assert partner.account.balance == 5


def test_the_same_adjustment_key_with_another_body_is_a_422_and_writes_nothing(partner, east_staff, api_as):
    client = api_as(east_staff)
    post(client, "/api/v1/points/adjustments/", {"partner": partner.pk, "points": 5, "reason": "补记"}, "adj-2")
    other = post(
        client, "/api/v1/points/adjustments/", {"partner": partner.pk, "points": 50, "reason": "补记"}, "adj-2"
    )
    assert other.status_code == 422
    assert other.json() == {
        "code": "idempotency_key_reused",
        "detail": "该 Idempotency-Key 已用于另一个不同的请求，请为新请求换一个新的键。",
    }
    assert PointsAdjustment.objects.count() == 1
    partner.account.refresh_from_db()
    assert partner.account.balance == 5


def test_without_a_key_each_adjustment_request_is_its_own(partner, east_staff, api_as):
    client = api_as(east_staff)
    body = {"partner": partner.pk, "points": 5, "reason": "补记"}
    for _ in range(2):
        assert client.post("/api/v1/points/adjustments/", body, format="json").status_code == 201
    assert PointsAdjustment.objects.count() == 2


def test_a_refused_adjustment_stores_nothing_so_a_retry_is_judged_afresh(partner, east_staff, api_as):
    client = api_as(east_staff)
    body = {"partner": partner.pk, "points": -5, "reason": "扣回"}
    refused = post(client, "/api/v1/points/adjustments/", body, "adj-3")
    assert (refused.status_code, refused.json()["code"]) == (409, "insufficient_points")
    grant(partner, 10, "seed")
    retried = post(client, "/api/v1/points/adjustments/", body, "adj-3")
    assert (retried.status_code, retried.json()["status"]) == (201, "posted")
    assert PointsAdjustment.objects.count() == 1


@pytest.fixture
def world(partner, partner_user, east_staff, make_user, area_tree):
    """One of everything the creates below need, made through the services."""
    resident = make_user(Role.RESIDENT, area_tree["east_building"], username="resident", full_name="冯居民")
    neighbour = make_user(Role.RESIDENT, area_tree["east_building"], username="neighbour", full_name="邻居")
    applicant = make_user(Role.RESIDENT, area_tree["east_building"], username="applicant")
    rule = services.earning_rule_save(community=area_tree["east"], activity="法律咨询", points=10, actor=east_staff)
    rice = services.reward_save(
        community=area_tree["east"], name="米面油礼包", kind="goods", cost=30, stock=5, actor=east_staff
    )
    grant(partner, 100, "seed")
    need = services.need_submit(community=area_tree["east"], title="家电维修", actor=resident)
    project = services.project_publish(
        community=area_tree["east"], title="周末课后辅导", slots=2, points_per_slot=30, actor=east_staff
    )
    rated = services.project_publish(
        community=area_tree["east"], title="社区义诊", slots=2, points_per_slot=10, actor=east_staff
    )
    services.project_claim(project=rated, partner=partner, actor=partner_user)
    evaluation = services.evaluation_add(project=rated, partner=partner, evaluator=resident, score=1, comment="迟到")
    return {
        "staff": east_staff,
        "partner_user": partner_user,
        "resident": resident,
        "neighbour": neighbour,
        "applicant": applicant,
        "east": area_tree["east"].pk,
        "partner": partner.pk,
        "rule": rule.pk,
        "rice": rice.pk,
        "need": need.pk,
        "project": project.pk,
        "rated": rated.pk,
        "evaluation": evaluation.pk,
    }


# name → (who, path, body, another body, the model that must gain exactly one row)
CREATES = {
    "partners": (
        "applicant",
        "/api/v1/partners/",
        lambda w: {"community": w["east"], "name": "王医生", "kind": "professional", "sub_kind": "doctor"},
        lambda w: {"community": w["east"], "name": "李医生", "kind": "professional", "sub_kind": "doctor"},
        Partner,
    ),
    "earning-rules": (
        "staff",
        "/api/v1/earning-rules/",
        lambda w: {"activity": "物资捐赠", "points": 20},
        lambda w: {"activity": "物资捐赠", "points": 25},
        EarningRule,
    ),
    "service-records": (
        "partner_user",
        "/api/v1/service-records/",
        lambda w: {"rule": w["rule"], "served_on": "2026-11-20", "hours": "1.0"},
        lambda w: {"rule": w["rule"], "served_on": "2026-11-21", "hours": "1.0"},
        ServiceRecord,
    ),
    "rewards": (
        "staff",
        "/api/v1/rewards/",
        lambda w: {"name": "活动室优先使用", "kind": "service", "cost": 15, "stock": None},
        lambda w: {"name": "活动室优先使用", "kind": "service", "cost": 20, "stock": None},
        Reward,
    ),
    "redemptions": (
        "partner_user",
        "/api/v1/redemptions/",
        lambda w: {"reward": w["rice"], "quantity": 1},
        lambda w: {"reward": w["rice"], "quantity": 2},
        Redemption,
    ),
    "points/adjustments": (
        "staff",
        "/api/v1/points/adjustments/",
        lambda w: {"partner": w["partner"], "points": 5, "reason": "补记"},
        lambda w: {"partner": w["partner"], "points": 6, "reason": "补记"},
        PointsAdjustment,
    ),
    "needs": (
        "resident",
        "/api/v1/needs/",
        lambda w: {"community": w["east"], "title": "楼道照明"},
        lambda w: {"community": w["east"], "title": "楼道扶手"},
        Need,
    ),
    "needs/{id}/support": (
        "neighbour",
        "/api/v1/needs/{need}/support/",
        lambda w: {},
        lambda w: {"note": "另一个请求"},
        NeedSupport,
    ),
    "projects": (
        "staff",
        "/api/v1/projects/",
        lambda w: {"title": "家电义修", "slots": 1, "points_per_slot": 25},
        lambda w: {"title": "家电义修", "slots": 2, "points_per_slot": 25},
        Project,
    ),
    "projects/{id}/claim": (
        "partner_user",
        "/api/v1/projects/{project}/claim/",
        lambda w: {},
        lambda w: {"note": "另一个请求"},
        Claim,
    ),
    "projects/{id}/evaluations": (
        "staff",
        "/api/v1/projects/{rated}/evaluations/",
        lambda w: {"partner": w["partner"], "score": 5},
        lambda w: {"partner": w["partner"], "score": 4},
        Evaluation,
    ),
    "evaluations/{id}/appeal": (
        "partner_user",
        "/api/v1/evaluations/{evaluation}/appeal/",
        lambda w: {"reason": "当天因暴雨改期"},
        lambda w: {"reason": "另一个理由"},
        EvaluationAppeal,
    ),
}


@pytest.mark.parametrize("name", list(CREATES))
def test_every_create_replays_for_the_same_key_and_refuses_another_body(name, world, api_client):
    who, path, body, other_body, model = CREATES[name]
    api_client.force_authenticate(world[who])
    path = path.format(**world)
    before = model.objects.count()
    first = post(api_client, path, body(world), f"{name}-key")
    assert first.status_code in (200, 201), first.content
    again = post(api_client, path, body(world), f"{name}-key")
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert again["Idempotent-Replayed"] == "true"
    other = post(api_client, path, other_body(world), f"{name}-key")
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert model.objects.count() == before + 1
