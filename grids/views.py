"""Grid management pages (phone first): the same services, selectors and role rules as grids/api.py.

Every write goes through ``grids.services``; every object comes through a scoped selector, so
another grid's event is a 404 here exactly as in the API. A refused request re-renders the page
with the service's Chinese message and what the person typed.
"""

import json
import mimetypes
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Avg, Count, F, Max, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance import home
from governance.exceptions import Conflict, DomainError, InvalidTransition
from governance.masking import mask_phone
from governance.models import Role
from governance.permissions import any_portal_user, has_any_role, require_roles
from governance.selectors import dispatchable_departments
from grids import forms, selectors, services
from grids.api import REPORTER_ROLES, STAFF_ROLES
from grids.models import DepartmentScore, Event, EventPhoto, Patrol
from grids.serializers import PatrolPointsInput

S = Event.Status
PAGE_SIZE = 20
MAP_GRID_LIMIT = 200
PHOTO_ERROR_CODES = {"file_too_large", "invalid_image_type", "invalid_image", "too_many_files"}


# --- Helpers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """How much of the response window is left, for a badge: colour (state) and words."""

    state: str  # normal | due_soon | overdue | answered
    label: str
    text: str = ""


def duration_text(minutes: int) -> str:
    minutes = abs(int(minutes))
    if minutes < 60:
        return _("%(m)d 分钟") % {"m": minutes}
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        if rest:
            return _("%(h)d 小时 %(m)d 分钟") % {"h": hours, "m": rest}
        return _("%(h)d 小时") % {"h": hours}
    days, hours = divmod(hours, 24)
    if hours:
        return _("%(d)d 天 %(h)d 小时") % {"d": days, "h": hours}
    return _("%(d)d 天") % {"d": days}


def clock_for(event: Event, now: datetime) -> Clock | None:
    if not event.is_open:
        return None
    if event.responded_at is not None:
        return Clock("answered", _("已响应"))
    state = services.time_left_state(event=event, now=now)
    seconds = (event.respond_by - now).total_seconds()
    if state == "overdue":
        return Clock(state, _("已超时"), duration_text(int(-seconds // 60)))
    minutes = int(seconds // 60)
    label = _("即将到期") if state == "due_soon" else _("正常")
    return Clock(state, label, _("剩余 %(t)s") % {"t": duration_text(minutes)})


def with_clocks(events: Iterable[Event], now: datetime | None = None) -> list[Event]:
    now = now or timezone.now()
    rows = list(events)
    for event in rows:
        event.clock = clock_for(event, now)
    return rows


def apply_errors(form, exc: Exception, *, aliases: dict[str, str] | None = None) -> None:
    """Put a service's refusal on the form: field errors where the form has the field, else on top."""
    aliases = aliases or {}

    def place(key: str | None, error) -> None:
        name = aliases.get(key, key) if key else None
        form.add_error(name if name in form.fields else None, error)

    if isinstance(exc, DomainError):
        form.add_error(None, exc.detail)
        for key, errors in (exc.fields or {}).items():
            if isinstance(errors, list | tuple):
                for error in errors:
                    if isinstance(error, str) and aliases.get(key, key) in form.fields:
                        form.add_error(aliases.get(key, key), error)
        return
    if hasattr(exc, "error_dict"):
        for key, errors in exc.error_dict.items():
            for error in errors:
                place(None if key == "__all__" else key, error)
        return
    photo_error = "photos" in form.fields and any(e.code in PHOTO_ERROR_CODES for e in exc.error_list)
    form.add_error("photos" if photo_error else None, exc)


def conflict_message(exc: Conflict, *, seen_status: str, event: Event) -> str:
    """A refused transition: name the cause when the event moved since the page was drawn."""
    if isinstance(exc, InvalidTransition) and seen_status and seen_status != event.status:
        return _("该事件刚被其他人处理过，当前状态为“%(status)s”，请查看最新状态。") % {
            "status": event.get_status_display()
        }
    return exc.detail


def map_payload(*, grids: Iterable, route=None, markers=None, point=None) -> dict:
    """What static/js/grid-map.js draws, handed over with json_script (never executed)."""
    return {
        "grids": {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "geometry": g.boundary, "properties": {"name": g.name, "code": g.code}}
                for g in grids
            ],
        },
        "route": [[p[1], p[0]] for p in (route or []) if len(p) >= 2],
        "markers": markers or [],
        "point": point,
    }


def map_settings() -> dict:
    return {"tile_url": settings.MAP_TILE_URL, "tile_attribution": settings.MAP_TILE_ATTRIBUTION}


def _is_handler_of(user, event: Event) -> bool:
    """A handler acts only on events dispatched to their own department (as the API's _handled_event)."""
    if not has_any_role(user, [Role.DEPARTMENT_HANDLER]):
        return False
    return user.is_superuser or event.department_id in selectors.user_department_ids(user=user)


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
            "label": f"{e.code} {e.category.name if e.category else _('未分类')}",
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
        messages.success(request, _("巡查已开始：%(grid)s。") % {"grid": form.cleaned_data["grid"].name})
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


# --- Report ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require_roles(*REPORTER_ROLES)
def event_new_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    is_worker = has_any_role(user, [Role.GRID_WORKER])
    patrol = selectors.active_patrol(user=user) if is_worker else None
    for_staff = has_any_role(user, STAFF_ROLES)
    nearby: list[Event] = []
    visible_nearby: set[int] = set()
    status = 200
    if request.method == "POST":
        form = forms.EventReportForm(request.POST, request.FILES, patrol=patrol, for_staff=for_staff)
        if form.is_valid():
            data = form.cleaned_data
            category, lon, lat = data["category"], data["lon"], data["lat"]
            if category is not None and lon is not None and lat is not None and not data["confirm_new"]:
                # Same rule as the API's create: open events of the category within 50 m, whoever sees them.
                nearby = services.events_nearby_open(category=category, lon=lon, lat=lat)
                visible_nearby = set(
                    selectors.visible_events(user=user)
                    .filter(pk__in=[e.pk for e in nearby])
                    .values_list("pk", flat=True)
                )
            if not nearby:
                linked = patrol if data.get("link_patrol") else None
                source = (
                    Event.Source.PATROL
                    if linked or (is_worker and not data.get("source"))
                    else (data.get("source") or Event.Source.RESIDENT)
                )
                try:
                    event = services.event_report(
                        reporter=user,
                        description=data["description"],
                        lon=lon,
                        lat=lat,
                        source=source,
                        category=category,
                        address=data["address"],
                        reporter_name=data.get("reporter_name", ""),
                        reporter_phone=data.get("reporter_phone", ""),
                        patrol=linked,
                        photos=data["photos"],
                    )
                except (DomainError, ValidationError) as exc:
                    apply_errors(form, exc, aliases={"location": "lon", "patrol": "link_patrol"})
                else:
                    messages.success(
                        request,
                        _("上报成功，查询编号：%(code)s。凭此编号可在“查询进度”中查看办理情况。")
                        % {"code": event.code},
                    )
                    return redirect("grids:event_detail", pk=event.pk)
        status = 400 if form.errors else 200
    else:
        form = forms.EventReportForm(
            initial={"link_patrol": True, "source": Event.Source.RESIDENT}, patrol=patrol, for_staff=for_staff
        )
    grids = list(selectors.visible_grids(user=user).filter(is_active=True).order_by("code")[:MAP_GRID_LIMIT])
    return render(
        request,
        "grids/event_new.html",
        {
            "form": form,
            "patrol": patrol,
            "nearby": nearby,
            "visible_nearby": visible_nearby,
            "had_photos": request.method == "POST" and bool(request.FILES.getlist("photos")),
            "map_data": map_payload(grids=grids),
            "show_map": bool(grids) or bool(settings.MAP_TILE_URL),
            "map": map_settings(),
        },
        status=status,
    )


# --- Event detail and actions ---------------------------------------------------------------


def _dispatch_form(user, event: Event, data=None) -> forms.DispatchForm:
    suggested = (
        services.dispatch_department_for(category=event.category, area=event.grid.area) if event.category else None
    )
    departments = dispatchable_departments(user=user).order_by("name")
    if suggested is not None:
        departments = departments.exclude(pk=suggested.pk)
    return forms.DispatchForm(data, departments=departments, suggested=suggested, initial={"seen_status": event.status})


def _detail_page(request: HttpRequest, event: Event, *, bound: dict | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    bound = bound or {}
    allowed = services.EVENT_TRANSITIONS.get(event.status, frozenset())
    staff = has_any_role(user, STAFF_ROLES)
    handles = _is_handler_of(user, event)
    seen = {"seen_status": event.status}
    actions: dict = {}
    if staff and S.ACCEPTED in allowed:
        actions["accept"] = bound.get("accept") or forms.AcceptForm(
            initial={**seen, "category": event.suggested_category_id}
        )
    if staff and S.DISPATCHED in allowed:
        actions["dispatch"] = bound.get("dispatch") or _dispatch_form(user, event)
    if handles and S.IN_PROGRESS in allowed:
        actions["start"] = bound.get("start") or forms.NoteForm(initial=seen, prefix="start")
    if handles and S.RESOLVED in allowed:
        actions["resolve"] = bound.get("resolve") or forms.ResolveForm(initial=seen)
    if staff and S.CLOSED in allowed:
        actions["close"] = bound.get("close") or forms.NoteForm(initial=seen, prefix="close")
    if staff and S.REJECTED in allowed:
        actions["reject"] = bound.get("reject") or forms.RejectForm(initial=seen, prefix="reject")
    photos = list(event.photos.all())
    now = timezone.now()
    return render(
        request,
        "grids/event_detail.html",
        {
            "event": event,
            "clock": clock_for(event, now),
            "reporter_phone": mask_phone(event.reporter_phone),
            "timeline": selectors.event_timeline(event=event),
            "report_photos": [p for p in photos if p.kind == EventPhoto.Kind.REPORT],
            "resolution_photos": [p for p in photos if p.kind == EventPhoto.Kind.RESOLUTION],
            "actions": actions,
            "map_data": map_payload(grids=[event.grid], point=[event.lon, event.lat]),
            "map": map_settings(),
        },
        status=status,
    )


@require_GET
@any_portal_user
def event_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, selectors.event_get_for_user(user=request.user, pk=pk))


@require_GET
@any_portal_user
def event_photo_view(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    """A photo, served only to people who may see its event (media files are not public)."""
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    photo = get_object_or_404(EventPhoto, pk=photo_pk, event=event)
    try:
        handle = photo.image.open("rb")
    except OSError as exc:
        raise Http404 from exc
    content_type = mimetypes.guess_type(photo.image.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=86400"
    return response


def _event_action(
    request: HttpRequest,
    pk: int,
    *,
    name: str,
    make_form: Callable[[Event], object],
    run: Callable[[Event, dict], Event],
    done: Callable[[Event], str],
    handler_only: bool = False,
) -> HttpResponse:
    user = request.user
    event = selectors.event_get_for_user(user=user, pk=pk)
    if handler_only and not _is_handler_of(user, event):
        raise PermissionDenied
    form = make_form(event)
    if form.is_valid():
        try:
            event = run(event, form.cleaned_data)
        except Conflict as exc:
            fresh = selectors.event_get_for_user(user=user, pk=pk)
            messages.error(
                request, conflict_message(exc, seen_status=form.cleaned_data.get("seen_status"), event=fresh)
            )
            return _detail_page(request, fresh, status=exc.status_code)
        except (DomainError, ValidationError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, done(event))
            return redirect("grids:event_detail", pk=event.pk)
    event = selectors.event_get_for_user(user=user, pk=pk)
    return _detail_page(request, event, bound={name: form}, status=400)


@require_POST
@require_roles(*STAFF_ROLES)
def event_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _event_action(
        request,
        pk,
        name="accept",
        make_form=lambda event: forms.AcceptForm(request.POST),
        run=lambda event, d: services.event_accept(
            event=event, actor=request.user, note=d["note"], category=d["category"]
        ),
        done=lambda event: _("已受理，类别：%(category)s。") % {"category": event.category.name},
    )


@require_POST
@require_roles(*STAFF_ROLES)
def event_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _event_action(
        request,
        pk,
        name="reject",
        make_form=lambda event: forms.RejectForm(request.POST, prefix="reject"),
        run=lambda event, d: services.event_reject(event=event, actor=request.user, reason=d["reason"]),
        done=lambda event: _("已不予受理。"),
    )


@require_POST
@require_roles(*STAFF_ROLES)
def event_dispatch_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _event_action(
        request,
        pk,
        name="dispatch",
        make_form=lambda event: _dispatch_form(request.user, event, request.POST),
        run=lambda event, d: services.event_dispatch(
            event=event, actor=request.user, department=d["department"], note=d["note"]
        ),
        done=lambda event: _("已派往%(department)s。") % {"department": event.department.name},
    )


@require_POST
@require_roles(*STAFF_ROLES)
def event_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _event_action(
        request,
        pk,
        name="close",
        make_form=lambda event: forms.NoteForm(request.POST, prefix="close"),
        run=lambda event, d: services.event_close(event=event, actor=request.user, note=d["note"]),
        done=lambda event: _("事件已关闭。"),
    )


@require_POST
@require_roles(Role.DEPARTMENT_HANDLER)
def event_start_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _event_action(
        request,
        pk,
        name="start",
        make_form=lambda event: forms.NoteForm(request.POST, prefix="start"),
        run=lambda event, d: services.event_start(event=event, actor=request.user, note=d["note"]),
        done=lambda event: _("已开始处置。"),
        handler_only=True,
    )


@require_POST
@require_roles(Role.DEPARTMENT_HANDLER)
def event_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _event_action(
        request,
        pk,
        name="resolve",
        make_form=lambda event: forms.ResolveForm(request.POST, request.FILES),
        run=lambda event, d: services.event_resolve(
            event=event, actor=request.user, resolution=d["resolution"], photos=d["photos"]
        ),
        done=lambda event: _("已办结，等待居民评价。"),
        handler_only=True,
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
    if params.get("overdue"):
        filters["overdue"] = "true"
    events = selectors.event_list(user=request.user, filters=filters)
    page = Paginator(events, PAGE_SIZE).get_page(params.get("page"))
    page.object_list = with_clocks(page.object_list)
    form = forms.QueueFilterForm(
        params,
        categories=selectors.active_categories().order_by("group", "service_code"),
        grids=selectors.visible_grids(user=request.user).order_by("code"),
    )
    form.is_valid()
    filtered = any(params.get(key) for key in ("status", "category", "grid", "overdue", "q"))
    return render(request, "grids/queue.html", {"page": page, "form": form, "filtered": filtered})


@require_GET
@require_roles(Role.DEPARTMENT_HANDLER)
def tasks_view(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.department_tasks(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = with_clocks(page.object_list)
    return render(request, "grids/tasks.html", {"page": page})


# --- Resident: tracking by code, rating -----------------------------------------------------


@login_not_required
@require_GET
def track_lookup_view(request: HttpRequest) -> HttpResponse:
    form = forms.TrackLookupForm(request.GET if "code" in request.GET else None)
    if form.is_bound and form.is_valid():
        try:
            event = selectors.event_get_public(code=form.cleaned_data["code"])
        except Http404:
            form.add_error("code", _("没有找到这个查询编号，请核对后重试。"))
        else:
            return redirect("grids:track", code=event.code)
    return render(request, "grids/track_lookup.html", {"form": form})


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def track_view(request: HttpRequest, code: str) -> HttpResponse:
    """The code is the credential: status and history without names; rating once resolved."""
    event = selectors.event_get_public(code=code)
    status = 200
    form = forms.RateForm()
    if request.method == "POST":
        form = forms.RateForm(request.POST)
        if form.is_valid():
            try:
                event = services.event_rate(
                    event=event,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                    actor=request.user if request.user.is_authenticated else None,
                )
            except Conflict as exc:
                messages.error(request, exc.detail)
                event = selectors.event_get_public(code=code)
                status = exc.status_code
            except (DomainError, ValidationError) as exc:
                apply_errors(form, exc)
            else:
                if event.status == S.REOPENED:
                    messages.warning(request, _("感谢您的评价。事件已重新打开，将由处置单位再次处理。"))
                else:
                    messages.success(request, _("感谢您的评价，事件已关闭。"))
                return redirect("grids:track", code=event.code)
        if status == 200 and form.errors:
            status = 400
    # Only kinds, statuses and times: no actor, no note (notes may name people).
    entries = selectors.event_timeline(event=event).values("kind", "from_status", "to_status", "level", "created_at")
    return render(
        request,
        "grids/track.html",
        {
            "event": event,
            "entries": entries,
            "form": form,
            "can_rate": event.status == S.RESOLVED,
        },
        status=status,
    )


# --- Efficiency index (public) --------------------------------------------------------------


def _month_back(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


TREND = {"width": 360, "height": 200, "left": 34, "top": 14, "bottom": 30, "bar": 30}


def _trend_chart(months: list[date], averages: dict[date, float | None]) -> dict:
    """Bar geometry for a server-drawn SVG (no script, no style attribute)."""
    plot_h = TREND["height"] - TREND["top"] - TREND["bottom"]
    slot = (TREND["width"] - TREND["left"] - 8) / len(months)
    bars = []
    for i, month in enumerate(months):
        value = averages.get(month)
        height = 0 if value is None else plot_h * max(0.0, min(value, 100.0)) / 100
        x = TREND["left"] + i * slot + (slot - TREND["bar"]) / 2
        y = TREND["top"] + plot_h - height
        bars.append(
            {
                "x": round(x, 1),
                "y": round(y, 1),
                "width": TREND["bar"],
                "height": round(height, 1),
                "cx": round(x + TREND["bar"] / 2, 1),
                "value": "—" if value is None else f"{value:.1f}",
                "value_y": round(y - 4, 1),
                "label": _("%(m)d月") % {"m": month.month},
                "has_value": value is not None,
            }
        )
    grid_lines = [{"y": round(TREND["top"] + plot_h * (1 - v / 100), 1), "label": v} for v in (0, 50, 100)]
    return {
        **TREND,
        "bars": bars,
        "lines": grid_lines,
        "axis_right": TREND["width"] - 4,
        "label_y": TREND["height"] - 10,
        "label_x": TREND["left"] - 6,
    }


@login_not_required
@require_GET
def efficiency_view(request: HttpRequest) -> HttpResponse:
    current = timezone.localdate().replace(day=1)
    months = [_month_back(current, n) for n in range(12)]
    choice = request.GET.get("month", "")
    month = next((m for m in months if m.strftime("%Y-%m") == choice), current)
    rows = list(
        DepartmentScore.objects.filter(month=month)
        .select_related("department")
        .order_by(F("score").desc(nulls_last=True), "department__name")
    )
    for row in rows:
        row.avg_response_text = (
            "" if row.avg_response_minutes is None else duration_text(round(row.avg_response_minutes))
        )
    trend_months = [_month_back(month, n) for n in range(5, -1, -1)]
    trend_rows = list(
        DepartmentScore.objects.filter(month__in=trend_months)
        .select_related("department")
        .order_by("department__name", "month")
    )
    averages = {
        r["month"]: r["avg"]
        for r in DepartmentScore.objects.filter(month__in=trend_months, score__isnull=False)
        .values("month")
        .annotate(avg=Avg("score"), n=Count("id"))
    }
    by_department: dict[int, dict] = {}
    for score in trend_rows:
        entry = by_department.setdefault(score.department_id, {"name": score.department.name, "scores": {}})
        entry["scores"][score.month] = score.score
    trend_table = [
        {"name": d["name"], "cells": [d["scores"].get(m) for m in trend_months]} for d in by_department.values()
    ]
    last_computed = DepartmentScore.objects.aggregate(last=Max("computed_at"))["last"]
    return render(
        request,
        "grids/efficiency.html",
        {
            "month": month,
            "is_current": month == current,
            "form": forms.MonthForm({"month": month.strftime("%Y-%m")}, months=months),
            "rows": rows,
            "trend_months": trend_months,
            "trend_table": trend_table,
            "chart": _trend_chart(trend_months, averages),
            "last_computed": last_computed,
        },
    )


# --- Home cards (registered in GridsConfig.ready) ------------------------------------------


def grid_worker_cards(user, roles: set[str]) -> list[home.Card]:
    if Role.GRID_WORKER not in roles:
        return []
    overdue_q = Q(status__in=Event.AWAITING_RESPONSE, responded_at__isnull=True, respond_by__lt=timezone.now())
    counts = selectors.worker_open_events(user=user).aggregate(open=Count("pk"), overdue=Count("pk", filter=overdue_q))
    patrol = selectors.active_patrol(user=user)
    if counts["open"]:
        body = _("网格内有 %(open)d 件未办结事件，其中 %(overdue)d 件已超时。") % counts
    else:
        body = _("网格内没有未办结事件。")
    if patrol:
        body = _("巡查进行中（%(grid)s）。") % {"grid": patrol.grid.name} + body
    return [
        home.Card(
            title=_("我的网格"),
            body=body,
            url=reverse("grids:grid"),
            action=_("继续巡查") if patrol else _("开始巡查"),
            count=counts["open"],
            priority=20,
            tone="danger" if counts["overdue"] else ("warn" if patrol else "normal"),
        )
    ]


def staff_cards(user, roles: set[str]) -> list[home.Card]:
    if not roles & set(STAFF_ROLES):
        return []
    overdue_q = Q(status__in=Event.AWAITING_RESPONSE, responded_at__isnull=True, respond_by__lt=timezone.now())
    counts = selectors.visible_events(user=user).aggregate(
        reported=Count("pk", filter=Q(status=S.REPORTED)), overdue=Count("pk", filter=overdue_q)
    )
    if counts["reported"] or counts["overdue"]:
        body = _("待受理 %(reported)d 件，已超时 %(overdue)d 件。") % counts
    else:
        body = _("没有待受理或超时的事件。")
    return [
        home.Card(
            title=_("事件队列"),
            body=body,
            url=reverse("grids:queue"),
            action=_("处理事件"),
            count=counts["reported"],
            priority=15 if counts["reported"] or counts["overdue"] else 40,
            tone="danger" if counts["overdue"] else ("warn" if counts["reported"] else "normal"),
        )
    ]


def handler_cards(user, roles: set[str]) -> list[home.Card]:
    if Role.DEPARTMENT_HANDLER not in roles:
        return []
    count = selectors.department_tasks(user=user).count()
    return [
        home.Card(
            title=_("我的任务"),
            body=_("有 %(n)d 件派给本单位的事件待处置。") % {"n": count} if count else _("没有待处置的事件。"),
            url=reverse("grids:tasks"),
            action=_("查看任务"),
            count=count,
            priority=15 if count else 40,
            tone="warn" if count else "normal",
        )
    ]


def resident_cards(user, roles: set[str]) -> list[home.Card]:
    if Role.RESIDENT not in roles:
        return []
    return [
        home.Card(
            title=_("我要上报"),
            body=_("发现井盖缺失、漏水、垃圾堆积等问题，拍照上报给社区。"),
            url=reverse("grids:event_new"),
            action=_("上报问题"),
            priority=20,
        ),
        home.Card(
            title=_("查询进度"),
            body=_("输入查询编号，查看事件办理情况并评价。"),
            url=reverse("grids:track_lookup"),
            action=_("查询进度"),
            priority=25,
        ),
    ]


def nav_links(user) -> list[tuple[str, str]]:
    """The menu entries for this person's roles (templates/grids/_nav.html)."""
    if not getattr(user, "is_authenticated", False):
        return []
    links = []
    if has_any_role(user, [Role.GRID_WORKER]):
        links.append((reverse("grids:grid"), _("我的网格")))
    if has_any_role(user, STAFF_ROLES):
        links.append((reverse("grids:queue"), _("事件队列")))
    if has_any_role(user, [Role.DEPARTMENT_HANDLER]):
        links.append((reverse("grids:tasks"), _("我的任务")))
    if has_any_role(user, REPORTER_ROLES):
        links.append((reverse("grids:event_new"), _("上报事件")))
    if has_any_role(user, [Role.RESIDENT]):
        links.append((reverse("grids:track_lookup"), _("查询进度")))
    links.append((reverse("grids:efficiency"), _("服务效能指数")))
    return links
