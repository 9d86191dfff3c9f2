"""Celery tasks of mediation: thin and idempotent, each calls one service."""

from celery import shared_task

from mediation.services import follow_up_clock, warning_digest


@shared_task(acks_late=True)
def follow_up_clock_task() -> dict[str, int]:
    """Beat, every minute: session reminders (24 h ahead), follow-up reminders, overdue follow-ups — each once."""
    return follow_up_clock()


@shared_task(acks_late=True)
def warning_digest_task() -> int:
    """Beat, Monday 08:00 Asia/Shanghai: the week's early-warning counts to each supervisor, once."""
    return warning_digest()
