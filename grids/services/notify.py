"""Who acts next on an event, and the notices they get (written to the outbox in the move's
transaction, so a committed move never loses its notice)."""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from governance.masking import mask_text
from governance.messages import KeyedText, message
from governance.models import Department, Role, User
from governance.outbox import notification_enqueue
from governance.selectors import users_with_role_over
from grids.models import Event, TimelineEntry

S = Event.Status
# A category whose response window is shorter than this is urgent: its notices go by SMS too.
URGENT_SMS_BELOW_MINUTES = 60
# How much of a person's reason a notice's title quotes (the page has all of it).
REASON_IN_TITLE = 80


def department_handlers(*, departments: Iterable[Department]) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True,
        posts__is_active=True,
        posts__role=Role.DEPARTMENT_HANDLER,
        posts__department__in=list(departments),
    ).distinct()


def area_staff(*, event: Event) -> list[User]:
    return users_with_role_over(role=Role.COMMUNITY_STAFF, area=event.grid.area)


def next_actors(*, event: Event, status: str | None = None) -> list[User]:
    """The people who must act on the event in ``status`` (default: its current status).

    A department with no handler account falls back to the staff of the event's area, so a
    notice never goes to nobody.
    """
    status = status or event.status
    if status in (S.REPORTED, S.ACCEPTED):
        return area_staff(event=event)
    if status in (S.DISPATCHED, S.REOPENED, S.IN_PROGRESS) and event.department_id:
        handlers = list(department_handlers(departments=[event.department]))
        return handlers or area_staff(event=event)
    if status in (S.RESOLVED, S.REJECTED) and event.reporter_id:
        return [event.reporter]
    if status == S.WITHDRAWN:
        # The reporter learns why, and the unit that held it stops working on it.
        handlers = list(department_handlers(departments=[event.department])) if event.department_id else []
        return ([event.reporter] if event.reporter_id else []) + [u for u in handlers if u.pk != event.reporter_id]
    return []


def is_urgent(event: Event) -> bool:
    return event.category is not None and event.category.response_minutes < URGENT_SMS_BELOW_MINUTES


def _category(event: Event) -> dict[str, str] | Promise:
    return event.category.localized_names() if event.category else gettext_lazy("未分类")


def _department(event: Event) -> dict[str, str] | str:
    return event.department.localized_names() if event.department_id else ""


def _reason(text: str) -> str:
    """A person's own words in a title: masked (titles are rendered from their parameters) and short."""
    return mask_text((text or "").strip())[:REASON_IN_TITLE]


def move_notices(*, event: Event, entry: TimelineEntry) -> list[tuple[list[User], KeyedText]]:
    """Who is told of one move, and what: ``[(recipients, title)]``, the actor not yet left out.

    Each move says what happened, to the people who must act next: staff accept a new report and
    dispatch an accepted or returned one; the unit handles what was dispatched, re-dispatched to it
    or reopened; the reporter reads a result, a refusal or a withdrawal. A move whose next actor
    is the one who made it (work started, closed) tells nobody. A device's alarm is accepted and
    dispatched in the same step, so its report and acceptance tell nobody: the unit is told.
    """
    frm, to = entry.from_status, entry.to_status
    code, category = event.code, _category(event)
    reporter = [event.reporter] if event.reporter_id else []
    if event.source == Event.Source.SENSOR and frm in ("", S.REPORTED) and to in (S.REPORTED, S.ACCEPTED):
        return []
    if to == S.REPORTED:
        return [(next_actors(event=event, status=to), message("grids.event.reported", code=code, category=category))]
    if to == S.ACCEPTED and frm in (S.DISPATCHED, S.REOPENED):
        title = message(
            "grids.event.returned",
            code=code,
            department=entry.note_params.get("dept", ""),
            reason=_reason(entry.note_params.get("reason", "")),
        )
        return [(next_actors(event=event, status=to), title)]
    if to == S.ACCEPTED:
        return [(next_actors(event=event, status=to), message("grids.event.accepted", code=code, category=category))]
    if to == S.REJECTED:
        return [(reporter, message("grids.event.rejected", code=code, reason=_reason(event.reject_reason)))]
    if to == S.DISPATCHED and frm == S.DISPATCHED:
        title = message(
            "grids.event.redispatched_to",
            code=code,
            before=entry.note_params.get("before", ""),
            department=_department(event),
            reason=_reason(entry.note_params.get("reason", "")),
        )
        return [(next_actors(event=event, status=to), title)]
    if to == S.DISPATCHED:
        department = _department(event)
        notices = [
            (
                next_actors(event=event, status=to),
                message("grids.event.dispatched", code=code, department=department, category=category),
            )
        ]
        if event.category_id:
            cc = event.category.cc_departments.exclude(pk=event.department_id)
            title = message("grids.event.dispatched_cc", code=code, department=department, category=category)
            notices.append((list(department_handlers(departments=cc)), title))
        return notices
    if to == S.RESOLVED:
        return [(reporter, message("grids.event.resolved", code=code, category=category))]
    if to == S.REOPENED:
        title = message("grids.event.reopened", code=code, rating=event.rating or "", category=category)
        return [(next_actors(event=event, status=to), title)]
    if to == S.WITHDRAWN:
        reason = _reason(event.withdraw_reason)
        return [(next_actors(event=event, status=to), message("grids.event.withdrawn", code=code, reason=reason))]
    return []  # in progress, closed: the one who moved it is the one who acts next


def event_notify_move(*, event: Event, entry: TimelineEntry, actor: User | None) -> int:
    """Tell the next people to act about one move (idempotent by the entry's id); the person who
    made the move is not told of their own action, and nobody is told twice."""
    told: set[int] = set() if actor is None else {actor.pk}
    count = 0
    for recipients, title in move_notices(event=event, entry=entry):
        people = [u for u in recipients if u.pk not in told]
        told.update(u.pk for u in people)
        count += notification_enqueue(
            recipients=people,
            key=f"event:{event.pk}:entry:{entry.pk}",
            title=title,
            body=event.description[:200],
            url=reverse("grids:event_detail", args=[event.pk]),
            email=True,
            sms=is_urgent(event),
        )
    return count


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
    return notification_enqueue(
        recipients=recipients,
        key=f"event:{event.pk}:redispatched:{event.version}",
        title=message(
            "grids.event.redispatched_away",
            code=event.code,
            department=_department(event),
            category=_category(event),
        ),
        body=event.description[:200],
        url=reverse("grids:event_detail", args=[event.pk]),
        email=True,
    )
