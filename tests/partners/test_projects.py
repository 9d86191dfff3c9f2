"""Needs → projects → claims → evaluations, and the credit profile derived from them."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from governance.exceptions import Conflict, DomainError, InvalidTransition
from governance.models import AuditEntry, Notification, Role
from partners import services
from partners.models import Account, Claim, LedgerTransaction, Need, Project
from tests.partners.conftest import make_partner

pytestmark = pytest.mark.django_db

PROJECT_TABLE = {"published": {"closed"}, "closed": set()}
CLAIM_TABLE = {"claimed": {"done", "no_show"}, "done": set(), "no_show": set()}
NEED_TABLE = {"open": {"adopted"}, "adopted": set()}


@pytest.fixture
def resident(make_user, area_tree):
    return make_user(Role.RESIDENT, area_tree["east_building"], username="resident", full_name="冯居民")


@pytest.fixture
def neighbour(make_user, area_tree):
    return make_user(Role.RESIDENT, area_tree["east_building"], username="neighbour", full_name="邻居")


@pytest.fixture
def project(area_tree, east_staff):
    return services.project_publish(
        community=area_tree["east"], title="周末课后辅导", slots=2, points_per_slot=30, actor=east_staff
    )


def second_partner(make_user, area_tree, n=2):
    user = make_user(Role.PARTNER, area_tree["east"], username=f"p{n}")
    return make_partner(community=area_tree["east"], user=user, name=f"合伙人{n}")


def test_the_tables_are_the_ones_written_here():
    assert {k: set(v) for k, v in services.PROJECT_FLOW.table().items()} == PROJECT_TABLE
    assert {k: set(v) for k, v in services.CLAIM_FLOW.table().items()} == CLAIM_TABLE
    assert {k: set(v) for k, v in services.NEED_FLOW.table().items()} == NEED_TABLE
    assert services.NEED_FLOW.writes("open", "adopted") == frozenset()  # the move writes no other column


def test_a_need_is_supported_once_by_others(resident, neighbour, area_tree):
    need = services.need_submit(community=area_tree["east"], title="楼道灯维修培训", actor=resident)
    with pytest.raises(Conflict) as own:
        services.need_support(need=need, actor=resident)
    assert own.value.code == "own_need"
    services.need_support(need=need, actor=neighbour)
    with pytest.raises(Conflict) as twice:
        services.need_support(need=need, actor=neighbour)
    assert twice.value.detail == "您已经支持过这条需求。"
    assert Need.objects.get(pk=need.pk).supporters == 1


def test_a_need_becomes_a_project(resident, area_tree, east_staff):
    need = services.need_submit(community=area_tree["east"], title="老人智能手机课", actor=resident)
    project = services.project_publish(
        community=area_tree["east"], need=need, title="智能手机课", slots=3, points_per_slot=20, actor=east_staff
    )
    assert project.need == need
    stored = Need.objects.get(pk=need.pk)
    assert stored.status == "adopted"
    assert stored.version == 1
    assert stored.status_changed_at is not None
    entry = AuditEntry.objects.get(
        action=AuditEntry.Action.TRANSITION, object_id=str(need.pk), object_type="partners.need"
    )
    assert entry.actor == east_staff
    assert entry.changes == {"from": "open", "to": "adopted", "note": "智能手机课"}
    notice = Notification.objects.get(idempotency_key=f"need:{need.pk}:adopted")
    assert notice.recipient == resident
    assert notice.title == "您提出的需求“老人智能手机课”已立项"


def test_an_adopted_need_cannot_become_a_second_project(resident, area_tree, east_staff):
    need = services.need_submit(community=area_tree["east"], title="楼道清洁", actor=resident)
    services.project_publish(
        community=area_tree["east"], need=need, title="楼道清洁日", slots=2, points_per_slot=10, actor=east_staff
    )
    fresh = Need.objects.get(pk=need.pk)
    with pytest.raises(InvalidTransition) as again:
        services.project_publish(
            community=area_tree["east"], need=fresh, title="再来一次", slots=1, points_per_slot=10, actor=east_staff
        )
    assert again.value.detail == "需求当前为“已立项”，不能变更为“已立项”。"
    assert Project.objects.filter(need=need).count() == 1


def test_two_staff_publishing_from_one_need_make_one_project(resident, area_tree, east_staff):
    """Both read the need while it was open; the compare-and-set lets only the first move it."""
    need = services.need_submit(community=area_tree["east"], title="儿童托管", actor=resident)
    first, second = Need.objects.get(pk=need.pk), Need.objects.get(pk=need.pk)
    services.project_publish(
        community=area_tree["east"], need=first, title="暑期托管", slots=2, points_per_slot=10, actor=east_staff
    )
    with pytest.raises(Conflict):
        services.project_publish(
            community=area_tree["east"], need=second, title="暑期托管二", slots=2, points_per_slot=10, actor=east_staff
        )
    assert Project.objects.filter(need=need).count() == 1
    assert Need.objects.get(pk=need.pk).version == 1


def test_claims_never_exceed_slots_and_a_partner_claims_once(partner, project, make_user, area_tree):
    services.project_claim(project=project, partner=partner, actor=partner.users.first())
    with pytest.raises(Conflict) as twice:
        services.project_claim(project=project, partner=partner, actor=partner.users.first())
    assert twice.value.code == "already_claimed"
    second = second_partner(make_user, area_tree, 2)
    services.project_claim(project=project, partner=second, actor=second.users.first())
    third = second_partner(make_user, area_tree, 3)
    with pytest.raises(services.SlotsFull) as full:
        services.project_claim(project=project, partner=third, actor=third.users.first())
    assert full.value.detail == "名额已满。"
    assert Project.objects.get(pk=project.pk).claimed == 2
    assert Claim.objects.count() == 2


def test_another_communitys_partner_cannot_claim(west_partner, project):
    with pytest.raises(DomainError) as exc:
        services.project_claim(project=project, partner=west_partner, actor=west_partner.users.first())
    assert exc.value.code == "other_community"


def test_closing_posts_the_points_of_completed_claims_once(partner, project, make_user, area_tree, east_staff):
    done = services.project_claim(project=project, partner=partner, actor=partner.users.first())
    other = second_partner(make_user, area_tree)
    missed = services.project_claim(project=project, partner=other, actor=other.users.first())
    services.claim_mark(claim=done, outcome="done", actor=east_staff)
    services.claim_mark(claim=missed, outcome="no_show", actor=east_staff)
    services.project_close(project=project, actor=east_staff)
    assert Account.objects.get(partner=partner).balance == 30
    assert Account.objects.get(partner=other).balance == 0
    with pytest.raises(InvalidTransition):
        services.project_close(project=project, actor=east_staff)
    assert LedgerTransaction.objects.count() == 1
    with pytest.raises(Conflict):
        services.project_claim(project=project, partner=second_partner(make_user, area_tree, 9), actor=east_staff)


def test_evaluations_by_residents_and_staff_once_each(partner, project, resident, east_staff, west_staff):
    services.project_claim(project=project, partner=partner, actor=partner.users.first())
    by_resident = services.evaluation_add(project=project, partner=partner, evaluator=resident, score=5, comment="耐心")
    by_staff = services.evaluation_add(project=project, partner=partner, evaluator=east_staff, score=4)
    assert (by_resident.role, by_staff.role) == ("resident", "staff")
    with pytest.raises(Conflict):
        services.evaluation_add(project=project, partner=partner, evaluator=resident, score=1)
    with pytest.raises(DomainError) as outsider:
        services.evaluation_add(project=project, partner=partner, evaluator=west_staff, score=1)
    assert outsider.value.detail == "只有本社区的居民代表和工作人员可以评价。"
    with pytest.raises(DomainError) as bad:
        services.evaluation_add(project=project, partner=partner, evaluator=east_staff, score=6)
    assert bad.value.code == "invalid_score"


def test_the_credit_profile_is_derived_and_shows_its_formula(
    partner, project, resident, east_staff, area_tree, make_user
):
    fresh = services.credit_profile(partner=partner)
    assert (fresh.score, fresh.completion_rate, fresh.average_evaluation) == (64, None, None)  # 40 + 8 × 3
    claim = services.project_claim(project=project, partner=partner, actor=partner.users.first())
    services.claim_mark(claim=claim, outcome="done", actor=east_staff)
    other = services.project_publish(
        community=area_tree["east"], title="巡逻", slots=1, points_per_slot=5, actor=east_staff
    )
    missed = services.project_claim(project=other, partner=partner, actor=partner.users.first())
    services.claim_mark(claim=missed, outcome="no_show", actor=east_staff)
    services.evaluation_add(project=project, partner=partner, evaluator=resident, score=5)
    services.evaluation_add(project=project, partner=partner, evaluator=east_staff, score=4)
    profile = services.credit_profile(partner=partner)
    # 40 × 0.5 + 8 × 4.5 + 0 − 5 × 1 = 51
    assert (profile.score, profile.completion_rate, profile.average_evaluation, profile.no_shows) == (51, 0.5, 4.5, 1)
    assert profile.formula.startswith("信用分 = 40 × 完成率 + 8 × 平均评价")


def test_the_projects_api(partner, partner_user, resident, east_staff, area_tree, api_client):
    api_client.force_authenticate(resident)
    need = api_client.post("/api/v1/needs/", {"community": area_tree["east"].pk, "title": "家电维修"}, format="json")
    assert need.status_code == 201
    api_client.force_authenticate(east_staff)
    created = api_client.post(
        "/api/v1/projects/",
        {"need": need.json()["id"], "title": "家电义修", "slots": 1, "points_per_slot": 25},
        format="json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    api_client.force_authenticate(partner_user)
    claim = api_client.post(f"/api/v1/projects/{pk}/claim/")
    assert (claim.status_code, claim.json()["status"]) == (201, "claimed")
    api_client.force_authenticate(east_staff)
    attended = api_client.post(f"/api/v1/projects/{pk}/attendance/", {"claim": claim.json()["id"], "outcome": "done"})
    assert attended.json()["status"] == "done"
    assert api_client.post(f"/api/v1/projects/{pk}/close/").json()["status"] == "closed"
    api_client.force_authenticate(resident)
    rated = api_client.post(f"/api/v1/projects/{pk}/evaluations/", {"partner": partner.pk, "score": 5}, format="json")
    assert (rated.status_code, rated.json()["role"]) == (201, "resident")
    api_client.force_authenticate(partner_user)
    credit = api_client.get(f"/api/v1/partners/{partner.pk}/credit/").json()
    assert (credit["score"], credit["completed"], credit["average_evaluation"]) == (80, 1, 5.0)
    assert Account.objects.get(partner=partner).balance == 25


def test_a_resident_cannot_publish_or_claim(resident, project, api_as):
    client = api_as(resident)
    published = client.post("/api/v1/projects/", {"title": "x", "slots": 1, "points_per_slot": 1})
    assert (published.status_code, published.json()["code"]) == (403, "not_staff_here")
    response = client.post(f"/api/v1/projects/{project.pk}/claim/")
    assert (response.status_code, response.json()["code"]) == (403, "not_partner")


def test_a_west_resident_does_not_see_east_projects(make_user, area_tree, project, api_as):
    west_resident = make_user(Role.RESIDENT, area_tree["west_compound"], username="west_resident")
    assert api_as(west_resident).get(f"/api/v1/projects/{project.pk}/").status_code == 404


def test_the_project_and_credit_pages(partner, partner_user, project):
    client = Client()
    client.force_login(partner_user)
    page = client.get(reverse("partners:projects")).content.decode()
    assert f'data-project="{project.pk}"' in page
    response = client.post(reverse("partners:project_claim", args=[project.pk]), follow=True)
    assert "认领成功：周末课后辅导" in response.content.decode()
    assert "您已认领" in response.content.decode()
    credit = client.get(reverse("partners:credit")).content.decode()
    assert "<dd data-credit-score>64</dd>" in credit


def _evaluated(partner, project, resident, score=1):
    services.project_claim(project=project, partner=partner, actor=partner.users.first())
    return services.evaluation_add(project=project, partner=partner, evaluator=resident, score=score, comment="迟到")


def test_an_upheld_appeal_takes_the_evaluation_out_of_the_credit(
    partner, partner_user, project, resident, east_staff, api_as, api_client
):
    evaluation = _evaluated(partner, project, resident, score=1)
    assert services.credit_profile(partner=partner).average_evaluation == 1.0
    client = api_as(partner_user)
    missing = client.post(f"/api/v1/evaluations/{evaluation.pk}/appeal/", {}, format="json")
    assert missing.json() == {"code": "reason_required", "detail": "申诉必须填写理由。"}
    appealed = client.post(f"/api/v1/evaluations/{evaluation.pk}/appeal/", {"reason": "当天因暴雨改期"}, format="json")
    assert (appealed.status_code, appealed.json()["status"]) == (201, "pending")
    again = client.post(f"/api/v1/evaluations/{evaluation.pk}/appeal/", {"reason": "再次"}, format="json")
    assert again.json()["code"] == "already_appealed"
    own_decision = client.post(f"/api/v1/appeals/{appealed.json()['id']}/decide/", {"uphold": True}, format="json")
    assert (own_decision.status_code, own_decision.json()["code"]) == (403, "not_staff_here")
    api_client.force_authenticate(east_staff)
    decided = api_client.post(
        f"/api/v1/appeals/{appealed.json()['id']}/decide/", {"uphold": True, "note": "属实"}, format="json"
    )
    assert decided.json()["status"] == "upheld"
    assert services.credit_profile(partner=partner).average_evaluation is None


def test_only_the_evaluated_partner_appeals(partner, project, resident, make_user, area_tree, api_as):
    evaluation = _evaluated(partner, project, resident)
    other = second_partner(make_user, area_tree)
    response = api_as(other.users.first()).post(
        f"/api/v1/evaluations/{evaluation.pk}/appeal/", {"reason": "x"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (403, "not_partner")


def test_a_dismissed_appeal_keeps_the_evaluation(partner, project, resident, east_staff):
    evaluation = _evaluated(partner, project, resident, score=2)
    appeal = services.evaluation_appeal(evaluation=evaluation, actor=partner.users.first(), reason="不同意")
    services.appeal_decide(appeal=appeal, uphold=False, actor=east_staff, note="经核实评价属实")
    with pytest.raises(InvalidTransition):
        services.appeal_decide(appeal=appeal, uphold=True, actor=east_staff)
    assert services.credit_profile(partner=partner).average_evaluation == 2.0


def test_the_yearly_ranking(partner, area_tree, east_staff, make_user, resident, api_as):
    import time_machine

    other = second_partner(make_user, area_tree)
    rule = services.earning_rule_save(community=area_tree["east"], activity="义诊", points=15, actor=east_staff)
    with time_machine.travel("2026-06-01 12:00 +0800"):
        for who, times in ((partner, 1), (other, 2)):
            for _ in range(times):
                record = services.service_record_submit(
                    partner=who, rule=rule, served_on=date(2026, 5, 30), actor=who.users.first()
                )
                services.service_record_verify(record=record, actor=east_staff)
    body = api_as(resident).get(f"/api/v1/partners/ranking/?community={area_tree['east'].pk}&year=2026").json()
    assert body["results"] == [
        {"rank": 1, "partner": other.pk, "name": "合伙人2", "points": 30},
        {"rank": 2, "partner": partner.pk, "name": "张律师", "points": 15},
    ]
    west = make_user(Role.RESIDENT, area_tree["west_compound"], username="west_resident")
    assert api_as(west).get(f"/api/v1/partners/ranking/?community={area_tree['east'].pk}&year=2026").status_code == 404
