"""``GET /api/v1/me/`` carries the fields apps register through ``governance.extensions`` — and
only those: without a registration the core's answer stands alone (the core imports no app)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework import serializers

from governance import extensions

pytestmark = pytest.mark.django_db

CORE_FIELDS = {
    "id", "username", "full_name", "email", "phone", "is_staff", "is_superuser", "roles", "posts", "areas", "language",
}  # fmt: skip


def schema_of_me(client) -> dict:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    return schema["components"]["schemas"]["MeOutput"]["properties"]


def test_without_registrations_me_is_the_cores_fields_only(monkeypatch, api_as, grid_worker, client):
    monkeypatch.setattr(extensions, "_me_fields", {})
    body = api_as(grid_worker).get("/api/v1/me/").json()
    assert set(body) == CORE_FIELDS
    assert set(schema_of_me(client)) == CORE_FIELDS


def test_a_registered_field_is_answered_and_documented(monkeypatch, api_as, grid_worker, client):
    monkeypatch.setattr(extensions, "_me_fields", {})
    extensions.register_me_field(
        "shout", value=lambda user: user.username.upper(), field=lambda **kw: serializers.CharField(**kw)
    )
    body = api_as(grid_worker).get("/api/v1/me/").json()
    assert set(body) == CORE_FIELDS | {"shout"}
    assert body["shout"] == grid_worker.username.upper()
    assert schema_of_me(client)["shout"]["type"] == "string"


def test_a_field_cannot_shadow_a_core_field(monkeypatch, api_as, grid_worker):
    monkeypatch.setattr(extensions, "_me_fields", {})
    extensions.register_me_field("phone", value=lambda user: "x", field=lambda **kw: serializers.CharField(**kw))
    with pytest.raises(ImproperlyConfigured):
        api_as(grid_worker).get("/api/v1/me/")
