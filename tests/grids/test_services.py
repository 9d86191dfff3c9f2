"""Grid services: report, every transition, dispatch, escalation, reminders, sensors, photos."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from governance.exceptions import InvalidTransition, StaleState
from governance.models import Notification
from governance.workflow import UndeclaredWrite
from grids import services
from grids.models import DispatchRule, Event, EventPhoto, Patrol, TimelineEntry
from grids.selectors import grid_for_point
from grids.services.patrols import PATROL_FLOW
from tests.grids.conftest import EAST_POINT, NOWHERE, WEST_POINT, image_bytes

S = Event.Status
pytestmark = pytest.mark.django_db

ALL = list(S.values)
# The state machine as the issue and the README state it, written out here on purpose: the
# test must fail if the table in the code gains or loses a move.
ALLOWED = {
    ("reported", "accepted"),
    ("reported", "rejected"),
    ("reported", "withdrawn"),
    ("accepted", "dispatched"),
    ("accepted", "withdrawn"),
    ("dispatched", "in_progress"),
    ("dispatched", "accepted"),  # return (退回)
    ("dispatched", "dispatched"),  # re-dispatch (改派)
    ("dispatched", "withdrawn"),
    ("in_progress", "resolved"),
    ("in_progress", "withdrawn"),
    ("resolved", "closed"),
    ("resolved", "reopened"),
    ("reopened", "in_progress"),
    ("reopened", "accepted"),  # return (退回)
    ("reopened", "withdrawn"),
}
# The columns each move may write (besides status, version and the timestamps).
WITHDRAW = {"withdraw_reason", "closed_at"}
WRITES = {
    ("reported", "accepted"): {"category", "window_started_at", "respond_by", "due_at", "remind_at", "reminded_at"},
    ("reported", "rejected"): {"reject_reason", "closed_at", "responded_at", "first_responded_at"},
    ("reported", "withdrawn"): WITHDRAW,
    ("accepted", "dispatched"): {"department", "resolve_by"},
    ("accepted", "withdrawn"): WITHDRAW,
    ("dispatched", "in_progress"): {"responded_at", "first_responded_at"},
    ("dispatched", "accepted"): {"department", "resolve_by"},
    ("dispatched", "dispatched"): {"department", "resolve_by"},
    ("dispatched", "withdrawn"): WITHDRAW,
    ("in_progress", "resolved"): {"resolution", "resolved_at"},
    ("in_progress", "withdrawn"): WITHDRAW,
    ("resolved", "closed"): {"rating", "rating_comment", "rated_via", "closed_at"},
    ("resolved", "reopened"): {
        "rating",
        "rating_comment",
        "rated_via",
        "responded_at",
        "resolved_at",
        "level",
        "window_started_at",
        "respond_by",
        "due_at",
        "remind_at",
        "reminded_at",
    },
    ("reopened", "in_progress"): {"responded_at", "first_responded_at"},
    ("reopened", "accepted"): {"department", "resolve_by"},
    ("reopened", "withdrawn"): WITHDRAW,
}


def _put_in(event: Event, status: str) -> Event:
    Event.objects.filter(pk=event.pk).update(status=status)
    event.refresh_from_db()
    return event


# --- Point in grid and report ---------------------------------------------------------------


def test_point_is_found_in_the_grid_that_contains_it(east_grid, west_grid):
    assert grid_for_point(lon=EAST_POINT[0], lat=EAST_POINT[1]) == east_grid
    assert grid_for_point(lon=WEST_POINT[0], lat=WEST_POINT[1]) == west_grid
    assert grid_for_point(lon=NOWHERE[0], lat=NOWHERE[1]) is None


def test_report_sets_grid_clock_timeline_and_a_public_code(report, east_grid, manhole):
    before = timezone.now()
    event = report()
    assert event.grid == east_grid
    assert event.status == S.REPORTED
    assert len(event.code) == 10
    assert timedelta(hours=23, minutes=59) < event.respond_by - before <= timedelta(hours=24, seconds=5)
    assert event.remind_at - event.window_started_at == timedelta(hours=24) * 0.8
    entry = event.timeline.get()
    assert (entry.kind, entry.to_status) == (TimelineEntry.Kind.TRANSITION, S.REPORTED)


def test_report_outside_every_grid_is_refused_and_writes_nothing(report, photo):
    with pytest.raises(services.OutsideEveryGrid) as exc:
        report(lon=NOWHERE[0], lat=NOWHERE[1], photos=[photo])
    assert "不在任何网格内" in exc.value.detail
    assert Event.objects.count() == 0
    assert EventPhoto.objects.count() == 0
    assert TimelineEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.jpg", b"this is not an image at all", "只能上传"),
        ("huge.jpg", b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024 + 10), "文件过大"),
    ],
)
def test_bad_photo_is_refused_and_nothing_is_written(report, name, content, message):
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    with pytest.raises(ValidationError, match=message):
        report(photos=[upload])
    assert Event.objects.count() == 0
    assert EventPhoto.objects.count() == 0


def test_photo_is_stored_without_location_metadata(report, photo):
    raw = Image.open(SimpleUploadedFile("x.jpg", image_bytes(exif_gps=True)))
    assert raw.getexif().get(0x8825), "the fixture photo must carry GPS data for this test to mean anything"
    event = report(photos=[photo])
    stored = event.photos.get()
    with Image.open(stored.image.path) as img:
        assert not img.getexif()
        assert img.size == (64, 48)


def test_uncategorised_report_gets_a_suggested_category_from_its_text(report, manhole, leak):
    event = report(category=None, description="小区东侧水管爆管，一直在漏水")
    assert event.category is None
    assert event.suggested_category == leak


def test_nearby_open_event_of_the_same_category_is_found_within_50_metres(report, manhole):
    first = report()
    # ~30 m north, then ~80 m north
    assert services.events_nearby_open(category=manhole, lon=EAST_POINT[0], lat=EAST_POINT[1] + 0.00027) == [first]
    assert services.events_nearby_open(category=manhole, lon=EAST_POINT[0], lat=EAST_POINT[1] + 0.00072) == []


# --- Transitions ----------------------------------------------------------------------------


@pytest.mark.parametrize("frm", ALL)
@pytest.mark.parametrize("to", ALL)
def test_transition_table_allows_exactly_the_listed_moves(report, grid_worker, frm, to):
    event = _put_in(report(), frm)
    entries = event.timeline.count()
    if (frm, to) in ALLOWED:
        moved = services.event_transition(event=event, to=to, actor=grid_worker)
        assert moved.status == to
        assert event.timeline.count() == entries + 1
        last = event.timeline.last()
        assert (last.from_status, last.to_status, last.actor) == (frm, to, grid_worker)
    else:
        with pytest.raises(InvalidTransition) as exc:
            services.event_transition(event=event, to=to, actor=grid_worker)
        assert exc.value.code == "invalid_transition"
        assert exc.value.status_code == 409
        event.refresh_from_db()
        assert event.status == frm
        assert event.timeline.count() == entries


def test_the_table_in_the_code_is_exactly_the_documented_one():
    in_code = {(frm, to) for frm, tos in services.EVENT_TRANSITIONS.items() for to in tos}
    assert in_code == ALLOWED
    assert {move: set(services.EVENT_FLOW.writes(*move)) for move in ALLOWED} == WRITES


def test_a_move_may_not_write_a_column_its_table_entry_does_not_declare(report, east_staff):
    event = report()
    with pytest.raises(UndeclaredWrite):
        services.event_transition(event=event, to=S.ACCEPTED, actor=east_staff, changes={"rating": 5})
    event.refresh_from_db()
    assert (event.status, event.rating, event.version) == (S.REPORTED, None, 0)


def test_every_move_and_clock_write_bumps_the_version(report, east_staff):
    event = report()
    assert event.version == 0
    services.event_accept(event=event, actor=east_staff)
    assert Event.objects.get(pk=event.pk).version == 1
    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=False):
        assert services.escalate_overdue() == 1
    assert Event.objects.get(pk=event.pk).version == 2


def test_accept_racing_an_escalation_keeps_the_new_deadline(report, east_staff, leak):
    """The lost update of the issue: a page drawn before the escalation scan, submitted after it.
    The accept (which changes the category, so recomputes the clock) must read the deadline the
    scan wrote, not the copy the page holds: respond_by stays in the future, no jump to street."""
    event = report()  # a manhole report: accepting it as a leak recomputes the clock
    start = timezone.now()
    page_copy = Event.objects.get(pk=event.pk)  # what the staff member's page was drawn from
    later = start + timedelta(hours=24, minutes=5)
    with time_machine.travel(later, tick=False):
        assert services.escalate_overdue() == 1  # the clock writes level 1 and a new window
        escalated = Event.objects.get(pk=event.pk)
        assert escalated.level == Event.Level.COMMUNITY
        services.event_accept(event=page_copy, actor=east_staff, category=leak)
        accepted = Event.objects.get(pk=event.pk)
        assert accepted.status == S.ACCEPTED
        assert accepted.level == Event.Level.COMMUNITY  # the accept did not undo the escalation
        assert accepted.window_started_at == later
        assert accepted.respond_by == later + timedelta(minutes=leak.response_minutes)
        assert accepted.respond_by > later
        assert services.escalate_overdue() == 0  # nothing is due: no jump to street level
    assert accepted.version == 2


def test_an_escalation_scan_racing_a_move_writes_nothing_stale(report, east_staff):
    """The other order: the scan read the row, a person moved it, then the scan writes — the
    version guard refuses the clock write and nothing is escalated or notified."""
    event = report()
    later = timezone.now() + timedelta(hours=25)
    with time_machine.travel(later, tick=False):
        scan_copy = Event.objects.get(pk=event.pk)
        services.event_reject(event=event, actor=east_staff, reason="不属于受理范围")
        assert services.EVENT_FLOW.clock_write(scan_copy, changes={"level": 1}) is False
        assert services.escalate_overdue() == 0
    event.refresh_from_db()
    assert (event.status, event.level) == (S.REJECTED, Event.Level.GRID)
    assert event.timeline.filter(kind=TimelineEntry.Kind.ESCALATION).count() == 0


def test_a_concurrent_move_of_the_same_event_is_refused_not_lost(report, east_staff):
    event = report()
    stale_copy = Event.objects.get(pk=event.pk)
    services.event_accept(event=event, actor=east_staff)
    with pytest.raises(StaleState):
        services.event_reject(event=stale_copy, actor=east_staff, reason="重复")
    stale_copy.refresh_from_db()
    assert stale_copy.status == S.ACCEPTED
    assert stale_copy.timeline.filter(to_status=S.REJECTED).count() == 0


def test_full_lifecycle_notifies_the_next_person_each_step(
    report, east_staff, handler, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = report()
    assert Notification.objects.filter(recipient=east_staff).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.event_accept(event=event, actor=east_staff)
        event = services.event_dispatch(event=event, actor=east_staff)
    assert event.department.code == "SZ"
    assert Notification.objects.filter(recipient=handler).count() == 1
    assert any(f"事件 {event.code} 已派至市政所，请处置" in m.subject for m in mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        event = services.event_start(event=event, actor=handler)
        event = services.event_resolve(event=event, actor=handler, resolution="已更换井盖")
    assert event.responded_at is not None
    assert Notification.objects.filter(recipient=event.reporter, title__contains="已办结").count() == 1
    event = services.event_rate(event=event, rating=5, comment="很快")
    assert event.status == S.CLOSED
    assert [e.to_status for e in event.timeline.all()] == [
        S.REPORTED,
        S.ACCEPTED,
        S.DISPATCHED,
        S.IN_PROGRESS,
        S.RESOLVED,
        S.CLOSED,
    ]


def test_low_rating_reopens_with_a_new_response_clock(report, east_staff, handler):
    event = report()
    services.event_accept(event=event, actor=east_staff)
    services.event_dispatch(event=event, actor=east_staff)
    services.event_start(event=event, actor=handler)
    services.event_resolve(event=event, actor=handler, resolution="处理了")
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        event = services.event_rate(event=event, rating=2, comment="没修好")
        assert event.status == S.REOPENED
        assert event.responded_at is None
        assert event.respond_by > timezone.now() + timedelta(hours=23)
    with pytest.raises(InvalidTransition):
        services.event_rate(event=event, rating=5)


@pytest.mark.parametrize("rating", [0, 6])
def test_rating_outside_1_to_5_is_refused(report, rating):
    event = _put_in(report(), S.RESOLVED)
    with pytest.raises(ValidationError):
        services.event_rate(event=event, rating=rating)
    event.refresh_from_db()
    assert (event.status, event.rating) == (S.RESOLVED, None)


def test_reject_needs_a_reason(report, east_staff):
    event = report()
    with pytest.raises(ValidationError):
        services.event_reject(event=event, actor=east_staff, reason="  ")
    event.refresh_from_db()
    assert event.status == S.REPORTED


# --- Dispatch -------------------------------------------------------------------------------


def test_dispatch_prefers_the_rule_for_the_most_specific_area(report, east_staff, manhole, area_tree, water):
    DispatchRule.objects.create(category=manhole, area=area_tree["east"], department=water)
    event = services.event_accept(event=report(), actor=east_staff)
    assert services.event_dispatch(event=event, actor=east_staff).department == water


def test_a_person_can_override_the_dispatch_rule(report, east_staff, water):
    event = services.event_accept(event=report(), actor=east_staff)
    event = services.event_dispatch(event=event, actor=east_staff, department=water)
    assert event.department == water
    assert "人工指定" in event.timeline.last().note


def test_dispatch_copies_the_supervising_departments(
    report, east_staff, manhole, water, water_handler, django_capture_on_commit_callbacks
):
    manhole.cc_departments.add(water)
    event = services.event_accept(event=report(), actor=east_staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.event_dispatch(event=event, actor=east_staff)
    assert Notification.objects.filter(recipient=water_handler).count() == 1


# --- Escalation and reminders ---------------------------------------------------------------


def test_overdue_event_escalates_through_all_three_levels(report, east_staff, street_supervisor):
    event = report()
    start = timezone.now()
    with time_machine.travel(start + timedelta(hours=23), tick=False):
        assert services.escalate_overdue() == 0
    with time_machine.travel(start + timedelta(hours=24, minutes=1), tick=False):
        assert services.escalate_overdue() == 1
        event.refresh_from_db()
        assert event.level == Event.Level.COMMUNITY
        assert event.respond_by > timezone.now() + timedelta(hours=23)
        assert Notification.objects.filter(recipient=east_staff, title__contains="督办").count() == 1
        assert services.escalate_overdue() == 0  # a second run changes nothing
    with time_machine.travel(start + timedelta(hours=48, minutes=2), tick=False):
        assert services.escalate_overdue() == 1
        event.refresh_from_db()
        assert event.level == Event.Level.STREET
        assert Notification.objects.filter(recipient=street_supervisor, title__contains="街道").count() == 1
    with time_machine.travel(start + timedelta(hours=96), tick=False):
        assert services.escalate_overdue() == 0  # street is the top
    levels = list(event.timeline.filter(kind=TimelineEntry.Kind.ESCALATION).values_list("level", flat=True))
    assert levels == [Event.Level.COMMUNITY, Event.Level.STREET]


def test_an_answered_event_does_not_escalate(report, east_staff, handler):
    event = report()
    services.event_accept(event=event, actor=east_staff)
    services.event_dispatch(event=event, actor=east_staff)
    services.event_start(event=event, actor=handler)
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        assert services.escalate_overdue() == 0


def test_minutes_deadline_category_escalates_in_minutes(report, alarm):
    event = report(category=alarm, description="独居老人手环紧急呼叫")
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert services.escalate_overdue() == 1
    event.refresh_from_db()
    assert event.level == Event.Level.COMMUNITY


def test_reminder_goes_once_at_80_percent_of_the_window(report, east_staff, handler):
    event = report()
    services.event_accept(event=event, actor=east_staff)
    services.event_dispatch(event=event, actor=east_staff)
    start = event.window_started_at
    with time_machine.travel(start + timedelta(hours=19), tick=False):
        assert services.remind_due() == 0
    with time_machine.travel(start + timedelta(hours=19, minutes=13), tick=False):
        assert services.remind_due() == 1
        assert services.remind_due() == 0
    reminders = Notification.objects.filter(recipient=handler, title__contains="提醒")
    assert reminders.count() == 1
    assert event.timeline.filter(kind=TimelineEntry.Kind.REMINDER).count() == 1


def test_escalation_and_reminder_tasks_run_the_scans(report):
    from grids.tasks import event_escalate_overdue_task, event_remind_due_task

    report()
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert event_remind_due_task() == 1
        assert event_escalate_overdue_task() == 1
        assert event_escalate_overdue_task() == 0
        assert event_remind_due_task() == 0


# --- Sensors --------------------------------------------------------------------------------


def test_sensor_alert_opens_one_dispatched_event_and_repeats_go_to_its_timeline(east_grid, manhole):
    device, token = services.sensor_register(
        device_id="MC-001",
        kind="manhole_cover",
        lon=EAST_POINT[0],
        lat=EAST_POINT[1],
        category=manhole,
        address="中山路100号",
    )
    assert services.sensor_authenticate(device_id="MC-001", token=token) == device
    assert services.sensor_authenticate(device_id="MC-001", token="wrong") is None
    event, created = services.sensor_alert(device=device, fault="tilted")
    assert created
    assert event.status == S.DISPATCHED
    assert event.department.code == "SZ"
    again, created_again = services.sensor_alert(device=device, fault="tilted", message="倾斜 35°")
    assert (again, created_again) == (event, False)
    assert event.timeline.filter(kind=TimelineEntry.Kind.SENSOR_REPEAT).count() == 1
    other, created_other = services.sensor_alert(device=device, fault="water_level")
    assert created_other
    assert other != event
    assert Event.objects.filter(sensor=device).count() == 2


def test_sensor_fault_opens_a_new_event_once_the_old_one_is_closed(east_grid, manhole):
    device, _token = services.sensor_register(
        device_id="MC-002", kind="manhole_cover", lon=EAST_POINT[0], lat=EAST_POINT[1], category=manhole
    )
    event, _ = services.sensor_alert(device=device, fault="tilted")
    _put_in(event, S.CLOSED)
    _new, created = services.sensor_alert(device=device, fault="tilted")
    assert created


# --- Patrols --------------------------------------------------------------------------------


def test_patrol_start_points_finding_and_finish(grid_worker, east_grid, manhole):
    patrol = services.patrol_start(worker=grid_worker, grid=east_grid)
    services.patrol_add_points(patrol=patrol, points=[[116.301, 39.981], [116.302, 39.982]])
    finding = services.event_report(
        reporter=grid_worker,
        description="井盖松动",
        lon=EAST_POINT[0],
        lat=EAST_POINT[1],
        source="patrol",
        category=manhole,
        patrol=patrol,
    )
    patrol = services.patrol_finish(patrol=patrol, notes="巡查正常，发现1处隐患")
    assert patrol.status == Patrol.Status.FINISHED
    assert len(patrol.route) == 2
    assert list(patrol.findings.all()) == [finding]


PATROL_TABLE = {"active": {"finished": {"ended_at", "notes", "route"}}, "finished": {}}


def test_the_patrol_table_is_one_move_that_writes_the_end_notes_and_route():
    assert {frm: {to: set(cols) for to, cols in tos.items()} for frm, tos in PATROL_FLOW.moves.items()} == PATROL_TABLE


def test_a_point_added_while_the_walk_ends_elsewhere_is_kept(grid_worker, east_grid):
    patrol = services.patrol_start(worker=grid_worker, grid=east_grid)
    stale = Patrol.objects.get(pk=patrol.pk)  # the copy the "end walk" request read
    services.patrol_add_points(patrol=patrol, points=[[EAST_POINT[0], EAST_POINT[1]]])

    services.patrol_finish(patrol=stale, notes="结束", points=[[EAST_POINT[0] + 0.0001, EAST_POINT[1]]])

    row = Patrol.objects.get(pk=patrol.pk)
    assert (row.status, len(row.route), row.version) == ("finished", 2, 2)


def test_points_sent_to_a_walk_already_ended_are_refused_and_change_nothing(grid_worker, east_grid):
    patrol = services.patrol_start(worker=grid_worker, grid=east_grid)
    stale = Patrol.objects.get(pk=patrol.pk)  # still says "active"
    services.patrol_finish(patrol=patrol, notes="结束")

    with pytest.raises(Exception, match="该巡查已结束") as caught:
        services.patrol_add_points(patrol=stale, points=[[EAST_POINT[0], EAST_POINT[1]]])

    assert caught.value.code == "patrol_finished"
    assert Patrol.objects.get(pk=patrol.pk).route == []


def test_a_worker_cannot_start_a_second_patrol_or_patrol_another_grid(grid_worker, east_grid, west_grid):
    services.patrol_start(worker=grid_worker, grid=east_grid)
    with pytest.raises(Exception, match="没有结束"):
        services.patrol_start(worker=grid_worker, grid=east_grid)
    with pytest.raises(ValidationError):
        services.patrol_start(worker=grid_worker, grid=west_grid)
    assert Patrol.objects.count() == 1


def test_malformed_route_points_are_refused(grid_worker, east_grid):
    patrol = services.patrol_start(worker=grid_worker, grid=east_grid)
    with pytest.raises(ValidationError):
        services.patrol_add_points(patrol=patrol, points=[["a", "b"]])
    patrol.refresh_from_db()
    assert patrol.route == []
