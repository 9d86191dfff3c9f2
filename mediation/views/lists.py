"""Case lists: my cases by urgency, and the supervisors' overview."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from governance.permissions import any_portal_user
from governance.policy import deny
from mediation import policies, selectors, services, stats
from mediation.models import Case
from mediation.views._common import S

RISK_ORDER = {Case.Risk.HIGH: 0, Case.Risk.MEDIUM: 1, Case.Risk.LOW: 2}


def _urgency(case: Case, today) -> tuple:
    open_ = case.is_open
    days = (case.deadline - today).days if case.deadline else 9999
    return (not open_, RISK_ORDER.get(case.risk_level, 3) if open_ else 3, days, -case.pk)


def _with_public_status(cases) -> list[Case]:
    cases = list(cases)
    for case in cases:
        case.public_status = services.public_status(case)
    return cases


@require_http_methods(["GET"])
@any_portal_user
def case_list_view(request: HttpRequest) -> HttpResponse:
    """My cases by urgency (open, high risk and nearest deadline first) and my follow-ups this week."""
    user = request.user
    today = timezone.localdate()
    status = request.GET.get("status") or None
    cases = sorted(selectors.case_list(user=user, status=status)[:200], key=lambda c: _urgency(c, today))
    return render(
        request,
        "mediation/case_list.html",
        {
            "cases": cases,
            "today": today,
            "status": status,
            "statuses": S.choices,
            "follow_ups": selectors.my_follow_ups_due(user=user)[:50],
            "may_register": policies.may_register(user),
            "filed": _with_public_status(selectors.own_filed_cases(user=user)[:20])
            if policies.resident_only(user)
            else [],
        },
    )


@require_http_methods(["GET"])
@any_portal_user
def overview_view(request: HttpRequest) -> HttpResponse:
    """Supervisors: cases by tier and status, overdue, high risk near the deadline, hotspots and
    repeated disputes — over the cases of their own centres."""
    user = request.user
    if not policies.is_supervisor(user):
        deny("not_supervisor", _("只有调解中心的督办负责人可以查看统计与预警。")).raise_for_page()
    prone = stats.dispute_prone_events(user=user)
    prone_events = list(prone[:30])
    converted = {case.event_id: case for case in Case.objects.filter(event__in=prone_events).exclude(status=S.DECLINED)}
    return render(
        request,
        "mediation/overview.html",
        {
            "by_tier": stats.status_by_tier(user=user),
            "statuses": S.choices,
            "overdue": stats.overdue_cases(user=user)[:50],
            "high_risk": stats.high_risk_near_deadline(user=user)[:50],
            "hotspots": stats.hotspots(user=user)[:20],
            "repeats": stats.repeated_disputes(user=user)[:20],
            "prone_count": prone.count(),
            "prone_events": [(event, converted.get(event.pk)) for event in prone_events],
            "today": timezone.localdate(),
        },
    )
