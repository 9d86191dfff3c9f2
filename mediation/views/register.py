"""New cases: registered by staff (walk-in, or from a grid event), or filed online by a resident."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from governance.exceptions import DomainError
from governance.models import Area
from governance.permissions import any_portal_user
from governance.policy import deny
from governance.selectors import visible_areas
from mediation import forms, policies, selectors, services
from mediation.models import Case
from mediation.views._common import _apply_errors


@require_http_methods(["GET", "POST"])
@any_portal_user
def case_new_view(request: HttpRequest) -> HttpResponse:
    """Register a case: walk-in / hotline / petition / court, or ``?event=<id>`` from a grid event."""
    user = request.user
    event_id = request.GET.get("event") or request.POST.get("event")
    event = None
    if event_id:
        event = selectors.event_for_conversion(user=user, pk=event_id)
        policies.event_convert_can(user=user, event=event).raise_for_page()
        existing = services.event_case(event=event)
        form = forms.CaseForm(
            request.POST or None, initial={"description": event.description, "type": Case.Type.NEIGHBOUR}
        )
    else:
        if not policies.may_register(user):
            deny("not_registrar_role", _("您的岗位不能登记调解案件。")).raise_for_page()
        existing = None
        areas = visible_areas(user=user, roles=set(policies.REGISTRAR_ROLES)).exclude(level=Area.Level.DISTRICT)
        form = forms.CaseNewForm(request.POST or None, areas=areas)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if event is not None:
                case = services.case_from_event(
                    event=event,
                    actor=user,
                    type=d["type"],
                    risk_level=d["risk_level"],
                    risk_reason=d["risk_reason"],
                    description=d["description"],
                    parties=form.parties(),
                )
            else:
                policies.case_register_can(user=user, area=d["area"], source=d["source"]).raise_for_page()
                case = services.case_register(
                    actor=user,
                    type=d["type"],
                    subtype=d["subtype"],
                    description=d["description"],
                    area=d["area"],
                    source=d["source"],
                    risk_level=d["risk_level"],
                    risk_reason=d["risk_reason"],
                    amount=d["amount"],
                    parties=form.parties(),
                    lead=user if policies.is_mediator(user) else None,
                )
        except (DomainError, ValidationError) as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已登记调解案件 %(number)s。") % {"number": case.number})
            if selectors.visible_cases(user=user).filter(pk=case.pk).exists():
                return redirect("mediation:case_detail", pk=case.pk)
            if event is not None:
                return redirect("grids:event_detail", pk=event.pk)
            return redirect("mediation:cases")
    return render(
        request,
        "mediation/case_new.html",
        {
            "form": form,
            "event": event,
            "existing": existing,
            "existing_status": services.public_status(existing) if existing else "",
        },
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@any_portal_user
def case_apply_view(request: HttpRequest) -> HttpResponse:
    """A resident files a dispute online for their own community; it arrives as registered and they
    follow its public-safe progress on /mediation/."""
    user = request.user
    communities = policies.resident_community_paths(user=user)
    if not communities:
        deny("not_resident", _("只有登记了住址的居民可以在线申请调解。")).raise_for_page()
    areas = Area.objects.filter(Q(*[Q(path__startswith=p) for p in communities], _connector=Q.OR))
    form = forms.ApplyForm(request.POST or None, areas=areas.order_by("path"))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        parties = [{"role": "applicant", "name": user.display_name, "phone": user.phone, "user": user}]
        if d["respondent_name"]:
            parties.append({"role": "respondent", "name": d["respondent_name"], "phone": d["respondent_phone"]})
        try:
            policies.case_register_can(user=user, area=d["area"], source=Case.Source.ONLINE).raise_for_page()
            case = services.case_register(
                actor=user, type=d["type"], description=d["description"], area=d["area"],
                source=Case.Source.ONLINE, parties=parties,
            )  # fmt: skip
        except (DomainError, ValidationError) as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, _("已提交调解申请，编号 %(number)s。调解组织将尽快与您联系。") % {"number": case.number}
            )
            return redirect("mediation:cases")
    return render(request, "mediation/apply.html", {"form": form}, status=400 if form.is_bound else 200)
