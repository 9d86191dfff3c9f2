"""The red-property service list, its monthly scorecard and the fee plans, as read."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Avg, Count, Q, QuerySet

from governance.consultation.models import FeePlan, ServiceItem, ServiceRating
from governance.consultation.selectors._common import _get_or_404
from governance.consultation.selectors.scope import area_scope_q
from governance.models import Area, User
from governance.selectors import user_department_ids


def visible_service_items(*, user: User) -> QuerySet[ServiceItem]:
    if not getattr(user, "is_authenticated", False):
        return ServiceItem.objects.none()
    return ServiceItem.objects.filter(
        area_scope_q(user=user, path_field="compound__path") | Q(provider_id__in=user_department_ids(user=user))
    ).select_related("compound", "provider", "resolution")


def service_item_get_for_user(*, user: User, pk) -> ServiceItem:
    return _get_or_404(visible_service_items(user=user), pk=pk)


@dataclass(frozen=True)
class ScoreRow:
    item: ServiceItem
    month: date
    average: float | None
    responses: int


def scorecard(*, items, month: date) -> list[ScoreRow]:
    """Per item, the month's average score and the number of responses (one query)."""
    items = list(items)
    stats = {
        row["item_id"]: row
        for row in ServiceRating.objects.filter(item__in=items, month=month)
        .values("item_id")
        .annotate(average=Avg("score"), responses=Count("pk"))
    }
    return [
        ScoreRow(
            item=item,
            month=month,
            average=round(float(stats[item.pk]["average"]), 2) if item.pk in stats else None,
            responses=stats[item.pk]["responses"] if item.pk in stats else 0,
        )
        for item in items
    ]


def rated_item_ids(*, user: User, month: date) -> set[int]:
    return set(ServiceRating.objects.filter(resident=user, month=month).values_list("item_id", flat=True))


def fee_plans_for(*, compound: Area, limit: int = 2) -> list[FeePlan]:
    """The current plan and the one before it, newest first."""
    return list(FeePlan.objects.filter(compound=compound).order_by("-period_start")[:limit])


def visible_fee_plans(*, user: User) -> QuerySet[FeePlan]:
    if not getattr(user, "is_authenticated", False):
        return FeePlan.objects.none()
    return FeePlan.objects.filter(area_scope_q(user=user, path_field="compound__path")).select_related("compound")
