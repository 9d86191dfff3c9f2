"""Which days are working days: the Chinese public-holiday calendar, 调休 included.

Three sources, the first that knows a day wins:

1. ``CalendarAdjustment`` rows (admin: 节假日安排): the schedule entered by the street's staff, so
   next year's schedule counts from the day it is published and a local correction needs no
   release;
2. the ``chinese-calendar`` package, which carries the schedules up to its release;
3. for a year neither knows: Monday to Friday, logged once per year and process, and listed by
   ``unknown_years`` so the admin can say what is missing.

``working_calendar()`` reads the adjustments once (one small query); a deadline computation then
asks the returned calendar about every day it walks through.
"""

import logging
from collections.abc import Iterable
from datetime import date, timedelta

import chinese_calendar

from governance.models import CalendarAdjustment

logger = logging.getLogger(__name__)

_warned_years: set[int] = set()


def package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class WorkingCalendar:
    def __init__(self, adjustments: Iterable[tuple[date, date, str]] = ()) -> None:
        self._days: dict[date, bool] = {}
        self._years: set[int] = set()
        for first, last, kind in adjustments:
            day = first
            while day <= last:
                self._days[day] = kind == CalendarAdjustment.Kind.WORKDAY
                self._years.add(day.year)
                day += timedelta(days=1)

    def is_working_day(self, day: date) -> bool:
        entered = self._days.get(day)
        if entered is not None:
            return entered
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year not in self._years and day.year not in _warned_years:
                _warned_years.add(day.year)
                logger.warning(
                    "No holiday schedule for %s (chinese-calendar nor 节假日安排): counting Monday–Friday as "
                    "working days.",
                    day.year,
                )
            return day.weekday() < 5

    def knows(self, year: int) -> bool:
        """Whether ``year``'s schedule is known: entered here, or carried by the package."""
        return year in self._years or package_knows(year)


def working_calendar() -> WorkingCalendar:
    return WorkingCalendar(CalendarAdjustment.objects.values_list("first_day", "last_day", "kind"))


def unknown_years(*, today: date, calendar: WorkingCalendar | None = None) -> list[int]:
    """This year, and next year once December has begun (the schedule usually appears in
    November), when their holiday schedule is not known."""
    calendar = calendar or working_calendar()
    years = [today.year] + ([today.year + 1] if today.month == 12 else [])
    return [year for year in years if not calendar.knows(year)]
