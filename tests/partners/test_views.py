"""The partners pages through the client: my points, log a service, redeem with a confirmation
step (a double submit redeems once), vouchers, staff queues, fulfilment by code, home cards."""

from datetime import date

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from governance.models import Role
from partners import services
from partners.models import Account, Partner, Redemption, ServiceRecord
from tests.partners.conftest import grant

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rice(area_tree, east_staff):
    return services.reward_save(
        community=area_tree["east"], name="米面油礼包", kind="goods", cost=30, stock=5, actor=east_staff
    )


def test_my_points_shows_balance_and_the_statement_with_running_balance(partner, partner_user, rice):
    grant(partner, 100, "g")
    services.redemption_create(partner=partner, reward=rice, quantity=1, actor=partner_user, key="k")
    page = login(partner_user).get(reverse("partners:my_points"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<dd data-available>70</dd>" in html
    assert "<dd data-frozen>30</dd>" in html
    assert "<dd data-balance>100</dd>" in html
    assert "兑换冻结 · 米面油礼包 ×1" in html
    assert "余额 70" in html
    assert "余额 100" in html


def test_someone_without_a_partner_is_invited_to_apply(make_user, area_tree):
    resident = make_user(Role.RESIDENT, area_tree["east_building"], username="resident")
    page = login(resident).get(reverse("partners:my_points"))
    assert "您还不是社区合伙人" in page.content.decode()


def test_applying_through_the_page(make_user, area_tree):
    resident = make_user(Role.RESIDENT, area_tree["east_building"], username="resident")
    response = login(resident).post(
        reverse("partners:apply"),
        {
            "community": area_tree["east"].pk,
            "name": "赵老师",
            "kind": "professional",
            "sub_kind": "teacher",
            "form": "individual",
        },
    )
    assert response.status_code == 302
    assert Partner.objects.get(name="赵老师").status == "pending"


def test_logging_a_service_through_the_page(partner, partner_user, area_tree, east_staff):
    rule = services.earning_rule_save(community=area_tree["east"], activity="法律咨询", points=10, actor=east_staff)
    response = login(partner_user).post(
        reverse("partners:service_new"),
        {"rule": rule.pk, "served_on": "2026-11-20", "hours": "1", "beneficiaries": "3"},
    )
    assert response.status_code == 302
    record = ServiceRecord.objects.get()
    assert (record.partner, record.beneficiaries, record.status) == (partner, 3, "submitted")


def test_the_redeem_confirmation_then_a_double_submit_redeems_once(partner, partner_user, rice):
    grant(partner, 100, "g")
    client = login(partner_user)
    confirm = client.get(reverse("partners:redeem", args=[rice.pk]))
    assert confirm.status_code == 200
    key = confirm.context["form"]["key"].value()
    assert len(key) == 32
    for _ in range(2):
        response = client.post(reverse("partners:redeem", args=[rice.pk]), {"quantity": "1", "key": key})
        assert response.status_code == 302
    assert Redemption.objects.count() == 1
    assert Account.objects.get(partner=partner).balance == 70
    vouchers = client.get(reverse("partners:vouchers")).content.decode()
    assert Redemption.objects.get().voucher_code in vouchers


def test_redeeming_without_points_says_so_and_writes_nothing(partner, partner_user, rice):
    grant(partner, 10, "g")
    response = login(partner_user).post(reverse("partners:redeem", args=[rice.pk]), {"quantity": "1", "key": "abc"})
    assert response.status_code == 409
    assert "积分不足：可用 10 分，兑换需要 30 分。" in response.content.decode()
    assert Redemption.objects.count() == 0


def test_staff_verify_from_their_queue(partner, partner_user, area_tree, east_staff):
    rule = services.earning_rule_save(community=area_tree["east"], activity="法律咨询", points=10, actor=east_staff)
    record = services.service_record_submit(partner=partner, rule=rule, served_on=date(2026, 11, 3), actor=partner_user)
    client = login(east_staff)
    queue = client.get(reverse("partners:records")).content.decode()
    assert f'data-record="{record.pk}"' in queue
    response = client.post(reverse("partners:record_verify", args=[record.pk]), follow=True)
    assert "已核实，记 10 分。" in response.content.decode()
    assert Account.objects.get(partner=partner).balance == 10


def test_staff_decide_applications_with_masked_contacts(make_user, area_tree, east_staff):
    applicant = make_user(Role.RESIDENT, area_tree["east_building"], username="applicant")
    partner = services.partner_apply(
        applicant=applicant, community=area_tree["east"], name="新申请", kind="volunteer", sub_kind="resident",
        contact_phone="13712345678",
    )  # fmt: skip
    client = login(east_staff)
    html = client.get(reverse("partners:applications")).content.decode()
    assert "137****5678" in html
    assert "13712345678" not in html
    response = client.post(reverse("partners:partner_decide", args=[partner.pk]), {"decision": "decline"}, follow=True)
    assert "新申请：拒绝或暂停必须填写原因。" in response.content.decode()
    client.post(reverse("partners:partner_decide", args=[partner.pk]), {"decision": "approve"})
    assert Partner.objects.get(pk=partner.pk).status == "active"


def test_a_partner_cannot_open_the_staff_queues(partner_user, partner):
    assert login(partner_user).get(reverse("partners:records")).status_code == 403
    assert login(partner_user).get(reverse("partners:applications")).status_code == 403


def test_fulfil_by_code_page(partner, partner_user, rice, east_staff):
    grant(partner, 100, "g")
    redemption, _ = services.redemption_create(partner=partner, reward=rice, quantity=1, actor=partner_user, key="k")
    response = login(east_staff).post(
        reverse("partners:fulfil"), {"code": redemption.voucher_code.lower()}, follow=True
    )
    assert "已核销：米面油礼包 ×1" in response.content.decode()
    assert Redemption.objects.get().status == "fulfilled"


def test_an_unknown_code_is_a_clear_error(east_staff):
    response = login(east_staff).post(reverse("partners:fulfil"), {"code": "ZZZZZZZZ"})
    assert response.status_code == 404
    assert "兑换码不存在，或不是您可以核销的兑换券。" in response.content.decode()


def test_home_cards_and_menu(partner, partner_user, make_user, area_tree, east_staff):
    grant(partner, 42, "g")
    home = login(partner_user).get(reverse("home")).content.decode()
    assert "可用 42 分，冻结 0 分。" in home
    assert f'href="{reverse("partners:my_points")}"' in home
    applicant = make_user(Role.RESIDENT, area_tree["east_building"], username="applicant")
    services.partner_apply(
        applicant=applicant, community=area_tree["east"], name="新", kind="volunteer", sub_kind="student"
    )
    staff_home = login(east_staff).get(reverse("home")).content.decode()
    assert "1 份申请待审核。" in staff_home


def test_tasks_verify_and_expire(partner, partner_user, rice):
    from datetime import timedelta

    from django.utils import timezone

    from partners.models import LedgerCheckpoint
    from partners.tasks import ledger_verify_task, redemptions_expire_task

    grant(partner, 100, "g")
    redemption, _ = services.redemption_create(partner=partner, reward=rice, quantity=1, actor=partner_user, key="k")
    Redemption.objects.filter(pk=redemption.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert redemptions_expire_task() == 1
    assert redemptions_expire_task() == 0
    assert ledger_verify_task() is True
    assert LedgerCheckpoint.objects.get().transactions == 3


@override_settings(DEBUG=True)
def test_the_demo_seeds_partners_with_balances_and_runs_twice_cleanly():
    from django.core.management import call_command

    from partners.models import EarningRule, LedgerTransaction, Project, Reward

    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    lawyer = Partner.objects.get(name="王合伙律师")
    assert lawyer.status == "active"
    # 10 + 10 + 20 + 8 × 2 earned, 10 frozen for the café coupon, 20 for the closed lecture
    assert Account.objects.get(partner=lawyer).balance == 66
    assert Partner.objects.get(name="冯同学（大学生志愿者）").status == "pending"
    assert EarningRule.objects.count() == 5
    assert Reward.objects.count() == 3
    assert LedgerTransaction.objects.count() == 6
    assert sorted(Project.objects.values_list("status", flat=True)) == ["closed", "published"]
    assert services.credit_profile(partner=lawyer).score == 80  # 40 × 1 + 8 × 4.5 + 4 verified services
    assert ServiceRecord.objects.filter(status="submitted").count() == 1
    assert services.ledger_verify().problems == []


def test_the_voucher_qr_is_an_svg_for_the_owner_and_hidden_from_others(partner, partner_user, rice, west_partner_user):
    import re

    grant(partner, 100, "g")
    redemption, _ = services.redemption_create(partner=partner, reward=rice, quantity=1, actor=partner_user, key="k")
    url = reverse("partners:voucher_qr", args=[redemption.pk])
    response = login(partner_user).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert re.match(r'^<svg xmlns="http://www.w3.org/2000/svg"', response.content.decode())
    assert url in login(partner_user).get(reverse("partners:vouchers")).content.decode()
    assert login(west_partner_user).get(url).status_code == 404
