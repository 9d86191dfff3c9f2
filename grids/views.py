"""Grid management pages: the same services and selectors as the API."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from grids import selectors
from grids.services import time_left_state


@require_GET
def event_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    return render(
        request,
        "grids/event_detail.html",
        {
            "event": event,
            "timeline": selectors.event_timeline(event=event),
            "time_left": time_left_state(event=event),
        },
    )
