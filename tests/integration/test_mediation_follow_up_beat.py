"""Celery beat and a worker report an overdue follow-up to the supervisor by themselves, once: an
agreement signed eight days ago has its one-week visit (due yesterday) overdue. No test code
calls the task. Runs only on PostgreSQL + Redis (skips otherwise; fails under REQUIRE_SERVICES=1).
"""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from governance.models import Notification, Role
from mediation import services
from mediation.models import CaseTimelineEntry, FollowUp
from tests.integration.conftest import BEAT_READY, WORKER_READY, unique_queue, worker_args

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TIMEOUT = 150  # two beat ticks (every minute) plus start-up
POLL_SECONDS = 2


def test_beat_reports_an_overdue_follow_up_to_the_supervisor_once(start_celery, tmp_path, make_user, area_tree):
    mediator = make_user(Role.MEDIATOR, area_tree["east"], username="mediator", full_name="郑调解")
    supervisor = make_user(Role.STREET_SUPERVISOR, area_tree["street"], username="supervisor", full_name="张督办")
    case = services.case_register(
        actor=mediator,
        type="neighbour",
        description="漏水纠纷",
        area=area_tree["east_compound"],
        source="walk_in",
        parties=[{"role": "applicant", "name": "王小明"}],
        lead=mediator,
    )
    services.case_accept(case=case, actor=mediator)
    services.case_start(case=case, actor=mediator)
    services.agreement_record(
        case=case, actor=mediator, terms="赔偿800元", signed_on=timezone.localdate() - timedelta(days=8)
    )
    week = FollowUp.objects.get(case=case, kind="week")
    assert week.overdue_reported_at is None

    queue = unique_queue("mediation-beat")
    start_celery("worker", *worker_args(queue), queue=queue, ready=WORKER_READY, name="worker")
    beat = start_celery(
        "beat", "--schedule", str(tmp_path / "beat-schedule"), queue=queue, ready=BEAT_READY, name="beat"
    )

    def reported() -> bool:
        return Notification.objects.filter(recipient=supervisor, title__startswith="【回访逾期】").exists()

    deadline = time.monotonic() + TIMEOUT
    while not reported() and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
    assert reported(), f"no overdue report within {TIMEOUT}s"

    # Let at least one more tick pass: still exactly one report, one timeline entry.
    first_tick_log = beat.log().count("Sending due task mediation-follow-up-clock")
    more = time.monotonic() + 75
    while beat.log().count("Sending due task mediation-follow-up-clock") <= first_tick_log and time.monotonic() < more:
        time.sleep(POLL_SECONDS)
    time.sleep(3)
    notices = Notification.objects.filter(recipient=supervisor, title__startswith="【回访逾期】")
    assert list(notices.values_list("title", flat=True)) == [f"【回访逾期】案件 {case.number} 的一周回访已逾期"]
    # The key carries the visit's due date: a visit moved to a later date is reported once more.
    assert notices.get().idempotency_key == f"mediation:follow_up:{week.pk}:overdue:{week.due_on.isoformat()}"
    assert CaseTimelineEntry.objects.filter(case=case, kind="reminder", note__contains="已逾期").count() == 1
    week.refresh_from_db()
    assert week.overdue_reported_at is not None
    assert beat.log().count("Sending due task mediation-follow-up-clock") >= 2
