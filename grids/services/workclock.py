"""Working-time deadlines on the Chinese public-holiday calendar, 调休 included.

A category may count its response window in working hours: only the working periods of working
days count. Which days are working days is ``governance.workcalendar``'s answer: the 节假日安排
entered in the admin, then the yearly schedules the ``chinese-calendar`` package carries, then
Monday to Friday for a year neither knows (logged, and listed in the admin).
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from governance.workcalendar import WorkingCalendar, working_calendar

# Office hours of a working day (local time): 09:00–12:00 and 13:00–18:00, eight hours.
WORKING_PERIODS: tuple[tuple[time, time], ...] = ((time(9, 0), time(12, 0)), (time(13, 0), time(18, 0)))
MAX_DAYS = 400  # a window longer than this many calendar days is a configuration error


def add_working_minutes(start: datetime, minutes: float, calendar: WorkingCalendar | None = None) -> datetime:
    """The moment ``minutes`` of working time after ``start`` (aware), as an aware datetime."""
    tz = ZoneInfo(settings.TIME_ZONE)
    cursor = start.astimezone(tz)
    remaining = timedelta(minutes=minutes)
    if remaining <= timedelta(0):
        return start
    calendar = calendar or working_calendar()
    day = cursor.date()
    for _ in range(MAX_DAYS):
        if calendar.is_working_day(day):
            for begins, ends in WORKING_PERIODS:
                period_start = datetime.combine(day, begins, tz)
                period_end = datetime.combine(day, ends, tz)
                segment_start = max(cursor, period_start)
                if segment_start >= period_end:
                    continue
                available = period_end - segment_start
                if remaining <= available:
                    return segment_start + remaining
                remaining -= available
        day += timedelta(days=1)
        cursor = datetime.combine(day, time.min, tz)
    raise ValueError(f"a working-time window of {minutes} minutes runs past {MAX_DAYS} days")
