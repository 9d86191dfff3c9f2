"""QR sign-in: the staff project the code, participants scan it with their phones."""

import io

import segno
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from governance.consultation import policies, selectors, services
from governance.consultation.models import Meeting
from governance.consultation.views.common import (
    _run,
)
from governance.permissions import any_portal_user


def _scan_url(request: HttpRequest, meeting: Meeting) -> str:
    """What the meeting's QR code carries: the sign-in page with the current code in it."""
    return request.build_absolute_uri(reverse("consultation:scan_sign_in", args=[meeting.pk, meeting.sign_in_code]))


def _qr_svg(text: str) -> bytes:
    buffer = io.BytesIO()
    segno.make_qr(text, error="m").save(buffer, kind="svg", scale=8, border=2, xmldecl=False, dark="#1a1a1a")
    return buffer.getvalue()


def _runner_meeting_in_session(request: HttpRequest, pk: int) -> Meeting:
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
    policies.meeting_can(user=request.user, action="show_sign_in_qr", meeting=meeting).raise_for_page()
    if not services.sign_in_open(meeting):
        raise Http404(_("签到未开放：会议开始后才显示签到二维码。"))
    return meeting


@require_GET
@any_portal_user
def sign_in_qr_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The QR code and the 6-character code, big, for projecting at the meeting (staff)."""
    meeting = _runner_meeting_in_session(request, pk)
    attendance = selectors.attendance_for(meeting=meeting)
    response = render(
        request,
        "consultation/sign_in_qr.html",
        {
            "meeting": meeting,
            "scan_url": _scan_url(request, meeting),
            "present": attendance.present,
            "invited": sum(invited for _g, _l, invited, _s in attendance.rows()),
            "closes_at": services.sign_in_closes_at(meeting),
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@any_portal_user
def sign_in_qr_svg_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The QR image (SVG, made on the server with segno) of the meeting's sign-in page."""
    meeting = _runner_meeting_in_session(request, pk)
    response = HttpResponse(_qr_svg(_scan_url(request, meeting)), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"  # the code changes when the meeting re-opens
    return response


@require_http_methods(["GET", "POST"])
@any_portal_user
def scan_sign_in_view(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """Where the QR code leads: the participant (signed in on their phone; the login page brings
    them back here) confirms with one tap. Once per person, only within the sign-in window."""
    user = request.user
    meeting = selectors.meeting_get_for_user(user=user, pk=pk)
    policies.meeting_can(user=user, action="sign_in", meeting=meeting).raise_for_page()
    if request.method == "POST":
        if _run(
            request,
            lambda: services.meeting_sign_in(user=user, meeting=meeting, code=code, via=services.SignIn.QR),
            _("签到成功。"),
        ):
            return redirect("consultation:meeting_detail", pk=meeting.pk)
        return redirect("consultation:scan_sign_in", pk=meeting.pk, code=code)
    me = meeting.participants.filter(user=user).first()
    problem = ""
    if me is not None and me.signed_in_at is None:
        if not services.sign_in_open(meeting):
            problem = _("签到未开放或已截止：会议进行中才能扫码签到。")
        elif code.strip().upper() != meeting.sign_in_code:
            problem = _("二维码已失效（会议重新开始后签到码已更换），请扫描会场当前显示的二维码。")
    return render(request, "consultation/scan.html", {"meeting": meeting, "me": me, "code": code, "problem": problem})
