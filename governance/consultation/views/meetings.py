"""Meeting pages (phone first): the list, scheduling one, the live meeting page and its actions
(open, conclude, cancel, invite, sign in, agenda, minutes)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance.consultation import forms, policies, selectors, services
from governance.consultation.models import Meeting, Suggestion
from governance.consultation.views.common import (
    _council_areas_for,
    _form_errors,
    _home_areas_for,
    _may_convene,
    _organizations_for,
    _run,
    _run_form,
    _top_items,
)
from governance.models import Area, Department
from governance.permissions import any_portal_user
from governance.selectors import visible_users


@require_GET
@any_portal_user
def meeting_list_view(request: HttpRequest) -> HttpResponse:
    meetings = selectors.meeting_list(user=request.user, status=request.GET.get("status", ""))[:100]
    now = timezone.now()
    upcoming = [
        m for m in meetings if m.ends_at >= now and m.status in (Meeting.Status.PLANNED, Meeting.Status.IN_SESSION)
    ]
    past = [m for m in meetings if m not in upcoming]
    areas = _home_areas_for(request.user)
    return render(
        request,
        "consultation/meeting_list.html",
        {
            "upcoming": upcoming[::-1],
            "past": past,
            "may_convene": _may_convene(request.user),
            "feeds": areas,
            "compounds": [a for a in areas if a.level == Area.Level.COMPOUND],
        },
    )


@require_http_methods(["GET", "POST"])
@any_portal_user
def meeting_new_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    policies.meeting_convene_can(user=user).raise_for_page()
    form = forms.MeetingForm(
        request.POST or None, organizations=_organizations_for(user), areas=_council_areas_for(user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        policies.meeting_create_can(user=user, organization=data["organization"], area=data["area"]).raise_for_page()
        try:
            meeting = services.meeting_create(actor=user, **data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("会议已安排，请邀请参会人并列入议程。"))
            return redirect("consultation:meeting_detail", pk=meeting.pk)
    return render(request, "consultation/meeting_new.html", {"form": form})


def _detail_context(request: HttpRequest, meeting: Meeting) -> dict:
    user = request.user
    allowed = policies.meeting_actions_allowed(user=user, meeting=meeting)
    attendance = selectors.attendance_for(meeting=meeting)
    runner = "open" in allowed
    me = meeting.participants.filter(user=user).first()
    agenda = selectors.agenda_outline(meeting=meeting)
    live = meeting.status == Meeting.Status.IN_SESSION
    context = {
        "meeting": meeting,
        "allowed": allowed,
        "runner": runner,
        "me": me,
        "attendance": attendance.rows(),
        "present": attendance.present,
        "quorum": selectors.quorum_for(meeting=meeting),
        "agenda": agenda,
        "participants": list(meeting.participants.select_related("user")) if runner else [],
        "resolutions": list(meeting.resolutions.select_related("responsible_department")),
        "show_minutes": "read_minutes" in allowed and (meeting.minutes_published or runner or me is not None),
        "live": live,
        "sign_in_open": services.sign_in_open(meeting),
        "timeline": list(meeting.timeline.select_related("actor")) if runner else [],
    }
    if runner:
        open_meeting = meeting.status in (Meeting.Status.PLANNED, Meeting.Status.IN_SESSION)
        context.update(
            invite_form=forms.InviteForm(people=visible_users(user=user).order_by("username"))
            if open_meeting
            else None,
            item_form=forms.AgendaItemForm(
                initial={"agenda_version": meeting.agenda_version},
                suggestions=selectors.visible_suggestions(user=user).filter(status=Suggestion.Status.OPEN),
                departments=Department.objects.filter(is_active=True).order_by("name"),
                parents=_top_items(meeting),
            )
            if open_meeting
            else None,
            arrange=open_meeting and "arrange_agenda" in allowed,
            move_form=forms.AgendaMoveForm(parents=_top_items(meeting)) if open_meeting else None,
            vote_form=forms.VoteForm() if live else None,
            cancel_form=forms.CancelForm() if meeting.status == Meeting.Status.PLANNED else None,
            minutes_form=forms.MinutesForm(initial={"text": meeting.minutes})
            if meeting.status in (Meeting.Status.IN_SESSION, Meeting.Status.CONCLUDED) and not meeting.minutes_published
            else None,
        )
    if me is not None:
        context["personal_calendar"] = request.build_absolute_uri(
            reverse("consultation:personal_calendar", args=[selectors.personal_calendar_token(user=user)])
        )
    if me is not None and me.signed_in_at is None and live:
        context["sign_in_form"] = forms.SignInForm()
    if meeting.minutes_sent_at is not None:
        confirmation = selectors.minutes_confirmation(meeting=meeting)
        context["confirmation"] = confirmation if runner else None
        window_open = not meeting.minutes_published and timezone.now() < meeting.confirm_by
        context["reply_form"] = (
            forms.MinutesReplyForm()
            if window_open and "confirm_minutes" in allowed and any(u.pk == user.pk for u in confirmation.pending)
            else None
        )
        context["show_minutes"] = context["show_minutes"] or "confirm_minutes" in allowed
    return context


@require_GET
@any_portal_user
def meeting_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
    return render(request, "consultation/meeting_detail.html", _detail_context(request, meeting))


ACTION_FOR = {
    "open": "open",
    "conclude": "conclude",
    "cancel": "cancel",
    "invite": "invite",
    "sign-in": "sign_in",
    "sign-in-other": "sign_in_other",
    "agenda": "add_item",
    "minutes": "write_minutes",
    "send": "send_minutes",
    "confirm": "confirm_minutes",
    "publish": "publish_minutes",
}


@require_POST
@any_portal_user
def meeting_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = request.user
    meeting = selectors.meeting_get_for_user(user=user, pk=pk)
    policy_action = ACTION_FOR.get(action)
    if policy_action is None:
        raise Http404
    policies.meeting_can(user=user, action=policy_action, meeting=meeting).raise_for_page()
    post = request.POST
    if action == "open":
        _run(request, lambda: services.meeting_open(actor=user, meeting=meeting), _("会议开始，请参会人凭签到码签到。"))
    elif action == "conclude":
        _run(
            request, lambda: services.meeting_conclude(actor=user, meeting=meeting), _("会议已结束，请撰写并公布纪要。")
        )
    elif action == "cancel":
        _run_form(
            request,
            forms.CancelForm(post),
            lambda data: services.meeting_cancel(actor=user, meeting=meeting, reason=data["reason"]),
            _("会议已取消。"),
        )
    elif action == "invite":
        _run_form(
            request,
            forms.InviteForm(post, people=visible_users(user=user)),
            lambda data: services.participant_add(actor=user, meeting=meeting, **data),
            _("已邀请。"),
        )
    elif action == "sign-in":
        _run_form(
            request,
            forms.SignInForm(post),
            lambda data: services.meeting_sign_in(user=user, meeting=meeting, code=data["code"]),
            _("签到成功。"),
        )
    elif action == "sign-in-other":
        participant = meeting.participants.select_related("meeting", "user").filter(pk=post.get("participant")).first()
        if participant is None:
            raise Http404
        _run(
            request,
            lambda: services.participant_sign_in_by_staff(actor=user, participant=participant),
            _("已代为签到。"),
        )
    elif action == "agenda":
        form = forms.AgendaItemForm(
            post,
            suggestions=selectors.visible_suggestions(user=user),
            departments=Department.objects.filter(is_active=True),
            parents=_top_items(meeting),
        )
        _run_form(
            request, form, lambda data: services.agenda_item_add(actor=user, meeting=meeting, **data), _("已列入议程。")
        )
    elif action == "minutes":
        _run_form(
            request,
            forms.MinutesForm(post),
            lambda data: services.meeting_minutes_save(actor=user, meeting=meeting, text=data["text"]),
            _("纪要已保存。"),
        )
    elif action == "send":
        _run(request, lambda: services.meeting_minutes_send(actor=user, meeting=meeting), _("纪要已送参会人确认。"))
    elif action == "confirm":
        form = forms.MinutesReplyForm(post)
        if form.is_valid():
            objection = form.cleaned_data["objection"] if post.get("object") else ""
            if post.get("object") and not objection.strip():
                messages.error(request, _("请写明异议内容。"))
            else:
                _run(
                    request,
                    lambda: services.meeting_minutes_reply(user=user, meeting=meeting, objection=objection),
                    _("已提交异议，召集方会处理。") if objection else _("已确认纪要。"),
                )
        else:
            _form_errors(request, form)
    elif action == "publish":
        _run(request, lambda: services.meeting_minutes_publish(actor=user, meeting=meeting), _("纪要已公布。"))
    return redirect("consultation:meeting_detail", pk=meeting.pk)
