"""Report form, event detail, the scoped photo and the transition actions."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance.exceptions import Conflict, DomainError
from governance.masking import mask_phone
from governance.permissions import any_portal_user, require_roles
from governance.selectors import dispatchable_departments
from grids import forms, policies, selectors, services
from grids.models import Event, EventPhoto
from grids.views._common import (
    MAP_GRID_LIMIT,
    S,
    apply_errors,
    clock_for,
    conflict_message,
    map_payload,
    map_settings,
    photo_response,
    window_text,
)
from grids.views._pending import pending_drop, pending_keep, pending_load

# --- Report ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require_roles(*policies.REPORTER_ROLES)
def event_new_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    is_worker = policies.is_worker(user)
    patrol = selectors.active_patrol(user=user) if is_worker else None
    for_staff = policies.is_staff(user)
    nearby: list[Event] = []
    visible_nearby: set[int] = set()
    status = 200
    pending_token, pending_count = "", 0
    if request.method == "POST":
        form = forms.EventReportForm(request.POST, request.FILES, patrol=patrol, for_staff=for_staff)
        pending_token = request.POST.get("pending_photos", "")
        kept = [] if request.POST.get("drop_pending") else pending_load(user=user, token=pending_token)
        chosen = [f for f in request.FILES.getlist("photos") if f]
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
                # A worker's report is a patrol finding when it is linked to the patrol or lies in one of
                # their own grids; elsewhere they report as anyone would (and are told so below).
                in_own_grid = is_worker and _in_own_grid(user=user, lon=lon, lat=lat)
                source = (
                    Event.Source.PATROL
                    if linked or (in_own_grid and not data.get("source"))
                    else (data.get("source") or Event.Source.RESIDENT)
                )
                policies.event_report_can(
                    user=user,
                    source=source,
                    for_caller=bool(data.get("reporter_name") or data.get("reporter_phone")),
                ).raise_for_page()
                photos = [*kept, *data["photos"]][: forms.MAX_PHOTOS]
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
                        photos=photos,
                    )
                except (DomainError, ValidationError) as exc:
                    apply_errors(form, exc, aliases={"location": "lon", "patrol": "link_patrol"})
                else:
                    pending_drop(user=user, token=pending_token)
                    outside = _outside_own_area_notice(user=user, event=event, is_worker=is_worker, patrol=linked)
                    if outside:
                        messages.warning(request, outside)
                    messages.success(
                        request,
                        _("上报成功，查询编号：%(code)s。可在“我的上报”中查看办理情况。") % {"code": event.code},
                    )
                    secret = getattr(event, "rating_secret", "")
                    if secret and event.reporter_phone:
                        messages.info(request, _("评价链接已通过短信发送给来电人。"))
                    elif secret:
                        messages.info(
                            request,
                            _("来电人的评价链接（只显示这一次，请告知来电人）：%(url)s")
                            % {"url": request.build_absolute_uri(services.rating_link_url(secret))},
                        )
                    return redirect("grids:event_detail", pk=event.pk)
        status = 400 if form.errors else 200
        # Sent back (an error or the duplicate check): keep the photos so nobody takes them again.
        pending_token, pending_count, refused = pending_keep(
            user=user, token=pending_token, kept=kept, new=chosen, limit=forms.MAX_PHOTOS
        )
        for error in refused:
            if "photos" not in form.errors:
                form.add_error("photos", error)
        form.data = form.data.copy()
        form.data["pending_photos"] = pending_token if pending_count else ""
        status = 400 if form.errors else 200
    else:
        form = forms.EventReportForm(
            initial={"link_patrol": True, "source": Event.Source.RESIDENT}, patrol=patrol, for_staff=for_staff
        )
    grids = list(selectors.reportable_grids(user=user).order_by("code")[:MAP_GRID_LIMIT])
    return render(
        request,
        "grids/event_new.html",
        {
            "form": form,
            "patrol": patrol,
            "nearby": nearby,
            "visible_nearby": visible_nearby,
            "pending_count": pending_count,
            "upload_max_bytes": settings.UPLOAD_MAX_BYTES,
            "max_photos": forms.MAX_PHOTOS,
            "map_data": map_payload(grids=grids),
            "show_map": bool(grids) or bool(settings.MAP_TILE_URL),
            "map": map_settings(),
        },
        status=status,
    )


def _in_own_grid(*, user, lon: float | None, lat: float | None) -> bool:
    if lon is None or lat is None:
        return False
    grid = selectors.grid_for_point(lon=lon, lat=lat)
    return grid is not None and grid.workers.filter(pk=user.pk).exists()


def _outside_own_area_notice(*, user, event: Event, is_worker: bool, patrol) -> str:
    """A worker reporting outside their grid (or their patrol's grid) is told where it went."""
    if not is_worker:
        return ""
    if patrol is not None and event.grid_id != patrol.grid_id:
        return _("注意：该位置不在本次巡查的网格（%(own)s）内，事件已归入%(grid)s。") % {
            "own": patrol.grid.localized_name,
            "grid": event.grid.localized_name,
        }
    own = list(user.grids.filter(is_active=True).select_related("area"))
    if own and all(g.pk != event.grid_id for g in own):
        communities = {g.area_id for g in own}
        where = _("您负责的社区") if event.grid.area_id not in communities else _("您负责的网格")
        return _("注意：该位置不在%(where)s内，事件已归入%(grid)s（%(community)s），按居民上报处理。") % {
            "where": where,
            "grid": event.grid.localized_name,
            "community": event.grid.area.localized_name,
        }
    return ""


# --- Event detail and actions ---------------------------------------------------------------


def _dispatch_form(user, event: Event, data=None) -> forms.DispatchForm:
    suggested = (
        services.dispatch_department_for(category=event.category, area=event.grid.area) if event.category else None
    )
    departments = dispatchable_departments(user=user).order_by("name")
    if suggested is not None:
        departments = departments.exclude(pk=suggested.pk)
    return forms.DispatchForm(data, departments=departments, suggested=suggested, initial={"seen_status": event.status})


def _redispatch_form(user, event: Event, data=None) -> forms.RedispatchForm:
    departments = dispatchable_departments(user=user).order_by("name")
    if event.department_id:
        departments = departments.exclude(pk=event.department_id)
    return forms.RedispatchForm(
        data, departments=departments, initial={"seen_status": event.status}, prefix="redispatch"
    )


def _detail_page(
    request: HttpRequest, event: Event, *, bound: dict | None = None, status: int = 200, contact: dict | None = None
) -> HttpResponse:
    user = request.user
    bound = bound or {}
    allowed = services.EVENT_TRANSITIONS.get(event.status, frozenset())
    may = policies.event_actions_allowed(user=user, event=event)
    staff = "accept" in may
    handles = "start" in may
    seen = {"seen_status": event.status}
    actions: dict = {}
    # A target may be reached by several moves (accepted: accept or return): each form by its status.
    if staff and event.status == S.REPORTED:
        actions["accept"] = bound.get("accept") or forms.AcceptForm(
            initial={**seen, "category": event.suggested_category_id}
        )
    if staff and event.status == S.ACCEPTED:
        actions["dispatch"] = bound.get("dispatch") or _dispatch_form(user, event)
    if handles and event.status in (S.DISPATCHED, S.REOPENED):
        actions["start"] = bound.get("start") or forms.NoteForm(initial=seen, prefix="start")
    if handles and event.status == S.IN_PROGRESS:
        actions["resolve"] = bound.get("resolve") or forms.ResolveForm(initial=seen)
    if staff and event.status == S.RESOLVED:
        actions["close"] = bound.get("close") or forms.NoteForm(initial=seen, prefix="close")
    if staff and event.status == S.REPORTED:
        actions["reject"] = bound.get("reject") or forms.RejectForm(initial=seen, prefix="reject")
    if "return" in may and event.status in (S.DISPATCHED, S.REOPENED) and event.department_id:
        actions["return"] = bound.get("return") or forms.ReasonForm(initial=seen, prefix="return")
    if staff and "redispatch" in may and event.status == S.DISPATCHED:
        actions["redispatch"] = bound.get("redispatch") or _redispatch_form(user, event)
    if staff and "urge" in may and event.status in services.URGE_STATUSES and event.department_id:
        actions["urge"] = bound.get("urge") or forms.NoteForm(initial=seen, prefix="urge")
    if staff and "withdraw" in may and S.WITHDRAWN in allowed:
        actions["withdraw"] = bound.get("withdraw") or forms.ReasonForm(initial=seen, prefix="withdraw")
    if event.status == S.RESOLVED and "rate" in may:
        actions["rate"] = bound.get("rate") or forms.RateForm(prefix="rate")
    if event.status == S.RESOLVED and "return_visit" in may:
        actions["return_visit"] = bound.get("return_visit") or forms.RateForm(prefix="visit")
    photos = list(event.photos.all())
    now = timezone.now()
    return render(
        request,
        "grids/event_detail.html",
        {
            "event": event,
            "clock": clock_for(event, now),
            "window_text": window_text(event.category),
            "reporter_phone": contact["phone"] if contact else mask_phone(event.reporter_phone),
            "contact_revealed": contact is not None,
            "may_read_contact": bool(event.reporter_phone) and "read_contact" in may,
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


@require_POST
@any_portal_user
def event_contact_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the reporter's full number once, to call them back; the read is audited."""
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    policies.event_can(user=request.user, action="read_contact", event=event).raise_for_page()
    contact = services.event_contact_read(event=event, actor=request.user, request=request)
    messages.info(request, _("已显示完整联系电话，本次查看已记入审计记录。"))
    return _detail_page(request, event, contact=contact)


@require_GET
@any_portal_user
def event_photo_view(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    """A photo, served only to people who may see its event (media files are not public)."""
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    photo = get_object_or_404(EventPhoto, pk=photo_pk, event=event)
    return photo_response(photo, fallback_type="application/octet-stream", max_age=86400)


@require_GET
@any_portal_user
def event_photo_page_view(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    """A photo in a page (the portal's menu, a way back), not a bare image the browser shows alone."""
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    photo = get_object_or_404(EventPhoto, pk=photo_pk, event=event)
    photos = list(event.photos.filter(kind=photo.kind).values_list("pk", flat=True))
    index = photos.index(photo.pk)
    return render(
        request,
        "grids/photo.html",
        {
            "event": event,
            "photo": photo,
            "number": index + 1,
            "total": len(photos),
            "previous": photos[index - 1] if index > 0 else None,
            "next": photos[index + 1] if index + 1 < len(photos) else None,
        },
    )


def _event_action(
    request: HttpRequest,
    pk: int,
    *,
    name: str,
    make_form: Callable[[Event], object],
    run: Callable[[Event, dict], Event],
    done: Callable[[Event], str],
    after: Callable[[Event], HttpResponse] | None = None,
) -> HttpResponse:
    """One door for every event action: scoped read (404), the policy (403), the form, the service."""
    user = request.user
    event = selectors.event_get_for_user(user=user, pk=pk)
    policies.event_can(user=user, action=name, event=event).raise_for_page()
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
            return after(event) if after else redirect("grids:event_detail", pk=event.pk)
    event = selectors.event_get_for_user(user=user, pk=pk)
    return _detail_page(request, event, bound={name: form}, status=400)


def _action_view(
    name: str,
    *,
    form: Callable[[HttpRequest, Event], object],
    run: Callable[[HttpRequest, Event, dict], Event],
    done: Callable[[Event], str],
    after: Callable[[Event], HttpResponse] | None = None,
    doc: str = "",
) -> Callable[[HttpRequest, int], HttpResponse]:
    """The POST view of one event action (``event_<name>_view``): signed-in, then ``_event_action``
    with the action's form, service call and success message."""

    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return _event_action(
            request,
            pk,
            name=name,
            make_form=lambda event: form(request, event),
            run=lambda event, data: run(request, event, data),
            done=done,
            after=after,
        )

    view.__name__ = view.__qualname__ = f"event_{name}_view"
    view.__doc__ = doc or None
    return require_POST(any_portal_user(view))


def _posted(form_class, prefix: str | None = None, *, files: bool = False) -> Callable[[HttpRequest, Event], object]:
    """The action's form bound to the POST (and the uploaded files, for a form that takes photos)."""
    if files:
        return lambda request, event: form_class(request.POST, request.FILES, prefix=prefix)
    return lambda request, event: form_class(request.POST, prefix=prefix)


def _with(service, *fields: str) -> Callable[[HttpRequest, Event, dict], Event]:
    """``service(event=…, actor=the signed-in user, <field>=the form's <field>, …)``."""
    return lambda request, event, d: service(event=event, actor=request.user, **{f: d[f] for f in fields})


def _rated_message(event: Event) -> str:
    if event.status == S.REOPENED:
        return _("已记录评价。事件已重新打开，将由处置单位再次处理。")
    return _("已记录评价，事件已关闭。")


def _urge(request: HttpRequest, event: Event, data: dict) -> Event:
    services.event_urge(event=event, actor=request.user, note=data["note"])
    return event


event_accept_view = _action_view(
    "accept",
    form=_posted(forms.AcceptForm),
    run=_with(services.event_accept, "note", "category"),
    done=lambda event: _("已受理，类别：%(category)s。") % {"category": event.category.localized_name},
)
event_reject_view = _action_view(
    "reject",
    form=_posted(forms.RejectForm, "reject"),
    run=_with(services.event_reject, "reason"),
    done=lambda event: _("已不予受理。"),
)
event_dispatch_view = _action_view(
    "dispatch",
    form=lambda request, event: _dispatch_form(request.user, event, request.POST),
    run=_with(services.event_dispatch, "department", "note"),
    done=lambda event: _("已派往%(department)s。") % {"department": event.department.localized_name},
)
event_close_view = _action_view(
    "close",
    form=_posted(forms.NoteForm, "close"),
    run=_with(services.event_close, "note"),
    done=lambda event: _("事件已关闭。"),
)
event_start_view = _action_view(
    "start",
    form=_posted(forms.NoteForm, "start"),
    run=_with(services.event_start, "note"),
    done=lambda event: _("已开始处置。"),
)
event_resolve_view = _action_view(
    "resolve",
    form=_posted(forms.ResolveForm, files=True),
    run=_with(services.event_resolve, "resolution", "photos"),
    done=lambda event: _("已办结，等待居民评价。"),
)
event_rate_view = _action_view(
    "rate",
    form=_posted(forms.RateForm, "rate"),
    run=_with(services.event_rate, "rating", "comment"),
    done=_rated_message,
    doc="The reporter, signed in, rates the result (1–2 reopens it).",
)
event_return_visit_view = _action_view(
    "return_visit",
    form=_posted(forms.RateForm, "visit"),
    run=_with(services.event_return_visit, "rating", "comment"),
    done=_rated_message,
    doc="Staff record the rating the reporter gave on a return visit or call (回访).",
)
event_return_view = _action_view(
    "return",
    form=_posted(forms.ReasonForm, "return"),
    run=_with(services.event_return, "reason"),
    done=lambda event: _("已退回，工作人员将重新派单。"),
    after=lambda event: redirect("grids:tasks"),
    doc="A handler sends back a task dispatched to the wrong unit (退回), with the reason.",
)
event_redispatch_view = _action_view(
    "redispatch",
    form=lambda request, event: _redispatch_form(request.user, event, request.POST),
    run=_with(services.event_redispatch, "department", "reason"),
    done=lambda event: _("已改派至%(department)s。") % {"department": event.department.localized_name},
)
event_urge_view = _action_view(
    "urge",
    form=_posted(forms.NoteForm, "urge"),
    run=_urge,
    done=lambda event: _("已催办%(department)s。") % {"department": event.department.localized_name},
)
event_withdraw_view = _action_view(
    "withdraw",
    form=_posted(forms.ReasonForm, "withdraw"),
    run=_with(services.event_withdraw, "reason"),
    done=lambda event: _("事件已撤销。"),
)
