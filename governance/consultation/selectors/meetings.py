"""Which meetings a person sees, the meeting gate and list, and a compound's public calendar."""

from django.db.models import Count, Q, QuerySet

from governance.consultation.models import Meeting, Participant
from governance.consultation.selectors._common import _get_or_404
from governance.consultation.selectors.scope import area_scope_q
from governance.models import Area, User
from governance.selectors import area_ancestors


def visible_meetings(*, user: User) -> QuerySet[Meeting]:
    if not getattr(user, "is_authenticated", False):
        return Meeting.objects.none()
    scope = area_scope_q(user=user, path_field="area__path")
    mine = Q(pk__in=Participant.objects.filter(user=user).values("meeting_id")) | Q(organization__secretary=user)
    return Meeting.objects.filter(scope | mine).select_related("organization", "area")


def meeting_get_for_user(*, user: User, pk) -> Meeting:
    return _get_or_404(visible_meetings(user=user), pk=pk)


def meeting_list(*, user: User, status: str = "", area: str = "") -> QuerySet[Meeting]:
    qs = visible_meetings(user=user).annotate(n_participants=Count("participants", distinct=True))
    if status:
        qs = qs.filter(status=status)
    if area:
        qs = qs.filter(Q(area__code=area) | Q(area__parent__code=area))
    return qs.order_by("-starts_at", "-id")


def public_meetings(*, area: Area) -> QuerySet[Meeting]:
    """The public calendar of a compound or community: its meetings and its compounds' meetings."""
    return (
        Meeting.objects.filter(Q(area__path__startswith=area.path) | Q(area__in=area_ancestors(area=area)))
        .select_related("organization", "area")
        .order_by("starts_at", "id")
    )
