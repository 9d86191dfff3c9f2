"""Grid worker pages: my grid and the patrol."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from governance.exceptions import Conflict, DomainError
from governance.models import Role
from governance.permissions import require_roles
from grids import forms, selectors, services
from grids.models import Event, Patrol
from grids.serializers import PatrolPointsInput
from grids.views._common import (
    PAGE_SIZE,
    apply_errors,
    duration_text,
    map_payload,
    map_settings,
    with_clocks,
)

# --- Grid worker: my grid and patrol --------------------------------------------------------


def _my_grids(user):
    return selectors.visible_grids(user=user).filter(workers=user, is_active=True).order_by("code")


def _grid_page(
    request: HttpRequest, *, finish_form: forms.PatrolFinishForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    grids = list(_my_grids(user))
    patrol = selectors.active_patrol(user=user)
    now = timezone.now()
    events = with_clocks(selectors.worker_open_events(user=user), now)
    markers = [
        {
            "lon": e.lon,
            "lat": e.lat,
            "label": f"{e.code} {e.category.localized_name if e.category else _('未分类')}",
            "url": reverse("grids:event_detail", args=[e.pk]),
            "state": e.clock.state if e.clock else "normal",
        }
        for e in events
    ]
    return render(
        request,
        "grids/grid.html",
        {
            "grids": grids,
            "patrol": patrol,
            "patrol_findings": patrol.findings.count() if patrol else 0,
            "start_form": forms.PatrolStartForm(grids=_my_grids(user)) if grids and not patrol else None,
            "finish_form": finish_form or (forms.PatrolFinishForm() if patrol else None),
            "events": events,
            "overdue": sum(1 for e in events if e.clock and e.clock.state == "overdue"),
            "map_data": map_payload(grids=grids, route=patrol.route if patrol else None, markers=markers),
            "map": map_settings(),
        },
        status=status,
    )


@require_GET
@require_roles(Role.GRID_WORKER)
def grid_view(request: HttpRequest) -> HttpResponse:
    return _grid_page(request)


@require_POST
@require_roles(Role.GRID_WORKER)
def patrol_start_view(request: HttpRequest) -> HttpResponse:
    form = forms.PatrolStartForm(request.POST, grids=_my_grids(request.user))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("grids:grid")
    try:
        services.patrol_start(worker=request.user, grid=form.cleaned_data["grid"])
    except (DomainError, ValidationError) as exc:
        messages.error(request, exc.detail if isinstance(exc, DomainError) else " ".join(exc.messages))
    else:
        messages.success(request, _("巡查已开始：%(grid)s。") % {"grid": form.cleaned_data["grid"].localized_name})
    return redirect("grids:grid")


def _own_patrol(request: HttpRequest, pk: int) -> Patrol:
    return get_object_or_404(Patrol.objects.select_related("grid"), pk=pk, worker=request.user)


@require_POST
@require_roles(Role.GRID_WORKER)
def patrol_points_view(request: HttpRequest, pk: int) -> JsonResponse:
    """Route points from the phone's geolocation (best effort): ``{"points": [[lon, lat, t], …]}``."""
    patrol = _own_patrol(request, pk)
    try:
        body = json.loads(request.body or b"{}") if request.content_type == "application/json" else request.POST
        raw = body.get("points")
        points = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return JsonResponse({"code": "parse_error", "detail": _("轨迹数据格式错误。")}, status=400)
    data = PatrolPointsInput(data={"points": points})
    if not data.is_valid():
        return JsonResponse({"code": "invalid", "detail": _("轨迹点必须是 [经度, 纬度] 数字对。")}, status=400)
    try:
        patrol = services.patrol_add_points(patrol=patrol, points=data.validated_data["points"])
    except DomainError as exc:
        return JsonResponse({"code": exc.code, "detail": exc.detail}, status=exc.status_code)
    except ValidationError as exc:
        return JsonResponse({"code": "invalid", "detail": " ".join(exc.messages)}, status=400)
    return JsonResponse({"points": len(patrol.route)})


@require_POST
@require_roles(Role.GRID_WORKER)
def patrol_finish_view(request: HttpRequest, pk: int) -> HttpResponse:
    patrol = _own_patrol(request, pk)
    form = forms.PatrolFinishForm(request.POST)
    if not form.is_valid():
        return _grid_page(request, finish_form=form, status=400)
    points = None
    if form.cleaned_data["points"]:
        try:
            parsed = PatrolPointsInput(data={"points": json.loads(form.cleaned_data["points"])})
        except ValueError:
            parsed = None
        if parsed is not None and parsed.is_valid():
            points = parsed.validated_data["points"] or None
        else:
            messages.warning(request, _("部分轨迹点格式有误，已忽略。"))
    try:
        patrol = services.patrol_finish(patrol=patrol, notes=form.cleaned_data["notes"], points=points)
    except Conflict as exc:
        messages.error(request, exc.detail)
        return redirect("grids:grid")
    except ValidationError as exc:
        apply_errors(form, exc, aliases={"route": "notes"})
        return _grid_page(request, finish_form=form, status=400)
    messages.success(
        request,
        _("巡查已结束，记录了 %(points)d 个轨迹点、%(findings)d 个发现。")
        % {"points": len(patrol.route), "findings": patrol.findings.count()},
    )
    return redirect("grids:grid")


@require_GET
@require_roles(Role.GRID_WORKER)
def my_patrols_view(request: HttpRequest) -> HttpResponse:
    """巡查记录: the worker's own patrols, newest first, each with its findings and their status."""
    findings = Prefetch(
        "findings", queryset=Event.objects.select_related("category").order_by("created_at"), to_attr="found"
    )
    patrols = selectors.my_patrols(user=request.user).prefetch_related(findings)
    page = Paginator(patrols, PAGE_SIZE).get_page(request.GET.get("page"))
    for patrol in page.object_list:
        end = patrol.ended_at or timezone.now()
        patrol.duration_text = duration_text(int((end - patrol.started_at).total_seconds() // 60))
        patrol.point_count = len(patrol.route or [])
    return render(request, "grids/my_patrols.html", {"page": page})
