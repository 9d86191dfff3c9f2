"""Response deadlines of an event: the window of its category in calendar or working time, the
columns a new window writes, and how much of it is left."""

from datetime import datetime, timedelta

from django.utils import timezone

from governance.workcalendar import WorkingCalendar, working_calendar
from grids.models import Event, EventCategory
from grids.selectors import is_overdue
from grids.services.workclock import add_working_minutes

DEFAULT_RESPONSE = timedelta(hours=24)
REMIND_AT_FRACTION = 0.8


def is_working_clock(category: EventCategory | None) -> bool:
    return category is not None and category.response_clock == EventCategory.ResponseClock.WORKING


def response_window(category: EventCategory | None) -> timedelta:
    """The nominal window: calendar time, or working time for a working-hours category."""
    return timedelta(minutes=category.response_minutes) if category else DEFAULT_RESPONSE


def deadline_after(
    *,
    category: EventCategory | None,
    start: datetime,
    fraction: float = 1.0,
    calendar: WorkingCalendar | None = None,
) -> datetime:
    """``start`` plus ``fraction`` of the category's window, counted in calendar time or, for a
    working-hours category, in working time on the public-holiday and 调休 calendar."""
    window = response_window(category)
    if is_working_clock(category):
        return add_working_minutes(start, window.total_seconds() / 60 * fraction, calendar)
    return start + window * fraction


def clock_fields(*, category: EventCategory | None, start: datetime) -> dict:
    """Deadline columns for a response window starting at ``start`` (``due_at``: the deadline of
    the window itself, which escalation never moves)."""
    calendar = working_calendar() if is_working_clock(category) else None  # read once for both
    respond_by = deadline_after(category=category, start=start, calendar=calendar)
    return {
        "window_started_at": start,
        "respond_by": respond_by,
        "due_at": respond_by,
        "remind_at": deadline_after(category=category, start=start, fraction=REMIND_AT_FRACTION, calendar=calendar),
        "reminded_at": None,
    }


def escalation_clock_fields(*, category: EventCategory | None, start: datetime) -> dict:
    """The next level's window: a new ``respond_by`` and reminder, the original ``due_at`` kept."""
    fields = clock_fields(category=category, start=start)
    del fields["due_at"]
    return fields


def time_left_state(*, event: Event, now: datetime | None = None) -> str:
    """``normal`` / ``due_soon`` (past 80 % of the window) / ``overdue`` (``selectors.overdue_q``
    for one row: past the window's ``due_at``, unanswered), for open events."""
    now = now or timezone.now()
    if not event.is_open or event.responded_at is not None:
        return "normal"
    if is_overdue(event, now=now):
        return "overdue"
    if event.remind_at and now >= event.remind_at:
        return "due_soon"
    return "normal"
