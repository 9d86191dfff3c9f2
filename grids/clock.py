"""The response clock's predicates, one definition for every door (home cards, queue and API
filters, the row badge). Imported by the selectors and the filters alike."""

from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from grids.models import Event


def overdue_q(*, now: datetime | None = None) -> Q:
    """Overdue (已超时): still awaiting its first response in this window and past the window's
    deadline ``due_at``. Escalation moves ``respond_by`` on to the next level but never ``due_at``,
    so an escalated event stays overdue until someone responds. The home cards, the queue and API
    filter (``?overdue=true``) and the row's badge all use this."""
    return Q(
        status__in=Event.AWAITING_RESPONSE,
        responded_at__isnull=True,
        due_at__lte=now or timezone.now(),  # at the deadline itself, as the escalation scan
    )


def due_soon_q(*, now: datetime | None = None) -> Q:
    """Due soon (即将到期): awaiting response, past the 80 % reminder, not yet overdue."""
    now = now or timezone.now()
    return Q(status__in=Event.AWAITING_RESPONSE, responded_at__isnull=True, remind_at__lte=now, due_at__gt=now)


def is_overdue(event: Event, *, now: datetime | None = None) -> bool:
    """``overdue_q`` for one row in hand (the row's badge), without a query."""
    now = now or timezone.now()
    return (
        event.status in Event.AWAITING_RESPONSE
        and event.responded_at is None
        and event.due_at is not None
        and event.due_at <= now
    )
