"""/healthz: the database, the cache and the broker, each checked for real.

200 "ok" when all answer, 200 "degraded" when only Redis (cache or broker) is down, 503 "error"
only when the database is down.
"""

import pytest
from django.db import OperationalError

from governance import health

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"
DEAD_CACHE = {
    "default": {
        "BACKEND": "governance.cache.DegradableRedisCache",
        "LOCATION": CLOSED_PORT_REDIS,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


def test_healthz_is_ok_when_database_cache_and_broker_answer(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert (body["database"], body["cache"], body["broker"]) == ("ok", "ok", "ok")
    assert body["down"] == []
    assert body["detail"]["database"] in ("sqlite", "postgresql")
    assert body["detail"]["cache"] in ("locmem", "redis")
    assert body["detail"]["broker"] in ("filesystem", "redis")
    assert "no-cache" in response["Cache-Control"]


def test_healthz_needs_no_sign_in(client, db):
    response = client.get("/healthz", HTTP_ACCEPT="text/html")
    assert response.status_code == 200


def test_healthz_is_200_degraded_when_the_broker_is_down(client, db, settings):
    settings.CELERY_BROKER_URL = CLOSED_PORT_REDIS
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"] == "ok"
    assert body["broker"] == "down"
    assert body["down"] == ["broker"]
    assert body["detail"]["broker"] == "OperationalError"  # the exception class, never the URL or a password


def test_healthz_is_200_degraded_and_names_both_when_cache_and_broker_are_down(client, db, settings):
    settings.CACHES = DEAD_CACHE
    settings.CELERY_BROKER_URL = CLOSED_PORT_REDIS
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert (body["database"], body["cache"], body["broker"]) == ("ok", "down", "down")
    assert body["down"] == ["cache", "broker"]
    assert body["detail"]["cache"] == "ConnectionError"


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
    assert body["database"] == "down"
    assert body["detail"]["database"] == "OperationalError"
    assert body["broker"] == "ok"
    assert body["down"] == ["database"]


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_healthz_accepts_only_get(client, db, method):
    assert getattr(client, method)("/healthz").status_code == 405
