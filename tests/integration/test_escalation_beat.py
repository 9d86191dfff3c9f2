"""Celery beat and a worker escalate an overdue event by themselves; no test code calls the task.

The category answers in ONE minute. Beat fires ``events-escalate-overdue`` on ``crontab(minute="*")``,
so the event is escalated to the community (社区督办) by the first tick after its deadline: at most
two ticks, about two minutes, after it is reported. Runs only on PostgreSQL + Redis (skips
otherwise; fails under REQUIRE_SERVICES=1).
"""

import time

import pytest

from governance.models import Notification, Role
from grids.models import Event, EventCategory, TimelineEntry
from grids.services import event_report
from tests.integration.conftest import BEAT_READY, EAST_POINT, WORKER_READY, unique_queue, worker_args

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# Deadline one minute after reporting, ticks on every minute boundary: the second tick after the
# report is always past the deadline. 150 s covers two ticks plus start-up and the task itself.
ESCALATION_TIMEOUT = 150
POLL_SECONDS = 2


def _escalated(event: Event, staff) -> tuple[bool, str]:
    event.refresh_from_db()
    entries = list(TimelineEntry.objects.filter(event=event, kind=TimelineEntry.Kind.ESCALATION))
    notices = list(Notification.objects.filter(recipient=staff, title__contains="督办"))
    state = f"level={event.level} escalation_entries={len(entries)} 督办_notifications={len(notices)}"
    return event.level >= Event.Level.COMMUNITY and bool(entries) and bool(notices), state


def test_beat_and_worker_escalate_an_event_past_its_one_minute_deadline(
    start_celery, tmp_path, east_grid, municipal, grid_worker, make_user, area_tree
):
    staff = make_user(Role.COMMUNITY_STAFF, area_tree["east"], username="east_staff", full_name="李社区")
    category = EventCategory.objects.create(
        service_code="manhole_urgent", name="井盖缺失", department=municipal, response_minutes=1
    )
    queue = unique_queue("beat")
    start_celery("worker", *worker_args(queue), queue=queue, ready=WORKER_READY, name="worker")
    beat = start_celery(
        "beat", "--schedule", str(tmp_path / "beat-schedule"), queue=queue, ready=BEAT_READY, name="beat"
    )

    event = event_report(
        reporter=grid_worker,
        description="东升花园北门井盖缺失",
        lon=EAST_POINT[0],
        lat=EAST_POINT[1],
        source=Event.Source.PATROL,
        category=category,
    )
    assert event.level == Event.Level.GRID
    assert (event.respond_by - event.window_started_at).total_seconds() == 60

    deadline = time.monotonic() + ESCALATION_TIMEOUT
    done, state = _escalated(event, staff)
    while not done and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        done, state = _escalated(event, staff)
    assert done, f"not escalated within {ESCALATION_TIMEOUT}s: {state}"

    # Escalated exactly once, to the community, by the scan that beat sent.
    assert event.level == Event.Level.COMMUNITY
    entry = TimelineEntry.objects.get(event=event, kind=TimelineEntry.Kind.ESCALATION)
    assert entry.level == Event.Level.COMMUNITY
    notice = Notification.objects.get(recipient=staff, title__contains="督办")
    assert event.code in notice.title
    assert notice.idempotency_key == f"event:{event.pk}:escalate:{Event.Level.COMMUNITY}"
    assert "Sending due task events-escalate-overdue" in beat.log()
