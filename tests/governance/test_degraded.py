"""Redis down is a degraded state, not an outage: with the cache (and the broker) unreachable, pages,
reports and sign-in still work, the limits fall back to process memory or fail open, one warning is
logged per interval, nothing waits long, and /healthz says what is down with 200."""

import json
import logging
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import cache

from governance.models import Role
from tests.conftest import DEMO_PASSWORD
from tests.grids.conftest import EAST_POINT, east_grid, manhole, municipal  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dead_redis_url() -> str:
    return f"redis://127.0.0.1:{closed_port()}/0"


@pytest.fixture
def dead_cache(settings, dead_redis_url):
    """The production cache backend and options, pointing at a port where nothing listens."""
    settings.CACHES = {
        "default": {
            "BACKEND": "governance.cache.DegradableRedisCache",
            "LOCATION": dead_redis_url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "writes": "100/min", "login": "100/min"}
    return cache


@pytest.mark.usefixtures("east_grid", "manhole")
def test_an_api_report_and_pages_still_work_with_the_cache_down(api_as, client, grid_worker, dead_cache, caplog):
    caplog.set_level(logging.WARNING, logger="governance.cache")
    response = api_as(grid_worker).post(
        "/api/v1/events/",
        {"description": "路口井盖缺失", "category": "manhole", "lon": EAST_POINT[0], "lat": EAST_POINT[1]},
        format="json",
    )
    assert response.status_code == 201, response.content
    wrong = client.post("/accounts/login/", {"username": "worker", "password": "wrong"})
    assert wrong.status_code == 200
    signed_in = client.post("/accounts/login/", {"username": "worker", "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/inbox/").status_code == 200
    assert dead_cache.degraded
    warnings = [r for r in caplog.records if r.name == "governance.cache"]
    assert len(warnings) == 1  # once for the interval, not once per request
    assert "Redis unreachable" in warnings[0].getMessage()


def test_with_the_cache_down_the_limits_still_hold_from_process_memory(
    api_as, make_user, area_tree, dead_cache, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "writes": "2/h"}
    client = api_as(make_user(Role.RESIDENT, area_tree["east_building"]))
    statuses = [client.post("/api/v1/notifications/read-all/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_when_the_cache_itself_fails_the_limits_fail_open_and_log_once(
    api_as, make_user, area_tree, settings, dead_redis_url, caplog
):
    # Django's own Redis backend, without the fallback: every cache call raises.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": dead_redis_url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "writes": "1/h"}
    caplog.set_level(logging.WARNING, logger="governance.throttles")
    from governance import throttles

    throttles._last_logged = 0.0
    client = api_as(make_user(Role.RESIDENT, area_tree["east_building"]))
    assert [client.post("/api/v1/notifications/read-all/").status_code for _ in range(3)] == [200, 200, 200]
    warnings = [r for r in caplog.records if r.name == "governance.throttles"]
    assert len(warnings) == 1
    assert "requests pass unlimited" in warnings[0].getMessage()


def test_healthz_says_the_cache_is_down_and_answers_200_degraded(client, db, dead_cache):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"] == "ok"
    assert body["cache"] == "down"
    assert "cache" in body["down"]


def test_the_real_settings_never_wait_long_on_a_dead_redis(dead_redis_url):
    """Production settings with REDIS_URL at a closed port: the cache answers from memory at once
    and publishing a task raises within 3 seconds instead of hanging."""
    script = """
import json, time
import django
django.setup()
from django.conf import settings
from django.core.cache import cache
from governance.celery import app
started = time.monotonic()
value = cache.get("anything", "fallback")
cache_seconds = time.monotonic() - started
started = time.monotonic()
try:
    app.send_task("governance.tasks.notification_redeliver_task")
    error = None
except Exception as exc:
    error = exc.__class__.__name__
print(json.dumps({
    "options": settings.CACHES["default"]["OPTIONS"],
    "value": value, "cache_seconds": cache_seconds,
    "error": error, "publish_seconds": time.monotonic() - started,
}))
"""
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "governance.settings",
        "REDIS_URL": dead_redis_url,
        "PYTHONPATH": str(ROOT),
    }
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["options"] == {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    assert result["value"] == "fallback"
    assert result["cache_seconds"] < 1.0
    assert result["error"] == "OperationalError"
    assert result["publish_seconds"] < 3.0
    assert time.monotonic() - started < 30
