"""The shape every clock shares (grid escalations and reminders, meeting reminders, overdue
resolutions, mediation follow-ups).

A periodic Celery task scans an indexed due column and lists the due ids (``due_ids``); then each
row is handled by a step that runs in its own short transaction: it claims the row again under
the same conditions (``claim``: locked on PostgreSQL, skipped when another scanner holds it, None
when it is no longer due), writes it with a compare-and-set, and leaves its notifications to the
outbox. ``each`` runs the steps so that one failing row is logged and skipped and never blocks
the rest of the batch; the next scan retries it. Nothing waits in the broker.
"""

import logging
from collections.abc import Callable, Iterable

from django.db import connection
from django.db.models import Model, QuerySet

logger = logging.getLogger(__name__)


def due_ids(queryset: QuerySet, order: str, limit: int) -> list[int]:
    """The first ``limit`` due ids in ``order`` (one indexed query; rows are claimed one by one)."""
    return list(queryset.order_by(order).values_list("pk", flat=True)[:limit])


def claim(queryset: QuerySet, pk: int) -> Model | None:
    """Inside the step's transaction: the row if it is still in ``queryset`` (still due), locked on
    PostgreSQL and skipped when another scanner holds it; None otherwise."""
    rows = queryset.filter(pk=pk)
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True, of=("self",))
    return rows.first()


def each(ids: Iterable[int], step: Callable[[int], object], what: str) -> int:
    """Run ``step(pk)`` for each id (each step its own transaction) and count those that did
    something; a failing row is logged with ``what`` and skipped."""
    done = 0
    for pk in ids:
        try:
            done += bool(step(pk))
        except Exception:
            logger.exception("%s (id %s) failed; skipped, the next scan retries it.", what, pk)
    return done
