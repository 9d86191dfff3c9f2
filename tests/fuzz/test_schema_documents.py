"""The OpenAPI schema tells the truth about errors, nullable fields and which lists are paginated."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def _statuses(schema, path, method) -> list[str]:
    return sorted(schema["paths"][path][method]["responses"])


def test_error_envelope_is_a_component(schema):
    error = schema["components"]["schemas"]["Error"]

    assert error["required"] == ["code", "detail"]
    assert sorted(error["properties"]) == ["code", "detail", "fields"]


@pytest.mark.parametrize(
    ("path", "method", "statuses"),
    [
        ("/api/v1/events/{id}/accept/", "post", ["200", "400", "401", "403", "404", "409", "413", "415", "429"]),
        ("/api/v1/events/", "post", ["201", "400", "401", "403", "409", "413", "415", "422", "429"]),
        ("/api/v1/events/", "get", ["200", "400", "401", "403", "404"]),
        ("/api/v1/events/{id}/", "get", ["200", "401", "403", "404"]),
        ("/api/v1/events/nearby/", "get", ["200", "400", "401", "403"]),
        ("/api/v1/me/", "get", ["200", "401", "403"]),
        ("/api/v1/auth/token/", "post", ["200", "400", "413", "415", "429"]),
    ],
)
def test_each_operation_documents_its_error_statuses(schema, path, method, statuses):
    assert _statuses(schema, path, method) == statuses


def test_error_responses_use_the_envelope(schema):
    response = schema["paths"]["/api/v1/events/{id}/accept/"]["post"]["responses"]["409"]

    assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_timeline_and_nearby_are_plain_lists(schema):
    for path in ("/api/v1/events/{id}/timeline/", "/api/v1/events/nearby/"):
        body = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert body["type"] == "array"


def test_nullable_fields_are_documented_as_nullable(schema):
    components = schema["components"]["schemas"]

    assert components["EventDetailOutput"]["properties"]["resolve_by"]["nullable"] is True
    assert components["CategoryOutput"]["properties"]["department"]["nullable"] is True


def test_idempotent_creates_document_the_optional_header(schema):
    create = schema["paths"]["/api/v1/events/"]["post"]
    headers = [p for p in create["parameters"] if p["in"] == "header"]

    assert [(p["name"], p.get("required", False)) for p in headers] == [("Idempotency-Key", False)]
    assert not any(p["in"] == "header" for p in schema["paths"]["/api/v1/patrols/"]["post"].get("parameters", []))
