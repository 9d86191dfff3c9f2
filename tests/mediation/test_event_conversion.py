"""A grid event turned into a case counts as answered on the event's response clock — even when
a grid clock wrote the event after the converter read it — and the escalation scan leaves it
alone; its timeline says it was transferred; the reporter sees the case number and a public-safe
status, never the case."""

from datetime import timedelta

import pytest
import time_machine
from django.db.models import F
from django.test import Client
from django.urls import reverse

from grids.models import Event
from grids.models import TimelineEntry as EventTimeline
from grids.services.escalation import escalate_overdue
from mediation import services

pytestmark = pytest.mark.django_db


def test_a_stale_event_is_still_answered_and_not_escalated(boundary_event, village_mediator):
    reported = boundary_event.created_at
    # A grid clock (the reminder) writes the row after the converter read it: the version moved.
    Event.objects.filter(pk=boundary_event.pk).update(version=F("version") + 1)
    case = services.case_from_event(event=boundary_event, actor=village_mediator, type="homestead")
    event = Event.objects.get(pk=boundary_event.pk)
    assert event.responded_at is not None
    assert event.first_responded_at == event.responded_at
    assert event.version == 2
    notes = list(event.timeline.filter(kind=EventTimeline.Kind.NOTE).values_list("note", flat=True))
    assert notes == [f"已转为矛盾纠纷调解案件 {case.number}，由调解组织依法办理。"]
    with time_machine.travel(reported + timedelta(days=30), tick=False):
        assert escalate_overdue() == 0
    event.refresh_from_db()
    assert event.level == boundary_event.level


def test_the_reporter_sees_the_number_and_the_public_status_only(boundary_event, village_mediator, grid_worker):
    case = services.case_from_event(event=boundary_event, actor=village_mediator, type="homestead")
    services.case_accept(case=case, actor=village_mediator)
    services.case_start(case=case, actor=village_mediator)
    client = Client()
    client.force_login(grid_worker)  # the reporter
    page = client.get(reverse("grids:event_detail", args=[boundary_event.pk])).content.decode()
    assert f"已转为调解案件 {case.number}：调解中" in page
    assert reverse("mediation:case_detail", args=[case.pk]) not in page
    assert client.get(reverse("mediation:case_detail", args=[case.pk])).status_code == 404
