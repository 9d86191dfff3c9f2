"""The grid loop as its people live it: escalations visible, return / re-dispatch / urge /
withdraw, the first response kept across a reopen, nobody notified of their own action, and
response windows counted in working hours on the public-holiday and 调休 calendar."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from governance import services as core_services
from governance.exceptions import InvalidTransition
from governance.models import Notification, Role, User
from grids import selectors, services
from grids.filters import EventFilter
from grids.models import Event, EventCategory, TimelineEntry
from grids.services.workclock import add_working_minutes
from grids.views import cards

S = Event.Status
BJ = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def _dispatched(report, east_staff):
    event = report()
    services.event_accept(event=event, actor=east_staff)
    return services.event_dispatch(event=event, actor=east_staff)


def _inbox(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("title", flat=True))


# --- Return, re-dispatch, urge, withdraw ----------------------------------------------------


def test_a_handler_returns_a_wrongly_dispatched_task_and_staff_dispatch_it_again(report, east_staff, handler, water):
    event = _dispatched(report, east_staff)
    respond_by = event.respond_by
    services.event_return(event=event, actor=handler, reason="井盖属于供水公司管线")
    event.refresh_from_db()
    assert (event.status, event.department_id, event.resolve_by) == (S.ACCEPTED, None, None)
    assert event.respond_by == respond_by  # returning buys no time: the clock keeps running
    last = event.timeline.last()
    assert (last.from_status, last.to_status, last.actor) == (S.DISPATCHED, S.ACCEPTED, handler)
    assert last.note == "退回（原派往市政所）：井盖属于供水公司管线"
    assert _inbox(east_staff)[-1] == f"事件 {event.code} 被市政所退回，请重新派单。原因：井盖属于供水公司管线"
    # the handler's unit no longer holds it
    assert not selectors.visible_events(user=handler).filter(pk=event.pk).exists()
    services.event_dispatch(event=event, actor=east_staff, department=water)
    event.refresh_from_db()
    assert (event.status, event.department) == (S.DISPATCHED, water)


def test_return_needs_a_reason(report, east_staff, handler):
    event = _dispatched(report, east_staff)
    with pytest.raises(ValidationError, match="请填写退回原因"):
        services.event_return(event=event, actor=handler, reason="  ")
    assert Event.objects.get(pk=event.pk).status == S.DISPATCHED


def test_staff_redispatch_to_another_unit_with_the_reason(report, east_staff, water, water_handler, handler):
    event = _dispatched(report, east_staff)
    services.event_redispatch(event=event, actor=east_staff, department=water, reason="属于供水管线")
    event.refresh_from_db()
    assert (event.status, event.department) == (S.DISPATCHED, water)
    last = event.timeline.last()
    assert (last.from_status, last.to_status) == (S.DISPATCHED, S.DISPATCHED)
    assert last.note == "改派：市政所 → 水务站。原因：属于供水管线"
    assert _inbox(water_handler) == [f"事件 {event.code} 由市政所改派至水务站，请处置。原因：属于供水管线"]
    with pytest.raises(ValidationError, match="相同"):
        services.event_redispatch(event=event, actor=east_staff, department=water, reason="再派一次")


def test_redispatch_tells_the_unit_it_was_taken_from_in_its_readers_language(
    report, east_staff, handler, water, water_handler
):
    event = _dispatched(report, east_staff)
    before = set(Notification.objects.filter(recipient=handler).values_list("pk", flat=True))

    services.event_redispatch(event=event, actor=east_staff, department=water, reason="属于供水管线")

    (notice,) = Notification.objects.filter(recipient=handler).exclude(pk__in=before)
    assert notice.message_key == "grids.event.redispatched_away"
    assert notice.idempotency_key.startswith(f"event:{event.pk}:redispatched:")
    assert notice.by_email
    assert notice.title == f"事件 {event.code} 已改派至水务站，本单位无需再办理：井盖破损"
    with translation.override("en"):
        assert notice.display_title == (
            f"Event {event.code} was re-dispatched to 水务站; your unit need not handle it: Broken manhole cover"
        )
    # the new unit is told to act (and not that it was taken away); the actor hears nothing
    assert _inbox(water_handler) == [f"事件 {event.code} 由市政所改派至水务站，请处置。原因：属于供水管线"]
    assert not Notification.objects.filter(recipient=east_staff, idempotency_key__contains=":redispatched:").exists()


def test_the_notes_of_dispatch_return_redispatch_and_urge_read_in_english(report, east_staff, handler, water):
    event = _dispatched(report, east_staff)
    services.event_return(event=event, actor=handler, reason="不属于本单位")
    services.event_dispatch(event=event, actor=east_staff, department=event.category.department)
    services.event_redispatch(event=event, actor=east_staff, department=water, reason="供水管线")
    services.event_urge(event=event, actor=east_staff)
    services.event_urge(event=event, actor=east_staff, note="居民来电")

    notes = [e.note for e in event.timeline.order_by("id")][1:]
    with translation.override("en"):
        english = [e.localized_note for e in event.timeline.order_by("id")][1:]

    assert notes == [
        "",
        "派往市政所（按派单规则）",
        "退回（原派往市政所）：不属于本单位",
        "派往市政所（人工指定）",
        "改派：市政所 → 水务站。原因：供水管线",
        "催办水务站",
        "催办水务站：居民来电",
    ]
    assert english == [
        "",
        "Dispatched to 市政所 (by dispatch rule)",
        "Returned (was dispatched to 市政所): 不属于本单位",
        "Dispatched to 市政所 (assigned manually)",
        "Reassigned: 市政所 → 水务站. Reason: 供水管线",
        "Chased 水务站",
        "Chased 水务站: 居民来电",
    ]


def test_redispatch_does_not_tell_the_actor_even_when_they_handle_for_the_old_unit(
    report, east_staff, handler, water, make_user, municipal, area_tree
):
    both = make_user(Role.COMMUNITY_STAFF, area_tree["east"], username="staff_and_handler")
    core_services.post_assign(user=both, role=Role.DEPARTMENT_HANDLER, department=municipal)
    event = _dispatched(report, east_staff)

    services.event_redispatch(event=event, actor=both, department=water, reason="属于供水管线")

    told = Notification.objects.filter(idempotency_key__contains=":redispatched:")
    assert list(told.values_list("recipient__username", flat=True)) == ["handler"]


def test_redispatch_back_and_forth_tells_each_unit_it_left_once_per_move(
    report, east_staff, handler, water, water_handler, municipal
):
    event = _dispatched(report, east_staff)
    services.event_redispatch(event=event, actor=east_staff, department=water, reason="属于供水管线")
    services.event_redispatch(
        event=Event.objects.get(pk=event.pk), actor=east_staff, department=municipal, reason="核实后仍属市政"
    )

    told = Notification.objects.filter(idempotency_key__contains=":redispatched:").order_by("id")
    assert list(told.values_list("recipient__username", flat=True)) == ["handler", "water_handler"]
    assert told[1].title == f"事件 {event.code} 已改派至市政所，本单位无需再办理：井盖破损"


def test_urge_writes_the_timeline_and_tells_the_handlers_without_moving(report, east_staff, handler):
    event = _dispatched(report, east_staff)
    version = Event.objects.get(pk=event.pk).version
    services.event_urge(event=event, actor=east_staff, note="居民多次来电")
    fresh = Event.objects.get(pk=event.pk)
    assert (fresh.status, fresh.version) == (S.DISPATCHED, version)
    entry = fresh.timeline.last()
    assert (entry.kind, entry.actor, entry.note) == ("urge", east_staff, "催办市政所：居民多次来电")
    assert _inbox(handler)[-1] == f"【催办】事件 {event.code} 请尽快处置"
    assert not Notification.objects.filter(recipient=east_staff, idempotency_key__contains=":urge:").exists()


def test_urge_is_refused_before_dispatch(report, east_staff):
    event = report()
    with pytest.raises(InvalidTransition):
        services.event_urge(event=event, actor=east_staff)
    assert not event.timeline.filter(kind="urge").exists()


def test_withdraw_is_a_final_status_with_its_reason_and_tells_the_reporter(report, east_staff, grid_worker, handler):
    event = _dispatched(report, east_staff)
    services.event_withdraw(event=event, actor=east_staff, reason="重复上报，已合并到 ABC")
    event.refresh_from_db()
    assert (event.status, event.withdraw_reason, event.is_open) == (S.WITHDRAWN, "重复上报，已合并到 ABC", False)
    assert event.closed_at is not None
    assert services.EVENT_TRANSITIONS[S.WITHDRAWN] == frozenset()
    assert _inbox(grid_worker)[-1] == f"事件 {event.code} 已撤销：重复上报，已合并到 ABC"
    assert _inbox(handler)[-1] == f"事件 {event.code} 已撤销：重复上报，已合并到 ABC"


# --- First response across a reopen ---------------------------------------------------------


def test_first_response_is_kept_across_a_reopen_and_the_clock_runs_again(report, east_staff, handler, grid_worker):
    start = datetime(2026, 11, 2, 9, 0, tzinfo=BJ)
    with time_machine.travel(start, tick=False):
        event = _dispatched(report, east_staff)
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        services.event_start(event=event, actor=handler)
        services.event_resolve(event=event, actor=handler, resolution="已更换井盖")
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        services.event_rate(event=event, rating=1, actor=grid_worker)
    event.refresh_from_db()
    assert event.status == S.REOPENED
    assert event.first_responded_at == start + timedelta(hours=2)
    assert event.responded_at is None
    assert event.due_at == start + timedelta(hours=27)  # a new 24-hour window from the reopen
    with time_machine.travel(start + timedelta(hours=28), tick=False):
        assert services.escalate_overdue() == 1  # the escalation clock runs after a reopen
        services.event_start(event=event, actor=handler)
    event.refresh_from_db()
    assert event.first_responded_at == start + timedelta(hours=2)
    assert event.responded_at == start + timedelta(hours=28)


# --- Self-notification ----------------------------------------------------------------------


def test_nobody_is_notified_of_their_own_action(report, east_staff, handler, grid_worker, make_user, area_tree):
    other_staff = make_user("community_staff", area_tree["east"], username="other_staff")
    event = report(reporter=east_staff, source="resident")
    services.event_accept(event=event, actor=east_staff)
    services.event_dispatch(event=event, actor=east_staff)
    assert _inbox(east_staff) == []  # reported, accepted, dispatched by them: nothing to themselves
    assert _inbox(other_staff) == [
        f"新事件 {event.code} 待受理：井盖破损",
        f"事件 {event.code} 已受理，待派单：井盖破损",
    ]
    services.event_start(event=event, actor=handler)
    services.event_resolve(event=event, actor=handler, resolution="已更换")
    assert _inbox(handler) == [f"事件 {event.code} 已派至市政所，请处置：井盖破损"]
    assert _inbox(east_staff) == [f"您上报的事件 {event.code} 已办结，请查看结果并评价：井盖破损"]


# --- Overdue: one meaning everywhere --------------------------------------------------------


def test_an_escalated_event_is_overdue_on_the_filter_the_home_card_and_the_row(
    report, east_staff, street_supervisor, grid_worker
):
    start = datetime(2026, 11, 2, 9, 0, tzinfo=BJ)
    with time_machine.travel(start, tick=False):
        late = report()
        report(description="路灯不亮")  # reported later in the same minute, not overdue either way
    with time_machine.travel(start + timedelta(hours=25), tick=False):
        report(description="新的问题")  # fresh: due at +49 h, not overdue yet
        assert services.escalate_overdue() == 2
        late.refresh_from_db()
        assert late.level == Event.Level.COMMUNITY
        assert late.respond_by > timezone.now()  # a new deadline at the community level ...
        overdue = EventFilter({"overdue": "true"}, queryset=Event.objects.all()).qs
        assert late in overdue  # ... but still overdue: due_at is past
        assert overdue.count() == 2
        assert EventFilter({"level": "1"}, queryset=Event.objects.all()).qs.count() == 2
        assert services.time_left_state(event=late) == "overdue"
        summary = selectors.escalation_summary(user=street_supervisor)
        assert (summary["overdue"], summary["grid"], summary["community"], summary["street"]) == (2, 0, 2, 0)
        card = cards.escalation_cards(street_supervisor, {"street_supervisor"})[0]
        assert card.count == 2
        assert card.links[1] == ("/queue/?overdue=1&level=1", "社区 2 件")
        client = Client()
        client.force_login(street_supervisor)
        page = client.get("/queue/?overdue=1&level=1").content.decode()
        assert page.count('class="erow erow--overdue erow--escalated"') == 2
        assert "超过响应期限 11-03 09:00 未响应，升级至社区督办" in page
    with time_machine.travel(start + timedelta(hours=50), tick=False):
        assert services.escalate_overdue() == 3  # the two to the street, the fresh one to the community
        summary = selectors.escalation_summary(user=street_supervisor)
        assert (summary["street"], summary["street_today"]) == (2, 2)
        assert _inbox(street_supervisor)[-1].startswith("【督办】事件 ")


def test_due_soon_filter_takes_the_last_fifth_of_the_window(report):
    start = datetime(2026, 11, 2, 9, 0, tzinfo=BJ)
    with time_machine.travel(start, tick=False):
        event = report()
    with time_machine.travel(start + timedelta(hours=20), tick=False):
        assert list(EventFilter({"due_soon": "true"}, queryset=Event.objects.all()).qs) == [event]
    with time_machine.travel(start + timedelta(hours=10), tick=False):
        assert list(EventFilter({"due_soon": "true"}, queryset=Event.objects.all()).qs) == []


def test_the_demo_supervisor_gets_the_street_督办_notice(settings):
    call_command("seed_demo", "--force", stdout=open("/dev/null", "w"))  # noqa: SIM115
    supervisor = User.objects.get(username="supervisor")
    assert services.escalate_overdue() == 1
    event = Event.objects.get(level=Event.Level.STREET)
    assert event.timeline.filter(kind=TimelineEntry.Kind.ESCALATION, level=Event.Level.STREET).exists()
    # (the demo's mediation cases also reach the supervisor's inbox: only the 督办 notices here)
    assert [t for t in _inbox(supervisor) if t.startswith("【督办】")] == [
        f"【督办】事件 {event.code} 已超时，升级至街道"
    ]
    client = Client()
    client.force_login(supervisor)
    home = client.get("/").content.decode()
    assert "今日升级至街道督办 1 件" in home


# --- Working-hours deadlines ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "minutes", "deadline"),
    [
        # 8 working hours from 15:00 on the eve of 国庆 2026 (Oct 1–7 off): 3 h on Sep 30, then Oct 8.
        (datetime(2026, 9, 30, 15, 0, tzinfo=BJ), 8 * 60, datetime(2026, 10, 8, 15, 0, tzinfo=BJ)),
        # Saturday Sep 19 is off, Sunday Sep 20 is a 调休 working day.
        (datetime(2026, 9, 19, 10, 0, tzinfo=BJ), 4 * 60, datetime(2026, 9, 20, 14, 0, tzinfo=BJ)),
        # Friday Oct 9 after work → Saturday Oct 10, a 调休 working day.
        (datetime(2026, 10, 9, 17, 0, tzinfo=BJ), 2 * 60, datetime(2026, 10, 10, 10, 0, tzinfo=BJ)),
        # Mid-autumn (Sep 25–27) off: Thursday 17:30 + 1 h → Monday Sep 28 09:30.
        (datetime(2026, 9, 24, 17, 30, tzinfo=BJ), 60, datetime(2026, 9, 28, 9, 30, tzinfo=BJ)),
        # Over lunch: 11:30 + 1 h → 13:30.
        (datetime(2026, 11, 2, 11, 30, tzinfo=BJ), 60, datetime(2026, 11, 2, 13, 30, tzinfo=BJ)),
        # Ending exactly at the close of a period.
        (datetime(2026, 11, 2, 9, 0, tzinfo=BJ), 3 * 60, datetime(2026, 11, 2, 12, 0, tzinfo=BJ)),
    ],
)
def test_working_minutes_follow_the_holiday_and_调休_calendar(start, minutes, deadline):
    assert add_working_minutes(start, minutes) == deadline


def test_a_working_hours_category_sets_its_deadlines_on_the_calendar(report, manhole, east_staff):
    manhole.response_minutes = 8 * 60
    manhole.response_clock = EventCategory.ResponseClock.WORKING
    manhole.save()
    with time_machine.travel(datetime(2026, 9, 30, 15, 0, tzinfo=BJ), tick=False):
        event = report()
    assert event.respond_by == datetime(2026, 10, 8, 15, 0, tzinfo=BJ)
    assert event.due_at == datetime(2026, 10, 8, 15, 0, tzinfo=BJ)
    # the reminder at 80 %: 6 h 24 min of working time = 3 h on Sep 30, 3 h 24 min on Oct 8
    assert event.remind_at == datetime(2026, 10, 8, 13, 24, tzinfo=BJ)
    client = Client()
    client.force_login(east_staff)
    page = client.get(reverse("grids:event_detail", args=[event.pk])).content.decode()
    assert "8 小时工作时间（法定工作日 9:00–12:00、13:00–18:00" in page
    assert "2026-10-08 15:00" in page


def test_a_calendar_category_counts_straight_through_the_holiday(report):
    with time_machine.travel(datetime(2026, 9, 30, 15, 0, tzinfo=BJ), tick=False):
        event = report()
    assert event.respond_by == datetime(2026, 10, 1, 15, 0, tzinfo=BJ)


def test_a_target_reached_by_two_moves_is_reached_only_by_the_right_one(report, east_staff, handler, water):
    """accepted is reached by accept (from reported) and by return (from dispatched); dispatched by
    dispatch (from accepted) and re-dispatch (from dispatched): each service keeps to its own."""
    event = _dispatched(report, east_staff)
    with pytest.raises(InvalidTransition):
        services.event_accept(event=event, actor=east_staff)  # not a way to pull it back
    with pytest.raises(InvalidTransition):
        services.event_dispatch(event=event, actor=east_staff, department=water)  # re-dispatch needs a reason
    reported = report(description="另一件")
    with pytest.raises(InvalidTransition):
        services.event_return(event=reported, actor=handler, reason="不是我们的")
    assert Event.objects.get(pk=event.pk).status == S.DISPATCHED
    assert Event.objects.get(pk=reported.pk).status == S.REPORTED
    page = Client()
    page.force_login(east_staff)
    text = page.get(reverse("grids:event_detail", args=[event.pk])).content.decode()
    assert f'action="{reverse("grids:event_accept", args=[event.pk])}"' not in text
    assert f'action="{reverse("grids:event_dispatch", args=[event.pk])}"' not in text
    assert f'action="{reverse("grids:event_redispatch", args=[event.pk])}"' in text
    assert f'action="{reverse("grids:event_urge", args=[event.pk])}"' in text
    assert f'action="{reverse("grids:event_withdraw", args=[event.pk])}"' in text


def test_a_report_in_a_working_hours_category_counts_the_entered_schedule(report, manhole):
    manhole.response_minutes = 3 * 60
    manhole.response_clock = EventCategory.ResponseClock.WORKING
    manhole.save()
    core_services.calendar_adjustment_save(
        actor=None, name="元旦", kind="holiday", first_day=date(2027, 1, 1), last_day=date(2027, 1, 3)
    )
    with time_machine.travel(datetime(2026, 12, 31, 17, 0, tzinfo=BJ), tick=False):
        event = report()
    assert event.respond_by == datetime(2027, 1, 4, 11, 0, tzinfo=BJ)
    assert event.remind_at == datetime(2027, 1, 4, 10, 24, tzinfo=BJ)  # 80 % of 180 minutes = 144
