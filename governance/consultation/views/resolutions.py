"""Resolutions tracked to done (progress, sub-tasks) and the topic form (议题征集, 附议)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance.consultation import forms, policies, selectors, services
from governance.consultation.models import SuggestionSupport
from governance.consultation.views.common import (
    _home_areas_for,
    _run,
    _run_form,
)
from governance.permissions import any_portal_user


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
    return _resolution_post(
        request,
        pk,
        action="progress",
        form_class=forms.ProgressForm,
        call=lambda resolution, data: services.resolution_progress(actor=request.user, resolution=resolution, **data),
        success=_("进度已更新。"),
    )


def _resolution_post(request: HttpRequest, pk: int, *, action: str, form_class, call, success: str) -> HttpResponse:
    """A form posted about one resolution (progress, a sub-task): the gate, the form, the service
    (``call(resolution, data)``), then back to the resolution on the tracker."""
    resolution = selectors.resolution_get_for_user(user=request.user, pk=pk)
    policies.resolution_can(user=request.user, action=action, resolution=resolution).raise_for_page()
    _run_form(request, form_class(request.POST), lambda data: call(resolution, data), success)
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
    return _resolution_post(
        request,
        pk,
        action="subtask",
        form_class=forms.SubtaskForm,
        call=lambda resolution, data: services.resolution_subtask_add(actor=request.user, parent=resolution, **data),
        success=_("已分解子任务。"),
    )
