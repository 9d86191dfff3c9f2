"""Work lists: the staff queue, the handler's tasks, and everyone's own reports (我的上报)."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from governance.models import Role
from governance.permissions import any_portal_user, require_roles
from grids import forms, selectors
from grids.models import Event
from grids.policies import STAFF_ROLES, event_can
from grids.views._common import (
    PAGE_SIZE,
    S,
    with_clocks,
)

# --- Lists: staff queue, handler tasks ------------------------------------------------------


@require_GET
@require_roles(*STAFF_ROLES)
def queue_view(request: HttpRequest) -> HttpResponse:
    params = request.GET
    filters = QueryDict(mutable=True)
    status = params.get("status", forms.OPEN)
    if status in S.values:
        filters.setlist("status", [status])
    elif status != forms.ALL:
        filters["open"] = "true"
    for key in ("category", "grid", "q"):
        if params.get(key, "").strip():
            filters[key] = params[key].strip()
    if params.get("level", "") in {str(v) for v in Event.Level.values}:
        filters["level"] = params["level"]
    for flag in ("overdue", "due_soon"):
        if params.get(flag):
            filters[flag] = "true"
    events = selectors.event_list(user=request.user, filters=filters)
    page = Paginator(events, PAGE_SIZE).get_page(params.get("page"))
    page.object_list = with_clocks(page.object_list)
    form = forms.QueueFilterForm(
        params,
        categories=selectors.active_categories().order_by("group", "service_code"),
        grids=selectors.visible_grids(user=request.user).order_by("code"),
    )
    form.is_valid()
    filtered = any(params.get(key) for key in ("status", "category", "grid", "level", "overdue", "due_soon", "q"))
    return render(request, "grids/queue.html", {"page": page, "form": form, "filtered": filtered})


@require_GET
@require_roles(Role.DEPARTMENT_HANDLER)
def tasks_view(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.department_tasks(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = with_clocks(page.object_list)
    return render(request, "grids/tasks.html", {"page": page})


@require_GET
@any_portal_user
def my_reports_view(request: HttpRequest) -> HttpResponse:
    """我的上报: what this person reported, open and closed, with status, time left and, once
    resolved, the way to rate it."""
    page = Paginator(selectors.my_reports(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = with_clocks(page.object_list)
    for event in page.object_list:
        event.may_rate = event.status == S.RESOLVED and bool(event_can(user=request.user, action="rate", event=event))
    return render(request, "grids/my_reports.html", {"page": page})
