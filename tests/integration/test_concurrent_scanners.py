"""Four scanners over thousands of overdue events escalate each once and notify nobody twice.

Four real Celery workers (one process each, each on a queue of its own) receive
``event_escalate_overdue_task`` at the same moment, and again, until nothing is due. On
PostgreSQL each scan claims its batch with ``FOR UPDATE SKIP LOCKED``, so the workers share the
backlog instead of queueing behind one another, and the compare-and-set update guarantees that
no event is escalated twice. Runs only on PostgreSQL + Redis (skips otherwise; fails under
REQUIRE_SERVICES=1).
"""

import re
import time
from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from governance.models import Notification, Role
from grids.models import Event, EventCategory, TimelineEntry
from grids.services import escalation_due
from tests.integration.conftest import EAST_POINT, WORKER_READY, unique_queue, worker_args

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TASK = "grids.tasks.event_escalate_overdue_task"
EVENTS = 3000
SCANNERS = 4
TASKS_PER_ROUND = 2  # per scanner; a scan claims at most 500 events (grids.services.escalation.BATCH)
RUN_TIMEOUT = 150


def _overdue_events(*, grid, category, count: int) -> None:
    now = timezone.now()
    window_started = now - timedelta(hours=2)
    Event.objects.bulk_create(
        [
            Event(
                code=f"LD{i:08d}",
                category=category,
                description=f"积压事件 {i}",
                lon=EAST_POINT[0],
                lat=EAST_POINT[1],
                grid=grid,
                source=Event.Source.PATROL,
                status=Event.Status.REPORTED if i % 2 else Event.Status.DISPATCHED,
                department=category.department,
                window_started_at=window_started,
                respond_by=now - timedelta(minutes=1 + i % 60),
                due_at=now - timedelta(minutes=1 + i % 60),
                remind_at=window_started + timedelta(minutes=48),
                status_changed_at=window_started,
            )
            for i in range(count)
        ],
        batch_size=1000,
    )


def test_four_concurrent_scanners_escalate_each_event_once_and_notify_nobody_twice(
    start_celery, producer, east_grid, municipal, make_user, area_tree
):
    staff = [make_user(Role.COMMUNITY_STAFF, area_tree["east"], username=f"east_staff{n}") for n in range(2)]
    category = EventCategory.objects.create(
        service_code="manhole", name="井盖破损", department=municipal, response_minutes=60
    )
    _overdue_events(grid=east_grid, category=category, count=EVENTS)
    assert escalation_due().count() == EVENTS

    queues = [unique_queue(f"scan{n}") for n in range(SCANNERS)]
    scanners = [
        start_celery("worker", *worker_args(queue), queue=queue, ready=WORKER_READY, name=f"scanner{n}", wait=False)
        for n, queue in enumerate(queues)
    ]
    for scanner in scanners:
        scanner.wait_ready()

    # All four are consuming: send every scanner its tasks at once, then more until nothing is due.
    deadline = time.monotonic() + RUN_TIMEOUT
    counts: dict[str, list[int]] = {s.name: [] for s in scanners}
    rounds = 0
    while True:
        rounds += 1
        sent = [
            (scanner, producer.send_task(TASK, queue=queue).id)
            for _ in range(TASKS_PER_ROUND)
            for scanner, queue in zip(scanners, queues, strict=True)
        ]
        for scanner, task_id in sent:
            result = scanner.task_result(task_id, timeout=max(deadline - time.monotonic(), 1))
            counts[scanner.name].append(int(result))
        if not escalation_due().exists():
            break
        assert time.monotonic() < deadline, f"events still due after {RUN_TIMEOUT}s: {counts}"

    totals = {name: sum(values) for name, values in counts.items()}
    print(f"\nscanners' escalations ({rounds} round(s), {TASKS_PER_ROUND} tasks each per round): {counts}")  # noqa: T201

    # Every event is at the community level, with exactly one escalation entry.
    assert Event.objects.count() == EVENTS
    assert Event.objects.filter(level=Event.Level.COMMUNITY).count() == EVENTS
    per_event = (
        TimelineEntry.objects.filter(kind=TimelineEntry.Kind.ESCALATION)
        .values("event")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    assert sorted(set(per_event)) == [1]
    assert len(per_event) == EVENTS

    # Each staff member got one 督办 per event; and the scanners escalated each event exactly once
    # between them (the unique key alone would hide a double escalation, the counts do not).
    assert Notification.objects.filter(title__contains="督办").count() == EVENTS * len(staff)
    assert Notification.objects.count() == EVENTS * len(staff)
    for user in staff:
        keys = Notification.objects.filter(recipient=user).values_list("idempotency_key", flat=True)
        assert len(set(keys)) == EVENTS
        assert all(re.fullmatch(r"event:\d+:escalate:1", key) for key in keys)
    assert sum(totals.values()) == EVENTS

    # The work was shared: more than one scanner escalated events.
    assert sum(1 for total in totals.values() if total > 0) >= 2, totals
