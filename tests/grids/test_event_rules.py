"""Event services, rule by rule, with literal expectations (found missing by make mutation).

Each test pins one rule of the event services (grids/services/events.py, report.py, reporter.py)
that no other test held: the audited contact read, the keyword category suggestion, distances, the
reject reason, who handles for a department, and who acts next.
"""

import hashlib
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance import services as core
from governance.exceptions import DomainError, InvalidTransition
from governance.models import AuditEntry, CalendarAdjustment, Notification, Role
from governance.workcalendar import WorkingCalendar
from grids import services
from grids.models import Event, EventCategory, TimelineEntry
from grids.services.dispatch import distance_m
from grids.services.notify import department_handlers, event_notify_move

S = Event.Status
CST = ZoneInfo("Asia/Shanghai")


# --- The reporter's contact, read and audited --------------------------------------------------


def test_reading_the_reporters_contact_returns_it_and_audits_who_read_what(report, east_staff, rf):
    event = report(reporter_name="王先生", reporter_phone="13698765432", reporter_email="wang@example.cn")
    request = rf.get("/", REMOTE_ADDR="10.1.2.3")
    contact = services.event_contact_read(event=event, actor=east_staff, request=request)
    assert contact == {"name": "王先生", "phone": "13698765432", "email": "wang@example.cn"}
    entry = AuditEntry.objects.get()
    assert entry.action == AuditEntry.Action.READ_PERSONAL
    assert entry.actor == east_staff
    assert (entry.object_type, entry.object_id) == ("grids.event", str(event.pk))
    assert entry.changes == {"fields": ["reporter_name", "reporter_phone", "reporter_email"]}
    assert entry.ip_address == "10.1.2.3"


# --- Category suggestion -------------------------------------------------------------------------


@pytest.fixture
def categories(manhole, leak):
    EventCategory.objects.create(service_code="retired", name="旧类别", keywords="井盖 漏水 水管", is_active=False)
    return {"manhole": manhole, "leak": leak}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("北门井盖缺失", "manhole"),  # one keyword
        ("3号楼水管爆管，到处漏水", "leak"),  # three keywords of 管道漏水 beat none of 井盖破损
        ("井盖旁边水管漏水", "leak"),  # 2 (水管, 漏水) against 1 (井盖)
        ("管道漏水", "leak"),  # the category's own name counts as a keyword
        ("BROKEN MANHOLE cover", None),  # English text matches no Chinese keyword
        ("路灯不亮", None),
        ("", None),
    ],
)
def test_the_suggested_category_is_the_active_one_with_most_keyword_hits(categories, text, expected):
    suggested = services.category_suggest(text=text)
    assert (suggested.service_code if suggested else None) == (categories[expected].service_code if expected else None)


def test_keywords_split_on_chinese_and_latin_commas_and_ignore_case(municipal):
    EventCategory.objects.create(service_code="lamp", name="路灯", keywords="Lamp，灯杆,灯泡", department=municipal)
    for text in ("the LAMP is off", "灯杆歪了", "灯泡坏了"):
        assert services.category_suggest(text=text).service_code == "lamp", text


def test_the_category_name_counts_as_a_keyword_in_any_case(municipal):
    EventCategory.objects.create(service_code="lamp", name="路灯", keywords="灯杆", department=municipal)
    EventCategory.objects.create(service_code="wifi", name="WiFi故障", keywords="", department=municipal)
    assert services.category_suggest(text="3号楼路灯坏了").service_code == "lamp"  # by name only
    assert services.category_suggest(text="小区wifi故障").service_code == "wifi"
    assert services.category_suggest(text=None) is None


def test_a_tie_goes_to_the_first_category_with_that_many_hits(municipal):
    first = EventCategory.objects.create(service_code="a", name="甲", keywords="积水", department=municipal)
    EventCategory.objects.create(service_code="b", name="乙", keywords="积水", department=municipal)
    assert services.category_suggest(text="路面积水") == first


# --- Distances -----------------------------------------------------------------------------------


def test_distance_is_the_great_circle_distance_in_metres():
    assert distance_m(116.30, 39.98, 116.30, 39.98) == 0
    # 0.001° of latitude is 111.19 m (6 371 km × 0.001° in radians); of longitude at 39.98° N, × cos 39.98° = 85.21 m.
    assert distance_m(116.30, 39.98, 116.30, 39.981) == pytest.approx(111.19, abs=0.01)
    assert distance_m(116.30, 39.98, 116.301, 39.98) == pytest.approx(85.21, abs=0.01)
    assert distance_m(116.30, 39.98, 116.301, 39.981) == pytest.approx(140.09, abs=0.01)
    assert distance_m(0, 0, 180, 0) == pytest.approx(20015086.8, abs=1)


# --- Reject and close ------------------------------------------------------------------------------


def test_reject_records_the_trimmed_reason_cut_to_300_characters(report, east_staff):
    event = report()
    rejected_at = datetime(2026, 3, 2, 9, 30, tzinfo=CST)
    with time_machine.travel(rejected_at, tick=False):
        event = services.event_reject(event=event, actor=east_staff, reason="  " + "重" * 320 + "  ")
    assert event.status == S.REJECTED
    assert event.reject_reason == "重" * 300
    assert event.closed_at == rejected_at
    entry = event.timeline.get(to_status=S.REJECTED)
    assert (entry.actor, entry.from_status, entry.note) == (east_staff, S.REPORTED, "重" * 320)


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_reject_without_a_reason_is_refused_and_changes_nothing(report, east_staff, reason):
    event = report()
    with pytest.raises(ValidationError) as raised:
        services.event_reject(event=event, actor=east_staff, reason=reason)
    assert raised.value.message_dict == {"reason": ["请填写不予受理的原因。"]}
    event.refresh_from_db()
    assert event.status == S.REPORTED


def test_close_records_when_and_who(report, east_staff, handler):
    event = report()
    services.event_accept(event=event, actor=east_staff)
    services.event_dispatch(event=event, actor=east_staff)
    services.event_start(event=event, actor=handler)
    event = services.event_resolve(event=event, actor=handler, resolution="已更换井盖")
    closed_at = datetime(2026, 3, 5, 10, 0, tzinfo=CST)
    with time_machine.travel(closed_at, tick=False):
        event = services.event_close(event=event, actor=east_staff, note="回访确认")
    assert (event.status, event.closed_at) == (S.CLOSED, closed_at)
    entry = event.timeline.get(to_status=S.CLOSED)
    assert (entry.kind, entry.actor, entry.from_status, entry.note) == (
        TimelineEntry.Kind.TRANSITION,
        east_staff,
        S.RESOLVED,
        "回访确认",
    )


# --- Who handles for a department, who acts next --------------------------------------------------


def test_department_handlers_are_the_active_handler_posts_of_those_departments(make_user, municipal, water):
    on_duty = make_user(Role.DEPARTMENT_HANDLER, department=municipal, username="on_duty")
    make_user(Role.DEPARTMENT_HANDLER, department=water, username="other_department")
    left = make_user(Role.DEPARTMENT_HANDLER, department=municipal, username="left")
    core.post_end(post=left.posts.get())
    away = make_user(Role.DEPARTMENT_HANDLER, department=municipal, username="away")
    away.is_active = False
    away.save()
    both = make_user(Role.DEPARTMENT_HANDLER, department=municipal, username="both")
    core.post_assign(user=both, role=Role.DEPARTMENT_HANDLER, department=water)
    handlers = department_handlers(departments=[municipal])
    assert sorted(u.username for u in handlers) == ["both", "on_duty"]
    assert sorted(u.username for u in department_handlers(departments=[municipal, water])) == [
        "both",
        "on_duty",
        "other_department",
    ]  # once each
    assert on_duty in handlers


def test_next_actors_follow_the_status(report, east_staff, handler, grid_worker, resident):
    event = report()
    assert list(services.next_actors(event=event)) == [east_staff]
    assert list(services.next_actors(event=event, status=S.ACCEPTED)) == [east_staff]
    assert list(services.next_actors(event=event, status=S.DISPATCHED)) == []  # no department yet
    services.event_accept(event=event, actor=east_staff)
    event = services.event_dispatch(event=event, actor=east_staff)
    for status in (S.DISPATCHED, S.IN_PROGRESS, S.REOPENED):
        assert list(services.next_actors(event=event, status=status)) == [handler], status
    for status in (S.RESOLVED, S.REJECTED):
        assert list(services.next_actors(event=event, status=status)) == [grid_worker], status
    assert list(services.next_actors(event=event, status=S.CLOSED)) == []
    anonymous = report(reporter=None, source="hotline", reporter_name="王先生")
    assert list(services.next_actors(event=anonymous, status=S.RESOLVED)) == []


def test_time_left_is_normal_then_due_soon_then_overdue_while_waiting(report, east_staff, handler):
    event = report()
    start = event.window_started_at
    assert services.time_left_state(event=event, now=start) == "normal"
    assert services.time_left_state(event=event, now=event.remind_at - timedelta(seconds=1)) == "normal"
    assert services.time_left_state(event=event, now=event.remind_at) == "due_soon"
    assert services.time_left_state(event=event, now=event.respond_by - timedelta(seconds=1)) == "due_soon"
    assert services.time_left_state(event=event, now=event.respond_by) == "overdue"
    services.event_accept(event=event, actor=east_staff)
    services.event_dispatch(event=event, actor=east_staff)
    event = services.event_start(event=event, actor=handler)
    assert services.time_left_state(event=event, now=event.respond_by + timedelta(days=1)) == "normal"  # answered


# --- Nearby open events of the same category -----------------------------------------------------

# Metres north of EAST_POINT per 0.0001° of latitude: 11.12 m.
NORTH_M = 11.1195


def _at(report, metres_north: float, **kw) -> Event:
    lon, lat = 116.305, 39.985
    return report(lon=lon, lat=lat + metres_north / NORTH_M * 0.0001, **kw)


def test_nearby_finds_open_events_of_the_category_within_50_metres_nearest_first(report, manhole, leak, east_staff):
    far = _at(report, 49.0, description="49 米")
    near = _at(report, 10.0, description="10 米")
    _at(report, 51.0, description="51 米")  # outside
    _at(report, 5.0, description="另一类", category=leak)
    closed = _at(report, 1.0, description="已驳回")
    services.event_reject(event=closed, actor=east_staff, reason="重复")
    found = services.events_nearby_open(category=manhole, lon=116.305, lat=39.985)
    assert [e.description for e in found] == [near.description, far.description]


def test_nearby_takes_a_radius_and_a_queryset_to_search_in(report, manhole):
    near = _at(report, 10.0, description="10 米")
    _at(report, 30.0, description="30 米")
    assert services.events_nearby_open(category=manhole, lon=116.305, lat=39.985, metres=20) == [near]
    only = Event.objects.exclude(pk=near.pk)
    assert [
        e.description for e in services.events_nearby_open(category=manhole, lon=116.305, lat=39.985, queryset=only)
    ] == ["30 米"]


def test_nearby_includes_an_event_exactly_at_the_radius(report, manhole):
    same_spot = report(lon=116.305, lat=39.985)
    assert services.events_nearby_open(category=manhole, lon=116.305, lat=39.985, metres=0) == [same_spot]


def test_nearby_measures_east_west_too(report, manhole):
    # 0.0005° of longitude at 39.985° N is 42.6 m: inside; 0.0007° is 59.6 m: outside.
    inside = report(lon=116.3055, lat=39.985, description="东 42.6 米")
    report(lon=116.3057, lat=39.985, description="东 59.6 米")
    assert services.events_nearby_open(category=manhole, lon=116.305, lat=39.985) == [inside]


# --- Rating by the reporter -----------------------------------------------------------------------


def _resolved(report, east_staff, handler, **kw) -> Event:
    event = report(**kw)
    services.event_accept(event=event, actor=east_staff)
    services.event_dispatch(event=event, actor=east_staff)
    services.event_start(event=event, actor=handler)
    return services.event_resolve(event=event, actor=handler, resolution="已更换井盖")


@pytest.mark.parametrize(("rating", "status"), [(1, S.REOPENED), (2, S.REOPENED), (3, S.CLOSED), (5, S.CLOSED)])
def test_a_rating_of_two_or_less_reopens_and_three_or_more_closes(report, east_staff, handler, rating, status):
    event = _resolved(report, east_staff, handler)
    event = services.event_rate(event=event, rating=rating, actor=event.reporter)
    assert (event.status, event.rating) == (status, rating)


def test_a_good_rating_closes_with_the_comment_trimmed_and_the_time(report, east_staff, handler, grid_worker):
    event = _resolved(report, east_staff, handler)
    rated_at = datetime(2026, 3, 6, 9, 0, tzinfo=CST)
    with time_machine.travel(rated_at, tick=False):
        event = services.event_rate(event=event, rating=4, comment="  很及时" + "好" * 310 + "  ", actor=grid_worker)
    assert (event.status, event.rating, event.closed_at) == (S.CLOSED, 4, rated_at)
    assert event.rating_comment == ("很及时" + "好" * 310)[:300]
    entry = event.timeline.get(to_status=S.CLOSED)
    assert (entry.actor, entry.from_status) == (grid_worker, S.RESOLVED)
    assert entry.note == "评价 4 分：" + ("很及时" + "好" * 310)[:300]


def test_a_rating_without_a_comment_notes_only_the_score(report, east_staff, handler, grid_worker):
    event = _resolved(report, east_staff, handler)
    event = services.event_rate(event=event, rating=5, actor=grid_worker)
    assert event.rating_comment == ""
    assert event.timeline.get(to_status=S.CLOSED).note == "评价 5 分"
    other = _resolved(report, east_staff, handler)
    other = services.event_rate(event=other, rating=5, comment=None, actor=grid_worker)
    assert other.timeline.get(to_status=S.CLOSED).note == "评价 5 分"


def test_a_low_rating_reopens_with_the_categorys_window_from_now(report, east_staff, handler, grid_worker, alarm):
    event = _resolved(report, east_staff, handler, category=alarm, description="独居老人手环紧急呼叫")
    rated_at = datetime(2026, 3, 6, 9, 0, tzinfo=CST)
    with time_machine.travel(rated_at, tick=False):
        event = services.event_rate(event=event, rating=1, comment="没人来", actor=grid_worker)
    assert event.status == S.REOPENED
    assert (event.rating, event.rating_comment) == (1, "没人来")
    assert (event.responded_at, event.resolved_at, event.reminded_at) == (None, None, None)
    assert event.window_started_at == rated_at
    assert event.respond_by == datetime(2026, 3, 6, 9, 15, tzinfo=CST)  # 老人紧急呼叫: 15 minutes
    assert event.remind_at == datetime(2026, 3, 6, 9, 12, tzinfo=CST)
    entry = event.timeline.get(to_status=S.REOPENED)
    assert (entry.actor, entry.note) == (grid_worker, "评价 1 分：没人来")


def test_only_a_resolved_event_can_be_rated_and_the_refusal_says_so(report):
    event = report()
    with pytest.raises(InvalidTransition) as raised:
        services.event_rate(event=event, rating=5)
    assert (raised.value.frm, raised.value.to, raised.value.detail) == (
        S.REPORTED,
        "rated",
        "只有已办结的事件才能评价。",
    )


@pytest.mark.parametrize("rating", [0, 6, "5", 4.5])
def test_a_rating_outside_one_to_five_is_refused_with_the_field(report, east_staff, handler, rating):
    event = _resolved(report, east_staff, handler)
    with pytest.raises(ValidationError) as raised:
        services.event_rate(event=event, rating=rating)
    assert raised.value.message_dict == {"rating": ["评价须为 1 到 5 分。"]}
    event.refresh_from_db()
    assert (event.status, event.rating) == (S.RESOLVED, None)


# --- Telling the next people to act ---------------------------------------------------------------


def test_the_notice_names_the_event_and_its_category(report, east_staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event = report(description="井" * 250)
    notice = Notification.objects.get(recipient=east_staff)
    entry = event.timeline.get(to_status=S.REPORTED)
    assert notice.title == f"新事件 {event.code} 待受理：井盖破损"
    assert notice.body == "井" * 200
    assert notice.url == f"/events/{event.pk}/"
    assert notice.idempotency_key == f"event:{event.pk}:entry:{entry.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        uncategorised = report(category=None, description="不知道算什么")
    assert Notification.objects.get(recipient=east_staff, url=f"/events/{uncategorised.pk}/").title == (
        f"新事件 {uncategorised.code} 待受理：未分类"
    )


def test_a_report_notifies_each_staff_member_once_and_a_rerun_adds_nothing(report, east_staff, make_user, area_tree):
    make_user(Role.COMMUNITY_STAFF, area_tree["east"], username="second_staff")
    event = report()
    entry = event.timeline.get(to_status=S.REPORTED)
    keys = {f"event:{event.pk}:entry:{entry.pk}"}
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == ["east_staff", "second_staff"]
    assert set(Notification.objects.values_list("idempotency_key", flat=True)) == keys
    event_notify_move(event=event, entry=entry, actor=None)
    assert Notification.objects.count() == 2


def test_dispatch_copies_the_cc_departments_but_not_twice_the_one_dispatched_to(
    report, east_staff, manhole, municipal, water, handler, water_handler, make_user, area_tree
):
    manhole.cc_departments.add(water, municipal)
    event = services.event_accept(event=report(), actor=east_staff)
    event = services.event_dispatch(event=event, actor=east_staff)
    entry = event.timeline.get(to_status=S.DISPATCHED)
    dispatched = Notification.objects.filter(idempotency_key=f"event:{event.pk}:entry:{entry.pk}")
    assert sorted(n.recipient.username for n in dispatched) == ["handler", "water_handler"]
    event = services.event_start(event=event, actor=handler)
    started = event.timeline.get(to_status=S.IN_PROGRESS)
    # In progress: no copies, and the handler who started is not told of their own action.
    assert not Notification.objects.filter(idempotency_key=f"event:{event.pk}:entry:{started.pk}").exists()
    assert Notification.objects.filter(recipient=water_handler).count() == 1


# --- Accept, dispatch, resolve: refusals and what each move writes --------------------------------


def test_dispatch_refusals_name_the_field_and_say_why(report, east_staff, municipal, manhole):
    uncategorised = services.event_accept(event=report(), actor=east_staff)
    Event.objects.filter(pk=uncategorised.pk).update(category=None)
    uncategorised.refresh_from_db()
    with pytest.raises(ValidationError) as raised:
        services.event_dispatch(event=uncategorised, actor=east_staff)
    assert raised.value.message_dict == {"category": ["派单前请先选择事件类别。"]}
    manhole.dispatch_rules.all().delete()
    manhole.department = None
    manhole.save()
    ruleless = services.event_accept(event=report(), actor=east_staff)
    with pytest.raises(ValidationError) as raised:
        services.event_dispatch(event=ruleless, actor=east_staff)
    assert raised.value.message_dict == {"department": ["没有匹配的派单规则，请手动选择处置单位。"]}
    municipal.is_active = False
    municipal.save()
    with pytest.raises(ValidationError) as raised:
        services.event_dispatch(event=ruleless, actor=east_staff, department=municipal)
    assert raised.value.message_dict == {"department": ["该处置单位已停用。"]}


def test_dispatch_sets_the_resolution_deadline_and_notes_how_it_was_chosen(report, east_staff, water):
    dispatched_at = datetime(2026, 3, 2, 10, 0, tzinfo=CST)
    with time_machine.travel(dispatched_at, tick=False):
        by_rule = services.event_dispatch(
            event=services.event_accept(event=report(), actor=east_staff), actor=east_staff
        )
        by_hand = services.event_dispatch(
            event=services.event_accept(event=report(), actor=east_staff), actor=east_staff, department=water
        )
    assert by_rule.resolve_by == datetime(2026, 3, 5, 10, 0, tzinfo=CST)  # 72 hours
    entry = by_rule.timeline.get(to_status=S.DISPATCHED)
    assert (entry.actor, entry.note) == (east_staff, "派往市政所（按派单规则）")
    assert by_hand.department == water
    assert by_hand.timeline.get(to_status=S.DISPATCHED).note == "派往水务站（人工指定）"


def test_resolve_records_the_result_and_refuses_an_empty_one(report, east_staff, handler):
    event = services.event_accept(event=report(), actor=east_staff)
    event = services.event_start(event=services.event_dispatch(event=event, actor=east_staff), actor=handler)
    with pytest.raises(ValidationError) as raised:
        services.event_resolve(event=event, actor=handler, resolution="   ")
    assert raised.value.message_dict == {"resolution": ["请填写处置结果。"]}
    resolved_at = datetime(2026, 3, 3, 16, 0, tzinfo=CST)
    with time_machine.travel(resolved_at, tick=False):
        event = services.event_resolve(event=event, actor=handler, resolution="  已更换井盖  ")
    assert (event.status, event.resolution, event.resolved_at) == (S.RESOLVED, "已更换井盖", resolved_at)
    entry = event.timeline.get(to_status=S.RESOLVED)
    assert (entry.actor, entry.note) == (handler, "已更换井盖")


def test_accept_needs_a_category_and_a_new_one_restarts_the_window_from_the_report(
    report, east_staff, alarm, grid_worker
):
    reported_at = datetime(2026, 3, 2, 8, 0, tzinfo=CST)
    with time_machine.travel(reported_at, tick=False):
        event = report(category=None, description="老人摔倒")
    with pytest.raises(ValidationError) as raised:
        services.event_accept(event=event, actor=east_staff)
    assert raised.value.message_dict == {"category": ["受理前请先选择事件类别。"]}
    with time_machine.travel(reported_at + timedelta(minutes=5), tick=False):
        event = services.event_accept(event=event, actor=east_staff, category=alarm, note="转紧急")
    assert event.category == alarm
    assert (event.window_started_at, event.respond_by) == (reported_at, datetime(2026, 3, 2, 8, 15, tzinfo=CST))
    entry = event.timeline.get(to_status=S.ACCEPTED)
    assert (entry.actor, entry.note) == (east_staff, "转紧急")


# --- Return, re-dispatch, urge, withdraw, rating by link: refusals word for word --------------


def _dispatched(report, east_staff) -> Event:
    return services.event_dispatch(event=services.event_accept(event=report(), actor=east_staff), actor=east_staff)


def test_redispatch_refusals_name_the_field_and_say_why(report, east_staff, municipal, water):
    event = _dispatched(report, east_staff)
    cases = [
        ({"department": water, "reason": "  "}, {"reason": ["请填写改派原因。"]}),
        ({"department": None, "reason": "不是本单位"}, {"department": ["请选择改派的处置单位。"]}),
        ({"department": municipal, "reason": "不是本单位"}, {"department": ["改派的处置单位与当前单位相同。"]}),
    ]
    for kwargs, expected in cases:
        with pytest.raises(ValidationError) as raised:
            services.event_redispatch(event=event, actor=east_staff, **kwargs)
        assert raised.value.message_dict == expected
    water.is_active = False
    water.save()
    with pytest.raises(ValidationError) as raised:
        services.event_redispatch(event=event, actor=east_staff, department=water, reason="不是本单位")
    assert raised.value.message_dict == {"department": ["该处置单位已停用。"]}
    event.refresh_from_db()
    assert (event.status, event.department, event.version) == (S.DISPATCHED, municipal, 2)


def test_redispatch_resets_the_resolution_deadline_from_now_and_notes_both_units(report, east_staff, water):
    event = _dispatched(report, east_staff)
    moved_at = datetime(2026, 3, 4, 9, 0, tzinfo=CST)
    with time_machine.travel(moved_at, tick=False):
        event = services.event_redispatch(event=event, actor=east_staff, department=water, reason="属供水管线")
    assert event.resolve_by == datetime(2026, 3, 7, 9, 0, tzinfo=CST)  # 72 hours from the re-dispatch
    entry = event.timeline.get(from_status=S.DISPATCHED, to_status=S.DISPATCHED)
    assert (entry.actor, entry.note) == (east_staff, "改派：市政所 → 水务站。原因：属供水管线")


def test_a_move_that_is_not_in_its_services_start_states_says_the_current_state(report, east_staff, handler):
    reported = report()
    refusals = [
        # reported → accepted is in the table (accept), but a return starts from dispatched: the service's words
        (lambda: services.event_return(event=reported, actor=handler, reason="不属于本单位"), S.ACCEPTED,
         "事件当前为“已上报”，不能执行此操作。"),
        # reported → dispatched is not in the table at all: the table's own words
        (lambda: services.event_redispatch(event=reported, actor=east_staff, department=None, reason="x"),
         S.DISPATCHED, "事件当前为“已上报”，不能变更为“已派单”。"),
    ]  # fmt: skip
    for attempt, to, detail in refusals:
        with pytest.raises(InvalidTransition) as raised:
            attempt()
        assert (raised.value.frm, raised.value.to, raised.value.code, raised.value.detail) == (
            S.REPORTED,
            to,
            "invalid_transition",
            detail,
        )


def test_return_needs_a_reason_and_names_the_unit_it_leaves(report, east_staff, handler):
    event = _dispatched(report, east_staff)
    with pytest.raises(ValidationError) as raised:
        services.event_return(event=event, actor=handler, reason="")
    assert raised.value.message_dict == {"reason": ["请填写退回原因，例如“不属于本单位职责”。"]}
    event = services.event_return(event=event, actor=handler, reason="  不属于本单位职责  ")
    assert (event.status, event.department, event.resolve_by) == (S.ACCEPTED, None, None)
    assert (
        event.timeline.get(from_status=S.DISPATCHED, to_status=S.ACCEPTED).note
        == "退回（原派往市政所）：不属于本单位职责"
    )


def test_urge_is_refused_before_dispatch_with_the_states_it_allows(report, east_staff):
    accepted = services.event_accept(event=report(), actor=east_staff)
    with pytest.raises(InvalidTransition) as raised:
        services.event_urge(event=accepted, actor=east_staff)
    assert (raised.value.frm, raised.value.to, raised.value.detail) == (
        S.ACCEPTED,
        "urged",
        "只有已派单、处置中或重新打开的事件可以催办。",
    )
    Event.objects.filter(pk=accepted.pk).update(status=S.IN_PROGRESS)  # in progress yet with no unit
    accepted.refresh_from_db()
    with pytest.raises(InvalidTransition):
        services.event_urge(event=accepted, actor=east_staff)


def test_urge_tells_the_unit_by_mail_with_the_note_or_the_description(report, east_staff, handler):
    event = _dispatched(report, east_staff)
    services.event_urge(event=event, actor=east_staff, note="  " + "快" * 350)
    services.event_urge(event=event, actor=east_staff)
    notices = list(
        Notification.objects.filter(recipient=handler, idempotency_key__contains=":urge:")
        .order_by("id")
        .values_list("body", "url", "by_email")
    )
    assert notices == [
        ("快" * 300, f"/events/{event.pk}/", True),
        ("东升花园北门井盖缺失", f"/events/{event.pk}/", True),
    ]


def test_a_rating_link_that_is_not_one_is_refused_with_its_code(report):
    for secret in ("", "short", "a" * 23 + "1", "ａ" * 24, "b" * 24):
        with pytest.raises(DomainError) as raised:
            services.event_rate_by_link(secret=secret, rating=5)
        assert (raised.value.code, raised.value.detail) == ("invalid_rating_link", "评价链接无效或已失效。")


def test_after_photos_are_kept_as_the_handlers_resolution_photos(report, east_staff, handler, photo):
    event = services.event_start(event=_dispatched(report, east_staff), actor=handler)
    event = services.event_resolve(event=event, actor=handler, resolution="已更换", photos=[photo])
    assert list(event.photos.values_list("kind", "uploaded_by__username")) == [("resolution", handler.username)]
    assert event.photos.get().image.read(3) == b"\xff\xd8\xff"  # a JPEG was stored, not nothing


def test_moves_without_a_note_write_an_empty_note(report, east_staff, handler):
    event = services.event_start(event=_dispatched(report, east_staff), actor=handler)
    assert event.timeline.get(to_status=S.IN_PROGRESS).note == ""
    event = services.event_resolve(event=event, actor=handler, resolution="已更换")
    Event.objects.filter(pk=event.pk).update(status=S.RESOLVED)
    event = services.event_close(event=event, actor=east_staff)
    assert event.timeline.get(to_status=S.CLOSED).note == ""


# --- The rating link: how it is made, found and used -------------------------------------------


def test_a_rating_link_is_kept_as_its_sha256_on_the_row_and_the_instance(report):
    event = report()
    secret = services.rating_link_issue(event=event)
    assert len(secret) == 24
    assert secret.isascii()
    assert secret.isalpha()
    expected = hashlib.sha256(secret.encode()).hexdigest()
    assert event.rate_secret_hash == expected
    assert Event.objects.get(pk=event.pk).rate_secret_hash == expected


@pytest.mark.parametrize("secret", ["", "abc", "1" * 24, "好" * 24, "a" * 23 + "1", "a" * 25])
def test_a_malformed_rating_secret_is_refused_without_a_query(report, secret, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert services.event_for_rating_secret(secret=secret) is None


def test_a_rating_secret_finds_its_event_with_its_category_and_grid_in_one_query(
    report, manhole, django_assert_num_queries
):
    event = report(category=manhole)
    secret = services.rating_link_issue(event=event)
    with django_assert_num_queries(1):
        found = services.event_for_rating_secret(secret=secret)
        assert (found.pk, found.category.service_code, found.grid.code) == (event.pk, "manhole", event.grid.code)


def test_the_rating_link_sms_gives_the_tracking_code_and_the_link(report):
    event = report()
    Event.objects.filter(pk=event.pk).update(code="ABCDEFGHJK")
    event.code = "ABCDEFGHJK"
    secret = services.rating_link_send(event=event, phone="13900001111")
    sms = Notification.objects.get(to_phone="13900001111")
    assert (sms.recipient, sms.by_sms, sms.idempotency_key, sms.url) == (
        None,
        True,
        f"event:{event.pk}:rating-link",
        f"/r/{secret}/",
    )
    assert sms.title == (
        "您反映的问题已登记，查询编号 ABCDEFGHJK，可凭编号在门户“查询进度”查看办理情况。办结后可通过以下链接评价："
    )


def test_a_rating_named_by_no_door_is_the_reporters_own(report, east_staff, handler):
    event = _resolved(report, east_staff, handler)
    event = services.event_rate(event=event, rating=5, actor=event.reporter)
    assert (event.rated_via, Event.objects.get(pk=event.pk).rated_via) == ("reporter", "reporter")


def test_a_return_visit_without_a_comment_is_labelled_and_stores_no_comment(report, east_staff, handler):
    event = _resolved(report, east_staff, handler)
    event = services.event_return_visit(event=event, actor=east_staff, rating=4)
    assert (event.status, event.rating, event.rating_comment, event.rated_via) == (S.CLOSED, 4, "", "return_visit")
    entry = event.timeline.get(to_status=S.CLOSED)
    assert (entry.actor, entry.note) == (east_staff, "回访评价 4 分")


def test_a_rating_by_link_keeps_the_comment_and_has_no_actor(report, east_staff, handler):
    event = _resolved(report, east_staff, handler)
    secret = services.rating_link_issue(event=event)
    event = services.event_rate_by_link(secret=secret, rating=5, comment="  修得很快 ")
    assert (event.status, event.rating_comment, event.rated_via) == (S.CLOSED, "修得很快", "link")
    entry = event.timeline.get(to_status=S.CLOSED)
    assert (entry.actor, entry.note) == (None, "评价 5 分：修得很快")
    other = _resolved(report, east_staff, handler)
    event = services.event_rate_by_link(secret=services.rating_link_issue(event=other), rating=4)
    assert (event.rating_comment, event.timeline.get(to_status=S.CLOSED).note) == ("", "评价 4 分")


# --- The moves' own words, actors and notes (the events run's survivors) ------------------------


def test_a_transition_without_a_note_writes_an_empty_note(report, east_staff):
    event = services.event_transition(event=report(), to=S.ACCEPTED, actor=east_staff)
    assert event.timeline.get(to_status=S.ACCEPTED).note == ""


def test_accept_and_dispatch_done_twice_are_refused_naming_their_own_target(report, east_staff):
    accepted = services.event_accept(event=report(), actor=east_staff)
    with pytest.raises(InvalidTransition) as again:
        services.event_accept(event=accepted, actor=east_staff)
    assert (again.value.frm, again.value.to, again.value.detail) == (
        S.ACCEPTED,
        S.ACCEPTED,
        "事件当前为“已受理”，不能变更为“已受理”。",
    )
    dispatched = services.event_dispatch(event=accepted, actor=east_staff)
    with pytest.raises(InvalidTransition) as twice:
        services.event_dispatch(event=dispatched, actor=east_staff)
    # dispatched → dispatched is in the table (a re-dispatch), so the refusal is the service's own
    assert (twice.value.frm, twice.value.to, twice.value.detail) == (
        S.DISPATCHED,
        S.DISPATCHED,
        "事件当前为“已派单”，不能执行此操作。",
    )


def test_start_records_who_started_and_their_note(report, east_staff, handler):
    event = services.event_start(event=_dispatched(report, east_staff), actor=handler, note="已到现场")
    entry = event.timeline.get(to_status=S.IN_PROGRESS)
    assert (entry.actor, entry.from_status, entry.note) == (handler, S.DISPATCHED, "已到现场")


def test_resolve_without_any_resolution_is_refused(report, east_staff, handler):
    event = services.event_start(event=_dispatched(report, east_staff), actor=handler)
    for resolution in (None, "", "   "):
        with pytest.raises(ValidationError) as raised:
            services.event_resolve(event=event, actor=handler, resolution=resolution)
        assert raised.value.message_dict == {"resolution": ["请填写处置结果。"]}
    assert Event.objects.get(pk=event.pk).status == S.IN_PROGRESS


def test_urge_without_a_note_sends_the_first_200_characters_of_the_description(report, east_staff, handler):
    event = _dispatched(report, east_staff)
    Event.objects.filter(pk=event.pk).update(description="井" * 250)
    event.refresh_from_db()
    services.event_urge(event=event, actor=east_staff)
    assert Notification.objects.get(recipient=handler, idempotency_key__contains=":urge:").body == "井" * 200


def test_withdraw_needs_a_reason_and_records_it_cut_to_300_with_who_and_when(report, east_staff):
    event = report()
    for reason in ("", "  ", None):
        with pytest.raises(ValidationError) as raised:
            services.event_withdraw(event=event, actor=east_staff, reason=reason)
        assert raised.value.message_dict == {"reason": ["请填写撤销原因。"]}
    withdrawn_at = datetime(2026, 3, 6, 9, 0, tzinfo=CST)
    with time_machine.travel(withdrawn_at, tick=False):
        event = services.event_withdraw(event=event, actor=east_staff, reason="  重复上报" + "，" * 300 + "  ")
    reason = ("重复上报" + "，" * 300)[:300]
    stored = Event.objects.get(pk=event.pk)
    assert (stored.status, stored.withdraw_reason, stored.closed_at) == (S.WITHDRAWN, reason, withdrawn_at)
    entry = event.timeline.get(to_status=S.WITHDRAWN)
    assert (entry.actor, entry.from_status, entry.note) == (east_staff, S.REPORTED, "重复上报" + "，" * 300)


# --- Deadlines read the working calendar once, and only when they count working time ------------


def test_a_calendar_window_reads_no_holiday_schedule(manhole, django_assert_num_queries):
    start = datetime(2026, 9, 30, 15, 0, tzinfo=CST)
    with django_assert_num_queries(0):
        fields = services.clock_fields(category=manhole, start=start)
    assert fields["respond_by"] == start + timedelta(minutes=manhole.response_minutes)


def test_a_working_hours_window_reads_the_holiday_schedule_once_for_both_deadlines(manhole, django_assert_num_queries):
    manhole.response_minutes = 8 * 60
    manhole.response_clock = EventCategory.ResponseClock.WORKING
    start = datetime(2026, 9, 30, 15, 0, tzinfo=CST)
    with django_assert_num_queries(1):
        fields = services.clock_fields(category=manhole, start=start)
    assert (fields["respond_by"], fields["remind_at"]) == (
        datetime(2026, 10, 8, 15, 0, tzinfo=CST),
        datetime(2026, 10, 8, 13, 24, tzinfo=CST),
    )


def test_a_deadline_given_a_calendar_uses_it_and_reads_nothing(manhole, django_assert_num_queries):
    manhole.response_minutes = 60
    manhole.response_clock = EventCategory.ResponseClock.WORKING
    start = datetime(2026, 10, 3, 10, 0, tzinfo=CST)  # a Saturday inside the National Day holiday
    # A calendar saying 3 October is a working day (as an entered 调休 would): it is used as given.
    calendar = WorkingCalendar([(date(2026, 10, 3), date(2026, 10, 3), CalendarAdjustment.Kind.WORKDAY)])
    with django_assert_num_queries(0):
        deadline = services.deadline_after(category=manhole, start=start, calendar=calendar)
    assert deadline == datetime(2026, 10, 3, 11, 0, tzinfo=CST)


# --- Report: where it is ------------------------------------------------------------------------


@pytest.mark.parametrize(("lon", "lat"), [(None, 39.985), (116.305, None), (None, None)])
def test_a_report_without_both_coordinates_is_refused_on_the_location(report, lon, lat):
    with pytest.raises(ValidationError) as raised:
        report(lon=lon, lat=lat)
    assert raised.value.message_dict == {"location": ["请提供事件位置（经纬度）。"]}
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("lon", "lat"), [(-180.0001, 0), (180.0001, 0), (0, 90.0001), (0, -90.0001), (-181, 0), (0, 91), (200, 100)]
)
def test_a_report_off_the_globe_is_refused_with_the_ranges(report, lon, lat):
    with pytest.raises(ValidationError) as raised:
        report(lon=lon, lat=lat)
    assert raised.value.message_dict == {"location": ["坐标超出范围（经度 -180～180，纬度 -90～90）。"]}


@pytest.mark.parametrize(("lon", "lat"), [(-180, 0), (180, 0), (0, 90), (0, -90)])
def test_a_report_on_the_edge_of_the_ranges_is_on_the_globe_but_in_no_grid(report, lon, lat):
    with pytest.raises(services.OutsideEveryGrid) as raised:
        report(lon=lon, lat=lat)
    assert (raised.value.code, raised.value.detail) == ("outside_grid", "该位置不在任何网格内，请确认位置后重新上报。")
    assert raised.value.fields == {"location": ["该位置不在任何网格内。"]}


# --- Report: what it says -----------------------------------------------------------------------


@pytest.mark.parametrize("description", [None, "", "   "])
def test_a_report_without_a_description_is_refused_on_that_field(report, description):
    with pytest.raises(ValidationError) as raised:
        report(description=description)
    assert raised.value.message_dict == {"description": ["请描述发生了什么。"]}
    assert not Event.objects.exists()


def test_a_report_in_a_category_switched_off_is_refused_on_the_category(report, manhole):
    manhole.is_active = False
    manhole.save(update_fields=["is_active"])
    with pytest.raises(ValidationError) as raised:
        report(category=manhole)
    assert raised.value.message_dict == {"category": ["该事件类别已停用。"]}
    assert not Event.objects.exists()


def test_a_report_with_only_what_is_required_stores_empty_details(report):
    event = report(reporter=None, source="resident", description="  路灯不亮  ")
    stored = Event.objects.get(pk=event.pk)
    assert (stored.description, stored.address, stored.reporter_id) == ("路灯不亮", "", None)
    assert (stored.reporter_name, stored.reporter_phone, stored.reporter_email, stored.sensor_fault) == ("", "", "", "")


def test_a_signed_in_reporter_without_a_contact_name_is_recorded_by_their_own(report, grid_worker):
    event = report(reporter=grid_worker)
    assert Event.objects.get(pk=event.pk).reporter_name == grid_worker.display_name
    assert grid_worker.display_name  # the fixture's person has a name to record


def _statements(queries) -> list[str]:
    """Each statement as its verb and first table: what a report costs, in words (savepoints left
    out: how many a call nests depends on its caller's transaction, not on the report)."""
    named = []
    for query in queries:
        sql = query["sql"]
        verb = sql.split()[0]
        if verb in ("SAVEPOINT", "RELEASE"):
            continue
        table = re.search(r'(?:FROM|INTO) "(\w+)"', sql)
        named.append(f"{verb} {table.group(1)}" if table else verb)
    return named


def test_a_report_checks_its_fields_without_asking_the_database_for_its_related_rows(
    report, grid_worker, east_grid, east_staff
):
    # The grid, category, patrol and reporter are in hand and were checked: clean_fields leaves them
    # out, so no foreign key is looked up again (one query each otherwise).
    patrol = services.patrol_start(worker=grid_worker, grid=east_grid)
    report()  # the first report compiles the prepared lookups
    with CaptureQueriesContext(connection) as queries:
        report(patrol=patrol)
    assert _statements(queries.captured_queries) == [
        "SELECT grids_grid",
        "INSERT grids_event",
        "INSERT grids_timelineentry",
        "SELECT governance_user",
        "INSERT governance_notification",
    ]


def test_a_sensor_report_without_a_category_asks_for_the_suggestion_and_nothing_more(report, manhole):
    device, _token = services.sensor_register(
        device_id="MC-001", kind="manhole_cover", lon=116.305, lat=39.985, category=manhole, address="北门"
    )
    report()
    with CaptureQueriesContext(connection) as queries:
        event = report(category=None, sensor=device, source="sensor", description="井盖 位移")
    assert _statements(queries.captured_queries) == [
        "SELECT grids_grid",
        "SELECT grids_eventcategory",
        "INSERT grids_event",
        "INSERT grids_timelineentry",
    ]
    assert (event.sensor, event.suggested_category) == (device, manhole)


def test_a_report_with_a_category_suggests_none(report, manhole):
    event = report(category=manhole, description="井盖缺失")  # the manhole category's own keyword
    assert Event.objects.get(pk=event.pk).suggested_category is None


def test_a_finding_on_a_finished_patrol_is_refused_on_the_patrol(report, grid_worker, east_grid):
    patrol = services.patrol_finish(patrol=services.patrol_start(worker=grid_worker, grid=east_grid), notes="结束")
    with pytest.raises(ValidationError) as raised:
        report(patrol=patrol)
    assert raised.value.message_dict == {"patrol": ["该巡查已结束，不能再添加发现。"]}
    assert not Event.objects.exists()


def test_a_long_address_is_kept_to_its_first_200_characters(report):
    event = report(address="东升花园北门" + "东" * 250)
    assert Event.objects.get(pk=event.pk).address == ("东升花园北门" + "东" * 250)[:200]


def test_a_report_by_someone_not_signed_in_has_no_reporter(report):
    event = report(reporter=AnonymousUser(), source="resident", reporter_name="", reporter_phone="13900001111")
    stored = Event.objects.get(pk=event.pk)
    assert (stored.reporter_id, stored.reporter_name, stored.reporter_phone) == (None, "", "13900001111")


def test_a_report_opens_its_timeline_with_the_reporter_and_the_source_and_keeps_their_photos(
    report, grid_worker, photo
):
    event = report(photos=[photo])
    entry = event.timeline.get()
    assert (entry.kind, entry.actor, entry.from_status, entry.to_status) == ("transition", grid_worker, "", S.REPORTED)
    assert entry.note == "来源：网格巡查"
    assert list(event.photos.values_list("kind", "uploaded_by")) == [("report", grid_worker.pk)]


def test_a_timeline_entry_that_is_no_move_has_no_target_status_and_no_note(report):
    event = report()
    entry = services.timeline_add(event=event, kind=TimelineEntry.Kind.URGE)
    stored = TimelineEntry.objects.get(pk=entry.pk)
    assert (stored.from_status, stored.to_status, stored.note, stored.actor, stored.level) == ("", "", "", None, None)
