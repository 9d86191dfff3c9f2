"""Real Celery processes for the integration tests: start them on the test database, stop them.

``start_celery("worker", *worker_args(queue), queue=queue, ready=WORKER_READY)`` runs
``celery -A governance worker …`` as a subprocess on the pytest-django test database, its output
in a file under ``tmp_path``. Every process is stopped in teardown and its queue removed from
Redis; when the test fails, each process's output is added to the failure report. The fixtures
need PostgreSQL and Redis: they skip without them, and fail under ``REQUIRE_SERVICES=1``.
"""

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from celery import Celery, current_app
from django.conf import settings
from django.db import connection

from governance import services
from governance.models import Department
from grids.services import grid_save

READY_TIMEOUT = 60
LOG_TAIL = 6000
WORKER_READY = r"\bready\."
BEAT_READY = r"beat: Starting\.\.\."

_started_key = pytest.StashKey[list["CeleryProcess"]]()


@dataclass
class CeleryProcess:
    name: str
    log_path: Path
    process: subprocess.Popen
    ready: str
    queues: list[str] = field(default_factory=list)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, pattern: str, timeout: float) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.log())
            if match:
                return match
            if self.process.poll() is not None:
                pytest.fail(f"{self.name} exited with {self.process.returncode}:\n{self.log()[-LOG_TAIL:]}")
            time.sleep(0.2)
        pytest.fail(f"no {pattern!r} in the output of {self.name} within {timeout}s:\n{self.log()[-LOG_TAIL:]}")

    def wait_ready(self) -> None:
        self.wait_for(self.ready, timeout=READY_TIMEOUT)

    def task_result(self, task_id: str, timeout: float) -> str:
        """What the task returned, read from the worker's log (results are not stored)."""
        match = self.wait_for(
            rf"\[{re.escape(task_id)}\] (?:succeeded in [\d.]+s: (.*)|raised unexpected: .*)", timeout
        )
        if match.group(1) is None:
            pytest.fail(f"task {task_id} failed in {self.name}: {match.group(0)}")
        return match.group(1).strip()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def _test_database_url() -> str:
    """The URL of the database pytest-django created (``test_…``), same host and user."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{db['NAME']}"


def unique_queue(prefix: str = "itest") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def start_celery(request, require_postgres, redis_url, tmp_path) -> Iterator[Callable[..., CeleryProcess]]:
    """A factory: ``start_celery(subcommand, *args, queue=…, ready=regex)`` → a running process
    (``wait=False``: started, not yet ready; call ``wait_ready()``).

    The environment is production's (``governance.settings``), pointed at the test database and
    at Redis, with ``CELERY_TASK_DEFAULT_QUEUE=queue`` so anything it sends stays on that queue.
    """
    started: list[CeleryProcess] = []
    request.node.stash[_started_key] = started
    celery_bin = Path(sys.executable).with_name("celery")
    base_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "governance.settings",
        "DATABASE_URL": _test_database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "EMAIL_URL": "consolemail://",
        "SMS_BACKEND": "governance.sms.ConsoleSmsBackend",
        "PYTHONUNBUFFERED": "1",
    }

    def _start(
        subcommand: str,
        *args: str,
        queue: str,
        ready: str,
        name: str | None = None,
        wait: bool = True,
        env: dict[str, str] | None = None,
    ) -> CeleryProcess:
        name = name or f"{subcommand}-{len(started)}"
        log_path = tmp_path / f"{name}.log"
        command = [str(celery_bin), "-A", "governance", subcommand, *args, "--loglevel=INFO"]
        env = {**base_env, "CELERY_TASK_DEFAULT_QUEUE": queue, **(env or {})}
        with log_path.open("w", encoding="utf-8") as log:
            process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
        proc = CeleryProcess(name=name, log_path=log_path, process=process, ready=ready, queues=[queue])
        started.append(proc)
        if wait:
            proc.wait_ready()
        return proc

    try:
        yield _start
    finally:
        for proc in reversed(started):
            proc.stop()
        _forget_queues(redis_url, {q for proc in started for q in proc.queues})


@pytest.fixture(autouse=True)
def _project_celery_app_stays_current() -> Iterator[None]:
    """Keep the project's Celery app current for the tests that follow.

    A ``Celery(...)`` created with the default ``set_as_current=True`` (a producer, say) becomes
    the app that ``shared_task`` proxies resolve to; ``.delay()`` in this process would then skip
    the test settings (eager) and send to that app's default queue, ``celery``, on the real Redis.
    """
    app = current_app._get_current_object()
    yield
    app.set_current()


@pytest.fixture
def producer(redis_url) -> Iterator[Celery]:
    """A bare Celery client on the broker, to send tasks by name as beat would."""
    app = Celery("integration-test", broker=redis_url, set_as_current=False)
    app.conf.broker_connection_retry_on_startup = False
    try:
        yield app
    finally:
        app.close()


def worker_args(queue: str, *, pool: str = "solo") -> list[str]:
    """Arguments of a worker that consumes ``queue`` only and talks to no other worker."""
    return [
        f"--pool={pool}",
        "--concurrency=1",
        "-Q",
        queue,
        "-n",
        f"{queue}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]


def _forget_queues(url: str, queues: set[str]) -> None:
    """Delete the test's queues and their bindings (including the workers' pidbox entries)."""
    if not queues:
        return
    client = redis.Redis.from_url(url)
    try:
        for key in list(client.scan_iter(match="_kombu.binding.*")):
            members = [m for m in client.smembers(key) if any(q.encode() in m for q in queues)]
            if members:
                client.srem(key, *members)
        doomed = set()
        for queue in queues:
            doomed.update(client.scan_iter(match=f"*{queue}*"))
        if doomed:
            client.delete(*doomed)
    finally:
        client.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failed test, attach each Celery process's output to the report."""
    report = yield
    started = item.stash.get(_started_key, [])
    if report.failed and report.when == "call":
        for proc in started:
            report.sections.append((f"output of {proc.name}", proc.log()[-LOG_TAIL:]))
    return report


# --- Data shared by the grid tests -------------------------------------------------------------

EAST_POINT = (116.305, 39.985)


@pytest.fixture
def east_grid(area_tree, grid_worker):
    """东升第一网格, a 0.01° square in 东升社区 holding ``EAST_POINT``."""
    lon, lat, size = 116.30, 39.98, 0.01
    boundary = {
        "type": "Polygon",
        "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]],
    }
    grid, _warnings = grid_save(
        code="DS-G1",
        name="东升第一网格",
        area=area_tree["east"],
        boundary=boundary,
        households=400,
        workers=[grid_worker],
    )
    return grid


@pytest.fixture
def municipal(area_tree):
    return services.department_create(
        name="市政所", code="SZ", kind=Department.Kind.MUNICIPAL, area=area_tree["street"]
    )
