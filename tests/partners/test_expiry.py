"""Optional points expiry: oldest points spent first; what year Y earned and did not spend by the
end of Y + N expires once as a posting; a warning in December before; off by default."""

import pytest
import time_machine
from django.test import override_settings

from governance.models import Notification
from partners import services
from partners.models import Account, LedgerTransaction
from tests.partners.conftest import grant

pytestmark = pytest.mark.django_db
K = Account.Kind


def spend(partner, points, key):
    community = partner.community
    services.ledger_post(
        community=community,
        kind=LedgerTransaction.Kind.REDEEM_HOLD,
        key=key,
        lines=[
            (services.partner_account(partner=partner), -points),
            (services.system_account(community=community, kind=K.HOLD), points),
        ],
    )


def balance(partner):
    return Account.objects.get(partner=partner).balance


def test_expiry_is_off_by_default(partner):
    with time_machine.travel("2024-03-01 12:00 +0800"):
        grant(partner, 50, "g2024")
    with time_machine.travel("2026-01-02 12:00 +0800"):
        assert services.points_expiry_run() == {"expired": 0, "warned": 0}
    assert balance(partner) == 50


@override_settings(POINTS_EXPIRE_AFTER_YEARS=1)
def test_what_2024_earned_and_2025_did_not_spend_expires_on_1_january_2026(partner, partner_user, area_tree):
    with time_machine.travel("2024-03-01 12:00 +0800"):
        grant(partner, 50, "g2024")
    with time_machine.travel("2025-02-01 12:00 +0800"):
        grant(partner, 30, "g2025")
        spend(partner, 20, "s2025")  # spent from 2024's points first: 30 of them left
    with time_machine.travel("2025-12-01 09:00 +0800"):
        assert services.points_expiry_run() == {"expired": 0, "warned": 1}
    assert Notification.objects.filter(recipient=partner_user, title="您有 30 积分将于 2026-01-01 过期").count() == 1
    with time_machine.travel("2026-01-01 01:00 +0800"):
        assert services.points_expiry_run() == {"expired": 30, "warned": 0}
        assert services.points_expiry_run() == {"expired": 0, "warned": 0}
    assert balance(partner) == 30
    assert Account.objects.get(community=area_tree["east"], kind=K.EXPIRED).balance == 30
    assert LedgerTransaction.objects.filter(kind="expire").count() == 1
    assert services.ledger_verify().problems == []


@override_settings(POINTS_EXPIRE_AFTER_YEARS=1)
def test_nothing_expires_when_the_old_points_were_spent(partner):
    with time_machine.travel("2024-03-01 12:00 +0800"):
        grant(partner, 50, "g2024")
    with time_machine.travel("2025-02-01 12:00 +0800"):
        spend(partner, 50, "s2025")
        grant(partner, 10, "g2025")
    assert services.expiring_amount(partner=partner, earned_year=2024) == 0
    with time_machine.travel("2026-01-05 12:00 +0800"):
        assert services.points_expiry_run()["expired"] == 0
    assert balance(partner) == 10


def test_the_expiry_task_is_on_the_beat():
    from governance.celery import app

    entry = app.conf.beat_schedule["partners-points-expiry"]
    assert entry["task"] == "partners.tasks.points_expiry_task"
