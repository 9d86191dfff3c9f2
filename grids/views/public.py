"""Public pages, no sign-in: tracking by code with rating, and the efficiency index."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, F, Max
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from governance.exceptions import Conflict, DomainError
from grids import forms, selectors, services
from grids.models import DepartmentScore
from grids.views._common import (
    S,
    apply_errors,
    duration_text,
    photo_response,
)

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
@require_GET
def track_view(request: HttpRequest, code: str) -> HttpResponse:
    """The code is public (Open311 lists it): status and history only, no names, no actions."""
    event = selectors.event_get_public(code=code)
    # Kinds, statuses and times; no actor. Only the notes of a result or a stop, masked in the
    # template (they may name people).
    entries = list(
        selectors.event_timeline(event=event).values("kind", "from_status", "to_status", "level", "created_at", "note")
    )
    for entry in entries:
        if entry["kind"] != "transition" or entry["to_status"] not in selectors.PUBLIC_NOTE_STATUSES:
            entry["note"] = ""
    return render(
        request,
        "grids/track.html",
        {"event": event, "entries": entries, "photos": list(selectors.event_public_photos(event=event))},
    )


@login_not_required
@require_GET
def track_photo_view(request: HttpRequest, code: str, photo_pk: int) -> FileResponse:
    """An after-photo of a public-category event, for anyone holding the tracking code."""
    event = selectors.event_get_public(code=code)
    photo = selectors.event_public_photos(event=event).filter(pk=photo_pk).first()
    if photo is None:
        raise Http404
    response = photo_response(photo, fallback_type="image/jpeg", max_age=3600)
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def rate_by_link_view(request: HttpRequest, secret: str) -> HttpResponse:
    """The reporter's secret rating link (SMS, or shown once at report time): rate the result."""
    event = services.event_for_rating_secret(secret=secret)
    if event is None:
        raise Http404
    status = 200
    form = forms.RateForm()
    if request.method == "POST":
        form = forms.RateForm(request.POST)
        if form.is_valid():
            try:
                event = services.event_rate_by_link(
                    secret=secret, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
                )
            except Conflict as exc:
                messages.error(request, exc.detail)
                event = services.event_for_rating_secret(secret=secret)
                status = exc.status_code
            except (DomainError, ValidationError) as exc:
                apply_errors(form, exc)
            else:
                if event.status == S.REOPENED:
                    messages.warning(request, _("感谢您的评价。事件已重新打开，将由处置单位再次处理。"))
                else:
                    messages.success(request, _("感谢您的评价，事件已关闭。"))
                return redirect("grids:rate_by_link", secret=secret)
        if status == 200 and form.errors:
            status = 400
    response = render(request, "grids/rate_link.html", {"event": event, "form": form}, status=status)
    response["Referrer-Policy"] = "no-referrer"
    return response


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
        entry = by_department.setdefault(score.department_id, {"name": score.department.localized_name, "scores": {}})
        entry["scores"][score.month] = score.score
    trend_table = [
        {"name": d["name"], "cells": [d["scores"].get(m) for m in trend_months]} for d in by_department.values()
    ]
    last_computed = DepartmentScore.objects.aggregate(last=Max("computed_at"))["last"]
    month_computed = max((row.computed_at for row in rows), default=None)
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
            "month_computed": month_computed,
        },
    )
