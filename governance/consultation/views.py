"""Consultation pages (phone first): meetings, the live meeting page, minutes PDF, calendar feed,
resolutions tracker and the topic form. Same selectors, policies and services as the API; a
refusal is shown as a message on the page it came from (post → redirect → get)."""

import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance import home
from governance.consultation import documents, forms, policies, selectors, services
from governance.consultation.models import Meeting, Seat, ServiceItem, Suggestion, SuggestionSupport
from governance.exceptions import DomainError
from governance.models import Area, Department, PartyOrganization, Role, User
from governance.permissions import any_portal_user
from governance.selectors import area_ancestors, jurisdiction_q, visible_party_organizations, visible_users

COUNCIL_LEVELS = (Area.Level.COMPOUND, Area.Level.COMMUNITY)


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return getattr(exc, "detail", str(exc))


def _run(request: HttpRequest, call, success: str = "") -> bool:
    """Call a service; a refusal becomes an error message on the next page."""
    try:
        call()
    except (DomainError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
        return False
    if success:
        messages.success(request, success)
    return True


def _form_errors(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


# --- Scopes for the forms ---------------------------------------------------------------------


def _organizations_for(user):
    return (
        PartyOrganization.objects.filter(
            Q(pk__in=visible_party_organizations(user=user).values("pk")) | Q(secretary=user)
        )
        .select_related("area")
        .order_by("area__path", "id")
    )


def _council_areas_for(user):
    """Compounds and communities a person may convene for: under their staff posts, or under an
    organisation they are secretary of."""
    q = jurisdiction_q(user=user, path_field="path", roles=set(policies.STAFF_ROLES))
    for path in PartyOrganization.objects.filter(secretary=user).values_list("area__path", flat=True):
        q |= Q(path__startswith=path)
    return Area.objects.filter(q, level__in=COUNCIL_LEVELS).order_by("path")


def _home_areas_for(user):
    """Compounds and communities a person lives in or serves (topics are proposed to these)."""
    return Area.objects.filter(selectors.area_scope_q(user=user, path_field="path"), level__in=COUNCIL_LEVELS).order_by(
        "path"
    )


def _may_convene(user) -> bool:
    return policies.meeting_convene_can(user=user).allowed


# --- Home card ----------------------------------------------------------------------------------


def consultation_cards(user, roles: set[str]) -> list[home.Card]:
    if not (roles & {Role.RESIDENT, Role.COMMUNITY_STAFF, Role.STREET_SUPERVISOR, Role.ADMIN, Role.DEPARTMENT_HANDLER}):
        return []
    upcoming = selectors.visible_meetings(user=user).filter(
        status__in=[Meeting.Status.PLANNED, Meeting.Status.IN_SESSION], ends_at__gte=timezone.now()
    )
    count = upcoming.count()
    overdue = selectors.overdue_resolutions(user=user).count()
    body = _("即将召开 %(n)d 场议事会议。") % {"n": count} if count else _("近期没有安排议事会议。")
    if overdue:
        body += _("有 %(n)d 项决议已逾期。") % {"n": overdue}
    return [
        home.Card(
            title=_("红色议事厅"),
            body=body,
            url=reverse("consultation:meetings"),
            action=_("查看会议"),
            count=count,
            priority=30,
            tone="danger" if overdue else "normal",
        )
    ]


# --- Meetings -----------------------------------------------------------------------------------


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


def _top_items(meeting: Meeting):
    return meeting.agenda.filter(parent__isnull=True).order_by("order", "id")


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
        form = forms.CancelForm(post)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            _run(
                request, lambda: services.meeting_cancel(actor=user, meeting=meeting, reason=reason), _("会议已取消。")
            )
        else:
            _form_errors(request, form)
    elif action == "invite":
        form = forms.InviteForm(post, people=visible_users(user=user))
        if form.is_valid():
            _run(
                request,
                lambda: services.participant_add(actor=user, meeting=meeting, **form.cleaned_data),
                _("已邀请。"),
            )
        else:
            _form_errors(request, form)
    elif action == "sign-in":
        form = forms.SignInForm(post)
        if form.is_valid():
            code = form.cleaned_data["code"]
            _run(request, lambda: services.meeting_sign_in(user=user, meeting=meeting, code=code), _("签到成功。"))
        else:
            _form_errors(request, form)
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
        if form.is_valid():
            data = form.cleaned_data
            _run(request, lambda: services.agenda_item_add(actor=user, meeting=meeting, **data), _("已列入议程。"))
        else:
            _form_errors(request, form)
    elif action == "minutes":
        form = forms.MinutesForm(post)
        if form.is_valid():
            text = form.cleaned_data["text"]
            _run(
                request,
                lambda: services.meeting_minutes_save(actor=user, meeting=meeting, text=text),
                _("纪要已保存。"),
            )
        else:
            _form_errors(request, form)
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


@require_POST
@any_portal_user
def item_vote_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.agenda_item_get_for_user(user=request.user, pk=pk)
    policies.meeting_can(user=request.user, action="vote", meeting=item.meeting).raise_for_page()
    form = forms.VoteForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _run(request, lambda: services.agenda_item_vote(actor=request.user, item=item, **data), _("表决结果已录入。"))
    else:
        _form_errors(request, form)
    return redirect("consultation:meeting_detail", pk=item.meeting_id)


@require_POST
@any_portal_user
def item_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Up / down among its siblings, or to a place under another item; the page's agenda version
    goes along, so a staff member looking at an agenda someone else just changed is asked to refresh."""
    item = selectors.agenda_item_get_for_user(user=request.user, pk=pk)
    policies.meeting_can(user=request.user, action="arrange_agenda", meeting=item.meeting).raise_for_page()
    form = forms.AgendaMoveForm(request.POST, parents=_top_items(item.meeting))
    if form.is_valid():
        data = form.cleaned_data
        _run(request, lambda: services.agenda_item_move(actor=request.user, item=item, **data), _("议程顺序已调整。"))
    else:
        _form_errors(request, form)
    return redirect(reverse("consultation:meeting_detail", args=[item.meeting_id]) + "#agenda-title")


# --- QR sign-in: the staff project the code, participants scan it with their phones ------------------


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


# --- Resolutions and topics -----------------------------------------------------------------------


@require_GET
@any_portal_user
def resolutions_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    rows = list(
        selectors.visible_resolutions(user=user)
        .prefetch_related("service_items__compound")
        .order_by("status", "due_date", "id")[:200]
    )
    for r in rows:
        r.can_progress = policies.resolution_can(user=user, action="progress", resolution=r).allowed
    return render(
        request,
        "consultation/resolutions.html",
        {
            "overdue": [r for r in rows if r.is_overdue],
            "resolutions": rows,
            "progress_form": forms.ProgressForm(),
            "subtask_form": forms.SubtaskForm(),
        },
    )


@require_POST
@any_portal_user
def resolution_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    resolution = selectors.resolution_get_for_user(user=request.user, pk=pk)
    policies.resolution_can(user=request.user, action="progress", resolution=resolution).raise_for_page()
    form = forms.ProgressForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _run(
            request,
            lambda: services.resolution_progress(actor=request.user, resolution=resolution, **data),
            _("进度已更新。"),
        )
    else:
        _form_errors(request, form)
    return redirect(reverse("consultation:resolutions") + f"#resolution-{resolution.pk}")


@require_http_methods(["GET", "POST"])
@any_portal_user
def topics_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    areas = _home_areas_for(user)
    form = forms.SuggestionForm(request.POST or None, areas=areas)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        policies.suggestion_create_can(user=user, area=data["area"]).raise_for_page()
        if _run(request, lambda: services.suggestion_create(author=user, **data), _("议题已提交，感谢您的建议。")):
            return redirect("consultation:topics")
    topics = list(selectors.visible_suggestions(user=user)[:100])
    supported = set(
        SuggestionSupport.objects.filter(user=user, suggestion__in=topics).values_list("suggestion_id", flat=True)
    )
    for topic in topics:
        topic.may_support = (
            topic.author_id != user.pk
            and topic.pk not in supported
            and policies.suggestion_support_can(user=user, suggestion=topic).allowed
        )
        topic.supported = topic.pk in supported
    return render(request, "consultation/topics.html", {"form": form, "topics": topics})


@require_POST
@any_portal_user
def topic_support_view(request: HttpRequest, pk: int) -> HttpResponse:
    topic = selectors.visible_suggestions(user=request.user).filter(pk=pk).first()
    if topic is None:
        raise Http404
    policies.suggestion_support_can(user=request.user, suggestion=topic).raise_for_page()
    _run(request, lambda: services.suggestion_support(user=request.user, suggestion=topic), _("已附议。"))
    return redirect("consultation:topics")


@require_POST
@any_portal_user
def resolution_subtask_view(request: HttpRequest, pk: int) -> HttpResponse:
    resolution = selectors.resolution_get_for_user(user=request.user, pk=pk)
    policies.resolution_can(user=request.user, action="subtask", resolution=resolution).raise_for_page()
    form = forms.SubtaskForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _run(
            request,
            lambda: services.resolution_subtask_add(actor=request.user, parent=resolution, **data),
            _("已分解子任务。"),
        )
    else:
        _form_errors(request, form)
    return redirect(reverse("consultation:resolutions") + f"#resolution-{resolution.pk}")


# --- Red property: compound page, ratings, a person's seats -----------------------------------------


@require_GET
@any_portal_user
def compound_view(request: HttpRequest, code: str) -> HttpResponse:
    """The compound's service list (rate this month), scorecard, fee plans and its three bodies' seats."""
    user = request.user
    compound = selectors.compound_get_for_user(user=user, code=code)
    items = list(
        ServiceItem.objects.filter(compound=compound, is_published=True)
        .select_related("provider", "resolution")
        .order_by("kind", "id")
    )
    month = timezone.localdate().replace(day=1)
    may_rate = policies.service_item_rate_can(user=user, item=items[0]).allowed if items else False
    rated = selectors.rated_item_ids(user=user, month=month) if may_rate else set()
    seats = selectors.compound_seats(compound=compound)
    plans = selectors.fee_plans_for(compound=compound)
    return render(
        request,
        "consultation/compound.html",
        {
            "compound": compound,
            "items": items,
            "month": month,
            "may_rate": may_rate,
            "rated": rated,
            "rating_form": forms.RatingForm(),
            "scorecard": selectors.scorecard(items=items, month=month)
            if policies.compound_can(user=user, action="scorecard", compound=compound)
            else None,
            "plan": plans[0] if plans else None,
            "previous_plan": plans[1] if len(plans) > 1 else None,
            "seats": seats,
            "cross": selectors.cross_holders(seats),
            "volunteers": selectors.volunteers_in(compound=compound),
            **_manage_forms(user, compound),
        },
    )


def _manage_forms(user, compound: Area, **bound) -> dict:
    """The forms a manager of the compound sees (service item, fee plan); none for anyone else."""
    if not policies.compound_can(user=user, action="manage", compound=compound):
        return {}
    return {
        "service_form": bound.get("service_form")
        or forms.ServiceItemForm(
            providers=Department.objects.filter(is_active=True, kind=Department.Kind.PROPERTY).order_by("name"),
            resolutions=selectors.visible_resolutions(user=user).filter(
                area__path__in=[a.path for a in area_ancestors(area=compound)]
            ),
        ),
        "fee_form": bound.get("fee_form") or forms.FeePlanForm(),
    }


@require_POST
@any_portal_user
def compound_service_add_view(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    compound = selectors.compound_get_for_user(user=user, code=code)
    policies.compound_can(user=user, action="manage", compound=compound).raise_for_page()
    form = forms.ServiceItemForm(
        request.POST,
        providers=Department.objects.filter(is_active=True, kind=Department.Kind.PROPERTY),
        resolutions=selectors.visible_resolutions(user=user),
    )
    if form.is_valid():
        data = form.cleaned_data
        _run(
            request,
            lambda: services.service_item_create(actor=user, compound=compound, **data),
            _("服务项目已加入清单。"),
        )
    else:
        _form_errors(request, form)
    return redirect("consultation:compound", code=compound.code)


@require_POST
@any_portal_user
def compound_fee_plan_add_view(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    compound = selectors.compound_get_for_user(user=user, code=code)
    policies.compound_can(user=user, action="manage", compound=compound).raise_for_page()
    form = forms.FeePlanForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _run(request, lambda: services.fee_plan_create(actor=user, compound=compound, **data), _("经费方案已公布。"))
    else:
        _form_errors(request, form)
    return redirect("consultation:compound", code=compound.code)


@require_POST
@any_portal_user
def service_rate_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.service_item_get_for_user(user=request.user, pk=pk)
    policies.service_item_rate_can(user=request.user, item=item).raise_for_page()
    form = forms.RatingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _run(
            request,
            lambda: services.service_item_rate(resident=request.user, item=item, **data),
            _("感谢您的评价。"),
        )
    else:
        _form_errors(request, form)
    return redirect("consultation:compound", code=item.compound.code)


@require_GET
@any_portal_user
def person_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk, is_active=True)
    policies.person_seats_can(user=request.user, person=person).raise_for_page()
    seats = selectors.seats_of(person=person)
    return render(
        request,
        "consultation/person.html",
        {"person": person, "seats": seats, "cross": selectors.is_cross_holding(seats)},
    )


# --- Staff: the compound's seats (双向进入、交叉任职) and its 红色管家 volunteers ---------------------


def _managed_compound(request: HttpRequest, code: str) -> Area:
    compound = selectors.compound_get_for_user(user=request.user, code=code)
    policies.compound_can(user=request.user, action="manage", compound=compound).raise_for_page()
    return compound


def _seat_form(user, compound: Area, data=None) -> forms.SeatForm:
    return forms.SeatForm(
        data,
        people=visible_users(user=user).filter(is_active=True).order_by("username"),
        organizations=selectors.compound_party_organizations(compound=compound),
        companies=selectors.compound_property_companies(compound=compound),
    )


@require_http_methods(["GET", "POST"])
@any_portal_user
def compound_seats_view(request: HttpRequest, code: str) -> HttpResponse:
    """Staff: who sits in the compound's party organisations, owners' committee and property
    company; people in more than one body (交叉任职) are marked; seat someone, or end a seat."""
    user = request.user
    compound = _managed_compound(request, code)
    form = _seat_form(user, compound, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            if _run(
                request,
                lambda: services.seat_assign(actor=user, compound=compound, **data),
                _("已登记任职：%(name)s。") % {"name": data["person"].display_name},
            ):
                return redirect("consultation:compound_seats", code=compound.code)
        else:
            _form_errors(request, form)
    seats = selectors.compound_seats(compound=compound)
    holders = selectors.seat_holders(seats)
    bodies = [(value, label, [seat for seat in seats if seat.body == value]) for value, label in Seat.Body.choices]
    return render(
        request,
        "consultation/compound_seats.html",
        {
            "compound": compound,
            "bodies": bodies,
            "holders": holders,
            "cross": [h for h in holders.values() if h.cross],
            "cross_ids": {pk for pk, h in holders.items() if h.cross},
            "form": form,
        },
    )


@require_POST
@any_portal_user
def compound_seat_end_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    compound = _managed_compound(request, code)
    seat = selectors.compound_seat_get(compound=compound, pk=pk)
    _run(
        request,
        lambda: services.seat_end(actor=request.user, seat=seat),
        _("%(name)s 已卸任%(where)s%(position)s。")
        % {"name": seat.person.display_name, "where": seat.where, "position": seat.get_position_display()},
    )
    return redirect("consultation:compound_seats", code=compound.code)


@require_http_methods(["GET", "POST"])
@any_portal_user
def compound_volunteers_view(request: HttpRequest, code: str) -> HttpResponse:
    """Staff: the compound's 红色管家 volunteers by building; assign one, or take one off duty."""
    user = request.user
    compound = _managed_compound(request, code)
    buildings = selectors.compound_buildings(compound=compound)
    form = forms.VolunteerForm(
        request.POST or None,
        people=visible_users(user=user).filter(is_active=True).order_by("username"),
        buildings=buildings,
    )
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            if _run(
                request,
                lambda: services.volunteer_assign(actor=user, **data),
                _("已安排 %(name)s 为%(building)s的红色管家。")
                % {"name": data["person"].display_name, "building": data["building"].name},
            ):
                return redirect("consultation:compound_volunteers", code=compound.code)
        else:
            _form_errors(request, form)
    volunteers = list(selectors.volunteers_in(compound=compound))
    by_building = [(b, [v for v in volunteers if v.building_id == b.pk]) for b in buildings]
    return render(
        request,
        "consultation/compound_volunteers.html",
        {"compound": compound, "by_building": by_building, "count": len(volunteers), "form": form},
    )


@require_POST
@any_portal_user
def compound_volunteer_end_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    compound = _managed_compound(request, code)
    volunteer = selectors.compound_volunteer_get(compound=compound, pk=pk)
    _run(
        request,
        lambda: services.volunteer_end(actor=request.user, volunteer=volunteer),
        _("%(name)s 已离岗。") % {"name": volunteer.person.display_name},
    )
    return redirect("consultation:compound_volunteers", code=compound.code)
