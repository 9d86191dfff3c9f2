"""Projects open to partners, and claiming one."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance.exceptions import DomainError
from governance.permissions import any_portal_user
from partners import policies, selectors, services
from partners.views._common import _my_partner_or_none


@any_portal_user
def projects_view(request: HttpRequest) -> HttpResponse:
    partner = _my_partner_or_none(request)
    projects = selectors.visible_projects(user=request.user).filter(status="published")[:50]
    mine = set(partner.claims.values_list("project_id", flat=True)) if partner else set()
    return render(request, "partners/projects.html", {"partner": partner, "projects": projects, "mine": mine})


@require_POST
@any_portal_user
def project_claim_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    policies.project_can(user=request.user, action="claim", project=project).raise_for_page()
    partner = selectors.partners_of(user=request.user).get(community_id=project.community_id)
    try:
        services.project_claim(project=project, partner=partner, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("认领成功：%(title)s") % {"title": project.title})
    return redirect("partners:projects")
