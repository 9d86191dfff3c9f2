"""Manual adjustments: a reason always; above the threshold (200) a second, different staff member
approves before anything posts; approving one's own is refused; an overdraft writes nothing."""

import pytest
from django.test import override_settings

from governance.exceptions import DomainError, InvalidTransition
from governance.models import Notification, Role
from partners import services
from partners.models import Account, LedgerTransaction, PointsAdjustment
from tests.partners.conftest import grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_staff(make_user, area_tree):
    return make_user(Role.COMMUNITY_STAFF, area_tree["east"], username="second_staff", full_name="吴社区")


def balance(partner) -> int:
    return Account.objects.get(partner=partner).balance


def test_a_small_adjustment_posts_at_once(partner, east_staff):
    adjustment = services.adjustment_request(partner=partner, points=200, reason="补记三月活动", actor=east_staff)
    assert adjustment.status == "posted"
    assert balance(partner) == 200
    assert LedgerTransaction.objects.get().idempotency_key == f"adjustment:{adjustment.pk}"


def test_a_large_adjustment_waits_for_a_second_person(partner, east_staff, second_staff):
    adjustment = services.adjustment_request(partner=partner, points=201, reason="年度表彰", actor=east_staff)
    assert adjustment.status == "pending_approval"
    assert balance(partner) == 0
    assert Notification.objects.filter(recipient=second_staff, title="积分调整待复核：张律师 +201").count() == 1
    assert not Notification.objects.filter(recipient=east_staff).exists()
    with pytest.raises(services.OwnAdjustment) as exc:
        services.adjustment_approve(adjustment=adjustment, actor=east_staff)
    assert exc.value.detail == "不能复核自己提出的调整，请由另一位工作人员复核。"
    assert balance(partner) == 0
    services.adjustment_approve(adjustment=adjustment, actor=second_staff)
    assert balance(partner) == 201
    with pytest.raises(InvalidTransition):
        services.adjustment_approve(adjustment=adjustment, actor=second_staff)
    assert LedgerTransaction.objects.count() == 1


@override_settings(POINTS_APPROVAL_THRESHOLD=50)
def test_the_threshold_is_a_setting(partner, east_staff):
    assert services.adjustment_request(partner=partner, points=-51, reason="扣回", actor=east_staff).status == (
        "pending_approval"
    )


def test_a_reason_is_required(partner, east_staff):
    with pytest.raises(services.ReasonRequired):
        services.adjustment_request(partner=partner, points=10, reason=" ", actor=east_staff)
    assert PointsAdjustment.objects.count() == 0


def test_a_negative_adjustment_cannot_overdraw_and_writes_nothing(partner, east_staff):
    grant(partner, 5, "g")
    with pytest.raises(services.InsufficientPoints):
        services.adjustment_request(partner=partner, points=-6, reason="误发扣回", actor=east_staff)
    assert PointsAdjustment.objects.count() == 0
    assert balance(partner) == 5


def test_zero_is_refused(partner, east_staff):
    with pytest.raises(DomainError) as exc:
        services.adjustment_request(partner=partner, points=0, reason="无", actor=east_staff)
    assert exc.value.code == "invalid_points"


def test_the_api_contract(partner, east_staff, second_staff, api_client):
    api_client.force_authenticate(east_staff)
    small = api_client.post("/api/v1/points/adjustments/", {"partner": partner.pk, "points": 30, "reason": "补记"})
    assert (small.status_code, small.json()["status"]) == (201, "posted")
    large = api_client.post("/api/v1/points/adjustments/", {"partner": partner.pk, "points": 500, "reason": "表彰"})
    assert (large.status_code, large.json()["status"]) == (201, "pending_approval")
    own = api_client.post(f"/api/v1/points/adjustments/{large.json()['id']}/approve/")
    assert (own.status_code, own.json()["code"]) == (403, "own_adjustment")
    api_client.force_authenticate(second_staff)
    approved = api_client.post(f"/api/v1/points/adjustments/{large.json()['id']}/approve/")
    assert (approved.status_code, approved.json()["status"]) == (200, "posted")
    assert balance(partner) == 530


def test_a_partner_cannot_adjust_its_own_points(partner, partner_user, api_as):
    response = api_as(partner_user).post(
        "/api/v1/points/adjustments/", {"partner": partner.pk, "points": 50, "reason": "x"}
    )
    assert (response.status_code, response.json()["code"]) == (403, "not_staff_here")
    assert PointsAdjustment.objects.count() == 0


def test_the_approval_page_applies_the_two_person_rule(partner, east_staff, second_staff):
    from django.test import Client
    from django.urls import reverse

    adjustment = services.adjustment_request(partner=partner, points=300, reason="年度表彰", actor=east_staff)
    own = Client()
    own.force_login(east_staff)
    page = own.get(reverse("partners:adjustments")).content.decode()
    assert f'data-adjustment="{adjustment.pk}"' in page
    assert reverse("partners:adjustment_approve", args=[adjustment.pk]) not in page
    refused = own.post(reverse("partners:adjustment_approve", args=[adjustment.pk]), follow=True)
    assert "不能复核自己提出的调整，请由另一位工作人员复核。" in refused.content.decode()
    assert balance(partner) == 0
    other = Client()
    other.force_login(second_staff)
    other.post(reverse("partners:adjustment_approve", args=[adjustment.pk]))
    assert balance(partner) == 300
