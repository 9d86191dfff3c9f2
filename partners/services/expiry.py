"""Optional expiry (``POINTS_EXPIRE_AFTER_YEARS``, off by default).

Points are spent oldest first, so what is left of year Y's earnings is the balance minus
everything earned after Y (never below zero). With ``N`` years, what was earned in Y and not spent
by the end of Y + N expires on 1 January of Y + N + 1 as an ordinary posting (partner → expired,
key ``expire:<partner>:<Y>``, once); the partner is warned from 1 December of Y + N (30 days
before). The daily task handles one partner per transaction.
"""

import logging
from datetime import date, datetime, time

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.outbox import notification_enqueue
from partners.models import Account, LedgerEntry, LedgerTransaction, Partner
from partners.services.ledger import ledger_post
from partners.services.ledger_accounts import accounts_lock, book_lock

logger = logging.getLogger(__name__)
EARNING_KINDS = (LedgerTransaction.Kind.EARN, LedgerTransaction.Kind.ADJUST)


def expire_after_years() -> int | None:
    years = getattr(settings, "POINTS_EXPIRE_AFTER_YEARS", None)
    return int(years) if years else None


def _year_end(year: int) -> datetime:
    return timezone.make_aware(datetime.combine(date(year + 1, 1, 1), time.min))


def expiring_amount(*, partner: Partner, earned_year: int, account: Account | None = None) -> int:
    """What is left of the points earned up to ``earned_year`` (oldest spent first); ``account``:
    the partner's account when the caller has it locked already."""
    if account is None:
        account = Account.objects.filter(partner=partner).first()
    if account is None:
        return 0
    later = (
        LedgerEntry.objects.filter(
            account=account,
            amount__gt=0,
            transaction__kind__in=EARNING_KINDS,
            transaction__created_at__gte=_year_end(earned_year),
        ).aggregate(n=Sum("amount"))["n"]
        or 0
    )
    return max(0, account.balance - later)


@transaction.atomic
def points_expire(*, partner: Partner, earned_year: int) -> int:
    """Expire what is left of ``earned_year``'s points for one partner; returns the points expired."""
    book = book_lock(community=partner.community)
    (account,) = accounts_lock(book=book, refs=[partner])  # read once: for the amount and the posting
    amount = expiring_amount(partner=partner, earned_year=earned_year, account=account)
    if amount <= 0:
        return 0
    _tx, created = ledger_post(
        community=partner.community,
        kind=LedgerTransaction.Kind.EXPIRE,
        key=f"expire:{partner.pk}:{earned_year}",
        lines=[(partner, -amount), (Account.Kind.EXPIRED, amount)],
        memo=_("%(year)d年获得、到期未使用的积分") % {"year": earned_year},
        book=book,
    )
    if not created:
        return 0
    notification_enqueue(
        recipients=partner.users.all(),
        key=f"expire:{partner.pk}:{earned_year}",
        title=_("%(n)d 积分已过期") % {"n": amount},
        url=reverse("partners:my_points"),
    )
    return amount


def points_expiry_warn(*, partner: Partner, earned_year: int, expires_on: date) -> bool:
    amount = expiring_amount(partner=partner, earned_year=earned_year)
    if amount <= 0:
        return False
    notification_enqueue(
        recipients=partner.users.all(),
        key=f"expiry-warning:{partner.pk}:{earned_year}",
        title=_("您有 %(n)d 积分将于 %(date)s 过期") % {"n": amount, "date": expires_on.isoformat()},
        url=reverse("partners:rewards"),
    )
    return True


def points_expiry_run(*, today: date | None = None) -> dict[str, int]:
    """The daily clock: warn in December of the last year, expire from 1 January after it."""
    years = expire_after_years()
    if years is None:
        return {"expired": 0, "warned": 0}
    today = today or timezone.localdate()
    expired = warned = 0
    partners = Partner.objects.filter(account__isnull=False).select_related("community")
    expire_year = today.year - years - 1  # earned then, last usable year ended on 31 December
    warn_year = today.year - years if today.month == 12 else None
    for partner in partners.iterator():
        try:
            expired += points_expire(partner=partner, earned_year=expire_year)
            if warn_year is not None:
                warned += points_expiry_warn(
                    partner=partner, earned_year=warn_year, expires_on=date(today.year + 1, 1, 1)
                )
        except Exception as exc:  # one partner's failure must not stop the others; the next run retries
            logger.warning("Points expiry for partner %s failed (%s).", partner.pk, type(exc).__name__)
    return {"expired": expired, "warned": warned}
