"""``GET /api/v1/me/`` includes ``partner``: the signed-in user's partner id, or null (registered by
the partners app through governance.extensions; the core does not import partners)."""

import pytest

from governance.models import Role
from partners.models import Partner
from tests.partners.conftest import make_partner

pytestmark = pytest.mark.django_db


def test_a_partner_sees_its_partner_id(api_as, partner, partner_user):
    assert api_as(partner_user).get("/api/v1/me/").json()["partner"] == partner.pk


def test_someone_without_a_partner_gets_null(api_as, make_user, area_tree, east_staff):
    resident = make_user(Role.RESIDENT, area_tree["east_building"], username="resident")
    assert api_as(resident).get("/api/v1/me/").json()["partner"] is None
    assert api_as(east_staff).get("/api/v1/me/").json()["partner"] is None


def test_an_applicant_sees_the_pending_partner_and_the_active_one_comes_first(api_as, make_user, area_tree):
    user = make_user(Role.PARTNER, area_tree["east"], username="two")
    pending = make_partner(community=area_tree["east"], user=user, name="待审核", status=Partner.Status.PENDING)
    assert api_as(user).get("/api/v1/me/").json()["partner"] == pending.pk
    active = make_partner(community=area_tree["west"], user=user, name="西苑合伙人")
    assert api_as(user).get("/api/v1/me/").json()["partner"] == active.pk


def test_the_schema_documents_partner_as_a_nullable_integer(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    field = schema["components"]["schemas"]["MeOutput"]["properties"]["partner"]
    assert field["type"] == "integer"
    assert field["nullable"] is True
