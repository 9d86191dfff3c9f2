"""A compound and who serves it: its gate, seats (交叉任职), party organisations, companies, buildings, volunteers."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404

from governance.consultation.models import Seat, ServiceItem, Volunteer
from governance.consultation.selectors._common import _get_or_404
from governance.consultation.selectors.scope import area_scope_q
from governance.models import Area, Department, PartyOrganization, User
from governance.selectors import area_ancestors, user_department_ids


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


def volunteers_in(*, compound: Area) -> QuerySet[Volunteer]:
    return (
        Volunteer.objects.filter(is_active=True, building__path__startswith=compound.path)
        .select_related("person", "building")
        .order_by("building__path", "id")
    )
