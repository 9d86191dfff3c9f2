"""Rate limits: each door's N+1-th request in a window is 429 with Retry-After and a Chinese message;
another IP, key, device or user is not affected; counts are shared through Redis."""

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
import redis
import time_machine
from django.core.cache import cache
from django.core.checks import run_checks

from governance import throttles
from governance.cache import DegradableRedisCache
from governance.models import Role
from grids import services as grid_services
from grids.models import Event
from grids.services.open311 import open311_key_issue
from tests.conftest import DEMO_PASSWORD
from tests.grids.conftest import EAST_POINT, east_grid, manhole, municipal  # noqa: F401

# 15 seconds into a minute: a "N/min" window has 45 seconds left.
FROZEN = datetime(2026, 11, 23, 2, 0, 15, tzinfo=UTC)
LIMITS = {"token": "3/min", "login": "5/min", "open311": "2/min", "sensor": "2/min", "writes": "2/min"}
THROTTLED = {"code": "throttled", "detail": "请求过于频繁，请在 45 秒后重试。"}


@pytest.fixture
def limits(settings):
    settings.RATE_LIMITS = dict(LIMITS)
    cache.clear()
    with time_machine.travel(FROZEN, tick=False):
        yield
    cache.clear()


def assert_throttled_json(response) -> None:
    assert response.status_code == 429
    assert response["Retry-After"] == "45"
    assert response.json() == THROTTLED


# --- Parsing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "limit", "period"),
    [("10/min", 10, 60), ("5/m", 5, 60), ("30/h", 30, 3600), ("2/s", 2, 1), ("100/day", 100, 86400)],
)
def test_rates_are_read_as_count_per_period(text, limit, period):
    assert throttles.parse_rate(text) == throttles.Rate(limit=limit, period=period)


@pytest.mark.parametrize("text", ["", None, "  "])
def test_an_empty_rate_is_no_limit(text):
    assert throttles.parse_rate(text) is None


@pytest.mark.parametrize("text", ["10", "ten/min", "10/week"])
def test_a_mistyped_rate_fails_loudly(text):
    with pytest.raises(ValueError, match="Invalid rate limit"):
        throttles.parse_rate(text)


# --- Token, per client IP -------------------------------------------------------------------


def test_token_requests_from_one_ip_are_refused_after_the_limit(api_client, make_user, limits):
    make_user(username="tokenuser")
    body = {"username": "tokenuser", "password": DEMO_PASSWORD}
    for _ in range(3):
        assert api_client.post("/api/v1/auth/token/", body, format="json", REMOTE_ADDR="10.0.0.1").status_code == 200
    refused = api_client.post("/api/v1/auth/token/", body, format="json", REMOTE_ADDR="10.0.0.1")
    assert_throttled_json(refused)
    # Another address is not affected; a forged X-Forwarded-For does not make a new one.
    assert api_client.post("/api/v1/auth/token/", body, format="json", REMOTE_ADDR="10.0.0.2").status_code == 200
    forged = api_client.post(
        "/api/v1/auth/token/", body, format="json", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    assert forged.status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(api_client, make_user, limits, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    body = {"username": "nobody", "password": "wrong"}
    for _ in range(3):
        response = api_client.post(
            "/api/v1/auth/token/", body, format="json", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7"
        )
        assert response.status_code == 400
    same_client = api_client.post(
        "/api/v1/auth/token/",
        body,
        format="json",
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7",  # a forged first hop; the proxy saw 198.51.100.7
    )
    assert same_client.status_code == 429
    other_client = api_client.post(
        "/api/v1/auth/token/", body, format="json", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.8"
    )
    assert other_client.status_code == 400


# --- Login page, failed sign-ins per client IP ----------------------------------------------


def test_a_password_spray_over_30_usernames_from_one_ip_is_refused_after_the_limit(client, make_user, limits):
    make_user(username="victim")
    statuses = [
        client.post("/accounts/login/", {"username": f"user{n:02d}", "password": "Spring2026!"}, REMOTE_ADDR="10.0.0.9")
        for n in range(30)
    ]
    assert [r.status_code for r in statuses] == [200] * 5 + [429] * 25
    refused = statuses[5]
    assert refused["Retry-After"] == "45"
    page = refused.content.decode()
    assert "登录尝试过于频繁" in page
    assert "请求过于频繁，请在 45 秒后重试。" in page
    # Even the right password is refused from that address until the window ends ...
    right = client.post("/accounts/login/", {"username": "victim", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    # ... while another address signs in.
    other = client.post("/accounts/login/", {"username": "victim", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.0.0.10")
    assert other.status_code == 302
    assert client.session["_auth_user_id"] == str(other.wsgi_request.user.pk)


def test_successful_sign_ins_from_one_office_address_are_not_counted(client, make_user, limits):
    make_user(username="clerk")
    for _ in range(8):  # more than the limit of 5
        response = client.post(
            "/accounts/login/", {"username": "clerk", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.0.0.20"
        )
        assert response.status_code == 302
        client.logout()


# --- Open311, POSTs per api_key -------------------------------------------------------------


@pytest.fixture
def open311_form(east_grid, manhole):  # noqa: F811
    def _form(key: str, n: int) -> dict:
        return {
            "api_key": key,
            "service_code": "manhole",
            # 0.001° (about 110 m) apart each time: not merged by the 50 m duplicate rule
            "lat": str(EAST_POINT[1] - 0.004 + n * 0.001),
            "long": str(EAST_POINT[0]),
            "description": f"井盖缺失，第{n}处",
        }

    return _form


def test_open311_posts_with_one_key_are_refused_after_the_limit(client, open311_form, limits):
    _record, key = open311_key_issue(name="市民热线")
    _record, other_key = open311_key_issue(name="另一客户端")
    for n in range(2):
        assert client.post("/open311/v2/requests.json", open311_form(key, n)).status_code == 200
    refused = client.post("/open311/v2/requests.json", open311_form(key, 3))
    assert refused.status_code == 429
    assert refused["Retry-After"] == "45"
    assert json.loads(refused.content) == [{"code": 429, "description": "请求过于频繁，请在 45 秒后重试。"}]
    assert Event.objects.count() == 2
    xml = client.post("/open311/v2/requests.xml", open311_form(key, 4))
    assert xml.status_code == 429
    error = ET.fromstring(xml.content).find("error")  # noqa: S314 - our own response
    assert (error.findtext("code"), error.findtext("description")) == ("429", "请求过于频繁，请在 45 秒后重试。")
    assert client.post("/open311/v2/requests.json", open311_form(other_key, 5)).status_code == 200
    assert Event.objects.count() == 3
    # Reading is not limited by the POST limit.
    assert client.get("/open311/v2/requests.json").status_code == 200


# --- Sensor alerts, per device --------------------------------------------------------------


def test_a_device_varying_its_fault_opens_no_more_events_than_the_limit(api_client, manhole, east_grid, limits):  # noqa: F811
    _device, token = grid_services.sensor_register(
        device_id="MC-1", kind="manhole_cover", lon=EAST_POINT[0], lat=EAST_POINT[1], category=manhole
    )
    _other, other_token = grid_services.sensor_register(
        device_id="MC-2", kind="manhole_cover", lon=EAST_POINT[0], lat=EAST_POINT[1], category=manhole
    )

    def alert(device_id: str, device_token: str, fault: str):
        return api_client.post(
            "/api/v1/sensors/alerts/",
            {"device_id": device_id, "fault": fault},
            format="json",
            HTTP_AUTHORIZATION=f"Device {device_token}",
        )

    assert [alert("MC-1", token, f"fault-{n}").status_code for n in range(2)] == [201, 201]
    assert_throttled_json(alert("MC-1", token, "fault-3"))
    assert Event.objects.count() == 2
    assert alert("MC-2", other_token, "tilted").status_code == 201
    assert Event.objects.count() == 3


# --- API writes, per user -------------------------------------------------------------------


def test_api_writes_by_one_user_are_refused_after_the_limit(api_as, make_user, area_tree, limits):
    first = make_user(Role.RESIDENT, area_tree["east_building"])
    second = make_user(Role.RESIDENT, area_tree["east_building"])
    client = api_as(first)
    for _ in range(5):  # reads are not writes
        assert client.get("/api/v1/me/").status_code == 200
    assert [client.post("/api/v1/notifications/read-all/").status_code for _ in range(2)] == [200, 200]
    assert_throttled_json(client.post("/api/v1/notifications/read-all/"))
    assert client.get("/api/v1/me/").status_code == 200
    assert api_as(second).post("/api/v1/notifications/read-all/").status_code == 200


def test_no_limit_when_the_rate_is_empty(api_as, make_user, area_tree, limits, settings):
    settings.RATE_LIMITS = {**LIMITS, "writes": ""}
    client = api_as(make_user(Role.RESIDENT, area_tree["east_building"]))
    assert {client.post("/api/v1/notifications/read-all/").status_code for _ in range(5)} == {200}


# --- Shared through Redis -------------------------------------------------------------------


def test_counts_are_shared_through_redis_by_separate_cache_connections(
    api_client, db, redis_url, settings, monkeypatch, limits
):
    settings.CACHES = {"default": {"BACKEND": "governance.cache.DegradableRedisCache", "LOCATION": redis_url}}
    cache.clear()
    body = {"username": "nobody", "password": "wrong"}
    for _ in range(3):  # counted by this process's cache connection
        assert api_client.post("/api/v1/auth/token/", body, format="json", REMOTE_ADDR="10.1.1.1").status_code == 400
    # A second web process: its own cache object and connection pool on the same Redis.
    other_process = DegradableRedisCache(redis_url, {})
    monkeypatch.setattr(throttles, "cache", other_process)
    refused = api_client.post("/api/v1/auth/token/", body, format="json", REMOTE_ADDR="10.1.1.1")
    assert_throttled_json(refused)
    assert not other_process.degraded
    # The count lives in Redis itself, under a hashed key (no address or key in clear).
    raw = redis.Redis.from_url(redis_url)
    keys = [k.decode() for k in raw.keys("*ratelimit:token:*")]
    assert len(keys) == 1
    assert "10.1.1.1" not in keys[0]
    assert int(raw.get(keys[0])) == 4
    assert 0 < raw.ttl(keys[0]) <= 61  # the window (60 s) and one second: a counter never outlives it
    cache.clear()


def test_the_refusal_is_in_english_for_an_english_client(api_client, db, limits):
    body = {"username": "nobody", "password": "wrong"}
    for _ in range(3):
        api_client.post("/api/v1/auth/token/", body, format="json", REMOTE_ADDR="10.2.2.2")
    refused = api_client.post(
        "/api/v1/auth/token/", body, format="json", REMOTE_ADDR="10.2.2.2", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 429
    assert refused.json() == {"code": "throttled", "detail": "Too many requests; please try again in 45 seconds."}


def test_a_mistyped_rate_limit_is_a_system_check_error_at_start_up(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "writes": "120/minutes", "login": "30/h"}
    errors = [e for e in run_checks() if e.id == "governance.E001"]
    assert [(e.msg, e.hint) for e in errors] == [
        (
            "Invalid rate limit '120/minutes': expected 'N/s', 'N/min', 'N/h' or 'N/d'.",
            "Set RATE_LIMIT_WRITES to e.g. 30/min.",
        )
    ]


def test_the_configured_rate_limits_pass_the_check():
    assert [e for e in run_checks() if e.id == "governance.E001"] == []


def test_a_counted_request_is_one_round_trip_to_redis(db, redis_url, settings, monkeypatch):
    """SET NX EX and INCR in one pipeline: neither Django's add() nor incr() (which asks EXISTS
    first) is called, through the ``django.core.cache.cache`` proxy the throttles use."""
    settings.CACHES = {"default": {"BACKEND": "governance.cache.DegradableRedisCache", "LOCATION": redis_url}}
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "writes": "2/min"}
    cache.clear()

    def refuse(*args, **kwargs):
        raise AssertionError("a second round trip")

    monkeypatch.setattr(DegradableRedisCache, "add", refuse)
    monkeypatch.setattr(DegradableRedisCache, "incr", refuse)
    waits = [throttles.hit("writes", "user:1") for _ in range(3)]
    assert waits[:2] == [None, None]
    assert 1 <= waits[2] <= 60  # the third in the window is refused, with the seconds to wait
    cache.clear()
