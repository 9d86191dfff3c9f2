"""Celery tasks of mediation: thin and idempotent, each calls one service."""

from celery import shared_task

from mediation.services import follow_up_clock


@shared_task(acks_late=True)
def follow_up_clock_task() -> dict[str, int]:
    """Remind mediators of follow-ups due tomorrow; report overdue ones to the centre, once."""
    return follow_up_clock()
