"""The case page and its actions: moves, assignment, declared relations."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from governance.permissions import any_portal_user
from mediation import forms, selectors, services
from mediation.models import Case
from mediation.views._case_page import _case_action, _case_page, _escalate_form, _relation_form


@require_http_methods(["GET"])
@any_portal_user
def case_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, selectors.case_get_for_user(user=request.user, pk=pk))


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
# Read when the message is shown, in the language of the person who made the move.
DONE = {
    "accept": gettext_lazy("已受理。"),
    "start": gettext_lazy("已开始调解。"),
    "close": gettext_lazy("已结案。"),
    "reopen": gettext_lazy("已重新启动调解。"),
    "decline": gettext_lazy("已不予受理。"),
    "fail": gettext_lazy("已记录调解不成。"),
    "refer": gettext_lazy("已移交。"),
    "escalate": gettext_lazy("已移交上一级调解中心。"),
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
