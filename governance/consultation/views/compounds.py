"""Red property: the compound page (service list, ratings, scorecard, fee plans, seats) and a
person's seats."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from governance.consultation import forms, policies, selectors, services
from governance.consultation.models import ServiceItem
from governance.consultation.views.common import (
    _managed_compound,
    _run_form,
)
from governance.models import Area, Department, User
from governance.permissions import any_portal_user
from governance.selectors import area_ancestors


@require_GET
@any_portal_user
def compound_view(request: HttpRequest, code: str) -> HttpResponse:
    """The compound's service list (rate this month), scorecard, fee plans and its three bodies' seats."""
    user = request.user
    compound = selectors.compound_get_for_user(user=user, code=code)
    items = list(
        ServiceItem.objects.filter(compound=compound, is_published=True)
        .select_related("provider", "resolution")
        .order_by("kind", "id")
    )
    month = timezone.localdate().replace(day=1)
    may_rate = policies.service_item_rate_can(user=user, item=items[0]).allowed if items else False
    rated = selectors.rated_item_ids(user=user, month=month) if may_rate else set()
    seats = selectors.compound_seats(compound=compound)
    plans = selectors.fee_plans_for(compound=compound)
    return render(
        request,
        "consultation/compound.html",
        {
            "compound": compound,
            "items": items,
            "month": month,
            "may_rate": may_rate,
            "rated": rated,
            "rating_form": forms.RatingForm(),
            "scorecard": selectors.scorecard(items=items, month=month)
            if policies.compound_can(user=user, action="scorecard", compound=compound)
            else None,
            "plan": plans[0] if plans else None,
            "previous_plan": plans[1] if len(plans) > 1 else None,
            "seats": seats,
            "cross": selectors.cross_holders(seats),
            "volunteers": selectors.volunteers_in(compound=compound),
            **_manage_forms(user, compound),
        },
    )


def _manage_forms(user, compound: Area, **bound) -> dict:
    """The forms a manager of the compound sees (service item, fee plan); none for anyone else."""
    if not policies.compound_can(user=user, action="manage", compound=compound):
        return {}
    return {
        "service_form": bound.get("service_form")
        or forms.ServiceItemForm(
            providers=Department.objects.filter(is_active=True, kind=Department.Kind.PROPERTY).order_by("name"),
            resolutions=selectors.visible_resolutions(user=user).filter(
                area__path__in=[a.path for a in area_ancestors(area=compound)]
            ),
        ),
        "fee_form": bound.get("fee_form") or forms.FeePlanForm(),
    }


@require_POST
@any_portal_user
def compound_service_add_view(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    compound = _managed_compound(request, code)
    form = forms.ServiceItemForm(
        request.POST,
        providers=Department.objects.filter(is_active=True, kind=Department.Kind.PROPERTY),
        resolutions=selectors.visible_resolutions(user=user),
    )
    _run_form(
        request,
        form,
        lambda data: services.service_item_create(actor=user, compound=compound, **data),
        _("服务项目已加入清单。"),
    )
    return redirect("consultation:compound", code=compound.code)


@require_POST
@any_portal_user
def compound_fee_plan_add_view(request: HttpRequest, code: str) -> HttpResponse:
    compound = _managed_compound(request, code)
    _run_form(
        request,
        forms.FeePlanForm(request.POST),
        lambda data: services.fee_plan_create(actor=request.user, compound=compound, **data),
        _("经费方案已公布。"),
    )
    return redirect("consultation:compound", code=compound.code)


@require_POST
@any_portal_user
def service_rate_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.service_item_get_for_user(user=request.user, pk=pk)
    policies.service_item_rate_can(user=request.user, item=item).raise_for_page()
    _run_form(
        request,
        forms.RatingForm(request.POST),
        lambda data: services.service_item_rate(resident=request.user, item=item, **data),
        _("感谢您的评价。"),
    )
    return redirect("consultation:compound", code=item.compound.code)


@require_GET
@any_portal_user
def person_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk, is_active=True)
    policies.person_seats_can(user=request.user, person=person).raise_for_page()
    seats = selectors.seats_of(person=person)
    return render(
        request,
        "consultation/person.html",
        {"person": person, "seats": seats, "cross": selectors.is_cross_holding(seats)},
    )
