"""The outbox on real parts: a dead broker delays notifications, a killed worker loses none.

1. A real gunicorn serves the API on the test database with its Celery broker pointed at a closed
   port: a report still commits and answers 201 (quickly), its notifications are in the outbox,
   and once a worker on the real broker runs the outbox scan they arrive, once.
2. A real prefork worker is SIGKILLed while holding notification tasks (a slow SMS gateway keeps
   them in flight); a new worker's outbox scans deliver every one, each exactly once.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token

from governance.models import Notification, Role
from grids.models import Event, EventCategory
from tests.integration.conftest import EAST_POINT, _test_database_url, unique_queue, worker_args

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SCAN = "governance.tasks.notification_redeliver_task"
DELIVER = "governance.tasks.notification_deliver_task"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(f"{what} did not happen within {timeout}s")


@pytest.fixture
def gunicorn_with_dead_broker(require_postgres, redis_url, tmp_path):
    port = _free_port()
    closed = _free_port()  # nothing listens here: the broker is "down"
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "governance.settings",
        "DATABASE_URL": _test_database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{closed}/0",
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "DJANGO_DEBUG": "True",
        "AXES_ENABLED": "False",
        "PYTHONUNBUFFERED": "1",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(gunicorn), "governance.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "60"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"

    def up():
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310 - loopback
                return True
        except urllib.error.HTTPError:
            return True  # answering, if unhealthy (the broker is down)
        except OSError:
            return False

    try:
        _wait(up, 30, f"gunicorn answering on {base} ({log.read_text()[-2000:]})")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_with_the_broker_down_a_report_commits_answers_201_and_its_notices_arrive_later(
    gunicorn_with_dead_broker, start_celery, producer, make_user, area_tree, east_grid, municipal, grid_worker
):
    staff = make_user(Role.COMMUNITY_STAFF, area_tree["east"], username="staff_itest", email="staff@example.cn")
    category = EventCategory.objects.create(service_code="manhole", name="井盖破损", department=municipal)
    token = Token.objects.create(user=grid_worker)
    body = {"description": "北门井盖缺失", "lon": EAST_POINT[0], "lat": EAST_POINT[1], "category": "manhole"}

    request = urllib.request.Request(  # noqa: S310 - loopback
        f"{gunicorn_with_dead_broker}/api/v1/events/",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {token.key}", "Content-Type": "application/json"},
        method="POST",
    )
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        status, payload = response.status, json.loads(response.read())
    took = time.monotonic() - started
    print(f"report with the broker down answered {status} in {took:.2f}s")  # noqa: T201
    assert status == 201, payload
    assert took < 10, f"the report waited {took:.1f}s on the dead broker"
    event = Event.objects.get(code=payload["code"])
    assert event.category == category
    notice = Notification.objects.get(recipient=staff)
    assert (notice.by_email, notice.delivered_at) == (True, None)  # written, not yet sent

    # The broker is back: a worker on it runs the outbox scan (as beat would) and the notice goes out.
    queue = unique_queue()
    worker = start_celery(
        "worker",
        *worker_args(queue),
        queue=queue,
        ready=r"\bready\.",
        name="worker",
    )
    Notification.objects.filter(pk=notice.pk).update(created_at=notice.created_at.replace(year=2025))
    task = producer.send_task(SCAN, queue=queue)
    assert worker.task_result(task.id, timeout=30) == "1"
    notice.refresh_from_db()
    assert notice.delivered_at is not None
    assert worker.log().count("To: s***@example.cn") == 1  # the console mail masks the address
    second = producer.send_task(SCAN, queue=queue)
    assert worker.task_result(second.id, timeout=30) == "0"  # nothing twice


KILL_ENV = {
    "SMS_BACKEND": "tests.integration.slow_sms.SlowConsoleSms",
    "NOTIFICATION_CLAIM_TIMEOUT_SECONDS": "3",
    "NOTIFICATION_SCAN_MIN_AGE_SECONDS": "0",
}


def test_a_worker_killed_holding_notification_tasks_loses_none(start_celery, producer, make_user):
    run = uuid.uuid4().hex[:6]
    people = [make_user(username=f"k{run}{i}", phone=f"139{i:08d}") for i in range(30)]
    notices = [
        Notification.objects.create(
            recipient=p, idempotency_key=f"kill:{run}:{i}", title=f"KILL-{run}-{i:02d}", by_sms=True
        )
        for i, p in enumerate(people)
    ]
    queue = unique_queue()
    doomed = start_celery(
        "worker",
        *worker_args(queue, pool="prefork"),
        "--concurrency=2",
        queue=queue,
        ready=r"\bready\.",
        name="doomed",
        env=KILL_ENV,
    )
    for n in notices:
        producer.send_task(DELIVER, kwargs={"notification_id": n.pk}, queue=queue)
    _wait(lambda: "[SLOW SMS]" in doomed.log(), 30, "the first slow SMS")
    _kill_tree(doomed.process)
    doomed.process.wait(timeout=10)
    ids = [n.pk for n in notices]
    assert Notification.objects.filter(pk__in=ids, delivered_at__isnull=False).count() < 30, (
        "the worker finished everything before it was killed"
    )

    time.sleep(3.5)  # the dead worker's claims expire (3 s in this test)
    rescue_queue = unique_queue()
    rescuer = start_celery(
        "worker", *worker_args(rescue_queue), queue=rescue_queue, ready=r"\bready\.", name="rescuer", env=KILL_ENV
    )
    for _scan in range(2):  # within two scan periods
        task = producer.send_task(SCAN, queue=rescue_queue)
        rescuer.task_result(task.id, timeout=60)
        time.sleep(3.5)
    left = Notification.objects.filter(pk__in=ids, delivered_at__isnull=True)
    assert list(left.values_list("title", flat=True)) == []
    logs = doomed.log() + rescuer.log()
    counts = {n.title: logs.count(f"[SLOW SMS] {n.title}") for n in notices}
    assert counts == {n.title: 1 for n in notices}  # every one delivered, none twice


def _kill_tree(process: subprocess.Popen) -> None:
    """SIGKILL the worker and its pool children (no chance to acknowledge or clean up)."""
    children = subprocess.run(
        ["pgrep", "-P", str(process.pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    process.send_signal(signal.SIGKILL)
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGKILL)
