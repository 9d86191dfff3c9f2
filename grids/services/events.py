"""Events: report, the one transition service and its table, dispatch, rating, notifications."""

import math
import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.exceptions import DomainError, InvalidTransition, StaleState
from governance.models import Area, AuditEntry, Department, Role, User
from governance.selectors import area_ancestors, users_with_role_in_area
from governance.services import audit_record, notification_send
from grids.models import DispatchRule, Event, EventCategory, EventPhoto, Grid, Patrol, SensorDevice, TimelineEntry
from grids.selectors import grid_for_point
from grids.services.photos import photo_clean

S = Event.Status

EVENT_TRANSITIONS: dict[str, frozenset[str]] = {
    S.REPORTED: frozenset({S.ACCEPTED, S.REJECTED}),
    S.ACCEPTED: frozenset({S.DISPATCHED}),
    S.DISPATCHED: frozenset({S.IN_PROGRESS}),
    S.IN_PROGRESS: frozenset({S.RESOLVED}),
    S.RESOLVED: frozenset({S.CLOSED, S.REOPENED}),
    S.REOPENED: frozenset({S.IN_PROGRESS}),
    S.REJECTED: frozenset(),
    S.CLOSED: frozenset(),
}

DEFAULT_RESPONSE = timedelta(hours=24)
REMIND_AT_FRACTION = 0.8
NEARBY_METRES = 50
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class OutsideEveryGrid(DomainError):
    code = "outside_grid"


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def response_window(category: EventCategory | None) -> timedelta:
    return timedelta(minutes=category.response_minutes) if category else DEFAULT_RESPONSE


def clock_fields(*, category: EventCategory | None, start: datetime) -> dict:
    """Deadline columns for a response window starting at ``start``."""
    window = response_window(category)
    return {
        "window_started_at": start,
        "respond_by": start + window,
        "remind_at": start + window * REMIND_AT_FRACTION,
        "reminded_at": None,
    }


def time_left_state(*, event: Event, now: datetime | None = None) -> str:
    """``normal`` / ``due_soon`` (past 80 % of the window) / ``overdue``, for open events."""
    now = now or timezone.now()
    if not event.is_open or event.responded_at is not None:
        return "normal"
    if now >= event.respond_by:
        return "overdue"
    if event.remind_at and now >= event.remind_at:
        return "due_soon"
    return "normal"


# --- Categories and dispatch ----------------------------------------------------------------


def category_suggest(*, text: str) -> EventCategory | None:
    """The active category whose keywords (or name) occur most often in ``text``."""
    text = (text or "").lower()
    best, best_hits = None, 0
    for category in EventCategory.objects.filter(is_active=True).only("id", "name", "keywords"):
        words = {w.strip().lower() for w in category.keywords.replace("，", ",").replace(",", " ").split()}
        words.add(category.name.lower())
        hits = sum(1 for w in words if w and w in text)
        if hits > best_hits:
            best, best_hits = category, hits
    return best


def dispatch_department_for(*, category: EventCategory, area: Area) -> Department | None:
    """The most specific dispatch rule for the category on the area or an ancestor, else the
    category's responsible department."""
    ancestors = area_ancestors(area=area)
    rules = list(
        DispatchRule.objects.filter(category=category)
        .filter(Q(area__isnull=True) | Q(area__in=ancestors))
        .select_related("department", "area")
    )
    if rules:
        rule = max(rules, key=lambda r: r.area.depth if r.area_id else -1)
        return rule.department
    return category.department


# --- Nearby duplicates ----------------------------------------------------------------------


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    r = 6371000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def events_nearby_open(
    *,
    category: EventCategory,
    lon: float,
    lat: float,
    metres: float = NEARBY_METRES,
    queryset: QuerySet[Event] | None = None,
) -> list[Event]:
    """Open events of the same category within ``metres`` (bounding box, then exact distance)."""
    dlat = metres / 111_320
    dlon = metres / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    qs = (queryset if queryset is not None else Event.objects.all()).filter(
        category=category,
        status__in=Event.OPEN_STATUSES,
        lon__gte=lon - dlon,
        lon__lte=lon + dlon,
        lat__gte=lat - dlat,
        lat__lte=lat + dlat,
    )
    found = [(distance_m(lon, lat, e.lon, e.lat), e) for e in qs]
    return [e for d, e in sorted(found, key=lambda x: x[0]) if d <= metres]


# --- Report ---------------------------------------------------------------------------------


def _locate(*, lon: float | None, lat: float | None) -> Grid:
    if lon is None or lat is None:
        raise ValidationError({"location": _("请提供事件位置（经纬度）。")})
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationError({"location": _("坐标超出范围（经度 -180～180，纬度 -90～90）。")})
    grid = grid_for_point(lon=lon, lat=lat)
    if grid is None:
        raise OutsideEveryGrid(
            _("该位置不在任何网格内，请确认位置后重新上报。"), fields={"location": [_("该位置不在任何网格内。")]}
        )
    return grid


@transaction.atomic
def event_report(
    *,
    reporter: User | None,
    description: str,
    lon: float | None,
    lat: float | None,
    source: str,
    category: EventCategory | None = None,
    address: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_email: str = "",
    patrol: Patrol | None = None,
    sensor: SensorDevice | None = None,
    sensor_fault: str = "",
    photos: Sequence[UploadedFile] = (),
) -> Event:
    """Record a new event in the grid that holds its point, start its clock and tell staff.

    Everything is checked before anything is written: location, category, photos.
    """
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("请描述发生了什么。")})
    if category is not None and not category.is_active:
        raise ValidationError({"category": _("该事件类别已停用。")})
    grid = _locate(lon=lon, lat=lat)
    cleaned = [photo_clean(p) for p in photos]
    if patrol is not None and patrol.status != Patrol.Status.ACTIVE:
        raise ValidationError({"patrol": _("该巡查已结束，不能再添加发现。")})
    now = timezone.now()
    event = Event(
        code=_new_code(),
        category=category,
        description=description,
        address=address[:200],
        lon=lon,
        lat=lat,
        grid=grid,
        source=source,
        patrol=patrol,
        sensor=sensor,
        sensor_fault=sensor_fault,
        reporter=reporter if reporter is not None and reporter.is_authenticated else None,
        reporter_name=reporter_name
        or (reporter.display_name if reporter is not None and reporter.is_authenticated else ""),
        reporter_phone=reporter_phone,
        reporter_email=reporter_email,
        suggested_category=None if category else category_suggest(text=description),
        status=S.REPORTED,
        status_changed_at=now,
        **clock_fields(category=category, start=now),
    )
    # Field values only: the related objects are in hand and were checked above, and the
    # constraints are the database's (a tracking-code clash among 31^10 codes is negligible).
    event.clean_fields(
        exclude=["code", "category", "suggested_category", "grid", "patrol", "sensor", "reporter", "department"]
    )
    event.save(force_insert=True)
    for content in cleaned:
        EventPhoto.objects.create(event=event, image=content, kind=EventPhoto.Kind.REPORT, uploaded_by=event.reporter)
    entry = timeline_add(
        event=event,
        kind=TimelineEntry.Kind.TRANSITION,
        actor=event.reporter,
        to_status=S.REPORTED,
        note=_("来源：%(source)s") % {"source": event.get_source_display()},
    )
    _notify_after_commit(event=event, entry=entry)
    return event


def timeline_add(
    *,
    event: Event,
    kind: str,
    actor: User | None = None,
    from_status: str = "",
    to_status: str = "",
    level: int | None = None,
    note: str = "",
) -> TimelineEntry:
    return TimelineEntry.objects.create(
        event=event, kind=kind, actor=actor, from_status=from_status, to_status=to_status, level=level, note=note
    )


# --- Transitions ----------------------------------------------------------------------------


@transaction.atomic
def event_transition(*, event: Event, to: str, actor: User | None, note: str = "", **changes) -> Event:
    """Move ``event`` to ``to`` if the table allows it; refuse a concurrent move of the same event.

    The row moves with a compare-and-set update (``WHERE status = <what we saw>``): of two people
    acting at once, one wins and the other gets ``StaleState`` (409), nothing lost or doubled.
    """
    frm = event.status
    if to not in EVENT_TRANSITIONS.get(frm, frozenset()):
        raise InvalidTransition(
            frm=frm,
            to=to,
            detail=_("事件当前为“%(frm)s”，不能变更为“%(to)s”。") % {"frm": S(frm).label, "to": S(to).label},
        )
    now = timezone.now()
    fields = {"status": to, "status_changed_at": now, "updated_at": now, **changes}
    if to in (S.IN_PROGRESS, S.REJECTED) and event.responded_at is None:
        fields["responded_at"] = now
    moved = Event.objects.filter(pk=event.pk, status=frm).update(**fields)
    if not moved:
        raise StaleState(_("该事件刚被其他人处理过，请刷新后查看最新状态。"))
    event.refresh_from_db()
    entry = timeline_add(
        event=event, kind=TimelineEntry.Kind.TRANSITION, actor=actor, from_status=frm, to_status=to, note=note
    )
    _notify_after_commit(event=event, entry=entry)
    return event


def event_accept(*, event: Event, actor: User, note: str = "", category: EventCategory | None = None) -> Event:
    changes = {}
    chosen = category or event.category
    if chosen is None:
        raise ValidationError({"category": _("受理前请先选择事件类别。")})
    if chosen != event.category:
        changes.update(category=chosen, **clock_fields(category=chosen, start=event.window_started_at))
    return event_transition(event=event, to=S.ACCEPTED, actor=actor, note=note, **changes)


def event_reject(*, event: Event, actor: User, reason: str) -> Event:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写不予受理的原因。")})
    return event_transition(
        event=event, to=S.REJECTED, actor=actor, note=reason, reject_reason=reason[:300], closed_at=timezone.now()
    )


def event_dispatch(*, event: Event, actor: User | None, department: Department | None = None, note: str = "") -> Event:
    """Send the event to a department: the one given (a person's override) or the rules' choice."""
    if event.category is None:
        raise ValidationError({"category": _("派单前请先选择事件类别。")})
    chosen = department or dispatch_department_for(category=event.category, area=event.grid.area)
    if chosen is None:
        raise ValidationError({"department": _("没有匹配的派单规则，请手动选择处置单位。")})
    if not chosen.is_active:
        raise ValidationError({"department": _("该处置单位已停用。")})
    resolve_by = timezone.now() + timedelta(minutes=event.category.resolution_minutes)
    how = _("人工指定") if department else _("按派单规则")
    return event_transition(
        event=event,
        to=S.DISPATCHED,
        actor=actor,
        department=chosen,
        resolve_by=resolve_by,
        note=note or _("派往%(dept)s（%(how)s）") % {"dept": chosen.name, "how": how},
    )


def event_start(*, event: Event, actor: User, note: str = "") -> Event:
    return event_transition(event=event, to=S.IN_PROGRESS, actor=actor, note=note)


@transaction.atomic
def event_resolve(*, event: Event, actor: User, resolution: str, photos: Sequence[UploadedFile] = ()) -> Event:
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": _("请填写处置结果。")})
    cleaned = [photo_clean(p) for p in photos]
    event = event_transition(
        event=event, to=S.RESOLVED, actor=actor, note=resolution, resolution=resolution, resolved_at=timezone.now()
    )
    for content in cleaned:
        EventPhoto.objects.create(event=event, image=content, kind=EventPhoto.Kind.RESOLUTION, uploaded_by=actor)
    return event


def event_close(*, event: Event, actor: User | None, note: str = "") -> Event:
    return event_transition(event=event, to=S.CLOSED, actor=actor, note=note, closed_at=timezone.now())


@transaction.atomic
def event_rate(*, event: Event, rating: int, comment: str = "", actor: User | None = None) -> Event:
    """The reporter rates a resolved event: 3–5 closes it, 1–2 reopens it with a new response clock."""
    if event.status != S.RESOLVED:
        raise InvalidTransition(frm=event.status, to="rated", detail=_("只有已办结的事件才能评价。"))
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("评价须为 1 到 5 分。")})
    comment = (comment or "").strip()[:300]
    note = _("评价 %(n)d 分") % {"n": rating} + (f"：{comment}" if comment else "")
    if rating <= 2:
        now = timezone.now()
        return event_transition(
            event=event,
            to=S.REOPENED,
            actor=actor,
            note=note,
            rating=rating,
            rating_comment=comment,
            responded_at=None,
            resolved_at=None,
            **clock_fields(category=event.category, start=now),
        )
    return event_transition(
        event=event,
        to=S.CLOSED,
        actor=actor,
        note=note,
        rating=rating,
        rating_comment=comment,
        closed_at=timezone.now(),
    )


# --- Reporter contact -----------------------------------------------------------------------


def event_contact_read(*, event: Event, actor: User, request=None) -> dict[str, str]:
    """The reporter's unmasked contact details, for calling them back; the read is audited
    (个人信息保护法). Callers check that ``actor`` works on the event."""
    audit_record(
        actor=actor,
        action=AuditEntry.Action.READ_PERSONAL,
        obj=event,
        request=request,
        changes={"fields": ["reporter_name", "reporter_phone", "reporter_email"]},
    )
    return {"name": event.reporter_name, "phone": event.reporter_phone, "email": event.reporter_email}


# --- Who acts next --------------------------------------------------------------------------


def department_handlers(*, departments: Iterable[Department]) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True,
        posts__is_active=True,
        posts__role=Role.DEPARTMENT_HANDLER,
        posts__department__in=list(departments),
    ).distinct()


def next_actors(*, event: Event, status: str | None = None) -> QuerySet[User] | list[User]:
    """The people who must act on the event in ``status`` (default: its current status)."""
    status = status or event.status
    if status in (S.REPORTED, S.ACCEPTED):
        return users_with_role_in_area(role=Role.COMMUNITY_STAFF, area=event.grid.area)
    if status in (S.DISPATCHED, S.REOPENED, S.IN_PROGRESS) and event.department_id:
        return department_handlers(departments=[event.department])
    if status in (S.RESOLVED, S.REJECTED) and event.reporter_id:
        return [event.reporter]
    return []


def _notify_after_commit(*, event: Event, entry: TimelineEntry) -> None:
    from grids.tasks import event_notify_task

    transaction.on_commit(lambda: event_notify_task.delay(event_id=event.pk, entry_id=entry.pk))


def event_notify(*, event_id: int, entry_id: int) -> int:
    """Tell the next people to act about one timeline entry (idempotent by the entry's id)."""
    event = Event.objects.select_related("grid__area", "category", "department").get(pk=event_id)
    entry = TimelineEntry.objects.get(pk=entry_id, event=event)
    status = entry.to_status
    if status != event.status:
        return 0  # the event has moved on since; the later entry tells the people who act now
    label = S(status).label
    category = event.category.name if event.category else _("未分类")
    title = _("事件 %(code)s %(status)s：%(category)s") % {"code": event.code, "status": label, "category": category}
    url = reverse("grids:event_detail", args=[event.pk])
    sent = 0
    recipients = list(next_actors(event=event, status=status))
    if status == S.DISPATCHED and event.category_id:
        cc = event.category.cc_departments.exclude(pk=event.department_id)
        recipients += [u for u in department_handlers(departments=cc) if u not in recipients]
    urgent = event.category is not None and event.category.response_minutes < 60
    for user in recipients:
        _n, created = notification_send(
            recipient=user,
            key=f"event:{event.pk}:entry:{entry.pk}",
            title=title,
            body=event.description[:200],
            url=url,
            email=True,
            sms=urgent,
        )
        sent += created
    return sent


__all__ = [
    "EVENT_TRANSITIONS",
    "OutsideEveryGrid",
    "category_suggest",
    "clock_fields",
    "department_handlers",
    "dispatch_department_for",
    "distance_m",
    "event_accept",
    "event_close",
    "event_dispatch",
    "event_notify",
    "event_rate",
    "event_reject",
    "event_report",
    "event_resolve",
    "event_start",
    "event_transition",
    "events_nearby_open",
    "next_actors",
    "time_left_state",
    "timeline_add",
]
