"""Who acts next on an event, and the notices they get (written to the outbox in the move's
transaction, so a committed move never loses its notice)."""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy

from governance.messages import KeyedText, message
from governance.models import Department, Role, User
from governance.outbox import notification_enqueue
from governance.selectors import users_with_role_in_area
from grids.models import Event, TimelineEntry

S = Event.Status
# A category whose response window is shorter than this is urgent: its notices go by SMS too.
URGENT_SMS_BELOW_MINUTES = 60


def department_handlers(*, departments: Iterable[Department]) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True,
        posts__is_active=True,
        posts__role=Role.DEPARTMENT_HANDLER,
        posts__department__in=list(departments),
    ).distinct()


def area_staff(*, event: Event) -> QuerySet[User]:
    return users_with_role_in_area(role=Role.COMMUNITY_STAFF, area=event.grid.area)


def next_actors(*, event: Event, status: str | None = None) -> list[User]:
    """The people who must act on the event in ``status`` (default: its current status).

    A department with no handler account falls back to the staff of the event's area, so a
    notice never goes to nobody.
    """
    status = status or event.status
    if status in (S.REPORTED, S.ACCEPTED):
        return list(area_staff(event=event))
    if status in (S.DISPATCHED, S.REOPENED, S.IN_PROGRESS) and event.department_id:
        handlers = list(department_handlers(departments=[event.department]))
        return handlers or list(area_staff(event=event))
    if status in (S.RESOLVED, S.REJECTED) and event.reporter_id:
        return [event.reporter]
    if status == S.WITHDRAWN:
        # The reporter learns why, and the unit that held it stops working on it.
        handlers = list(department_handlers(departments=[event.department])) if event.department_id else []
        return ([event.reporter] if event.reporter_id else []) + [u for u in handlers if u.pk != event.reporter_id]
    return []


def is_urgent(event: Event) -> bool:
    return event.category is not None and event.category.response_minutes < URGENT_SMS_BELOW_MINUTES


def event_title(event: Event, status: str) -> KeyedText:
    """The notice's title, stored as a message key so each reader sees it in their language."""
    category = event.category.localized_names() if event.category else gettext_lazy("未分类")
    return message("grids.event.moved", code=event.code, status=S(status).label, category=category)


def event_notify_move(*, event: Event, entry: TimelineEntry, actor: User | None) -> int:
    """Tell the next people to act about one move (idempotent by the entry's id); the person who
    made the move is not told of their own action."""
    status = entry.to_status
    recipients = next_actors(event=event, status=status)
    if status == S.DISPATCHED and event.category_id:
        cc = event.category.cc_departments.exclude(pk=event.department_id)
        recipients += [u for u in department_handlers(departments=cc) if u not in recipients]
    if actor is not None:
        recipients = [u for u in recipients if u.pk != actor.pk]
    return notification_enqueue(
        recipients=recipients,
        key=f"event:{event.pk}:entry:{entry.pk}",
        title=event_title(event, status),
        body=event.description[:200],
        url=reverse("grids:event_detail", args=[event.pk]),
        email=True,
        sms=is_urgent(event),
    )


def event_notify_taken_away(*, event: Event, taken_from: Department, actor: User | None) -> int:
    """A re-dispatch (改派) tells the unit the task was taken from to stop: its handlers, not the
    person who re-dispatched it, nor anyone who also handles for the new unit (they were told to
    act). Idempotent per move: the event's version is bumped by every move."""
    keep = set(department_handlers(departments=[event.department]).values_list("pk", flat=True))
    recipients = [
        u
        for u in department_handlers(departments=[taken_from])
        if u.pk not in keep and (actor is None or u.pk != actor.pk)
    ]
    category = event.category.localized_names() if event.category else gettext_lazy("未分类")
    return notification_enqueue(
        recipients=recipients,
        key=f"event:{event.pk}:redispatched:{event.version}",
        title=message(
            "grids.event.redispatched_away", code=event.code, department=event.department.name, category=category
        ),
        body=event.description[:200],
        url=reverse("grids:event_detail", args=[event.pk]),
        email=True,
    )
