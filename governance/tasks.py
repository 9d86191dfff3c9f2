"""Celery tasks of the core: thin, idempotent, each calls one service."""

from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError

from governance.idempotency import idempotency_purge_expired
from governance.outbox import (
    notification_deliver,
    notification_ids_for_key,
    notifications_deliver_each,
    notifications_undelivered_ids,
)

TRANSIENT = (OperationalError, SMTPException, ConnectionError, TimeoutError)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=600, max_retries=6)
def notification_deliver_task(*, notification_id: int) -> bool:
    return notification_deliver(notification_id=notification_id)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def notification_deliver_key_task(*, key: str) -> int:
    """After commit: deliver the email/SMS of every notification written under one key."""
    return notifications_deliver_each(ids=notification_ids_for_key(key=key))


@shared_task(acks_late=True)
def notification_redeliver_task() -> int:
    """Self-healing scan over the outbox: deliver what the broker or a dead worker missed."""
    return notifications_deliver_each(ids=notifications_undelivered_ids())


@shared_task(acks_late=True)
def idempotency_purge_task() -> int:
    """Beat, daily: forget Idempotency-Key records past their 24 hours (a rerun deletes nothing more)."""
    return idempotency_purge_expired()
