"""Partners fixtures: an active partner in each community, with a linked user, and system accounts."""

import pytest

from governance.models import Role
from partners import services
from partners.models import Account, LedgerTransaction, Partner


def make_partner(*, community, user, name="张律师", kind=Partner.Kind.PROFESSIONAL, sub_kind=Partner.SubKind.LAWYER,
                 status=Partner.Status.ACTIVE) -> Partner:  # fmt: skip
    partner = Partner.objects.create(community=community, name=name, kind=kind, sub_kind=sub_kind, status=status)
    partner.users.add(user)
    if status == Partner.Status.ACTIVE:
        services.partner_account(partner=partner)
    return partner


def grant(partner: Partner, points: int, key: str) -> LedgerTransaction:
    """Give ``partner`` points from the issuing account (a manual posting, as an adjustment would)."""
    community = partner.community
    tx, _created = services.ledger_post(
        community=community,
        kind=LedgerTransaction.Kind.ADJUST,
        key=key,
        lines=[
            (services.system_account(community=community, kind=Account.Kind.ISSUED), -points),
            (services.partner_account(partner=partner), points),
        ],
        memo="测试发放",
    )
    return tx


@pytest.fixture
def partner_user(make_user, area_tree):
    return make_user(Role.PARTNER, area_tree["east"], username="lawyer", full_name="张律师", phone="13900001111")


@pytest.fixture
def partner(partner_user, area_tree):
    return make_partner(community=area_tree["east"], user=partner_user)


@pytest.fixture
def west_partner_user(make_user, area_tree):
    return make_user(Role.PARTNER, area_tree["west"], username="west_partner", full_name="西苑志愿者")


@pytest.fixture
def west_partner(west_partner_user, area_tree):
    return make_partner(
        community=area_tree["west"],
        user=west_partner_user,
        name="刘志愿",
        kind=Partner.Kind.VOLUNTEER,
        sub_kind=Partner.SubKind.RESIDENT,
    )


@pytest.fixture
def west_staff(make_user, area_tree):
    return make_user(Role.COMMUNITY_STAFF, area_tree["west"], username="west_staff", full_name="周社区")
