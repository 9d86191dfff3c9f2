"""The agenda on the meeting page: the vote on an item, and moving an item."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance.consultation import forms, policies, selectors, services
from governance.consultation.views.common import (
    _run_form,
    _top_items,
)
from governance.permissions import any_portal_user


@require_POST
@any_portal_user
def item_vote_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.agenda_item_get_for_user(user=request.user, pk=pk)
    policies.meeting_can(user=request.user, action="vote", meeting=item.meeting).raise_for_page()
    _run_form(
        request,
        forms.VoteForm(request.POST),
        lambda data: services.agenda_item_vote(actor=request.user, item=item, **data),
        _("表决结果已录入。"),
    )
    return redirect("consultation:meeting_detail", pk=item.meeting_id)


@require_POST
@any_portal_user
def item_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Up / down among its siblings, or to a place under another item; the page's agenda version
    goes along, so a staff member looking at an agenda someone else just changed is asked to refresh."""
    item = selectors.agenda_item_get_for_user(user=request.user, pk=pk)
    policies.meeting_can(user=request.user, action="arrange_agenda", meeting=item.meeting).raise_for_page()
    _run_form(
        request,
        forms.AgendaMoveForm(request.POST, parents=_top_items(item.meeting)),
        lambda data: services.agenda_item_move(actor=request.user, item=item, **data),
        _("议程顺序已调整。"),
    )
    return redirect(reverse("consultation:meeting_detail", args=[item.meeting_id]) + "#agenda-title")
