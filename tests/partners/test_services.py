"""Services of the partners app: joining, rules, service records that earn exactly once and
respect the monthly cap, rewards and redemptions that freeze, settle and release points and stock."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from governance.exceptions import DomainError, InvalidTransition, StaleState
from governance.models import AuditEntry, Notification, Role
from partners import services
from partners.models import Account, LedgerTransaction, Partner, Redemption, Reward, ServiceRecord
from tests.partners.conftest import grant, make_partner

pytestmark = pytest.mark.django_db
K = Account.Kind
DAY = date(2026, 11, 20)

# The joining table, written out: from → the statuses it may move to.
PARTNER_TABLE = {
    "pending": {"active", "declined"},
    "active": {"suspended"},
    "suspended": {"active"},
    "declined": set(),
}
RECORD_TABLE = {"submitted": {"verified", "rejected"}, "verified": set(), "rejected": set()}
REDEMPTION_TABLE = {
    "pending": {"fulfilled", "cancelled", "expired"},
    "fulfilled": set(),
    "cancelled": set(),
    "expired": set(),
}


def test_the_transition_tables_are_the_ones_written_here():
    assert {k: set(v) for k, v in services.PARTNER_FLOW.table().items()} == PARTNER_TABLE
    assert {k: set(v) for k, v in services.RECORD_FLOW.table().items()} == RECORD_TABLE
    assert {k: set(v) for k, v in services.REDEMPTION_FLOW.table().items()} == REDEMPTION_TABLE


# --- Joining --------------------------------------------------------------------------------


@pytest.fixture
def applicant(make_user, area_tree):
    return make_user(Role.RESIDENT, area_tree["east_building"], username="applicant", full_name="陈老师")


@pytest.fixture
def application(applicant, area_tree):
    return services.partner_apply(
        applicant=applicant,
        community=area_tree["east"],
        name="陈老师",
        kind=Partner.Kind.PROFESSIONAL,
        sub_kind=Partner.SubKind.TEACHER,
        contact_phone="13712345678",
        skills="课后辅导",
    )


def test_an_application_is_pending_links_the_applicant_and_tells_the_community_staff(
    east_staff, west_staff, application, applicant
):
    assert application.status == "pending"
    assert list(application.users.all()) == [applicant]
    assert Notification.objects.filter(recipient=east_staff, title="新的合伙人申请：陈老师").count() == 1
    assert not Notification.objects.filter(recipient=west_staff).exists()
    assert not Account.objects.filter(partner=application).exists()


def test_a_sub_kind_must_belong_to_the_kind(applicant, area_tree):
    with pytest.raises(DomainError) as exc:
        services.partner_apply(
            applicant=applicant,
            community=area_tree["east"],
            name="错配",
            kind=Partner.Kind.VOLUNTEER,
            sub_kind=Partner.SubKind.LAWYER,
        )
    assert exc.value.code == "sub_kind_mismatch"
    assert Partner.objects.count() == 0


def test_only_a_community_can_be_joined(applicant, area_tree):
    with pytest.raises(DomainError) as exc:
        services.partner_apply(
            applicant=applicant,
            community=area_tree["street"],
            name="街道级",
            kind=Partner.Kind.VOLUNTEER,
            sub_kind=Partner.SubKind.STUDENT,
        )
    assert exc.value.code == "not_a_community"


def test_approving_activates_opens_the_account_and_notifies_the_partner(application, applicant, east_staff):
    services.partner_decide(partner=application, decision="approve", actor=east_staff)
    application.refresh_from_db()
    assert application.status == "active"
    assert application.decided_by == east_staff
    assert Account.objects.get(partner=application).balance == 0
    assert Notification.objects.filter(recipient=applicant, title="您已成为社区合伙人：陈老师").count() == 1
    assert AuditEntry.objects.filter(action="transition", object_id=str(application.pk)).count() == 1


def test_declining_and_suspending_need_a_reason(application, east_staff):
    with pytest.raises(services.ReasonRequired):
        services.partner_decide(partner=application, decision="decline", actor=east_staff, reason=" ")
    services.partner_decide(partner=application, decision="approve", actor=east_staff)
    with pytest.raises(services.ReasonRequired):
        services.partner_decide(partner=application, decision="suspend", actor=east_staff)
    application.refresh_from_db()
    assert application.status == "active"


def test_suspended_and_back(application, applicant, east_staff):
    services.partner_decide(partner=application, decision="approve", actor=east_staff)
    services.partner_decide(partner=application, decision="suspend", actor=east_staff, reason="多次爽约")
    application.refresh_from_db()
    assert (application.status, application.decision_reason) == ("suspended", "多次爽约")
    assert Notification.objects.filter(recipient=applicant, title="合伙人资格已暂停：陈老师", body="多次爽约").exists()
    services.partner_decide(partner=application, decision="reactivate", actor=east_staff)
    application.refresh_from_db()
    assert application.status == "active"
    assert Notification.objects.filter(recipient=applicant, title="合伙人资格已恢复：陈老师").count() == 1


def test_a_declined_application_cannot_be_approved(application, east_staff):
    services.partner_decide(partner=application, decision="decline", actor=east_staff, reason="材料不全")
    with pytest.raises(InvalidTransition) as exc:
        services.partner_decide(partner=application, decision="approve", actor=east_staff)
    assert exc.value.detail == "合伙人当前为“未通过”，不能变更为“已加入”。"


def test_a_stale_copy_cannot_decide_again(application, east_staff, street_supervisor):
    stale = Partner.objects.get(pk=application.pk)
    services.partner_decide(partner=application, decision="approve", actor=east_staff)
    with pytest.raises(StaleState):
        services.partner_decide(partner=stale, decision="decline", actor=street_supervisor, reason="重复")
    application.refresh_from_db()
    assert application.status == "active"


# --- Rules and service records --------------------------------------------------------------


@pytest.fixture
def consult(area_tree, east_staff):
    return services.earning_rule_save(
        community=area_tree["east"], activity="法律咨询", points=10, monthly_cap=25, actor=east_staff
    )


@pytest.fixture
def tutoring(area_tree, east_staff):
    return services.earning_rule_save(
        community=area_tree["east"], activity="课后辅导", points=8, per_hour=True, actor=east_staff
    )


def submit(partner, rule, *, hours=0, day=DAY):
    return services.service_record_submit(
        partner=partner, rule=rule, served_on=day, hours=hours, actor=partner.users.first()
    )


def test_rule_points_must_be_positive(area_tree, east_staff):
    with pytest.raises(DomainError) as exc:
        services.earning_rule_save(community=area_tree["east"], activity="义诊", points=0, actor=east_staff)
    assert exc.value.code == "invalid_points"


def test_verifying_posts_the_rule_points_once(partner, consult, east_staff, partner_user):
    record = submit(partner, consult)
    record, tx = services.service_record_verify(record=record, actor=east_staff)
    assert (record.status, record.points_awarded, record.capped) == ("verified", 10, False)
    assert tx.idempotency_key == f"service-record:{record.pk}"
    assert Account.objects.get(partner=partner).balance == 10
    assert Notification.objects.filter(recipient=partner_user, title="服务记录已核实，获得 10 积分").count() == 1


def test_a_second_verify_or_a_stale_double_click_posts_nothing(partner, consult, east_staff, street_supervisor):
    record = submit(partner, consult)
    stale = ServiceRecord.objects.get(pk=record.pk)
    services.service_record_verify(record=record, actor=east_staff)
    with pytest.raises(InvalidTransition):
        services.service_record_verify(record=record, actor=east_staff)
    with pytest.raises(StaleState) as exc:
        services.service_record_verify(record=stale, actor=street_supervisor)
    assert exc.value.detail == "该服务记录刚被其他工作人员处理过，不会重复记分。"
    assert LedgerTransaction.objects.count() == 1
    assert Account.objects.get(partner=partner).balance == 10


def test_per_hour_rules_multiply_by_the_hours_rounding_down(partner, tutoring, east_staff):
    record, _tx = services.service_record_verify(
        record=submit(partner, tutoring, hours=Decimal("2.5")), actor=east_staff
    )
    assert record.points_awarded == 20
    record, _tx = services.service_record_verify(
        record=submit(partner, tutoring, hours=Decimal("0.3")), actor=east_staff
    )
    assert record.points_awarded == 2
    assert Account.objects.get(partner=partner).balance == 22


def test_a_per_hour_rule_needs_hours(partner, tutoring):
    with pytest.raises(DomainError) as exc:
        submit(partner, tutoring, hours=0)
    assert exc.value.code == "hours_required"


def test_past_the_monthly_cap_a_record_earns_up_to_the_cap_and_says_so(partner, consult, east_staff):
    first, _ = services.service_record_verify(record=submit(partner, consult), actor=east_staff)
    second, _ = services.service_record_verify(record=submit(partner, consult), actor=east_staff)
    third, _ = services.service_record_verify(record=submit(partner, consult), actor=east_staff)
    fourth, tx = services.service_record_verify(record=submit(partner, consult), actor=east_staff)
    assert [r.points_awarded for r in (first, second, third, fourth)] == [10, 10, 5, 0]
    assert [r.capped for r in (first, second, third, fourth)] == [False, False, True, True]
    assert tx is None
    assert Account.objects.get(partner=partner).balance == 25
    note = AuditEntry.objects.filter(object_id=str(third.pk), action="transition").get().changes["note"]
    assert note == "已达本月上限，按上限计 5 分（应得 10 分）。"


def test_the_cap_is_per_month(partner, consult, east_staff):
    for _ in range(3):
        services.service_record_verify(record=submit(partner, consult), actor=east_staff)
    december, _ = services.service_record_verify(
        record=submit(partner, consult, day=date(2026, 10, 5)), actor=east_staff
    )
    assert december.points_awarded == 10


def test_rejecting_needs_a_reason_and_posts_nothing(partner, consult, east_staff):
    record = submit(partner, consult)
    with pytest.raises(services.ReasonRequired):
        services.service_record_reject(record=record, actor=east_staff, reason="")
    services.service_record_reject(record=record, actor=east_staff, reason="时间对不上")
    record.refresh_from_db()
    assert (record.status, record.reject_reason) == ("rejected", "时间对不上")
    with pytest.raises(InvalidTransition):
        services.service_record_verify(record=record, actor=east_staff)
    assert LedgerTransaction.objects.count() == 0


def test_only_an_active_partner_logs_services(partner_user, area_tree, consult):
    pending = make_partner(community=area_tree["east"], user=partner_user, name="待审", status="pending")
    with pytest.raises(services.PartnerNotActive):
        submit(pending, consult)


def test_a_rule_of_another_community_cannot_be_used(west_partner, consult):
    with pytest.raises(DomainError) as exc:
        submit(west_partner, consult)
    assert exc.value.code == "rule_not_available"


def test_a_service_cannot_be_dated_in_the_future(partner, consult):
    with pytest.raises(DomainError) as exc:
        submit(partner, consult, day=timezone.localdate() + timedelta(days=1))
    assert exc.value.code == "future_date"


# --- Rewards and redemptions ----------------------------------------------------------------


@pytest.fixture
def rice(area_tree, east_staff):
    return services.reward_save(
        community=area_tree["east"], name="米面油礼包", kind=Reward.Kind.GOODS, cost=30, stock=2, actor=east_staff
    )


def redeem(partner, reward, quantity=1, key="k1"):
    return services.redemption_create(
        partner=partner, reward=reward, quantity=quantity, actor=partner.users.first(), key=key
    )


def test_redeeming_freezes_points_and_stock_and_issues_a_voucher(partner, rice, area_tree):
    grant(partner, 100, "g")
    redemption, created = redeem(partner, rice)
    assert created is True
    assert (redemption.status, redemption.points, redemption.quantity) == ("pending", 30, 1)
    assert len(redemption.voucher_code) == 8
    assert set(redemption.voucher_code) <= set("23456789ABCDEFGHJKMNPQRSTUVWXYZ")
    rice.refresh_from_db()
    assert rice.stock == 1
    assert Account.objects.get(partner=partner).balance == 70
    assert Account.objects.get(community=area_tree["east"], kind=K.HOLD).balance == 30


def test_the_same_key_redeems_once(partner, rice):
    grant(partner, 100, "g")
    first, _ = redeem(partner, rice, key="same")
    again, created = redeem(partner, rice, key="same")
    assert (again.pk, created) == (first.pk, False)
    assert Redemption.objects.count() == 1
    assert Account.objects.get(partner=partner).balance == 70


def test_insufficient_points_writes_nothing(partner, rice):
    grant(partner, 29, "g")
    with pytest.raises(services.InsufficientPoints) as exc:
        redeem(partner, rice)
    assert exc.value.detail == "积分不足：可用 29 分，兑换需要 30 分。"
    rice.refresh_from_db()
    assert rice.stock == 2
    assert Redemption.objects.count() == 0


def test_out_of_stock_writes_nothing(partner, rice):
    grant(partner, 100, "g")
    with pytest.raises(services.OutOfStock) as exc:
        redeem(partner, rice, quantity=3)
    assert exc.value.detail == "库存不足，已兑完。"
    assert Account.objects.get(partner=partner).balance == 100
    assert Redemption.objects.count() == 0


def test_the_per_partner_limit(partner, area_tree, east_staff):
    grant(partner, 100, "g")
    room = services.reward_save(
        community=area_tree["east"],
        name="活动室优先使用",
        kind="service",
        cost=5,
        per_partner_limit=2,
        actor=east_staff,
    )
    redeem(partner, room, quantity=2, key="a")
    with pytest.raises(services.LimitReached) as exc:
        redeem(partner, room, key="b")
    assert exc.value.detail == "每人限兑 2 份，您已兑换 2 份。"


@pytest.mark.parametrize("quantity", [0, -1])
def test_zero_or_negative_quantity_is_refused(partner, rice, quantity):
    grant(partner, 100, "g")
    with pytest.raises(DomainError) as exc:
        redeem(partner, rice, quantity=quantity)
    assert (exc.value.code, exc.value.detail) == ("invalid_quantity", "兑换数量必须大于零。")


def test_another_communitys_reward_is_refused(west_partner, rice):
    grant(west_partner, 100, "g")
    with pytest.raises(DomainError) as exc:
        redeem(west_partner, rice)
    assert (exc.value.code, exc.value.detail) == ("other_community", "该商品不属于您所在的社区，不能兑换。")


def test_a_reward_outside_its_window_is_refused(partner, area_tree, east_staff):
    grant(partner, 100, "g")
    old = services.reward_save(
        community=area_tree["east"],
        name="过期券",
        kind="coupon",
        cost=5,
        valid_until=timezone.localdate() - timedelta(days=1),
        actor=east_staff,
    )
    with pytest.raises(services.RewardUnavailable):
        redeem(partner, old)


def test_fulfilling_settles_hold_into_redeemed(partner, rice, area_tree, east_staff):
    grant(partner, 100, "g")
    redemption, _ = redeem(partner, rice)
    services.redemption_fulfil(redemption=redemption, actor=east_staff)
    redemption.refresh_from_db()
    assert redemption.status == "fulfilled"
    assert Account.objects.get(community=area_tree["east"], kind=K.HOLD).balance == 0
    assert Account.objects.get(community=area_tree["east"], kind=K.REDEEMED).balance == 30
    assert Account.objects.get(partner=partner).balance == 70
    with pytest.raises(InvalidTransition):
        services.redemption_cancel(redemption=redemption, actor=east_staff)


def test_cancelling_releases_points_and_stock(partner, rice, area_tree):
    grant(partner, 100, "g")
    redemption, _ = redeem(partner, rice)
    services.redemption_cancel(redemption=redemption, actor=partner.users.first())
    rice.refresh_from_db()
    assert rice.stock == 2
    assert Account.objects.get(partner=partner).balance == 100
    assert Account.objects.get(community=area_tree["east"], kind=K.HOLD).balance == 0
    with pytest.raises(InvalidTransition):
        services.redemption_cancel(redemption=redemption, actor=partner.users.first())
    assert services.ledger_verify().problems == []


def test_an_expired_voucher_is_released_once_by_the_clock(partner, rice):
    grant(partner, 100, "g")
    redemption, _ = redeem(partner, rice)
    assert services.redemptions_expired_ids() == []
    Redemption.objects.filter(pk=redemption.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert services.redemptions_expired_ids() == [redemption.pk]
    assert services.redemptions_expire_each(ids=[redemption.pk, redemption.pk]) == 1
    redemption.refresh_from_db()
    rice.refresh_from_db()
    assert (redemption.status, rice.stock) == ("expired", 2)
    assert Account.objects.get(partner=partner).balance == 100


def test_the_balance_summary_counts_frozen_points(partner, rice):
    from partners.selectors import balance_summary

    grant(partner, 100, "g")
    redeem(partner, rice)
    assert balance_summary(partner=partner) == {"partner": partner.pk, "balance": 100, "frozen": 30, "available": 70}


def test_a_reward_offered_by_a_partner_of_another_community_is_refused(area_tree, east_staff, west_partner):
    with pytest.raises(DomainError) as exc:
        services.reward_save(
            community=area_tree["east"], name="咖啡券", kind="coupon", cost=5, offered_by=west_partner, actor=east_staff
        )
    assert exc.value.code == "other_community"
