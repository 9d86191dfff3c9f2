"""Reads of the consultation app, including the area scoping every door uses.

A person sees a meeting, topic or resolution when its area lies under one of their posts (staff
of a community see its compounds), or when its area *covers* one of their posts (a resident of a
compound sees the community's meetings) — never a sibling compound's. Participants always see the
meetings they are invited to, and a party organisation's secretary those it convenes.
"""

import math
from dataclasses import dataclass, field
from datetime import date

from django.core import signing
from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from governance.consultation.models import (
    AgendaItem,
    CouncilRule,
    FeePlan,
    Group,
    Meeting,
    MinutesResponse,
    Participant,
    Resolution,
    Seat,
    ServiceItem,
    ServiceRating,
    Suggestion,
    Volunteer,
)
from governance.models import Area, Department, PartyOrganization, User
from governance.selectors import area_ancestors, jurisdiction_paths, user_department_ids

DEFAULT_RESIDENT_REP_PERCENT = 50
DEFAULT_PROPERTY_REQUIRED = True


def _prefixes(paths: list[str]) -> set[str]:
    out: set[str] = set()
    for path in paths:
        segments = path.strip("/").split("/")
        out.update("/".join(segments[: i + 1]) + "/" for i in range(len(segments)))
    return out


def _get_or_404(queryset: QuerySet, **lookup):
    """The one row of ``queryset`` the lookup names, or 404 (also for a malformed id)."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def area_scope_q(*, user: User, path_field: str) -> Q:
    """Rows whose area lies under, or covers, one of the user's posts."""
    paths = jurisdiction_paths(user=user)
    if paths is None:  # everything; not Q(), which would vanish when OR-ed with another condition
        return Q(pk__isnull=False)
    if not paths:
        return Q(pk__in=[])
    q = Q(**{f"{path_field}__in": _prefixes(paths)})
    for path in paths:
        q |= Q(**{f"{path_field}__startswith": path})
    return q


def visible_meetings(*, user: User) -> QuerySet[Meeting]:
    if not getattr(user, "is_authenticated", False):
        return Meeting.objects.none()
    scope = area_scope_q(user=user, path_field="area__path")
    mine = Q(pk__in=Participant.objects.filter(user=user).values("meeting_id")) | Q(organization__secretary=user)
    return Meeting.objects.filter(scope | mine).select_related("organization", "area")


def meeting_get_for_user(*, user: User, pk) -> Meeting:
    return _get_or_404(visible_meetings(user=user), pk=pk)


def meeting_list(*, user: User, status: str = "", area: str = "") -> QuerySet[Meeting]:
    qs = visible_meetings(user=user).annotate(n_participants=Count("participants", distinct=True))
    if status:
        qs = qs.filter(status=status)
    if area:
        qs = qs.filter(Q(area__code=area) | Q(area__parent__code=area))
    return qs.order_by("-starts_at", "-id")


def agenda_item_get_for_user(*, user: User, pk) -> AgendaItem:
    return _get_or_404(
        AgendaItem.objects.select_related("meeting"), pk=pk, meeting__in=visible_meetings(user=user).values("pk")
    )


def agenda_outline(*, meeting: Meeting) -> list[AgendaItem]:
    """The agenda in reading order — each top-level item followed by its sub-items — with
    ``number`` ("1", "1.1", "1.2", "2" …) and ``depth`` (0 or 1) set on every item. One query."""
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("suggestion", "responsible_department")
        .order_by("order", "id")
    )
    children: dict[int | None, list[AgendaItem]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)
    out: list[AgendaItem] = []

    def walk(parent_id: int | None, prefix: str, depth: int) -> None:
        siblings = children.get(parent_id, [])
        for n, item in enumerate(siblings, start=1):
            item.number = f"{prefix}{n}"
            item.depth = depth
            item.place, item.sibling_count = n, len(siblings)
            item.sub_count = len(children.get(item.pk, []))
            out.append(item)
            walk(item.pk, f"{item.number}.", depth + 1)

    walk(None, "", 0)
    return out


def agenda_numbers(*, meeting: Meeting) -> dict[int, str]:
    """``{item id: "1.2"}`` for every item of the meeting's agenda."""
    return {item.pk: item.number for item in agenda_outline(meeting=meeting)}


def visible_suggestions(*, user: User) -> QuerySet[Suggestion]:
    if not getattr(user, "is_authenticated", False):
        return Suggestion.objects.none()
    return (
        Suggestion.objects.filter(area_scope_q(user=user, path_field="area__path"))
        .select_related("area", "author")
        .annotate(n_supports=Count("supports", distinct=True))
        .order_by("-created_at", "-id")  # Meta.ordering is not applied to a GROUP BY query
    )


def visible_resolutions(*, user: User) -> QuerySet[Resolution]:
    if not getattr(user, "is_authenticated", False):
        return Resolution.objects.none()
    return Resolution.objects.filter(
        Q(meeting__in=visible_meetings(user=user).values("pk")) | area_scope_q(user=user, path_field="area__path")
    ).select_related("meeting__organization", "area", "responsible_department")


def resolution_get_for_user(*, user: User, pk) -> Resolution:
    return _get_or_404(visible_resolutions(user=user), pk=pk)


def overdue_resolutions(*, user: User) -> QuerySet[Resolution]:
    """The accountability list: flagged overdue and not done."""
    return (
        visible_resolutions(user=user)
        .filter(overdue_flagged_at__isnull=False)
        .exclude(status=Resolution.Status.DONE)
        .order_by("due_date")
    )


def public_meetings(*, area: Area) -> QuerySet[Meeting]:
    """The public calendar of a compound or community: its meetings and its compounds' meetings."""
    return (
        Meeting.objects.filter(Q(area__path__startswith=area.path) | Q(area__in=area_ancestors(area=area)))
        .select_related("organization", "area")
        .order_by("starts_at", "id")
    )


# --- Attendance and quorum ----------------------------------------------------------------------


@dataclass(frozen=True)
class Attendance:
    invited: dict[str, int] = field(default_factory=dict)
    signed: dict[str, int] = field(default_factory=dict)

    @property
    def present(self) -> int:
        return sum(self.signed.values())

    def rows(self) -> list[tuple[str, str, int, int]]:
        """``(group, label, invited, signed)`` for every group with an invitee."""
        return [
            (g, str(label), self.invited[g], self.signed.get(g, 0)) for g, label in Group.choices if g in self.invited
        ]


def attendance_for(*, meeting: Meeting) -> Attendance:
    invited: dict[str, int] = {}
    signed: dict[str, int] = {}
    for group, signed_in in Participant.objects.filter(meeting=meeting).values_list("group", "signed_in_at"):
        invited[group] = invited.get(group, 0) + 1
        if signed_in is not None:
            signed[group] = signed.get(group, 0) + 1
    return Attendance(invited=invited, signed=signed)


def rule_for(*, area: Area) -> tuple[int, bool]:
    """``(resident representatives' percent, property company required)``: the nearest rule above."""
    rule = (
        CouncilRule.objects.filter(area__in=area_ancestors(area=area)).select_related("area").order_by("-area__depth")
    ).first()
    if rule is None:
        return DEFAULT_RESIDENT_REP_PERCENT, DEFAULT_PROPERTY_REQUIRED
    return rule.resident_rep_percent, rule.property_required


@dataclass(frozen=True)
class Quorum:
    ok: bool
    reasons: list[str]


def quorum_for(*, meeting: Meeting) -> Quorum:
    """Quorum per group by the compound's rule: enough residents' representatives signed in, and
    someone from the property company when the rule asks for it."""
    percent, property_required = rule_for(area=meeting.area)
    attendance = attendance_for(meeting=meeting)
    reasons = []
    reps_invited = attendance.invited.get(Group.RESIDENT_REP, 0)
    reps_signed = attendance.signed.get(Group.RESIDENT_REP, 0)
    needed = math.ceil(reps_invited * percent / 100)
    if reps_invited == 0:
        reasons.append(_("没有邀请居民代表"))
    elif reps_signed < max(needed, 1):
        reasons.append(
            _("居民代表到会 %(signed)d 人，至少需要 %(needed)d 人") % {"signed": reps_signed, "needed": max(needed, 1)}
        )
    if property_required and attendance.signed.get(Group.PROPERTY, 0) == 0:
        reasons.append(_("物业公司无人到会"))
    return Quorum(ok=not reasons, reasons=reasons)


# --- Red property: seats, service list, scorecards, fee plans ------------------------------------


def visible_service_items(*, user: User) -> QuerySet[ServiceItem]:
    if not getattr(user, "is_authenticated", False):
        return ServiceItem.objects.none()
    return ServiceItem.objects.filter(
        area_scope_q(user=user, path_field="compound__path") | Q(provider_id__in=user_department_ids(user=user))
    ).select_related("compound", "provider", "resolution")


def service_item_get_for_user(*, user: User, pk) -> ServiceItem:
    return _get_or_404(visible_service_items(user=user), pk=pk)


def compound_get_for_user(*, user: User, code: str) -> Area:
    area = (
        Area.objects.filter(area_scope_q(user=user, path_field="path"), code=code, level=Area.Level.COMPOUND).first()
        if getattr(user, "is_authenticated", False)
        else None
    )
    if area is None and getattr(user, "is_authenticated", False):
        # The property company's people reach the compounds they serve.
        area = Area.objects.filter(
            code=code,
            level=Area.Level.COMPOUND,
            pk__in=ServiceItem.objects.filter(provider_id__in=user_department_ids(user=user)).values("compound_id"),
        ).first()
    if area is None:
        raise Http404
    return area


@dataclass(frozen=True)
class ScoreRow:
    item: ServiceItem
    month: date
    average: float | None
    responses: int


def scorecard(*, items, month: date) -> list[ScoreRow]:
    """Per item, the month's average score and the number of responses (one query)."""
    items = list(items)
    stats = {
        row["item_id"]: row
        for row in ServiceRating.objects.filter(item__in=items, month=month)
        .values("item_id")
        .annotate(average=Avg("score"), responses=Count("pk"))
    }
    return [
        ScoreRow(
            item=item,
            month=month,
            average=round(float(stats[item.pk]["average"]), 2) if item.pk in stats else None,
            responses=stats[item.pk]["responses"] if item.pk in stats else 0,
        )
        for item in items
    ]


def rated_item_ids(*, user: User, month: date) -> set[int]:
    return set(ServiceRating.objects.filter(resident=user, month=month).values_list("item_id", flat=True))


def fee_plans_for(*, compound: Area, limit: int = 2) -> list[FeePlan]:
    """The current plan and the one before it, newest first."""
    return list(FeePlan.objects.filter(compound=compound).order_by("-period_start")[:limit])


def visible_fee_plans(*, user: User) -> QuerySet[FeePlan]:
    if not getattr(user, "is_authenticated", False):
        return FeePlan.objects.none()
    return FeePlan.objects.filter(area_scope_q(user=user, path_field="compound__path")).select_related("compound")


def seats_of(*, person: User) -> list[Seat]:
    return list(
        Seat.objects.filter(person=person, ended_on__isnull=True).select_related(
            "organization", "compound", "department"
        )
    )


def is_cross_holding(seats: list[Seat]) -> bool:
    """交叉任职: seats in more than one of the three bodies."""
    return len({seat.body for seat in seats}) > 1


def compound_seats(*, compound: Area) -> list[Seat]:
    """Current seats of the compound's three bodies: party organisations of the compound or above
    it, its owners' committee, and the property companies serving it."""
    providers = compound_property_companies(compound=compound).values("pk")
    return list(
        Seat.objects.filter(ended_on__isnull=True)
        .filter(
            Q(organization__area__in=area_ancestors(area=compound))
            | Q(organization__area__path__startswith=compound.path)
            | Q(compound=compound)
            | Q(department_id__in=providers)
        )
        .select_related("person", "organization", "compound", "department")
        .order_by("body", "position", "id")
    )


def compound_party_organizations(*, compound: Area) -> QuerySet[PartyOrganization]:
    """The party organisations a compound's seats may be in: those of the compound and above it
    (社区党委, 小区党支部) and those below it (楼栋党小组, 党员中心户)."""
    return PartyOrganization.objects.filter(
        Q(area__in=area_ancestors(area=compound)) | Q(area__path__startswith=compound.path)
    ).order_by("area__path", "id")


def compound_property_companies(*, compound: Area) -> QuerySet[Department]:
    """Property companies serving the compound: on its service list, or serving an area on its path."""
    providers = ServiceItem.objects.filter(compound=compound).values("provider_id")
    return Department.objects.filter(
        Q(pk__in=providers) | Q(area__in=area_ancestors(area=compound)) | Q(area__path__startswith=compound.path),
        kind=Department.Kind.PROPERTY,
        is_active=True,
    ).order_by("name")


def compound_buildings(*, compound: Area) -> QuerySet[Area]:
    return Area.objects.filter(path__startswith=compound.path, level=Area.Level.BUILDING).order_by("path")


def compound_seat_get(*, compound: Area, pk) -> Seat:
    """A current seat of one of the compound's three bodies, or 404."""
    for seat in compound_seats(compound=compound):
        if str(seat.pk) == str(pk):
            return seat
    raise Http404


def compound_volunteer_get(*, compound: Area, pk) -> Volunteer:
    return _get_or_404(volunteers_in(compound=compound), pk=pk)


@dataclass
class SeatHolder:
    """One person and the seats they hold around a compound; 交叉任职 when in more than one body."""

    person: User
    seats: list[Seat] = field(default_factory=list)

    @property
    def cross(self) -> bool:
        return len({seat.body for seat in self.seats}) > 1


def seat_holders(seats: list[Seat]) -> dict[int, SeatHolder]:
    holders: dict[int, SeatHolder] = {}
    for seat in seats:
        holders.setdefault(seat.person_id, SeatHolder(person=seat.person)).seats.append(seat)
    return holders


def cross_holders(seats: list[Seat]) -> set[int]:
    bodies: dict[int, set[str]] = {}
    for seat in seats:
        bodies.setdefault(seat.person_id, set()).add(seat.body)
    return {pk for pk, held in bodies.items() if len(held) > 1}


# --- Minutes confirmation, volunteers ---------------------------------------------------------------


@dataclass(frozen=True)
class MinutesConfirmation:
    attendees: list
    confirmed: list
    objections: list  # MinutesResponse rows with an objection
    pending: list


def minutes_confirmation(*, meeting: Meeting) -> MinutesConfirmation:
    """Who attended, who confirmed this round's minutes, who objected (and what), who has not answered."""
    attendees = [p.user for p in meeting.participants.select_related("user").filter(signed_in_at__isnull=False)]
    if meeting.minutes_sent_at is None:
        return MinutesConfirmation(attendees=attendees, confirmed=[], objections=[], pending=[])
    responses = {
        r.user_id: r
        for r in MinutesResponse.objects.filter(meeting=meeting, round=meeting.minutes_round).select_related("user")
    }
    return MinutesConfirmation(
        attendees=attendees,
        confirmed=[r.user for r in responses.values() if r.confirmed],
        objections=[r for r in responses.values() if not r.confirmed],
        pending=[u for u in attendees if u.pk not in responses],
    )


def volunteers_in(*, compound: Area) -> QuerySet[Volunteer]:
    return (
        Volunteer.objects.filter(is_active=True, building__path__startswith=compound.path)
        .select_related("person", "building")
        .order_by("building__path", "id")
    )


# --- The personal calendar at a secret URL --------------------------------------------------------

CALENDAR_SALT = "consultation.personal-calendar"


def personal_calendar_token(*, user: User) -> str:
    """A stable, unguessable token naming ``user`` (signed with SECRET_KEY; rotating the key revokes it)."""
    return signing.Signer(salt=CALENDAR_SALT).sign_object({"u": user.pk})


def personal_calendar_user(*, token: str) -> User | None:
    try:
        data = signing.Signer(salt=CALENDAR_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return User.objects.filter(pk=data.get("u"), is_active=True).first() if isinstance(data, dict) else None


def personal_meetings(*, user: User) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(participants__user=user)
        .select_related("organization", "area")
        .order_by("starts_at", "id")
        .distinct()
    )
