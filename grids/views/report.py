"""The report form (上报): a phone-first page with the map, photos kept across a failed post."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from governance.exceptions import DomainError
from governance.permissions import require_roles
from grids import forms, policies, selectors, services
from grids.models import Event
from grids.views._common import (
    MAP_GRID_LIMIT,
    apply_errors,
    map_payload,
    map_settings,
)
from grids.views._pending import pending_drop, pending_keep, pending_load


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
