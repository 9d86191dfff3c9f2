"""Partners API (``/api/v1/``): partners, earning rules, service records, points, rewards and
redemptions. Validate → policy → service → serialize; every object through a scoped selector
(another community's partner is a 404); refusals in the one JSON envelope ``{"code","detail"}``.

One module per kind of resource; every view is re-exported here for ``partners.api_urls``.
"""

from partners.api._common import NotAPartner
from partners.api.partners import EarningRuleViewSet, PartnerViewSet, ServiceRecordViewSet
from partners.api.points import AdjustmentApproveView, AdjustmentCreateView, BalanceView, StatementView
from partners.api.projects import AppealDecideView, EvaluationAppealView, NeedViewSet, ProjectViewSet
from partners.api.rewards import RedemptionViewSet, RewardViewSet

__all__ = [
    "AdjustmentApproveView",
    "AdjustmentCreateView",
    "AppealDecideView",
    "BalanceView",
    "EarningRuleViewSet",
    "EvaluationAppealView",
    "NeedViewSet",
    "NotAPartner",
    "PartnerViewSet",
    "ProjectViewSet",
    "RedemptionViewSet",
    "RewardViewSet",
    "ServiceRecordViewSet",
    "StatementView",
]
