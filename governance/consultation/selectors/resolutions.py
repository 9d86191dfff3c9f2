"""Which resolutions a person sees, the resolution gate and the overdue list."""

from django.db.models import Q, QuerySet

from governance.consultation.models import Resolution
from governance.consultation.selectors._common import _get_or_404
from governance.consultation.selectors.meetings import visible_meetings
from governance.consultation.selectors.scope import area_scope_q
from governance.models import User


def visible_resolutions(*, user: User) -> QuerySet[Resolution]:
    if not getattr(user, "is_authenticated", False):
        return Resolution.objects.none()
    return Resolution.objects.filter(
        Q(meeting__in=visible_meetings(user=user).values("pk")) | area_scope_q(user=user, path_field="area__path")
    ).select_related("meeting__organization", "area", "responsible_department")


def resolution_get_for_user(*, user: User, pk) -> Resolution:
    return _get_or_404(visible_resolutions(user=user), pk=pk)


def overdue_resolutions(*, user: User) -> QuerySet[Resolution]:
    """The accountability list: flagged overdue and not done."""
    return (
        visible_resolutions(user=user)
        .filter(overdue_flagged_at__isnull=False)
        .exclude(status=Resolution.Status.DONE)
        .order_by("due_date")
    )
