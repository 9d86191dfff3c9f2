"""Celery tasks of the core: thin, idempotent, each calls one service."""

import logging
from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=6,
)
def notification_deliver_task(*, notification_id: int) -> bool:
    from governance.services import notification_deliver

    return notification_deliver(notification_id=notification_id)


@shared_task(acks_late=True)
def notification_redeliver_task() -> int:
    """Self-healing scan: deliver notifications whose on-commit dispatch was lost."""
    from governance.services import notification_deliver, notifications_undelivered_ids

    sent = 0
    for pk in notifications_undelivered_ids():
        try:
            sent += notification_deliver(notification_id=pk)
        except Exception as exc:  # one bad address must not stop the scan; the error is stored on the row
            logger.warning(
                "Redelivery of notification %s failed (%s); left for the next scan.", pk, exc.__class__.__name__
            )
    return sent
