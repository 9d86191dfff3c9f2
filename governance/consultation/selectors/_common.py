"""Helpers shared by the consultation's gates."""

from django.db.models import QuerySet
from django.http import Http404


def _get_or_404(queryset: QuerySet, **lookup):
    """The one row of ``queryset`` the lookup names, or 404 (also for a malformed id)."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
