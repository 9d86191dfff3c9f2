"""Celery tasks of grid management: thin and idempotent, each calls one service."""

from celery import shared_task

from grids.services import escalate_overdue, remind_due
from grids.services.scores import department_scores_compute_recent


@shared_task(acks_late=True)
def event_escalate_overdue_task() -> int:
    """Beat, every minute: escalate events past their response deadline (grid → community → street)."""
    return escalate_overdue()


@shared_task(acks_late=True)
def event_remind_due_task() -> int:
    """Beat, every minute: remind assignees at 80 % of the response window, once per window."""
    return remind_due()


@shared_task(acks_late=True)
def department_scores_task(*, month: str | None = None) -> int:
    """Beat, every 5 minutes: recompute this month's (and in its first days, last month's) scores."""
    return department_scores_compute_recent(month=month)
