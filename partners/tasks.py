"""Partners tasks: thin and idempotent; they import services, never the other way."""

from celery import shared_task

from partners.services import ledger_checkpoint, points_expiry_run, redemptions_expire_each, redemptions_expired_ids


@shared_task(acks_late=True)
def ledger_verify_task() -> bool:
    """Nightly: verify every chain and balance, record a checkpoint, tell the admins on failure."""
    return ledger_checkpoint().ok


@shared_task(acks_late=True)
def redemptions_expire_task() -> int:
    """Release the points and stock of vouchers past their expiry, one voucher per transaction."""
    return redemptions_expire_each(ids=redemptions_expired_ids(limit=500))


@shared_task(acks_late=True)
def points_expiry_task() -> dict:
    """Daily, when POINTS_EXPIRE_AFTER_YEARS is set: warn in December, expire from 1 January."""
    return points_expiry_run()
