"""Shared fixtures: the area tree, people per role, and the rule for tests that need services.

A test that needs PostgreSQL, Redis or Chromium skips with the reason when the service is
missing; with ``REQUIRE_SERVICES=1`` (CI) that skip is a failure instead.
"""

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from governance import services
from governance.models import Area, Department, Role

DEMO_PASSWORD = "Portal-test-2026"


def require(condition: bool, reason: str) -> None:
    """Skip (or, with REQUIRE_SERVICES=1, fail) when a real service is missing."""
    if condition:
        return
    if _services_required():
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES") == "1"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Under ``REQUIRE_SERVICES=1`` no test may skip, whichever way it skipped (``require()``,
    ``importorskip``, ``skipif``): the skip is reported as a failure with its reason. Benchmarks
    (``-m load``) are left out: they need PostgreSQL and say so by skipping."""
    report = yield
    benchmark = item.get_closest_marker("load") is not None  # make bench: skips on SQLite by design
    if _services_required() and report.skipped and not hasattr(report, "wasxfail") and not benchmark:
        report.outcome = "failed"
        report.longrepr = f"REQUIRE_SERVICES=1 but the test was skipped: {_skip_reason(report)}"
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    """The same for a whole module skipped while it is collected (a module-level ``importorskip``)."""
    report = yield
    if _services_required() and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"REQUIRE_SERVICES=1 but {collector.nodeid} was skipped: {_skip_reason(report)}"
    return report


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    return longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)


def redis_available(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def require_postgres():
    require(connection.vendor == "postgresql", "needs PostgreSQL: set DATABASE_URL=postgres://… (running on SQLite)")


@pytest.fixture
def redis_url() -> str:
    url = settings.REDIS_URL
    require(bool(url), "needs Redis: set REDIS_URL=redis://…")
    require(redis_available(url), f"needs Redis: nothing answers at {url}")
    return url


@pytest.fixture
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    require(os.path.exists(path) or bool(shutil.which(path)), f"needs Chromium at {path} (apt-get install chromium)")
    return path


@pytest.fixture
def no_failed_logins(db):
    """A sign-in test starts, and ends, with no failed attempt recorded for anyone.

    django-axes keeps attempts through its handler (the database today, rolled back per test; a
    cache handler would keep them across tests), so each lockout test resets them itself instead
    of relying on what ran before it.
    """
    from axes.handlers.proxy import AxesProxyHandler
    from axes.models import AccessAttempt

    AxesProxyHandler.reset_attempts()
    assert not AccessAttempt.objects.exists()
    yield
    AxesProxyHandler.reset_attempts()


@pytest.fixture(autouse=True)
def _clean_sms_outbox() -> None:
    from governance.sms import LocmemSmsBackend

    LocmemSmsBackend.outbox.clear()


@pytest.fixture
def area_tree(db) -> dict[str, Area]:
    """海淀区 → 中关村街道 → 东升社区 / 西苑社区 → a compound each → a building each."""
    district = services.area_create(name="海淀区", code="HD", level=Area.Level.DISTRICT)
    street = services.area_create(name="中关村街道", code="HD-ZGC", level=Area.Level.STREET, parent=district)
    east = services.area_create(name="东升社区", code="HD-ZGC-DS", level=Area.Level.COMMUNITY, parent=street)
    west = services.area_create(name="西苑社区", code="HD-ZGC-XY", level=Area.Level.COMMUNITY, parent=street)
    east_compound = services.area_create(name="东升花园", code="HD-ZGC-DS-01", level=Area.Level.COMPOUND, parent=east)
    west_compound = services.area_create(name="西苑小区", code="HD-ZGC-XY-01", level=Area.Level.COMPOUND, parent=west)
    east_building = services.area_create(
        name="1号楼", code="HD-ZGC-DS-01-B1", level=Area.Level.BUILDING, parent=east_compound
    )
    return {
        "district": district,
        "street": street,
        "east": east,
        "west": west,
        "east_compound": east_compound,
        "west_compound": west_compound,
        "east_building": east_building,
    }


@pytest.fixture
def make_user(db):
    counter = {"n": 0}

    def _make(
        role: str | None = None,
        area: Area | None = None,
        *,
        department: Department | None = None,
        username: str | None = None,
        **fields,
    ):
        counter["n"] += 1
        user = services.user_create(username=username or f"user{counter['n']}", password=DEMO_PASSWORD, **fields)
        if role:
            services.post_assign(user=user, role=role, area=area, department=department)
        return user

    return _make


@pytest.fixture
def grid_worker(make_user, area_tree):
    return make_user(
        Role.GRID_WORKER, area_tree["east_compound"], username="worker", full_name="王网格", phone="13812345678"
    )


@pytest.fixture
def east_staff(make_user, area_tree):
    return make_user(Role.COMMUNITY_STAFF, area_tree["east"], username="east_staff", full_name="李社区")


@pytest.fixture
def street_supervisor(make_user, area_tree):
    return make_user(Role.STREET_SUPERVISOR, area_tree["street"], username="supervisor", full_name="张督办")


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def api_as(api_client):
    def _as(user) -> APIClient:
        api_client.force_authenticate(user=user)
        return api_client

    return _as
