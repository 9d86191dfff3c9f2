"""The holiday schedule (节假日安排): entries win over the calendar package, an unknown year counts
Monday to Friday and says so, and the admin enters the schedule through the service."""

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from governance import services, workcalendar
from governance.models import AuditEntry, CalendarAdjustment
from governance.workcalendar import unknown_years, working_calendar
from grids.services.workclock import add_working_minutes

pytestmark = pytest.mark.django_db
BJ = ZoneInfo("Asia/Shanghai")


def enter(name, kind, first, last=None):
    return services.calendar_adjustment_save(
        actor=None,
        name=name,
        kind=kind,
        first_day=date.fromisoformat(first),
        last_day=date.fromisoformat(last or first),
    )


@pytest.fixture(autouse=True)
def _fresh_warnings():
    workcalendar._warned_years.clear()
    yield
    workcalendar._warned_years.clear()


# --- Which days work ------------------------------------------------------------------------

# (day, weekday, working with no entries, working with the entries of ``entries``)
DAYS = [
    ("2026-10-08", "Thu", True, False),  # the package says working; a local day off wins
    ("2026-10-10", "Sat", True, False),  # the package's 调休 working Saturday, turned off
    ("2026-10-09", "Fri", True, True),  # untouched
    ("2027-01-01", "Fri", True, False),  # 2027 unknown to the package: Mon–Fri, until 元旦 is entered
    ("2027-01-02", "Sat", False, False),
    ("2027-01-04", "Mon", True, True),
    ("2027-01-09", "Sat", False, True),  # a 调休 working Saturday entered
]


def entries():
    enter("本地调整", "holiday", "2026-10-08")
    enter("取消调休", "holiday", "2026-10-10")
    enter("元旦", "holiday", "2027-01-01", "2027-01-03")
    enter("元旦调休", "workday", "2027-01-09")


@pytest.mark.parametrize(("day", "weekday", "bare", "entered"), DAYS)
def test_an_entry_wins_over_the_package_and_an_unknown_year_counts_monday_to_friday(day, weekday, bare, entered):
    the_day = date.fromisoformat(day)
    assert the_day.strftime("%a") == weekday
    assert working_calendar().is_working_day(the_day) is bare
    entries()
    assert working_calendar().is_working_day(the_day) is entered


def test_a_working_hours_deadline_over_new_year_2027_counts_the_entered_holiday():
    start = datetime(2026, 12, 31, 17, 0, tzinfo=BJ)  # Thursday, one working hour left
    assert add_working_minutes(start, 3 * 60) == datetime(2027, 1, 1, 11, 0, tzinfo=BJ)
    enter("元旦", "holiday", "2027-01-01", "2027-01-03")
    assert add_working_minutes(start, 3 * 60) == datetime(2027, 1, 4, 11, 0, tzinfo=BJ)


def test_an_unknown_year_is_logged_once_per_year(caplog):
    calendar = working_calendar()
    with caplog.at_level(logging.WARNING, logger="governance.workcalendar"):
        for day in ("2027-01-04", "2027-01-05", "2027-03-01", "2028-01-03"):
            calendar.is_working_day(date.fromisoformat(day))
    warnings = [r.getMessage() for r in caplog.records if r.name == "governance.workcalendar"]
    assert warnings == [
        "No holiday schedule for 2027 (chinese-calendar nor 节假日安排): counting Monday–Friday as working days.",
        "No holiday schedule for 2028 (chinese-calendar nor 节假日安排): counting Monday–Friday as working days.",
    ]


@pytest.mark.parametrize(
    ("today", "expected"),
    [("2026-11-30", []), ("2026-12-01", [2027]), ("2027-06-01", [2027]), ("2026-06-01", [])],
)
def test_unknown_years_are_this_year_and_from_december_the_next(today, expected):
    assert unknown_years(today=date.fromisoformat(today)) == expected


def test_a_year_with_entries_is_known():
    enter("元旦", "holiday", "2027-01-01", "2027-01-03")
    assert unknown_years(today=date(2026, 12, 1)) == []


# --- The service ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "first", "last", "field", "message"),
    [
        ("", "holiday", "2027-02-10", "2027-02-17", "name", "请填写名称，如“春节”。"),
        ("春节", "vacation", "2027-02-10", "2027-02-17", "kind", "类型只能是“放假”或“调休上班”。"),
        ("春节", "holiday", "2027-02-17", "2027-02-10", "last_day", "结束日期不能早于起始日期。"),
        ("春节", "holiday", "2027-02-01", "2027-03-05", "last_day", "一条安排最长 31 天，请检查日期。"),
        (
            "春节",
            "holiday",
            "2027-01-03",
            "2027-01-05",
            "first_day",
            "与已录入的“元旦 2027-01-01～2027-01-03（放假）”日期重叠。",
        ),
    ],
)
def test_a_bad_entry_is_refused_with_its_reason_and_nothing_is_written(name, kind, first, last, field, message):
    enter("元旦", "holiday", "2027-01-01", "2027-01-03")
    with pytest.raises(ValidationError) as refused:
        enter(name, kind, first, last)
    assert refused.value.message_dict == {field: [message]}
    assert CalendarAdjustment.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="governance.calendaradjustment").count() == 1


def test_entries_are_audited_when_entered_corrected_and_deleted(admin_user):
    row = services.calendar_adjustment_save(
        actor=admin_user, name="春节", kind="holiday", first_day=date(2027, 2, 10), last_day=date(2027, 2, 16)
    )
    services.calendar_adjustment_save(
        actor=admin_user,
        adjustment=row,
        name="春节",
        kind="holiday",
        first_day=date(2027, 2, 10),
        last_day=date(2027, 2, 17),
    )
    services.calendar_adjustment_delete(actor=admin_user, adjustment=CalendarAdjustment.objects.get())
    trail = list(
        AuditEntry.objects.filter(object_type="governance.calendaradjustment")
        .order_by("id")
        .values_list("action", "changes", "actor__username")
    )
    assert trail == [
        ("create", {"name": "春节", "kind": "holiday", "first_day": "2027-02-10", "last_day": "2027-02-16"}, "admin"),
        ("update", {"last_day": ["2027-02-16", "2027-02-17"]}, "admin"),
        ("delete", {"name": "春节", "kind": "holiday", "first_day": "2027-02-10", "last_day": "2027-02-17"}, "admin"),
    ]
    assert not CalendarAdjustment.objects.exists()


def test_correcting_an_entry_does_not_clash_with_itself():
    row = enter("春节", "holiday", "2027-02-10", "2027-02-16")
    services.calendar_adjustment_save(
        actor=None, adjustment=row, name="春节假期", kind="holiday", first_day=row.first_day, last_day=row.last_day
    )
    assert CalendarAdjustment.objects.get().name == "春节假期"


# --- The admin door -------------------------------------------------------------------------


def _add(admin_client, **values):
    return admin_client.post(reverse("admin:governance_calendaradjustment_add"), values)


def test_the_admin_enters_a_holiday_through_the_service(admin_client):
    response = _add(admin_client, name="元旦", kind="holiday", first_day="2027-01-01", last_day="2027-01-03")
    assert response.status_code == 302
    row = CalendarAdjustment.objects.get()
    assert (row.name, row.kind, row.first_day, row.last_day) == ("元旦", "holiday", date(2027, 1, 1), date(2027, 1, 3))
    assert AuditEntry.objects.filter(object_type="governance.calendaradjustment", action="create").count() == 1


def test_the_admin_shows_an_overlap_as_a_form_error_and_writes_nothing(admin_client):
    enter("元旦", "holiday", "2027-01-01", "2027-01-03")
    response = _add(admin_client, name="春节", kind="holiday", first_day="2027-01-03", last_day="2027-01-05")
    assert response.status_code == 200
    assert "与已录入的“元旦 2027-01-01～2027-01-03（放假）”日期重叠。" in response.content.decode()
    assert CalendarAdjustment.objects.count() == 1


def test_the_admin_deletes_through_the_service_so_the_deletion_is_audited(admin_client):
    row = enter("元旦", "holiday", "2027-01-01", "2027-01-03")
    url = reverse("admin:governance_calendaradjustment_changelist")
    response = admin_client.post(url, {"action": "delete_selected_through_service", "_selected_action": [row.pk]})
    assert response.status_code == 302
    assert not CalendarAdjustment.objects.exists()
    assert AuditEntry.objects.filter(object_type="governance.calendaradjustment", action="delete").count() == 1
    offered = [name for name, _label in admin_client.get(url).context["action_form"].fields["action"].choices]
    assert offered == ["", "delete_selected_through_service"]


@time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=BJ), tick=False)
def test_the_changelist_says_which_year_is_missing(admin_client):
    response = admin_client.get(reverse("admin:governance_calendaradjustment_changelist"))
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == ["2027 年的节假日安排尚未录入（所用日历组件也没有）：按工作时间计时的类别暂按周一至周五计算。"]
    enter("元旦", "holiday", "2027-01-01", "2027-01-03")
    response = admin_client.get(reverse("admin:governance_calendaradjustment_changelist"))
    assert [str(m) for m in get_messages(response.wsgi_request)] == []
