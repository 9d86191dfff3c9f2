"""Mediation sessions: scheduling one, and recording it once held."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from governance.permissions import any_portal_user
from mediation import forms, selectors, services
from mediation.views._common import _form_page


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
