"""FilterSets shared by the API and the HTML lists."""

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from grids.clock import due_soon_q, overdue_q
from grids.models import Event

MAX_ID = 2**63 - 1  # BigAutoField


def as_id(value: str) -> int | None:
    """``value`` as a row id: ASCII digits within the id column's range, else ``None``.

    ``str.isdigit()`` alone admits ``²``, ``①`` and ``٣``, which ``int()`` refuses or the database
    cannot hold.
    """
    if not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if number <= MAX_ID else None


def _code_or_id(relation: str, code_field: str, value: str) -> Q:
    q = Q(**{f"{relation}__{code_field}": value})
    pk = as_id(value)
    if pk is not None:
        q |= Q(**{f"{relation}_id": pk})
    return q


class EventFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(label=_("状态"), choices=Event.Status.choices)
    category = django_filters.CharFilter(label=_("类别"), method="filter_category")
    grid = django_filters.CharFilter(label=_("网格"), method="filter_grid")
    source = django_filters.ChoiceFilter(label=_("来源"), choices=Event.Source.choices)
    level = django_filters.TypedChoiceFilter(label=_("督办层级"), choices=Event.Level.choices, coerce=int)
    overdue = django_filters.BooleanFilter(label=_("已超时"), method="filter_overdue")
    due_soon = django_filters.BooleanFilter(label=_("即将到期"), method="filter_due_soon")
    open = django_filters.BooleanFilter(label=_("未办结"), method="filter_open")
    q = django_filters.CharFilter(label=_("关键词"), method="filter_text")

    class Meta:
        model = Event
        fields = ["status", "category", "grid", "source", "level", "department"]

    def filter_category(self, queryset, name, value):
        return queryset.filter(_code_or_id("category", "service_code", value))

    def filter_grid(self, queryset, name, value):
        return queryset.filter(_code_or_id("grid", "code", value))

    def filter_overdue(self, queryset, name, value):
        due = overdue_q()
        return queryset.filter(due) if value else queryset.exclude(due)

    def filter_due_soon(self, queryset, name, value):
        soon = due_soon_q()
        return queryset.filter(soon) if value else queryset.exclude(soon)

    def filter_open(self, queryset, name, value):
        return (
            queryset.filter(status__in=Event.OPEN_STATUSES)
            if value
            else queryset.exclude(status__in=Event.OPEN_STATUSES)
        )

    def filter_text(self, queryset, name, value):
        return queryset.filter(Q(code__iexact=value) | Q(description__icontains=value) | Q(address__icontains=value))


def filtered(filterset_class: type[django_filters.FilterSet], data, queryset: QuerySet) -> QuerySet:
    """``queryset`` narrowed by the filters named in ``data``; a bad value is refused, not dropped.

    With none of the filterset's names in ``data`` (a plain page request: only ``page`` and
    ``page_size``) no FilterSet is built at all: building its form deep-copies every filter,
    which cost a list request more than serialising its rows.
    """
    if not data or not any(name in data for name in filterset_class.base_filters):
        return queryset
    filterset = filterset_class(data, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationError({name: list(messages) for name, messages in filterset.errors.items()})
    return filterset.qs
