"""Mediation pages (phone first) under /mediation/: the mediator's case list, the case page (parties
unmasked, every view audited), new case (walk-in, or from a grid event), session scheduling and
record, agreement, follow-up. Same selectors, policies and services as the API.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from governance import home
from governance.exceptions import DomainError
from governance.extensions import Link
from governance.models import Area, Role
from governance.permissions import any_portal_user, has_any_role
from governance.policy import deny
from governance.selectors import visible_areas
from mediation import documents, forms, policies, selectors, services, stats
from mediation.models import Case, FollowUp, JudicialConfirmation
from mediation.services.confirmation import confirmation_deadline

S = Case.Status
RISK_ORDER = {Case.Risk.HIGH: 0, Case.Risk.MEDIUM: 1, Case.Risk.LOW: 2}


def _errors(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return [str(m) for messages_ in exc.message_dict.values() for m in messages_]
        return [str(m) for m in exc.messages]
    return [str(getattr(exc, "detail", exc))]


def _apply_errors(form, exc: Exception) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        for message in _errors(exc):
            form.add_error(None, message)


def _urgency(case: Case, today) -> tuple:
    open_ = case.is_open
    days = (case.deadline - today).days if case.deadline else 9999
    return (not open_, RISK_ORDER.get(case.risk_level, 3) if open_ else 3, days, -case.pk)


def _with_public_status(cases) -> list[Case]:
    cases = list(cases)
    for case in cases:
        case.public_status = services.public_status(case)
    return cases


# --- Lists ----------------------------------------------------------------------------------


@require_http_methods(["GET"])
@any_portal_user
def case_list_view(request: HttpRequest) -> HttpResponse:
    """My cases by urgency (open, high risk and nearest deadline first) and my follow-ups this week."""
    user = request.user
    today = timezone.localdate()
    status = request.GET.get("status") or None
    cases = sorted(selectors.case_list(user=user, status=status)[:200], key=lambda c: _urgency(c, today))
    return render(
        request,
        "mediation/case_list.html",
        {
            "cases": cases,
            "today": today,
            "status": status,
            "statuses": S.choices,
            "follow_ups": selectors.my_follow_ups_due(user=user)[:50],
            "may_register": policies.may_register(user),
            "filed": _with_public_status(selectors.own_filed_cases(user=user)[:20])
            if policies.resident_only(user)
            else [],
        },
    )


# --- New case -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@any_portal_user
def case_new_view(request: HttpRequest) -> HttpResponse:
    """Register a case: walk-in / hotline / petition / court, or ``?event=<id>`` from a grid event."""
    user = request.user
    event_id = request.GET.get("event") or request.POST.get("event")
    event = None
    if event_id:
        event = selectors.event_for_conversion(user=user, pk=event_id)
        policies.event_convert_can(user=user, event=event).raise_for_page()
        existing = services.event_case(event=event)
        form = forms.CaseForm(
            request.POST or None, initial={"description": event.description, "type": Case.Type.NEIGHBOUR}
        )
    else:
        if not policies.may_register(user):
            deny("not_registrar_role", _("您的岗位不能登记调解案件。")).raise_for_page()
        existing = None
        areas = visible_areas(user=user, roles=set(policies.REGISTRAR_ROLES)).exclude(level=Area.Level.DISTRICT)
        form = forms.CaseNewForm(request.POST or None, areas=areas)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if event is not None:
                case = services.case_from_event(
                    event=event,
                    actor=user,
                    type=d["type"],
                    risk_level=d["risk_level"],
                    risk_reason=d["risk_reason"],
                    description=d["description"],
                    parties=form.parties(),
                )
            else:
                policies.case_register_can(user=user, area=d["area"], source=d["source"]).raise_for_page()
                case = services.case_register(
                    actor=user,
                    type=d["type"],
                    subtype=d["subtype"],
                    description=d["description"],
                    area=d["area"],
                    source=d["source"],
                    risk_level=d["risk_level"],
                    risk_reason=d["risk_reason"],
                    amount=d["amount"],
                    parties=form.parties(),
                    lead=user if policies.is_mediator(user) else None,
                )
        except (DomainError, ValidationError) as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已登记调解案件 %(number)s。") % {"number": case.number})
            if selectors.visible_cases(user=user).filter(pk=case.pk).exists():
                return redirect("mediation:case_detail", pk=case.pk)
            if event is not None:
                return redirect("grids:event_detail", pk=event.pk)
            return redirect("mediation:cases")
    return render(
        request,
        "mediation/case_new.html",
        {
            "form": form,
            "event": event,
            "existing": existing,
            "existing_status": services.public_status(existing) if existing else "",
        },
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@any_portal_user
def case_apply_view(request: HttpRequest) -> HttpResponse:
    """A resident files a dispute online for their own community; it arrives as registered and they
    follow its public-safe progress on /mediation/."""
    user = request.user
    communities = policies.resident_community_paths(user=user)
    if not communities:
        deny("not_resident", _("只有登记了住址的居民可以在线申请调解。")).raise_for_page()
    areas = Area.objects.filter(Q(*[Q(path__startswith=p) for p in communities], _connector=Q.OR))
    form = forms.ApplyForm(request.POST or None, areas=areas.order_by("path"))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        parties = [{"role": "applicant", "name": user.display_name, "phone": user.phone, "user": user}]
        if d["respondent_name"]:
            parties.append({"role": "respondent", "name": d["respondent_name"], "phone": d["respondent_phone"]})
        try:
            policies.case_register_can(user=user, area=d["area"], source=Case.Source.ONLINE).raise_for_page()
            case = services.case_register(
                actor=user, type=d["type"], description=d["description"], area=d["area"],
                source=Case.Source.ONLINE, parties=parties,
            )  # fmt: skip
        except (DomainError, ValidationError) as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, _("已提交调解申请，编号 %(number)s。调解组织将尽快与您联系。") % {"number": case.number}
            )
            return redirect("mediation:cases")
    return render(request, "mediation/apply.html", {"form": form}, status=400 if form.is_bound else 200)


# --- The case page --------------------------------------------------------------------------


def _case_page(request: HttpRequest, case: Case, *, status: int = 200, bound: dict | None = None) -> HttpResponse:
    user = request.user
    policies.case_can(user=user, action="view", case=case).raise_for_page()
    services.case_read_record(actor=user, case=case, part="page", request=request)
    allowed = policies.case_actions_allowed(user=user, case=case)
    agreement = selectors.case_agreement(case=case)
    confirmation = JudicialConfirmation.objects.filter(agreement=agreement).first() if agreement else None
    may_withdraw = (
        agreement is not None and confirmation is None and case.status == S.AGREED and "withdraw_signature" in allowed
    )
    targets = services.CASE_TRANSITIONS.get(case.status, frozenset())
    bound = bound or {}
    notes_visible = policies.channel_notes_visible(user=user, case=case)
    sessions = list(selectors.case_sessions(case=case))
    for session in sessions:
        session.notes_visible = notes_visible(session)
    moves = {
        "accept": S.ACCEPTED in targets and "accept" in allowed,
        "decline": S.DECLINED in targets and "decline" in allowed,
        "start": S.MEDIATING in targets and "start" in allowed,
        "fail": S.FAILED in targets and "fail" in allowed,
        "refer": S.REFERRED in targets and "refer" in allowed,
        "close": S.CLOSED in targets and "close" in allowed,
        "reopen": S.REOPENED in targets and "reopen" in allowed,
        "escalate": case.is_open and case.tier != "county" and "escalate" in allowed,
    }
    context = {
        "case": case,
        "parties": selectors.case_parties(case=case),
        "mediators": selectors.case_mediators(case=case),
        "timeline": selectors.case_timeline(case=case),
        "sessions": sessions,
        "follow_ups": selectors.case_follow_ups(case=case, agreement=agreement) if agreement else [],
        "agreement": agreement,
        "confirmation": confirmation,
        "confirmation_deadline": confirmation_deadline(agreement) if agreement else None,
        "confirmation_warning": services.confirmation_warning(agreement=agreement) if agreement else "",
        "allowed": allowed,
        "moves": moves,
        "today": timezone.localdate(),
        "public_status": services.public_status(case),
        "decline_form": bound.get("decline") or forms.ReasonForm(prefix="decline"),
        "fail_form": bound.get("fail") or forms.ReasonForm(prefix="fail"),
        "refer_form": bound.get("refer") or forms.ReferForm(prefix="refer"),
        "escalate_form": bound.get("escalate") or _escalate_form(case),
        "handed_over": policies.is_handed_over_reader(user=user, case=case),
        # (party, live signature or None, its withdrawal form when it may be withdrawn)
        "signatures": [
            (party, signature, _withdraw_form(signature, bound) if signature and may_withdraw else None)
            for party, signature in (selectors.agreement_signatures(case=case) if agreement else [])
        ],
        "withdrawn_signatures": selectors.withdrawn_signatures(agreement=agreement) if agreement else [],
        "earlier_agreements": selectors.case_earlier_agreements(case=case),
        "signature_form": (bound.get("record_signature") or _signature_form(case))
        if agreement and case.status == S.AGREED and "record_signature" in allowed
        else None,
        "assign_form": (
            bound.get("assign") or forms.AssignForm(prefix="assign", mediators=selectors.mediators_for(case=case))
        )
        if "assign" in allowed
        else None,
        "relations": selectors.case_relations(case=case),
        "relation_form": (bound.get("declare_relation") or _relation_form(case))
        if "declare_relation" in allowed
        else None,
        "confirmation_form": bound.get("confirmation") or forms.ConfirmationForm(prefix="jc"),
        "decide_form": bound.get("decide") or forms.DecideForm(prefix="jd"),
        "session_active": case.status in (S.ACCEPTED, S.MEDIATING, S.REOPENED),
    }
    return render(request, "mediation/case_detail.html", context, status=status)


@require_http_methods(["GET"])
@any_portal_user
def case_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, selectors.case_get_for_user(user=request.user, pk=pk))


def _case_action(
    request: HttpRequest, pk: int, *, action: str, form, run: Callable[[Case, dict], object], done: str
) -> HttpResponse:
    """One door for the case page's actions: scoped read (404), policy (403), form, service."""
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    policies.case_can(user=request.user, action=action, case=case).raise_for_page()
    if form.is_valid():
        try:
            run(case, form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            for message in _errors(exc):
                messages.error(request, message)
            status = getattr(exc, "status_code", 400)
            return _case_page(request, selectors.case_get_for_user(user=request.user, pk=pk), status=status)
        messages.success(request, done)
        if not selectors.visible_cases(user=request.user).filter(pk=pk).exists():
            # Escalated above the actor's own reach: the case page would now be a 404.
            messages.info(request, _("案件已移交上级调解中心，不在您的督办范围内。"))
            return redirect("mediation:cases")
        return redirect("mediation:case_detail", pk=pk)
    return _case_page(request, case, status=400, bound={action: form})


MOVE_FORMS = {
    "accept": (lambda p: forms.NoteForm(p), lambda c, u, d: services.case_accept(case=c, actor=u, note=d["note"])),
    "start": (lambda p: forms.NoteForm(p), lambda c, u, d: services.case_start(case=c, actor=u, note=d["note"])),
    "close": (lambda p: forms.NoteForm(p), lambda c, u, d: services.case_close(case=c, actor=u, note=d["note"])),
    "reopen": (lambda p: forms.NoteForm(p), lambda c, u, d: services.case_reopen(case=c, actor=u, note=d["note"])),
    "decline": (
        lambda p: forms.ReasonForm(p, prefix="decline"),
        lambda c, u, d: services.case_decline(case=c, actor=u, reason=d["reason"]),
    ),
    "fail": (
        lambda p: forms.ReasonForm(p, prefix="fail"),
        lambda c, u, d: services.case_fail(case=c, actor=u, reason=d["reason"]),
    ),
    "refer": (
        lambda p: forms.ReferForm(p, prefix="refer"),
        lambda c, u, d: services.case_refer(case=c, actor=u, to=d["to"], note=d["note"]),
    ),
    "escalate": (
        None,  # built per case (the mediators who may be kept on): _escalate_form
        lambda c, u, d: services.case_escalate(case=c, actor=u, **d),
    ),
}
DONE = {
    "accept": _("已受理。"),
    "start": _("已开始调解。"),
    "close": _("已结案。"),
    "reopen": _("已重新启动调解。"),
    "decline": _("已不予受理。"),
    "fail": _("已记录调解不成。"),
    "refer": _("已移交。"),
    "escalate": _("已移交上一级调解中心。"),
}


@require_POST
@any_portal_user
def case_move_view(request: HttpRequest, pk: int, move: str) -> HttpResponse:
    if move not in MOVE_FORMS:
        raise Http404
    make_form, call = MOVE_FORMS[move]
    if make_form is None:
        case = selectors.case_get_for_user(user=request.user, pk=pk)
        form = _escalate_form(case, request.POST)
    else:
        form = make_form(request.POST)
    return _case_action(
        request,
        pk,
        action=move,
        form=form,
        run=lambda case, d: call(case, request.user, d),
        done=DONE[move],
    )


@require_POST
@any_portal_user
def case_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    form = forms.AssignForm(request.POST, prefix="assign", mediators=selectors.mediators_for(case=case))
    return _case_action(
        request,
        pk,
        action="assign",
        form=form,
        run=lambda c, d: services.case_assign(case=c, mediator=d["mediator"], lead=d["lead"], actor=request.user),
        done=_("已指派调解员。"),
    )


def _escalate_form(case: Case, data=None) -> forms.EscalateForm:
    return forms.EscalateForm(data, prefix="escalate", mediators=selectors.acting_mediators(case_id=case.pk))


def _signature_form(case: Case, data=None) -> forms.SignatureForm | None:
    unsigned = selectors.unsigned_parties(case=case)
    if data is None and not unsigned:
        return None
    return forms.SignatureForm(
        data, prefix="sig", parties=selectors.case_parties(case=case).filter(pk__in=[p.pk for p in unsigned])
    )


@require_POST
@any_portal_user
def signature_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a party's signature on the agreement (in person, or after the fact by the mediator)."""
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    return _case_action(
        request,
        pk,
        action="record_signature",
        form=_signature_form(case, request.POST),
        run=lambda c, d: services.signature_record(
            case=c, actor=request.user, party=d["party"], signed_on=d["signed_on"], method=d["method"]
        ),
        done=_("已登记当事人签字。"),
    )


def _withdraw_form(signature, bound: dict | None = None, data=None) -> forms.ReasonForm:
    """One form per signature (its own prefix: the page has one per signed party)."""
    form = (bound or {}).get("withdraw_signature")
    if form is not None and form.prefix == f"withdraw{signature.pk}":
        return form
    return forms.ReasonForm(data, prefix=f"withdraw{signature.pk}")


@require_POST
@any_portal_user
def signature_withdraw_view(request: HttpRequest, pk: int, signature_pk: int) -> HttpResponse:
    """Withdraw a wrongly recorded signature, with a reason (the case's mediators only)."""
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    signature = selectors.signature_get(case=case, pk=signature_pk)
    return _case_action(
        request,
        pk,
        action="withdraw_signature",
        form=_withdraw_form(signature, data=request.POST),
        run=lambda c, d: services.signature_withdraw(
            case=c, actor=request.user, signature=signature, reason=d["reason"]
        ),
        done=_("已撤回该签字。"),
    )


def _relation_form(case: Case, data=None) -> forms.RelationForm:
    return forms.RelationForm(
        data,
        prefix="rel",
        parties=selectors.case_parties(case=case),
        mediators=selectors.mediators_for(case=case),
    )


@require_POST
@any_portal_user
def relation_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Declare a relationship between a party and another party or a mediator (recusal reads it)."""
    case = selectors.case_get_for_user(user=request.user, pk=pk)

    def run(c: Case, d: dict) -> None:
        services.relation_declare(
            case=c,
            actor=request.user,
            party=d["party"],
            relation=d["relation"],
            other_party=d["other_party"],
            other_user=d["other_user"],
        )
        if d["other_user"] is not None and selectors.is_case_mediator(user=d["other_user"], case=c):
            messages.warning(
                request,
                _("%(name)s 正在承办本案，与当事人存在已申报的关系，应当回避：请督办负责人另行指派。")
                % {"name": d["other_user"].display_name},
            )

    return _case_action(
        request,
        pk,
        action="declare_relation",
        form=_relation_form(case, request.POST),
        run=run,
        done=_("已申报当事人关系。"),
    )


@require_POST
@any_portal_user
def relation_remove_view(request: HttpRequest, pk: int, relation_pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    relation = selectors.case_relation_get(case=case, pk=relation_pk)
    return _case_action(
        request,
        pk,
        action="declare_relation",
        form=forms.NoteForm(request.POST),
        run=lambda c, d: services.relation_remove(case=c, actor=request.user, relation=relation),
        done=_("已撤回该关系申报。"),
    )


@require_POST
@any_portal_user
def confirmation_apply_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_action(
        request,
        pk,
        action="apply_confirmation",
        form=forms.ConfirmationForm(request.POST, prefix="jc"),
        run=lambda c, d: services.confirmation_apply(case=c, actor=request.user, **d),
        done=_("已登记司法确认申请。"),
    )


@require_POST
@any_portal_user
def confirmation_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_action(
        request,
        pk,
        action="decide_confirmation",
        form=forms.DecideForm(request.POST, prefix="jd"),
        run=lambda c, d: services.confirmation_decide(case=c, actor=request.user, **d),
        done=_("已登记司法确认结果。"),
    )


# --- Sessions, agreement, follow-up: forms of their own ------------------------------------


def _form_page(
    request: HttpRequest,
    *,
    case: Case,
    action: str,
    form,
    run: Callable[[dict], object],
    done: str,
    template: str,
    extra: dict | None = None,
) -> HttpResponse:
    policies.case_can(user=request.user, action=action, case=case).raise_for_page()
    if request.method == "POST" and form.is_valid():
        try:
            run(form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("mediation:case_detail", pk=case.pk)
    return render(
        request, template, {"case": case, "form": form, **(extra or {})}, status=400 if form.is_bound else 200
    )


@require_http_methods(["GET", "POST"])
@any_portal_user
def session_new_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    return _form_page(
        request,
        case=case,
        action="schedule_session",
        form=forms.SessionForm(request.POST or None),
        run=lambda d: services.session_schedule(case=case, actor=request.user, **d),
        done=_("已安排调解会。"),
        template="mediation/session_form.html",
    )


@require_http_methods(["GET", "POST"])
@any_portal_user
def session_hold_view(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get_for_user(user=request.user, pk=pk)
    form = forms.HoldForm(request.POST or None, initial={"attendees": session.attendees})
    return _form_page(
        request,
        case=session.case,
        action="hold_session",
        form=form,
        run=lambda d: services.session_hold(
            session=session, actor=request.user, outcome=d["outcome"], notes=form.notes(), attendees=d["attendees"]
        ),
        done=_("已记录调解会。"),
        template="mediation/session_hold.html",
        extra={"session": session},
    )


@require_http_methods(["GET", "POST"])
@any_portal_user
def agreement_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    return _form_page(
        request,
        case=case,
        action="record_agreement",
        form=forms.AgreementForm(request.POST or None),
        run=lambda d: services.agreement_record(case=case, actor=request.user, **d),
        done=_("已记录调解协议，回访已安排。"),
        template="mediation/agreement_form.html",
    )


@require_http_methods(["GET"])
@any_portal_user
def agreement_pdf_view(request: HttpRequest, pk: int, agreement_pk: int | None = None) -> HttpResponse:
    """The agreement as a PDF (调解协议书), for those who may see the case; each download audited.
    The current agreement, or with ``agreement_pk`` an earlier round's."""
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    policies.case_can(user=request.user, action="download_agreement", case=case).raise_for_page()
    if agreement_pk is None:
        agreement = selectors.case_agreement(case=case)
        if agreement is None:
            raise Http404
    else:
        agreement = selectors.case_agreement_get(case=case, pk=agreement_pk)
    services.case_read_record(actor=request.user, case=case, part="agreement_pdf", request=request)
    return documents.agreement_response(case=case, agreement=agreement)


@require_http_methods(["GET", "POST"])
@any_portal_user
def follow_up_view(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = selectors.follow_up_get_for_user(user=request.user, pk=pk)
    if follow_up.status != FollowUp.Status.PENDING and request.method == "POST":
        messages.error(request, _("该回访已记录。"))
        return redirect("mediation:case_detail", pk=follow_up.case_id)
    return _form_page(
        request,
        case=follow_up.case,
        action="record_follow_up",
        form=forms.FollowUpForm(request.POST or None),
        run=lambda d: services.follow_up_record(follow_up=follow_up, actor=request.user, **d),
        done=_("已记录回访。"),
        template="mediation/follow_up_form.html",
        extra={"follow_up": follow_up},
    )


@require_http_methods(["GET"])
@any_portal_user
def overview_view(request: HttpRequest) -> HttpResponse:
    """Supervisors: cases by tier and status, overdue, high risk near the deadline, hotspots and
    repeated disputes — over the cases of their own centres."""
    user = request.user
    if not policies.is_supervisor(user):
        deny("not_supervisor", _("只有调解中心的督办负责人可以查看统计与预警。")).raise_for_page()
    prone = stats.dispute_prone_events(user=user)
    prone_events = list(prone[:30])
    converted = {case.event_id: case for case in Case.objects.filter(event__in=prone_events).exclude(status=S.DECLINED)}
    return render(
        request,
        "mediation/overview.html",
        {
            "by_tier": stats.status_by_tier(user=user),
            "statuses": S.choices,
            "overdue": stats.overdue_cases(user=user)[:50],
            "high_risk": stats.high_risk_near_deadline(user=user)[:50],
            "hotspots": stats.hotspots(user=user)[:20],
            "repeats": stats.repeated_disputes(user=user)[:20],
            "prone_count": prone.count(),
            "prone_events": [(event, converted.get(event.pk)) for event in prone_events],
            "today": timezone.localdate(),
        },
    )


# --- Home cards and menu links (registered in MediationConfig.ready) -----------------------


def mediator_cards(user, roles: set[str]) -> list[home.Card]:
    if Role.MEDIATOR not in roles and Role.STREET_SUPERVISOR not in roles:
        if Role.RESIDENT in roles and policies.resident_only(user):
            return [
                home.Card(
                    title=_("申请调解"),
                    body=_("邻里、家庭、物业等矛盾纠纷，可在线申请调解组织帮助化解。"),
                    url=reverse("mediation:apply"),
                    action=_("申请调解"),
                    priority=30,
                )
            ]
        return []
    cases = selectors.visible_cases(user=user, handed_over=False)
    open_count = cases.filter(status__in=Case.OPEN_STATUSES).count()
    due = selectors.my_follow_ups_due(user=user).count()
    overdue = cases.filter(Q(status__in=Case.OPEN_STATUSES), deadline__lt=timezone.localdate()).count()
    body = _("未办结案件 %(open)d 件，本周待回访 %(due)d 次。") % {"open": open_count, "due": due}
    if overdue:
        body += _("已超过调解期限 %(n)d 件。") % {"n": overdue}
    return [
        home.Card(
            title=_("矛盾纠纷调解"),
            body=body,
            url=reverse("mediation:cases"),
            action=_("查看案件"),
            count=open_count,
            priority=18 if (open_count or due) else 45,
            tone="danger" if overdue else ("warn" if due else "normal"),
        )
    ]


def event_links(user, event) -> list[Link]:
    """On a grid event's page: the case it became (number and public-safe status, a link only for
    those who may see the case), or "转为调解案件" for those who may convert it."""
    case = services.event_case(event=event)
    if case is not None:
        label = _("已转为调解案件 %(number)s：%(status)s") % {
            "number": case.number,
            "status": services.public_status(case),
        }
        visible = selectors.visible_cases(user=user).filter(pk=case.pk).exists()
        return [Link(label=label, url=reverse("mediation:case_detail", args=[case.pk]) if visible else "")]
    if policies.event_convert_can(user=user, event=event):
        return [
            Link(
                label=_("转为调解案件"),
                url=reverse("mediation:case_new") + f"?event={event.pk}",
                note=_("邻里、家庭、物业等矛盾纠纷交由调解组织办理。"),
            )
        ]
    return []


def nav_links(user) -> list[tuple[str, str]]:
    if not getattr(user, "is_authenticated", False):
        return []
    links = []
    if has_any_role(user, [Role.MEDIATOR, Role.STREET_SUPERVISOR]) or user.is_superuser:
        links.append((reverse("mediation:cases"), _("调解案件")))
    if policies.is_supervisor(user):
        links.append((reverse("mediation:overview"), _("调解统计与预警")))
    if links:
        return links
    if policies.resident_only(user):
        return [(reverse("mediation:apply"), _("申请调解")), (reverse("mediation:cases"), _("我的调解"))]
    return []
