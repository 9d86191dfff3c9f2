"""Statistics and early warning for supervisors (大数据预警, kept honest: counts and rules).

Every figure is over :func:`mediation.selectors.visible_cases` — a supervisor counts the cases
of their own centres only (not those their centre handed up to a higher one)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from governance.models import Area, User
from governance.selectors import area_ancestors, jurisdiction_paths
from grids.models import Event
from mediation.masking import mask_name
from mediation.models import TIER_ORDER, Case, Party
from mediation.selectors import SUPERVISOR_ROLES, visible_cases

NEAR_DEADLINE_DAYS = 7
HOTSPOT_MIN = 2


@dataclass(frozen=True)
class Hotspot:
    area: str
    type: str
    last_30: int
    last_90: int


@dataclass(frozen=True)
class Repeat:
    names: str
    cases: int
    numbers: list[str]


def status_by_tier(*, user: User) -> list[tuple[str, dict[str, int]]]:
    rows = visible_cases(user=user, handed_over=False).values("tier", "status").annotate(n=Count("pk"))
    table = {tier: dict.fromkeys(Case.Status.values, 0) for tier in TIER_ORDER}
    for row in rows:
        table[row["tier"]][row["status"]] = row["n"]
    return [(tier, table[tier]) for tier in TIER_ORDER]


def overdue_cases(*, user: User, today: date | None = None):
    today = today or timezone.localdate()
    return (
        visible_cases(user=user, handed_over=False)
        .filter(status__in=Case.OPEN_STATUSES, deadline__lt=today)
        .select_related("handling_area")
        .order_by("deadline", "id")
    )


def high_risk_near_deadline(*, user: User, today: date | None = None):
    today = today or timezone.localdate()
    return (
        visible_cases(user=user, handed_over=False)
        .filter(
            status__in=Case.OPEN_STATUSES,
            risk_level=Case.Risk.HIGH,
            deadline__lte=today + timedelta(days=NEAR_DEADLINE_DAYS),
        )
        .select_related("handling_area")
        .order_by("deadline", "id")
    )


def _community_name(area) -> str:
    chain = list(area_ancestors(area=area))
    community = next((a for a in chain if a.level == "community"), None)
    return (community or area).name


def hotspots(*, user: User, now=None) -> list[Hotspot]:
    """Communities × dispute types with at least two cases registered in the last 90 days."""
    now = now or timezone.now()
    since_90, since_30 = now - timedelta(days=90), now - timedelta(days=30)
    rows = (
        visible_cases(user=user, handed_over=False)
        .filter(created_at__gte=since_90)
        .values("area", "type")
        .annotate(last_90=Count("pk"), last_30=Count("pk", filter=Q(created_at__gte=since_30)))
    )
    merged: dict[tuple[str, str], list[int]] = {}
    areas = {a.pk: a for a in Area.objects.filter(pk__in={row["area"] for row in rows})}
    for row in rows:
        key = (_community_name(areas[row["area"]]), row["type"])
        counts = merged.setdefault(key, [0, 0])
        counts[0] += row["last_30"]
        counts[1] += row["last_90"]
    spots = [
        Hotspot(area=area, type=Case.Type(kind).label, last_30=c30, last_90=c90)
        for (area, kind), (c30, c90) in merged.items()
        if c90 >= HOTSPOT_MIN
    ]
    return sorted(spots, key=lambda h: (-h.last_30, -h.last_90, h.area))


def repeated_disputes(*, user: User) -> list[Repeat]:
    """The same applicant and respondent (by phone, else name) in more than one case."""
    parties = Party.objects.filter(case__in=visible_cases(user=user, handed_over=False)).values_list(
        "case_id", "case__number", "role", "name", "phone"
    )
    sides: dict[int, dict[str, set]] = {}
    numbers: dict[int, str] = {}
    for case_id, number, role, name, phone in parties:
        numbers[case_id] = number
        sides.setdefault(case_id, {}).setdefault(role, set()).add((phone or name.strip(), name))
    pairs: dict[frozenset, list[int]] = {}
    labels: dict[frozenset, str] = {}
    for case_id, by_role in sides.items():
        for a in by_role.get("applicant", ()):
            for b in by_role.get("respondent", ()):
                key = frozenset({a[0], b[0]})
                pairs.setdefault(key, []).append(case_id)
                labels[key] = f"{mask_name(a[1])} — {mask_name(b[1])}"
    repeats = [
        Repeat(names=labels[key], cases=len(ids), numbers=sorted(numbers[i] for i in ids))
        for key, ids in pairs.items()
        if len(set(ids)) > 1
    ]
    return sorted(repeats, key=lambda r: -r.cases)


def dispute_prone_events(*, user: User) -> QuerySet[Event]:
    """Open grid events whose category is marked dispute-prone (``EventCategory.dispute_prone``), in
    the areas the user supervises: disputes brewing where they arise, converted into a case or not
    (the page says which)."""
    qs = Event.objects.filter(status__in=Event.OPEN_STATUSES, category__dispute_prone=True)
    if not user.is_superuser:
        paths = jurisdiction_paths(user=user, roles=SUPERVISOR_ROLES) or []
        scope = Q(pk__in=[])
        for path in paths:
            scope |= Q(grid__area__path__startswith=path)
        qs = qs.filter(scope)
    return qs.select_related("category", "grid__area").defer("grid__boundary").order_by("created_at", "id")


def supervisors() -> QuerySet[User]:
    """Everyone holding an active supervisor post (the street's 综治中心, and above)."""
    return User.objects.filter(is_active=True, posts__is_active=True, posts__role__in=list(SUPERVISOR_ROLES)).distinct()
