"""Monthly department scores and the efficiency index (服务效能指数), 0–100.

For events dispatched to a department and reported in the month:
- on-time rate: share answered (work started or rejected) before the deadline without escalation;
- average response: minutes from report to response, over the answered ones;
- resolution rate: share resolved or closed;
- satisfaction: mean resident rating (1–5).
score = 30·on-time + 30·resolution + 25·(satisfaction−1)/4 + 15·speed, where
speed = max(0, 1 − average response / 24 h). A missing satisfaction counts as neutral (0.5).
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from grids.models import DepartmentScore, Event

WEIGHTS = {"on_time": 30, "resolution": 30, "satisfaction": 25, "speed": 15}
DONE = (Event.Status.RESOLVED, Event.Status.CLOSED)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    tz = ZoneInfo(settings.TIME_ZONE)
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return datetime.combine(first, time.min, tz), datetime.combine(following, time.min, tz)


def score_from(
    *, on_time: float, resolution: float, satisfaction: float | None, avg_response_minutes: float | None
) -> float:
    sat = 0.5 if satisfaction is None else (satisfaction - 1) / 4
    speed = 0.0 if avg_response_minutes is None else max(0.0, 1 - avg_response_minutes / (24 * 60))
    total = (
        WEIGHTS["on_time"] * on_time
        + WEIGHTS["resolution"] * resolution
        + WEIGHTS["satisfaction"] * sat
        + WEIGHTS["speed"] * speed
    )
    return round(total, 1)


@transaction.atomic
def department_scores_compute(*, month: date) -> int:
    """(Re)compute every department's score for ``month``; idempotent (upsert per department)."""
    start, end = month_bounds(month)
    rows: dict[int, list[tuple]] = {}
    # Withdrawn events (reported in error) count for no one; the response is the first one, kept
    # across a reopen.
    events = Event.objects.filter(department__isnull=False, created_at__gte=start, created_at__lt=end).exclude(
        status=Event.Status.WITHDRAWN
    )
    for row in events.values_list(
        "department_id",
        "created_at",
        Coalesce("first_responded_at", "responded_at"),
        "respond_by",
        "level",
        "status",
        "rating",
    ):
        rows.setdefault(row[0], []).append(row[1:])
    first = month.replace(day=1)
    for department_id, events in rows.items():
        n = len(events)
        answered = [(c, r, by, lvl) for c, r, by, lvl, _s, _rt in events if r is not None]
        on_time = sum(1 for _c, r, by, lvl in answered if lvl == 0 and r <= by) / n
        avg_response = (
            sum((r - c).total_seconds() for c, r, _by, _l in answered) / 60 / len(answered) if answered else None
        )
        resolution = sum(1 for *_x, s, _rt in events if s in DONE) / n
        ratings = [rt for *_x, rt in events if rt is not None]
        satisfaction = sum(ratings) / len(ratings) if ratings else None
        DepartmentScore.objects.update_or_create(
            department_id=department_id,
            month=first,
            defaults={
                "events": n,
                "avg_response_minutes": None if avg_response is None else round(avg_response, 1),
                "on_time_rate": round(on_time, 4),
                "resolution_rate": round(resolution, 4),
                "satisfaction": None if satisfaction is None else round(satisfaction, 2),
                "score": score_from(
                    on_time=on_time, resolution=resolution, satisfaction=satisfaction, avg_response_minutes=avg_response
                ),
            },
        )
    return len(rows)


def department_scores_compute_recent(*, month: str | None = None) -> int:
    if month:
        return department_scores_compute(month=date.fromisoformat(month))
    today = timezone.localdate()
    count = department_scores_compute(month=today)
    if today.day <= 3:  # late responses still land in last month's figures for a few days
        count += department_scores_compute(month=(today.replace(day=1) - timedelta(days=1)))
    return count
