"""Consultation clocks: thin, idempotent; each calls one service (one row, one transaction)."""

from celery import shared_task

from governance.consultation.services import meetings_minutes_nudge_due, meetings_remind_due, resolutions_flag_overdue


@shared_task(acks_late=True)
def meeting_remind_due_task() -> int:
    """Invitees 24 h before a planned meeting; each meeting reminded once."""
    return meetings_remind_due()


@shared_task(acks_late=True)
def resolution_flag_overdue_task() -> int:
    """Resolutions past their due date: flagged once, the responsible party and the convener told."""
    return resolutions_flag_overdue()


@shared_task(acks_late=True)
def meeting_minutes_nudge_task() -> int:
    """The convener 3 and 7 days after a meeting whose minutes are unpublished; each nudge once."""
    return meetings_minutes_nudge_due()
