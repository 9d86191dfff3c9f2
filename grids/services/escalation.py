"""The response clock: escalation grid → community → street, and the 80 % reminder.

Scans read indexed deadline columns (partial indexes ``event_escalation_due_idx`` and
``event_reminder_due_idx``); nothing waits in the broker. Each event is moved with a
compare-and-set update, and on PostgreSQL the batch is claimed with ``FOR UPDATE SKIP LOCKED``,
so concurrent scanners, or a second run, escalate and notify nothing twice.
"""

from datetime import datetime

from django.db import connection, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import Area, Role, User
from governance.selectors import area_ancestors, users_with_role_in_area
from governance.services import notification_send
from grids.models import Event, TimelineEntry
from grids.services.events import clock_fields, department_handlers, timeline_add

L = Event.Level
BATCH = 500


def escalation_due(*, now: datetime | None = None) -> QuerySet[Event]:
    """Open events past ``respond_by`` that nobody has responded to, below street level.

    The WHERE clause is exactly the predicate of the partial index ``event_escalation_due_idx``.
    """
    return Event.objects.filter(
        responded_at__isnull=True,
        level__lt=L.STREET,
        status__in=list(Event.AWAITING_RESPONSE),
        respond_by__lte=now or timezone.now(),
    )


def reminder_due(*, now: datetime | None = None) -> QuerySet[Event]:
    return Event.objects.filter(
        reminded_at__isnull=True,
        responded_at__isnull=True,
        remind_at__lte=now or timezone.now(),
        status__in=list(Event.AWAITING_RESPONSE),
    )


def _claim_ids(queryset: QuerySet[Event], order: str, limit: int) -> list[int]:
    qs = queryset.order_by(order)
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return list(qs.values_list("pk", flat=True)[:limit])


def _level_staff(*, event: Event, level: int) -> QuerySet[User]:
    if level == L.COMMUNITY:
        return users_with_role_in_area(role=Role.COMMUNITY_STAFF, area=event.grid.area)
    street = area_ancestors(area=event.grid.area).filter(level=Area.Level.STREET).first() or event.grid.area
    return users_with_role_in_area(role=Role.STREET_SUPERVISOR, area=street)


def event_escalate(*, event_id: int, now: datetime | None = None) -> bool:
    """Raise one overdue event a level, set its new deadline, write the timeline, notify (督办).

    Returns False when the event is no longer due (already escalated, answered or closed).
    """
    now = now or timezone.now()
    event = Event.objects.select_related("grid__area", "category").filter(pk=event_id).first()
    if event is None or event.level >= L.STREET:
        return False
    new_level = event.level + 1
    moved = (
        escalation_due(now=now)
        .filter(pk=event.pk, level=event.level, respond_by=event.respond_by)
        .update(level=new_level, updated_at=now, **clock_fields(category=event.category, start=now))
    )
    if not moved:
        return False
    event.refresh_from_db()
    label = L(new_level).label
    timeline_add(
        event=event,
        kind=TimelineEntry.Kind.ESCALATION,
        level=new_level,
        note=_("超过响应期限未响应，升级至%(level)s督办，新期限 %(deadline)s")
        % {"level": label, "deadline": timezone.localtime(event.respond_by).strftime("%Y-%m-%d %H:%M")},
    )
    title = _("【督办】事件 %(code)s 已超时，升级至%(level)s") % {"code": event.code, "level": label}
    url = reverse("grids:event_detail", args=[event.pk])
    for user in _level_staff(event=event, level=new_level):
        notification_send(
            recipient=user,
            key=f"event:{event.pk}:escalate:{new_level}",
            title=title,
            body=event.description[:200],
            url=url,
            email=True,
            sms=event.category is not None and event.category.response_minutes < 60,
        )
    return True


def escalate_overdue(*, now: datetime | None = None, limit: int = BATCH) -> int:
    """One scan: claim a batch of due events and escalate each. Safe to run concurrently."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = _claim_ids(escalation_due(now=now), "respond_by", limit)
        return sum(event_escalate(event_id=pk, now=now) for pk in ids)


def event_remind(*, event_id: int, now: datetime | None = None) -> bool:
    """Remind whoever must act that 80 % of the window has passed; once per window."""
    now = now or timezone.now()
    event = Event.objects.select_related("grid__area", "department", "category").filter(pk=event_id).first()
    if event is None or event.remind_at is None:
        return False
    claimed = reminder_due(now=now).filter(pk=event.pk, remind_at=event.remind_at).update(reminded_at=now)
    if not claimed:
        return False
    if event.department_id and event.status in (Event.Status.DISPATCHED, Event.Status.REOPENED):
        recipients = department_handlers(departments=[event.department])
    else:
        recipients = users_with_role_in_area(role=Role.COMMUNITY_STAFF, area=event.grid.area)
    deadline = timezone.localtime(event.respond_by).strftime("%Y-%m-%d %H:%M")
    timeline_add(
        event=event,
        kind=TimelineEntry.Kind.REMINDER,
        note=_("即将超时，响应期限 %(deadline)s") % {"deadline": deadline},
    )
    title = _("【提醒】事件 %(code)s 将于 %(deadline)s 超时") % {"code": event.code, "deadline": deadline}
    url = reverse("grids:event_detail", args=[event.pk])
    for user in recipients:
        notification_send(
            recipient=user,
            key=f"event:{event.pk}:remind:{event.remind_at.isoformat()}",
            title=title,
            body=event.description[:200],
            url=url,
            email=True,
        )
    return True


def remind_due(*, now: datetime | None = None, limit: int = BATCH) -> int:
    now = now or timezone.now()
    with transaction.atomic():
        ids = _claim_ids(reminder_due(now=now), "remind_at", limit)
        return sum(event_remind(event_id=pk, now=now) for pk in ids)
