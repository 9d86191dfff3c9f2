"""The response clock under pressure: interleaved escalations, retried tasks, reject, reopen, urgent SMS.

Each test here names a rule that a one-line slip in the clock code breaks, and fails when it is
broken: the compare-and-set guard of ``event_escalate``, idempotent notification keys, reject
stopping the clock, a reopened event escalating again, and the under-an-hour SMS threshold.
"""

from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from governance.models import Notification, Role
from governance.sms import LocmemSmsBackend
from grids import services
from grids.models import Event, EventCategory, TimelineEntry
from grids.services import escalation
from grids.services.notify import event_notify_move
from grids.tasks import event_escalate_overdue_task, event_remind_due_task

S = Event.Status
L = Event.Level
ESCALATION = TimelineEntry.Kind.ESCALATION


@contextmanager
def after_first_event_read(interloper):
    """Run ``interloper()`` right after the first ``SELECT … FROM grids_event`` of the block returns.

    The code under test then holds a copy of the event read *before* the interloper changed it:
    two calls interleaved on one connection, the way two workers interleave on two.
    """
    state = {"done": False}

    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        reads_events = sql.lstrip().upper().startswith("SELECT") and 'FROM "grids_event"' in sql
        if reads_events and not state["done"]:
            state["done"] = True
            interloper()
        return result

    with connection.execute_wrapper(wrapper):
        yield state
    assert state["done"], "the block never read the event: the interleaving did not happen"


def escalations(event: Event) -> list[int]:
    return list(event.timeline.filter(kind=ESCALATION).order_by("pk").values_list("level", flat=True))


def overseer_notices(user) -> int:
    return Notification.objects.filter(recipient=user, title__contains="督办").count()


@pytest.fixture
def staff_with_phone(make_user, area_tree):
    return make_user(Role.COMMUNITY_STAFF, area_tree["east"], username="staff_phone", phone="13900001111")


@pytest.fixture
def supervisor_with_phone(make_user, area_tree):
    return make_user(Role.STREET_SUPERVISOR, area_tree["street"], username="sup_phone", phone="13900002222")


# --- (a) the compare-and-set guard of escalation -----------------------------------------------


def test_two_interleaved_escalations_of_one_event_raise_it_one_level_and_notify_once(report, staff_with_phone):
    event = report()
    due = event.respond_by + timedelta(minutes=1)
    results = {}

    def second_worker():
        results["second"] = services.event_escalate(event_id=event.pk, now=due)

    with time_machine.travel(due, tick=False), after_first_event_read(second_worker):
        results["first"] = services.event_escalate(event_id=event.pk, now=due)

    assert sorted(results.values()) == [False, True]  # one of the two escalated, the other saw it done
    event.refresh_from_db()
    assert event.level == L.COMMUNITY
    assert escalations(event) == [L.COMMUNITY]
    assert overseer_notices(staff_with_phone) == 1
    assert event.respond_by == due + timedelta(hours=24)


def test_an_event_started_between_the_scan_reading_it_and_moving_it_is_not_escalated(
    report, east_staff, handler, staff_with_phone
):
    event = report()
    services.event_accept(event=event, actor=east_staff)
    services.event_dispatch(event=event, actor=east_staff)
    due = event.respond_by + timedelta(minutes=5)

    def handler_starts():
        services.event_start(event=Event.objects.get(pk=event.pk), actor=handler)

    with time_machine.travel(due, tick=False), after_first_event_read(handler_starts):
        assert services.event_escalate(event_id=event.pk, now=due) is False

    event.refresh_from_db()
    assert event.status == S.IN_PROGRESS
    assert event.level == L.GRID
    assert escalations(event) == []
    assert overseer_notices(staff_with_phone) == 0


def test_a_full_climb_writes_one_escalation_and_one_notice_per_level(report, staff_with_phone, supervisor_with_phone):
    event = report()
    start = event.respond_by
    for minutes in (1, 2, 3):  # three scans a minute apart, all past the first deadline
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            event_escalate_overdue_task()
    with time_machine.travel(start + timedelta(hours=24, minutes=2), tick=False):
        event_escalate_overdue_task()
        event_escalate_overdue_task()
    event.refresh_from_db()
    assert event.level == L.STREET
    assert escalations(event) == [L.COMMUNITY, L.STREET]
    assert overseer_notices(staff_with_phone) == 1
    assert overseer_notices(supervisor_with_phone) == 1


# --- (b) idempotent notification keys ---------------------------------------------------------------


def test_writing_a_moves_notices_again_notifies_nobody_twice(
    report, staff_with_phone, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = report()
    entry = event.timeline.get(to_status=S.REPORTED)
    assert Notification.objects.filter(recipient=staff_with_phone).count() == 1
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):  # a rerun comes later
        event_notify_move(event=event, entry=entry, actor=None)
        event_notify_move(event=event, entry=entry, actor=None)
    assert Notification.objects.filter(recipient=staff_with_phone).count() == 1


def test_a_notify_task_for_a_new_entry_is_a_new_notification(
    report, east_staff, staff_with_phone, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = report()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_accept(event=event, actor=east_staff)
    titles = list(
        Notification.objects.filter(recipient=staff_with_phone).order_by("pk").values_list("title", flat=True)
    )
    assert len(titles) == 2
    assert titles == [f"新事件 {event.code} 待受理：井盖破损", f"事件 {event.code} 已受理，待派单：井盖破损"]


def test_a_retried_reminder_scan_reminds_once(report, east_staff, staff_with_phone):
    event = report()
    with time_machine.travel(event.remind_at + timedelta(minutes=1), tick=False):
        assert event_remind_due_task() == 1
    with time_machine.travel(event.remind_at + timedelta(minutes=2), tick=False):
        assert event_remind_due_task() == 0
        assert services.event_remind(event_id=event.pk) is False
    assert Notification.objects.filter(recipient=staff_with_phone, title__contains="提醒").count() == 1


# --- (c) reject stops the clock ---------------------------------------------------------------------


def test_a_rejected_event_stops_its_clock_and_is_never_escalated_or_reminded(report, east_staff, staff_with_phone):
    event = report()
    rejected_at = event.window_started_at + timedelta(hours=2)
    with time_machine.travel(rejected_at, tick=False):
        services.event_reject(event=event, actor=east_staff, reason="不属于本社区管辖")
    event.refresh_from_db()
    assert event.status == S.REJECTED
    assert event.responded_at == rejected_at  # the response time is the rejection
    with time_machine.travel(event.respond_by + timedelta(hours=1), tick=False):
        assert services.escalate_overdue() == 0
        assert services.remind_due() == 0
        assert services.event_escalate(event_id=event.pk) is False
        assert services.time_left_state(event=event) == "normal"
    event.refresh_from_db()
    assert event.level == L.GRID
    assert event.reminded_at is None
    assert overseer_notices(staff_with_phone) == 0
    assert not Notification.objects.filter(title__contains="提醒").exists()


# --- (d) a reopened event runs a new clock -------------------------------------------------------


def _resolved(report, east_staff, handler) -> Event:
    event = report()
    services.event_accept(event=event, actor=east_staff)
    services.event_dispatch(event=event, actor=east_staff)
    services.event_start(event=event, actor=handler)
    return services.event_resolve(event=event, actor=handler, resolution="已更换井盖")


def test_a_reopened_event_escalates_after_its_new_deadline(report, east_staff, handler, staff_with_phone):
    event = _resolved(report, east_staff, handler)
    reopened_at = timezone.now() + timedelta(days=2)  # long past the first deadline
    with time_machine.travel(reopened_at, tick=False):
        event = services.event_rate(event=event, rating=1, comment="井盖还是松的")
    assert event.status == S.REOPENED
    assert event.responded_at is None
    assert event.respond_by == reopened_at + timedelta(hours=24)
    with time_machine.travel(reopened_at + timedelta(hours=23, minutes=59), tick=False):
        assert services.escalate_overdue() == 0
    with time_machine.travel(reopened_at + timedelta(hours=24, minutes=1), tick=False):
        assert services.escalate_overdue() == 1
    event.refresh_from_db()
    assert event.level == L.COMMUNITY
    assert escalations(event) == [L.COMMUNITY]
    assert overseer_notices(staff_with_phone) == 1


def test_a_reopened_event_gets_its_reminder_again(report, east_staff, handler):
    event = _resolved(report, east_staff, handler)
    reopened_at = timezone.now() + timedelta(days=2)
    with time_machine.travel(reopened_at, tick=False):
        event = services.event_rate(event=event, rating=2)
    assert event.remind_at == reopened_at + timedelta(hours=24) * 0.8
    with time_machine.travel(reopened_at + timedelta(hours=19, minutes=13), tick=False):
        assert services.remind_due() == 1
    assert Notification.objects.filter(recipient=handler, title__contains="提醒").count() == 1


# --- (e) the urgent-SMS threshold: under an hour --------------------------------------------------


def _category(manhole, minutes: int) -> EventCategory:
    return EventCategory.objects.create(
        service_code=f"urgent_{minutes}",
        name=f"限时{minutes}分钟",
        department=manhole.department,
        response_minutes=minutes,
    )


@pytest.mark.parametrize(("minutes", "texted"), [(59, True), (60, False)])
def test_a_report_texts_the_next_actors_only_when_the_window_is_under_an_hour(
    report, manhole, staff_with_phone, django_capture_on_commit_callbacks, minutes, texted
):
    with django_capture_on_commit_callbacks(execute=True):
        report(category=_category(manhole, minutes))
    notice = Notification.objects.get(recipient=staff_with_phone)
    assert notice.by_sms is texted
    phones = [phone for phone, _text in LocmemSmsBackend.outbox]
    assert phones == (["13900001111"] if texted else [])


@pytest.mark.parametrize(("minutes", "texted"), [(59, True), (60, False)])
def test_an_escalation_texts_the_overseers_only_when_the_window_is_under_an_hour(
    report, manhole, staff_with_phone, django_capture_on_commit_callbacks, minutes, texted
):
    event = report(category=_category(manhole, minutes))
    overdue = event.respond_by + timedelta(minutes=1)
    with time_machine.travel(overdue, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert services.escalate_overdue() == 1
    notice = Notification.objects.get(recipient=staff_with_phone, title__contains="督办")
    assert notice.by_sms is texted
    phones = [phone for phone, _text in LocmemSmsBackend.outbox]
    assert phones == (["13900001111"] if texted else [])


# --- What the clock writes and sends, word for word ---------------------------------------------

CST = ZoneInfo("Asia/Shanghai")
REPORTED_AT = datetime(2026, 3, 2, 8, 0, tzinfo=CST)  # a 24-hour window: due 2026-03-03 08:00


def test_an_escalation_writes_its_timeline_note_and_sends_this_notice(
    report, staff_with_phone, django_capture_on_commit_callbacks
):
    with time_machine.travel(REPORTED_AT, tick=False):
        event = report()
    escalated_at = datetime(2026, 3, 3, 8, 1, tzinfo=CST)
    with time_machine.travel(escalated_at, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert services.event_escalate(event_id=event.pk) is True
    event.refresh_from_db()
    assert (event.level, event.respond_by, event.window_started_at) == (
        L.COMMUNITY,
        datetime(2026, 3, 4, 8, 1, tzinfo=CST),
        escalated_at,
    )
    assert event.remind_at == datetime(2026, 3, 3, 8, 1, tzinfo=CST) + timedelta(hours=24) * 0.8
    assert event.updated_at == escalated_at
    entry = event.timeline.get(kind=ESCALATION)
    assert (entry.level, entry.actor, entry.note) == (
        L.COMMUNITY,
        None,
        "超过响应期限未响应，升级至社区督办，新期限 2026-03-04 08:01",
    )
    notice = Notification.objects.get(recipient=staff_with_phone, idempotency_key__contains=":escalate:")
    assert notice.title == f"【督办】事件 {event.code} 已超时，升级至社区"
    assert notice.body == "东升花园北门井盖缺失"
    assert notice.url == f"/events/{event.pk}/"
    assert notice.idempotency_key == f"event:{event.pk}:escalate:1"
    assert (notice.by_email, notice.by_sms) == (False, False)  # staff_with_phone has no email; 24 h is no SMS


def test_an_escalation_notice_goes_by_email_to_overseers_with_an_address(report, make_user, area_tree):
    reachable = make_user(Role.COMMUNITY_STAFF, area_tree["east"], username="mail_staff", email="staff@example.cn")
    event = report(description="井" * 250)
    with time_machine.travel(event.respond_by + timedelta(minutes=1), tick=False):
        services.event_escalate(event_id=event.pk)
    notice = Notification.objects.get(recipient=reachable, idempotency_key__contains=":escalate:")
    assert notice.by_email is True
    assert notice.body == "井" * 200  # the description, cut to 200 characters


def test_the_street_level_escalation_goes_to_the_street_supervisor_only(
    report, staff_with_phone, supervisor_with_phone
):
    event = report()
    with time_machine.travel(event.respond_by + timedelta(minutes=1), tick=False):
        services.event_escalate(event_id=event.pk)
    event.refresh_from_db()
    with time_machine.travel(event.respond_by + timedelta(minutes=1), tick=False):
        assert services.event_escalate(event_id=event.pk) is True
        assert services.event_escalate(event_id=event.pk) is False  # street is the top
    event.refresh_from_db()
    assert event.level == L.STREET
    street = Notification.objects.get(recipient=supervisor_with_phone)
    assert street.title == f"【督办】事件 {event.code} 已超时，升级至街道"
    assert street.idempotency_key == f"event:{event.pk}:escalate:2"
    assert overseer_notices(staff_with_phone) == 1  # only the community-level notice
    assert escalations(event) == [L.COMMUNITY, L.STREET]


def test_a_missing_event_is_neither_escalated_nor_reminded(db):
    assert services.event_escalate(event_id=424242) is False
    assert services.event_remind(event_id=424242) is False


def test_a_reminder_writes_its_note_and_tells_the_community_staff_before_dispatch(report, staff_with_phone):
    with time_machine.travel(REPORTED_AT, tick=False):
        event = report()
    with time_machine.travel(datetime(2026, 3, 3, 3, 13, tzinfo=CST), tick=False):  # 80 % is 03:12
        assert services.event_remind(event_id=event.pk) is True
        assert services.event_remind(event_id=event.pk) is False
    event.refresh_from_db()
    assert event.reminded_at == datetime(2026, 3, 3, 3, 13, tzinfo=CST)
    entry = event.timeline.get(kind=TimelineEntry.Kind.REMINDER)
    assert entry.note == "即将超时，响应期限 2026-03-03 08:00"
    notice = Notification.objects.get(recipient=staff_with_phone, idempotency_key__contains=":remind:")
    assert notice.title == f"【提醒】事件 {event.code} 将于 2026-03-03 08:00 超时"
    assert notice.body == "东升花园北门井盖缺失"
    assert notice.url == f"/events/{event.pk}/"
    assert notice.idempotency_key == f"event:{event.pk}:remind:{event.remind_at.isoformat()}"


def test_a_reminder_of_a_dispatched_event_goes_to_the_department_not_the_staff(
    report, east_staff, handler, staff_with_phone
):
    event = report()
    services.event_accept(event=event, actor=east_staff)
    event = services.event_dispatch(event=event, actor=east_staff)
    with time_machine.travel(event.remind_at + timedelta(minutes=1), tick=False):
        assert services.remind_due() == 1
    reminders = Notification.objects.filter(title__contains="提醒")
    assert [n.recipient for n in reminders] == [handler]
    assert reminders.get().by_email is True  # the handler has an email address


def test_a_scan_takes_at_most_its_limit_and_the_earliest_deadlines_first(report, staff_with_phone):
    first = report(description="一号")
    second = report(description="二号")
    third = report(description="三号")
    Event.objects.filter(pk=first.pk).update(respond_by=third.respond_by + timedelta(minutes=2))
    late = third.respond_by + timedelta(minutes=5)
    with time_machine.travel(late, tick=False):
        assert services.escalate_overdue(limit=2) == 2
        levels = dict(Event.objects.values_list("pk", "level"))
        assert levels == {first.pk: L.GRID, second.pk: L.COMMUNITY, third.pk: L.COMMUNITY}
        assert services.escalate_overdue(limit=2) == 1


def test_a_reminder_claims_its_own_event_only(report, staff_with_phone):
    first = report(description="一号")
    second = report(description="二号")
    Event.objects.filter(pk=second.pk).update(remind_at=first.remind_at)  # the same instant
    with time_machine.travel(first.remind_at + timedelta(minutes=1), tick=False):
        assert services.event_remind(event_id=first.pk) is True
        second.refresh_from_db()
        assert second.reminded_at is None
        assert services.event_remind(event_id=second.pk) is True
    assert Notification.objects.filter(recipient=staff_with_phone, title__contains="提醒").count() == 2


def test_a_reminder_read_before_its_window_changed_does_not_go_out(report, east_staff, staff_with_phone, manhole):
    event = report(category=None, description="井盖松动")  # 24 h by default
    quick = EventCategory.objects.create(
        service_code="quick", name="限时12小时", department=manhole.department, response_minutes=12 * 60
    )
    due = event.remind_at + timedelta(minutes=1)

    def staff_accepts_with_a_shorter_window():
        services.event_accept(event=Event.objects.get(pk=event.pk), actor=east_staff, category=quick)

    with time_machine.travel(due, tick=False), after_first_event_read(staff_accepts_with_a_shorter_window):
        assert services.event_remind(event_id=event.pk) is False
    event.refresh_from_db()
    assert event.remind_at == event.window_started_at + timedelta(hours=12) * 0.8
    assert event.reminded_at is None
    assert not Notification.objects.filter(title__contains="提醒").exists()
    with time_machine.travel(due, tick=False):
        assert services.remind_due() == 1  # the next scan reminds with the new deadline


def test_the_reminder_scan_takes_at_most_its_limit(report, staff_with_phone):
    events = [report(description=f"{n}号") for n in range(3)]
    with time_machine.travel(events[-1].remind_at + timedelta(minutes=1), tick=False):
        assert services.remind_due(limit=2) == 2
        assert services.remind_due(limit=2) == 1
        assert services.remind_due(limit=2) == 0


def test_the_scans_use_the_time_they_are_given(report, staff_with_phone):
    event = report()
    assert services.escalate_overdue(now=event.respond_by - timedelta(seconds=1)) == 0
    assert services.remind_due(now=event.remind_at - timedelta(seconds=1)) == 0
    assert services.remind_due(now=event.remind_at) == 1
    assert services.escalate_overdue(now=event.respond_by) == 1  # due at the deadline itself
    event.refresh_from_db()
    assert list(services.escalation_due(now=event.respond_by - timedelta(seconds=1))) == []
    assert list(services.escalation_due(now=event.respond_by)) == [event]


# --- The claim touches one row, at the right level, with the category's window --------------------


def test_an_escalation_moves_its_own_event_only(report, staff_with_phone):
    first = report(description="一号")
    second = report(description="二号")
    Event.objects.filter(pk=second.pk).update(respond_by=first.respond_by)  # the same deadline to the microsecond
    with time_machine.travel(first.respond_by + timedelta(minutes=1), tick=False):
        assert services.event_escalate(event_id=first.pk) is True
    second.refresh_from_db()
    assert (second.level, escalations(second)) == (L.GRID, [])


def test_an_escalation_read_before_the_deadline_moved_does_not_go_through(report, east_staff, manhole):
    event = report(category=None, description="井盖松动")  # 24 h by default
    quick = EventCategory.objects.create(
        service_code="quick", name="限时12小时", department=manhole.department, response_minutes=12 * 60
    )
    due = event.respond_by + timedelta(minutes=1)

    def staff_accepts_with_a_shorter_window():
        services.event_accept(event=Event.objects.get(pk=event.pk), actor=east_staff, category=quick)

    with time_machine.travel(due, tick=False), after_first_event_read(staff_accepts_with_a_shorter_window):
        assert services.event_escalate(event_id=event.pk) is False
    event.refresh_from_db()
    assert (event.level, escalations(event)) == (L.GRID, [])
    with time_machine.travel(due, tick=False):
        assert services.escalate_overdue() == 1  # the next scan escalates on the new deadline


def test_an_escalated_event_gets_its_categorys_window_again(report, alarm, staff_with_phone):
    event = report(category=alarm, description="独居老人手环紧急呼叫")
    escalated_at = event.respond_by + timedelta(minutes=1)
    with time_machine.travel(escalated_at, tick=False):
        assert services.escalate_overdue() == 1
    event.refresh_from_db()
    assert event.respond_by == escalated_at + timedelta(minutes=15)
    assert event.remind_at == escalated_at + timedelta(minutes=12)


def test_street_level_events_do_not_fill_a_scan_batch(report, staff_with_phone):
    top = report(description="已到街道")
    Event.objects.filter(pk=top.pk).update(level=L.STREET, respond_by=top.respond_by - timedelta(hours=1))
    waiting = report(description="网格级")
    with time_machine.travel(waiting.respond_by + timedelta(minutes=1), tick=False):
        assert list(services.escalation_due()) == [waiting]
        assert services.escalate_overdue(limit=1) == 1
    waiting.refresh_from_db()
    assert waiting.level == L.COMMUNITY


def test_the_street_notice_goes_to_the_streets_supervisors_not_to_one_posted_on_a_community(
    report, make_user, area_tree, supervisor_with_phone
):
    misplaced = make_user(Role.STREET_SUPERVISOR, area_tree["east"], username="misplaced_supervisor")
    event = report()
    Event.objects.filter(pk=event.pk).update(level=L.COMMUNITY)
    with time_machine.travel(event.respond_by + timedelta(minutes=1), tick=False):
        assert services.event_escalate(event_id=event.pk) is True
    assert overseer_notices(supervisor_with_phone) == 1
    assert overseer_notices(misplaced) == 0


# --- One scan: staff looked up once per place and level, places kept apart, failures logged ---


def test_one_scan_looks_up_each_places_staff_once_and_tells_each_place_its_own(
    report, make_user, area_tree, west_grid, staff_with_phone, monkeypatch
):
    west_staff = make_user(Role.COMMUNITY_STAFF, area_tree["west"], username="west_staff")
    east_events = [report(description=f"东升{i}") for i in range(3)]
    west_event = report(description="西苑", lon=116.315, lat=39.985)
    assert west_event.grid == west_grid
    lookups = []
    original = escalation.users_with_role_over

    def counted(*, role, area):
        lookups.append((role, area.code))
        return original(role=role, area=area)

    monkeypatch.setattr(escalation, "users_with_role_over", counted)
    with time_machine.travel(west_event.respond_by + timedelta(minutes=1), tick=False):
        assert services.escalate_overdue() == 4
    assert sorted(lookups) == [("community_staff", "HD-ZGC-DS"), ("community_staff", "HD-ZGC-XY")]
    east_told = set(
        Notification.objects.filter(recipient=staff_with_phone, title__contains="督办").values_list("url", flat=True)
    )
    west_told = set(
        Notification.objects.filter(recipient=west_staff, title__contains="督办").values_list("url", flat=True)
    )
    assert east_told == {f"/events/{e.pk}/" for e in east_events}
    assert west_told == {f"/events/{west_event.pk}/"}


def test_a_failing_row_is_logged_by_name_and_the_scan_goes_on(report, staff_with_phone, monkeypatch, caplog):
    broken, fine = report(description="坏"), report(description="好")
    original = escalation.notification_enqueue

    def enqueue(**kwargs):
        if kwargs.get("url") == f"/events/{broken.pk}/":
            raise RuntimeError("outbox unavailable")
        return original(**kwargs)

    monkeypatch.setattr(escalation, "notification_enqueue", enqueue)
    with (
        caplog.at_level("ERROR", logger="governance.clock"),
        time_machine.travel(fine.respond_by + timedelta(minutes=1), tick=False),
    ):
        assert services.escalate_overdue() == 1
        reminded = services.remind_due(now=broken.remind_at + timedelta(minutes=1))
    broken.refresh_from_db()
    fine.refresh_from_db()
    assert (broken.level, fine.level) == (L.GRID, L.COMMUNITY)
    assert reminded == 0  # the broken event's reminder fails too; the fine one is past its reminder
    assert [r.getMessage() for r in caplog.records if r.name == "governance.clock"] == [
        f"Event escalation (id {broken.pk}) failed; skipped, the next scan retries it.",
        f"Event reminder (id {broken.pk}) failed; skipped, the next scan retries it.",
    ]


def test_a_reminder_carries_the_first_200_characters_of_the_description(report, staff_with_phone):
    long_text = "井" * 150 + "盖" * 100
    event = report(description=long_text)
    assert services.event_remind(event_id=event.pk, now=event.remind_at + timedelta(minutes=1)) is True
    notice = Notification.objects.get(recipient=staff_with_phone, idempotency_key__contains=":remind:")
    assert notice.body == "井" * 150 + "盖" * 50
