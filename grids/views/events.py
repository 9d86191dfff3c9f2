"""Event detail, the scoped photo and the transition actions."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from governance.exceptions import Conflict, DomainError
from governance.masking import mask_phone
from governance.permissions import any_portal_user
from governance.selectors import dispatchable_departments
from grids import forms, policies, selectors, services
from grids.models import Event, EventPhoto
from grids.views._common import (
    S,
    apply_errors,
    clock_for,
    conflict_message,
    map_payload,
    map_settings,
    photo_response,
    window_text,
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
