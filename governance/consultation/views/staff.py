"""Staff pages of a compound: its seats (双向进入、交叉任职) and its 红色管家 volunteers.

A volunteer may also be a partner of the points bank (issue 11, "link if so"). This app does not
know the partners app: every volunteer listed here and on the compound page is offered to the
core's object-link hook (``templates/consultation/_volunteer_links.html``), so an app that registers
``extensions.register_object_links("consultation.volunteer", provider)`` in its ``ready`` (partners)
puts its link beside the volunteer; ``provider(user, volunteer)`` reads ``volunteer.person_id``."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from governance.consultation import forms, selectors, services
from governance.consultation.models import Seat
from governance.consultation.views.common import (
    _managed_compound,
    _run,
    _run_form,
)
from governance.models import Area
from governance.permissions import any_portal_user
from governance.selectors import visible_users


def _seat_form(user, compound: Area, data=None) -> forms.SeatForm:
    return forms.SeatForm(
        data,
        people=visible_users(user=user).filter(is_active=True).order_by("username"),
        organizations=selectors.compound_party_organizations(compound=compound),
        companies=selectors.compound_property_companies(compound=compound),
    )


@require_http_methods(["GET", "POST"])
@any_portal_user
def compound_seats_view(request: HttpRequest, code: str) -> HttpResponse:
    """Staff: who sits in the compound's party organisations, owners' committee and property
    company; people in more than one body (交叉任职) are marked; seat someone, or end a seat."""
    user = request.user
    compound = _managed_compound(request, code)
    form = _seat_form(user, compound, request.POST or None)
    if request.method == "POST" and _run_form(
        request,
        form,
        lambda data: services.seat_assign(actor=user, compound=compound, **data),
        lambda data: _("已登记任职：%(name)s。") % {"name": data["person"].display_name},
    ):
        return redirect("consultation:compound_seats", code=compound.code)
    seats = selectors.compound_seats(compound=compound)
    holders = selectors.seat_holders(seats)
    bodies = [(value, label, [seat for seat in seats if seat.body == value]) for value, label in Seat.Body.choices]
    return render(
        request,
        "consultation/compound_seats.html",
        {
            "compound": compound,
            "bodies": bodies,
            "holders": holders,
            "cross": [h for h in holders.values() if h.cross],
            "cross_ids": {pk for pk, h in holders.items() if h.cross},
            "form": form,
        },
    )


@require_POST
@any_portal_user
def compound_seat_end_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    compound = _managed_compound(request, code)
    seat = selectors.compound_seat_get(compound=compound, pk=pk)
    _run(
        request,
        lambda: services.seat_end(actor=request.user, seat=seat),
        _("%(name)s 已卸任%(where)s%(position)s。")
        % {"name": seat.person.display_name, "where": seat.where, "position": seat.get_position_display()},
    )
    return redirect("consultation:compound_seats", code=compound.code)


@require_http_methods(["GET", "POST"])
@any_portal_user
def compound_volunteers_view(request: HttpRequest, code: str) -> HttpResponse:
    """Staff: the compound's 红色管家 volunteers by building; assign one, or take one off duty."""
    user = request.user
    compound = _managed_compound(request, code)
    buildings = selectors.compound_buildings(compound=compound)
    form = forms.VolunteerForm(
        request.POST or None,
        people=visible_users(user=user).filter(is_active=True).order_by("username"),
        buildings=buildings,
    )
    if request.method == "POST" and _run_form(
        request,
        form,
        lambda data: services.volunteer_assign(actor=user, **data),
        lambda data: (
            _("已安排 %(name)s 为%(building)s的红色管家。")
            % {"name": data["person"].display_name, "building": data["building"].name}
        ),
    ):
        return redirect("consultation:compound_volunteers", code=compound.code)
    volunteers = list(selectors.volunteers_in(compound=compound))
    by_building = [(b, [v for v in volunteers if v.building_id == b.pk]) for b in buildings]
    return render(
        request,
        "consultation/compound_volunteers.html",
        {"compound": compound, "by_building": by_building, "count": len(volunteers), "form": form},
    )


@require_POST
@any_portal_user
def compound_volunteer_end_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    compound = _managed_compound(request, code)
    volunteer = selectors.compound_volunteer_get(compound=compound, pk=pk)
    _run(
        request,
        lambda: services.volunteer_end(actor=request.user, volunteer=volunteer),
        _("%(name)s 已离岗。") % {"name": volunteer.person.display_name},
    )
    return redirect("consultation:compound_volunteers", code=compound.code)
