"""A real Celery worker on Redis delivers a notification and writes to PostgreSQL, exactly once.

Runs only with DATABASE_URL=postgres://… and REDIS_URL=redis://… (skips otherwise; fails under
REQUIRE_SERVICES=1). The worker is a subprocess of ``celery -A governance worker`` on the test
database, consuming a queue of its own so that nothing else on the Redis server interferes
(``start_celery`` in tests/integration/conftest.py).
"""

import time
import uuid
from dataclasses import dataclass

import pytest
from celery import Celery
from django.core import mail

from governance.models import Notification, User
from tests.integration.conftest import CeleryProcess, unique_queue, worker_args

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TASK = "governance.tasks.notification_deliver_task"
TASK_TIMEOUT = 30


@dataclass
class Worker:
    process: CeleryProcess
    queue: str
    producer: Celery

    def log(self) -> str:
        return self.process.log()

    def send(self, notification_id: int) -> str:
        return self.producer.send_task(TASK, kwargs={"notification_id": notification_id}, queue=self.queue).id

    def task_result(self, task_id: str) -> str:
        return self.process.task_result(task_id, timeout=TASK_TIMEOUT)


@pytest.fixture
def worker(start_celery, producer) -> Worker:
    queue = unique_queue()
    process = start_celery("worker", *worker_args(queue), queue=queue, ready=r"\bready\.", name="worker")
    return Worker(process=process, queue=queue, producer=producer)


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
    assert "To: w***@example.cn" in output  # the console backend masks addresses (governance.mail)
    assert "wang@example.cn" not in output


def test_the_same_task_sent_twice_delivers_once(worker):
    subject = f"itest-{uuid.uuid4().hex[:8]}"
    notification = _notification(subject)

    first = worker.send(notification.pk)
    second = worker.send(notification.pk)
    results = [worker.task_result(first), worker.task_result(second)]

    _wait_until_delivered(notification)
    assert results == ["True", "False"]  # one queue, one solo worker: first in, first delivered
    assert worker.log().count(f"Subject: {subject}") == 1
