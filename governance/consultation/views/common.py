"""What the consultation pages share: a service call whose refusal becomes a message on the next
page (post → redirect → get), and the scopes the forms offer."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest

from governance.consultation import policies, selectors
from governance.consultation.models import Meeting
from governance.exceptions import DomainError
from governance.models import Area, PartyOrganization
from governance.selectors import jurisdiction_q, visible_party_organizations

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


def _run_form(request: HttpRequest, form, call, success: str | Callable[[dict], str] = "") -> bool:
    """Validate a posted form, then call a service with its cleaned data (``call(data)``); the
    form's errors, or the service's refusal, become error messages on the next page. ``success``
    may be worked out from the data."""
    if not form.is_valid():
        _form_errors(request, form)
        return False
    data = form.cleaned_data
    return _run(request, lambda: call(data), success(data) if callable(success) else success)


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


def _top_items(meeting: Meeting):
    return meeting.agenda.filter(parent__isnull=True).order_by("order", "id")


def _managed_compound(request: HttpRequest, code: str) -> Area:
    compound = selectors.compound_get_for_user(user=request.user, code=code)
    policies.compound_can(user=request.user, action="manage", compound=compound).raise_for_page()
    return compound
