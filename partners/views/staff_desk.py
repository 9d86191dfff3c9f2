"""Staff pages of the partners app (desktop first, usable on a phone): earning rules per community,
rewards and their stock, residents' needs and the projects made from them.

Every page asks ``policies.staff_pages_can`` and every write the object's policy
(``community_manage_can`` / ``project_can``); rows come from the selectors (someone else's community
is a 404); writes go through ``partners.services`` like the API's. No role check lives here.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from governance.exceptions import DomainError
from governance.models import Area
from governance.permissions import any_portal_user
from partners import policies, selectors, services
from partners.forms import AttendanceForm, ProjectForm, RestockForm, RewardForm, RuleForm
from partners.models import Claim, Need, Project


def _communities(request: HttpRequest) -> list[Area]:
    return list(selectors.staff_communities(user=request.user).order_by("path"))


def _community(request: HttpRequest, communities: list[Area]) -> Area:
    """The community the page is about: ``?community=`` among the staff's own, else the first."""
    wanted = request.GET.get("community") or request.POST.get("community")
    if wanted:
        for community in communities:
            if str(community.pk) == str(wanted):
                return community
        raise Http404
    if not communities:
        raise Http404
    return communities[0]


def _apply_errors(form, exc: Exception) -> None:
    if isinstance(exc, DomainError):
        form.add_error(None, exc.detail)
    elif isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            form.add_error(None, exc)


def _with_community(url: str, community: Area) -> str:
    return f"{url}?community={community.pk}"


# --- Earning rules -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@any_portal_user
def rules_view(request: HttpRequest) -> HttpResponse:
    policies.staff_pages_can(user=request.user).raise_for_page()
    communities = _communities(request)
    community = _community(request, communities)
    form = RuleForm(request.POST or None, initial={"is_active": True})
    status = 200
    if request.method == "POST":
        policies.community_manage_can(user=request.user, community=community).raise_for_page()
        if form.is_valid():
            try:
                rule = services.earning_rule_save(community=community, actor=request.user, **form.cleaned_data)
            except (DomainError, ValidationError) as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("已新增积分规则：%(activity)s") % {"activity": rule.activity})
                return redirect(_with_community(reverse("partners:staff_rules"), community))
        status = 400
    rules = selectors.visible_rules(user=request.user).filter(community=community).order_by("-is_active", "activity")
    return render(
        request,
        "partners/staff_rules.html",
        {"communities": communities, "community": community, "rules": rules, "form": form},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@any_portal_user
def rule_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    rule = selectors.visible_rules(user=request.user).filter(pk=pk).first()
    if rule is None:
        raise Http404
    policies.community_manage_can(user=request.user, community=rule.community).raise_for_page()
    initial = {
        "activity": rule.activity,
        "points": rule.points,
        "per_hour": rule.per_hour,
        "monthly_cap": rule.monthly_cap,
        "is_active": rule.is_active,
    }
    form = RuleForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.earning_rule_save(community=rule.community, rule=rule, actor=request.user, **form.cleaned_data)
            except (DomainError, ValidationError) as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("已保存积分规则：%(activity)s") % {"activity": rule.activity})
                return redirect(_with_community(reverse("partners:staff_rules"), rule.community))
        status = 400
    return render(request, "partners/staff_rule_edit.html", {"rule": rule, "form": form}, status=status)


# --- Rewards and stock ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@any_portal_user
def rewards_staff_view(request: HttpRequest) -> HttpResponse:
    policies.staff_pages_can(user=request.user).raise_for_page()
    communities = _communities(request)
    community = _community(request, communities)
    form = RewardForm(request.POST or None, community=community, initial={"kind": "goods"})
    status = 200
    if request.method == "POST":
        policies.community_manage_can(user=request.user, community=community).raise_for_page()
        if form.is_valid():
            try:
                reward = services.reward_save(community=community, actor=request.user, **form.cleaned_data)
            except (DomainError, ValidationError) as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("已上架：%(name)s") % {"name": reward.name})
                return redirect(_with_community(reverse("partners:staff_rewards"), community))
        status = 400
    rewards = (
        selectors.visible_rewards(user=request.user)
        .filter(community=community)
        .annotate(
            pending=Count("redemptions", filter=Q(redemptions__status="pending")),
            fulfilled=Count("redemptions", filter=Q(redemptions__status="fulfilled")),
        )
        .order_by("-is_active", "name")
    )
    return render(
        request,
        "partners/staff_rewards.html",
        {"communities": communities, "community": community, "rewards": rewards, "form": form},
        status=status,
    )


@require_POST
@any_portal_user
def reward_restock_view(request: HttpRequest, pk: int) -> HttpResponse:
    reward = selectors.reward_get_for_user(user=request.user, pk=pk)
    policies.community_manage_can(user=request.user, community=reward.community).raise_for_page()
    form = RestockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("补充数量必须大于零。"))
    else:
        try:
            services.reward_restock(reward=reward, add=form.cleaned_data["add"], actor=request.user)
        except DomainError as exc:
            messages.error(request, f"{reward.name}：{exc.detail}")
        else:
            messages.success(
                request, _("%(name)s 已补充库存，现有 %(stock)d。") % {"name": reward.name, "stock": reward.stock}
            )
    return redirect(_with_community(reverse("partners:staff_rewards"), reward.community))


# --- Needs and projects --------------------------------------------------------------------------


@any_portal_user
def projects_staff_view(request: HttpRequest) -> HttpResponse:
    policies.staff_pages_can(user=request.user).raise_for_page()
    communities = _communities(request)
    community = _community(request, communities)
    needs = selectors.visible_needs(user=request.user).filter(community=community, status=Need.Status.OPEN)
    projects = (
        selectors.visible_projects(user=request.user)
        .filter(community=community)
        .annotate(
            done=Count("claims", filter=Q(claims__status=Claim.Status.DONE), distinct=True),
            evaluated=Count("evaluations", distinct=True),
        )
        .order_by("status", "-created_at")
    )
    return render(
        request,
        "partners/staff_projects.html",
        {"communities": communities, "community": community, "needs": needs[:100], "projects": projects[:100]},
    )


@require_http_methods(["GET", "POST"])
@any_portal_user
def project_new_view(request: HttpRequest) -> HttpResponse:
    policies.staff_pages_can(user=request.user).raise_for_page()
    communities = _communities(request)
    community = _community(request, communities)
    policies.community_manage_can(user=request.user, community=community).raise_for_page()
    initial = {"slots": 5, "points_per_slot": 20}
    need_pk = request.GET.get("need")
    if need_pk:
        need = selectors.need_get_for_user(user=request.user, pk=need_pk)
        initial.update(need=need.pk, title=need.title, description=need.description)
    form = ProjectForm(request.POST or None, community=community, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                project = services.project_publish(community=community, actor=request.user, **form.cleaned_data)
            except (DomainError, ValidationError) as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("项目已发布：%(title)s") % {"title": project.title})
                return redirect("partners:staff_project", pk=project.pk)
        status = 400
    return render(
        request,
        "partners/staff_project_new.html",
        {"communities": communities, "community": community, "form": form},
        status=status,
    )


@any_portal_user
def project_staff_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    policies.project_can(user=request.user, action="manage", project=project).raise_for_page()
    evaluations = project.evaluations.select_related("partner").order_by("partner__name", "created_at")
    return render(
        request,
        "partners/staff_project.html",
        {
            "project": project,
            "claims": selectors.claims_of(project=project).order_by("created_at"),
            "evaluations": evaluations,
            "is_open": project.status == Project.Status.PUBLISHED,
        },
    )


@require_POST
@any_portal_user
def claim_mark_view(request: HttpRequest, pk: int, claim_pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    policies.project_can(user=request.user, action="manage", project=project).raise_for_page()
    claim = selectors.claims_of(project=project).filter(pk=claim_pk).first()
    if claim is None:
        raise Http404
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("不支持的操作。"))
    else:
        try:
            services.claim_mark(claim=claim, outcome=form.cleaned_data["outcome"], actor=request.user)
        except DomainError as exc:
            messages.error(request, f"{claim.partner.name}：{exc.detail}")
        else:
            messages.success(request, _("已标记：%(name)s") % {"name": claim.partner.name})
    return redirect("partners:staff_project", pk=project.pk)


@require_POST
@any_portal_user
def project_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    policies.project_can(user=request.user, action="manage", project=project).raise_for_page()
    try:
        services.project_close(project=project, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("已结项，完成的认领已记分：%(title)s") % {"title": project.title})
    return redirect("partners:staff_project", pk=project.pk)
