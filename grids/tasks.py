"""Celery tasks of grid management: thin and idempotent, each calls one service."""

from celery import shared_task
from django.db import OperationalError


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def event_notify_task(*, event_id: int, entry_id: int) -> int:
    from grids.services import event_notify

    return event_notify(event_id=event_id, entry_id=entry_id)


@shared_task(acks_late=True)
def event_escalate_overdue_task() -> int:
    """Beat, every minute: escalate events past their response deadline (grid → community → street)."""
    from grids.services import escalate_overdue

    return escalate_overdue()


@shared_task(acks_late=True)
def event_remind_due_task() -> int:
    """Beat, every minute: remind assignees at 80 % of the response window, once per window."""
    from grids.services import remind_due

    return remind_due()


@shared_task(acks_late=True)
def department_scores_task(*, month: str | None = None) -> int:
    """Beat, daily: recompute this month's (and on the 1st, last month's) department scores."""
    from grids.services.scores import department_scores_compute_recent

    return department_scores_compute_recent(month=month)
