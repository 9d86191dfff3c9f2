"""Which topics (议题) a person sees, with their number of supports."""

from django.db.models import Count, QuerySet

from governance.consultation.models import Suggestion
from governance.consultation.selectors.scope import area_scope_q
from governance.models import User


def visible_suggestions(*, user: User) -> QuerySet[Suggestion]:
    if not getattr(user, "is_authenticated", False):
        return Suggestion.objects.none()
    return (
        Suggestion.objects.filter(area_scope_q(user=user, path_field="area__path"))
        .select_related("area", "author")
        .annotate(n_supports=Count("supports", distinct=True))
        .order_by("-created_at", "-id")  # Meta.ordering is not applied to a GROUP BY query
    )
