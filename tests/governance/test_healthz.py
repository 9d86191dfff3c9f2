"""/healthz: the database and the broker, each checked for real."""

import pytest
from django.db import OperationalError

from governance import health


def test_healthz_is_ok_when_database_and_broker_answer(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert body["database"]["detail"] in ("sqlite", "postgresql")
    assert body["broker"]["detail"] in ("filesystem", "redis")
    assert "no-cache" in response["Cache-Control"]


def test_healthz_needs_no_sign_in(client, db):
    response = client.get("/healthz", HTTP_ACCEPT="text/html")
    assert response.status_code == 200


def test_healthz_is_503_when_the_broker_is_down(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"]["ok"] is True
    assert body["broker"] == {"ok": False, "detail": body["broker"]["detail"]}
    assert body["broker"]["detail"]  # the exception class, never the URL or a password


class _BrokenConnection:
    vendor = "postgresql"

    def cursor(self):
        raise OperationalError("connection refused")


def test_healthz_is_503_when_the_database_is_down(client, db, monkeypatch):
    monkeypatch.setattr(health, "connection", _BrokenConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == {"ok": False, "detail": "OperationalError"}
    assert body["broker"]["ok"] is True


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_healthz_accepts_only_get(client, db, method):
    assert getattr(client, method)("/healthz").status_code == 405
