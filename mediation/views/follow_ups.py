"""Recording a follow-up visit."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from governance.permissions import any_portal_user
from mediation import forms, selectors, services
from mediation.models import FollowUp
from mediation.views._common import _form_page


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
