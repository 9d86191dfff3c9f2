"""The response clock: escalation grid → community → street, and the 80 % reminder.

Scans read indexed deadline columns (partial indexes ``event_escalation_due_idx`` and
``event_reminder_due_idx``); nothing waits in the broker. A scan reads the due ids, then claims
and moves each event in its own short transaction — on PostgreSQL ``FOR UPDATE SKIP LOCKED`` on
that one row, everywhere the workflow kit's compare-and-set on ``version`` — with its timeline
entry and its outbox rows. So concurrent scanners, or a second run, escalate and notify nothing
twice; a move made meanwhile by a person wins (the clock write sees the version moved); and a
row that fails is logged and skipped without blocking the rest of the batch.
"""

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from governance.clock import claim, due_ids, each
from governance.messages import message
from governance.models import Area, Role, User
from governance.outbox import notification_enqueue
from governance.selectors import area_ancestors, users_with_role_over
from grids.models import Event, TimelineEntry
from grids.services.deadlines import escalation_clock_fields
from grids.services.events import EVENT_FLOW, timeline_add
from grids.services.notify import is_urgent, next_actors

logger = logging.getLogger(__name__)

L = Event.Level
BATCH = 500


def _escalation_q(now: datetime) -> Q:
    """Open, unanswered, below street level, past ``respond_by``: exactly the predicate of the
    partial index ``event_escalation_due_idx`` (plus the deadline)."""
    return Q(
        responded_at__isnull=True,
        level__lt=L.STREET,
        status__in=list(Event.AWAITING_RESPONSE),
        respond_by__lte=now,
    )


def _reminder_q(now: datetime) -> Q:
    return Q(
        reminded_at__isnull=True,
        responded_at__isnull=True,
        remind_at__lte=now,
        status__in=list(Event.AWAITING_RESPONSE),
    )


def escalation_due(*, now: datetime | None = None) -> QuerySet[Event]:
    return Event.objects.filter(_escalation_q(now or timezone.now()))


def reminder_due(*, now: datetime | None = None) -> QuerySet[Event]:
    return Event.objects.filter(_reminder_q(now or timezone.now()))


def _level_staff(*, event: Event, level: int, memo: dict | None = None) -> list[User]:
    """The staff of the level an event climbs to (memoised per grid area within one scan)."""
    key = (event.grid.area_id, level)
    if memo is not None and key in memo:
        return memo[key]
    if level == L.COMMUNITY:
        people = users_with_role_over(role=Role.COMMUNITY_STAFF, area=event.grid.area)
    else:
        street = area_ancestors(area=event.grid.area).filter(level=Area.Level.STREET).first() or event.grid.area
        people = users_with_role_over(role=Role.STREET_SUPERVISOR, area=street)
    if memo is not None:
        memo[key] = people
    return people


@transaction.atomic
def event_escalate(*, event_id: int, now: datetime | None = None, memo: dict | None = None) -> bool:
    """Raise one overdue event a level, set its new deadline, write the timeline, notify (督办).

    Returns False when the event is no longer due (already escalated, answered or closed) or was
    moved since it was read: the clock write is a compare-and-set on the row's version.
    """
    now = now or timezone.now()
    event = claim(escalation_due(now=now).select_related("grid__area", "category", "department"), event_id)
    if event is None:
        return False
    new_level = event.level + 1
    moved = EVENT_FLOW.clock_write(
        event,
        changes={"level": new_level, "updated_at": now, **escalation_clock_fields(category=event.category, start=now)},
        where=_escalation_q(now),
    )
    if not moved:
        return False
    label = L(new_level).label
    timeline_add(
        event=event,
        kind=TimelineEntry.Kind.ESCALATION,
        level=new_level,
        note=message(
            "grids.note.escalated",
            level=label,
            deadline=timezone.localtime(event.respond_by).strftime("%Y-%m-%d %H:%M"),
        ),
    )
    notification_enqueue(
        recipients=_level_staff(event=event, level=new_level, memo=memo),
        key=f"event:{event.pk}:escalate:{new_level}",
        title=message("grids.event.escalated", code=event.code, level=label),
        body=event.description[:200],
        url=reverse("grids:event_detail", args=[event.pk]),
        email=True,
        sms=is_urgent(event),
    )
    return True


def escalate_overdue(*, now: datetime | None = None, limit: int = BATCH) -> int:
    """One scan: each due event claimed and escalated in its own transaction. Safe to run concurrently."""
    now = now or timezone.now()
    ids = due_ids(escalation_due(now=now), "respond_by", limit)
    memo: dict = {}
    return each(ids, lambda pk: event_escalate(event_id=pk, now=now, memo=memo), "Event escalation")


@transaction.atomic
def event_remind(*, event_id: int, now: datetime | None = None) -> bool:
    """Remind whoever must act that 80 % of the window has passed; once per window."""
    now = now or timezone.now()
    event = claim(reminder_due(now=now).select_related("grid__area", "category", "department"), event_id)
    if event is None:
        return False
    remind_at = event.remind_at
    if not EVENT_FLOW.clock_write(event, changes={"reminded_at": now}, where=_reminder_q(now)):
        return False
    recipients = next_actors(event=event)
    deadline = timezone.localtime(event.respond_by).strftime("%Y-%m-%d %H:%M")
    timeline_add(
        event=event,
        kind=TimelineEntry.Kind.REMINDER,
        note=message("grids.note.reminder", deadline=deadline),
    )
    notification_enqueue(
        recipients=recipients,
        key=f"event:{event.pk}:remind:{remind_at.isoformat()}",
        title=message("grids.event.reminder", code=event.code, deadline=deadline),
        body=event.description[:200],
        url=reverse("grids:event_detail", args=[event.pk]),
        email=True,
    )
    return True


def remind_due(*, now: datetime | None = None, limit: int = BATCH) -> int:
    now = now or timezone.now()
    ids = due_ids(reminder_due(now=now), "remind_at", limit)
    return each(ids, lambda pk: event_remind(event_id=pk, now=now), "Event reminder")
