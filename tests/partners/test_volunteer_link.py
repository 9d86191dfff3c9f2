"""A 红色管家 who is also a partner of the points bank: partners' provider for the core's object-link
hook puts "社区合伙人 · <name>" beside that volunteer on consultation's pages (consultation imports
nothing of partners; the label ``consultation.volunteer`` is the only contract)."""

import pytest
from django.test import Client
from django.urls import reverse

from governance.consultation import services as consultation
from partners.models import Partner
from tests.consultation.conftest import owner_member, rep  # noqa: F401

pytestmark = pytest.mark.django_db
COMPOUND = "HD-ZGC-DS-01"


def _page(user) -> str:
    client = Client()
    client.force_login(user)
    return client.get(reverse("consultation:compound_volunteers", args=[COMPOUND])).content.decode()


@pytest.fixture
def volunteers(east_staff, rep, owner_member, area_tree):  # noqa: F811
    building = area_tree["east_building"]
    return (
        consultation.volunteer_assign(actor=east_staff, person=rep, building=building, duties="夜间巡查"),
        consultation.volunteer_assign(actor=east_staff, person=owner_member, building=building, duties="调解"),
    )


def _partner(person, area_tree, status) -> Partner:
    partner = Partner.objects.create(
        name="孙师傅志愿服务", community=area_tree["east"], kind="volunteer", sub_kind="resident", status=status
    )
    partner.users.add(person)
    return partner


def test_an_active_partner_volunteer_shows_the_points_bank_link_beside_them_only(
    volunteers,
    east_staff,
    rep,  # noqa: F811
    area_tree,
):
    partner_volunteer, other = volunteers
    _partner(rep, area_tree, Partner.Status.ACTIVE)

    html = _page(east_staff)

    start = html.index(f'data-testid="volunteer-link-{partner_volunteer.pk}"')
    assert "社区合伙人" in html[start : start + 200]
    assert "孙师傅志愿服务" in html[start : start + 300]
    assert f'data-testid="volunteer-link-{other.pk}"' not in html


@pytest.mark.parametrize("status", [Partner.Status.PENDING, Partner.Status.SUSPENDED])
def test_a_partner_not_active_shows_no_link(volunteers, east_staff, rep, area_tree, status):  # noqa: F811
    _partner(rep, area_tree, status)
    assert "volunteer-link-" not in _page(east_staff)
