"""A real Celery worker on Redis delivers a notification and writes to PostgreSQL, exactly once.

Runs only with DATABASE_URL=postgres://… and REDIS_URL=redis://… (skips otherwise; fails under
REQUIRE_SERVICES=1). The worker is a subprocess of ``celery -A governance worker`` on the test
database, consuming a queue of its own so that nothing else on the Redis server interferes.
"""

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.core import mail
from django.db import connection

from governance.models import Notification, User

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TASK = "governance.tasks.notification_deliver_task"
READY_TIMEOUT = 60
TASK_TIMEOUT = 30


@dataclass
class Worker:
    queue: str
    log_path: Path
    process: subprocess.Popen
    producer: Celery

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def send(self, notification_id: int) -> str:
        result = self.producer.send_task(TASK, kwargs={"notification_id": notification_id}, queue=self.queue)
        return result.id

    def wait_for(self, pattern: str, timeout: float = TASK_TIMEOUT) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.log())
            if match:
                return match
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited with {self.process.returncode}:\n{self.log()[-4000:]}")
            time.sleep(0.2)
        pytest.fail(f"no {pattern!r} in the worker's output within {timeout}s:\n{self.log()[-4000:]}")

    def task_result(self, task_id: str) -> str:
        return self.wait_for(rf"\[{re.escape(task_id)}\] succeeded in [\d.]+s: (\w+)").group(1)


def _test_database_url() -> str:
    """The URL of the database pytest-django created (test_…), same host and user."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{db['NAME']}"


@pytest.fixture
def worker(require_postgres, redis_url, tmp_path) -> Iterator[Worker]:
    queue = f"itest-{uuid.uuid4().hex[:12]}"
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "governance.settings",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "EMAIL_URL": "consolemail://",
        "SMS_BACKEND": "governance.sms.ConsoleSmsBackend",
        "PYTHONUNBUFFERED": "1",
    }
    celery_bin = Path(sys.executable).with_name("celery")
    command = [
        str(celery_bin),
        "-A",
        "governance",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "-Q",
        queue,
        "-n",
        f"{queue}@%h",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    producer = Celery("integration-test", broker=redis_url, set_as_current=False)
    producer.conf.broker_connection_retry_on_startup = False
    started = Worker(queue=queue, log_path=log_path, process=process, producer=producer)
    try:
        started.wait_for(r"\bready\.", timeout=READY_TIMEOUT)
        yield started
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        producer.close()
        client = redis.Redis.from_url(redis_url)
        leftovers = [queue, *client.scan_iter(match=f"_kombu.binding*{queue}")]
        client.delete(*leftovers)
        client.close()


def _notification(subject: str) -> Notification:
    """A notification due an email, written straight to the table.

    ``notification_send`` would queue the delivery on commit, and in this test process (eager
    Celery, autocommit under ``transaction=True``) it would run here rather than in the worker.
    """
    recipient = User.objects.create(username=f"u-{subject}", email="wang@example.cn", full_name="王网格")
    return Notification.objects.create(
        recipient=recipient, idempotency_key=subject, title=subject, body="integration body", by_email=True
    )


def _wait_until_delivered(notification: Notification) -> Notification:
    deadline = time.monotonic() + TASK_TIMEOUT
    while time.monotonic() < deadline:
        notification.refresh_from_db()
        if notification.delivered_at is not None:
            return notification
        time.sleep(0.2)
    pytest.fail(f"notification {notification.pk} was not delivered within {TASK_TIMEOUT}s")


def test_worker_on_redis_delivers_a_notification_and_writes_to_postgresql(worker):
    subject = f"itest-{uuid.uuid4().hex[:8]}"
    notification = _notification(subject)
    assert notification.delivered_at is None

    task_id = worker.send(notification.pk)
    _wait_until_delivered(notification)
    assert worker.task_result(task_id) == "True"

    assert notification.delivery_error == ""
    assert mail.outbox == []  # sent by the worker, not by this (eager) process
    output = worker.log()
    assert output.count(f"Subject: {subject}") == 1
    assert "To: wang@example.cn" in output


def test_the_same_task_sent_twice_delivers_once(worker):
    subject = f"itest-{uuid.uuid4().hex[:8]}"
    notification = _notification(subject)

    first = worker.send(notification.pk)
    second = worker.send(notification.pk)
    results = [worker.task_result(first), worker.task_result(second)]

    _wait_until_delivered(notification)
    assert results == ["True", "False"]  # one queue, one solo worker: first in, first delivered
    assert worker.log().count(f"Subject: {subject}") == 1
