"""Documents and feeds: the minutes PDF and the iCalendar feeds (public per area, personal at a secret URL)."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from governance.consultation import documents, policies, selectors
from governance.consultation.views.common import (
    COUNCIL_LEVELS,
)
from governance.models import Area
from governance.permissions import any_portal_user


@require_GET
@any_portal_user
def minutes_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
    policies.meeting_can(user=request.user, action="read_minutes", meeting=meeting).raise_for_page()
    response = HttpResponse(documents.minutes_pdf(meeting=meeting), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="minutes-{meeting.pk}.pdf"'
    return response


@require_GET
@login_not_required
def personal_calendar_view(request: HttpRequest, token: str) -> HttpResponse:
    """The meetings one person is invited to, at the secret URL shown on their meeting pages."""
    person = selectors.personal_calendar_user(token=token)
    if person is None:
        raise Http404
    body = documents.meetings_ics(
        meetings=selectors.personal_meetings(user=person)[:500],
        calendar_name=_("我的议事会议"),
        host=request.get_host().split(":")[0] or "portal",
    )
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@require_GET
@login_not_required
def calendar_view(request: HttpRequest) -> HttpResponse:
    """The public feed of a compound or community: ``/consultation/meetings.ics?area=<code>``."""
    area = Area.objects.filter(code=request.GET.get("area", ""), level__in=COUNCIL_LEVELS).first()
    if area is None:
        raise Http404(_("请用 ?area= 指定小区或社区编码。"))
    body = documents.meetings_ics(
        meetings=selectors.public_meetings(area=area)[:500],
        calendar_name=_("%(area)s · 红色议事厅") % {"area": area.name},
        host=request.get_host().split(":")[0] or "portal",
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{area.code}.ics"'
    return response
