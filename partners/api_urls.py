from django.urls import include, path
from rest_framework.routers import SimpleRouter

from partners import api

router = SimpleRouter()
router.register("partners", api.PartnerViewSet, basename="partner")
router.register("earning-rules", api.EarningRuleViewSet, basename="earning-rule")
router.register("service-records", api.ServiceRecordViewSet, basename="service-record")
router.register("rewards", api.RewardViewSet, basename="reward")
router.register("redemptions", api.RedemptionViewSet, basename="redemption")
router.register("needs", api.NeedViewSet, basename="need")
router.register("projects", api.ProjectViewSet, basename="project")

urlpatterns = [
    path("points/balance/", api.BalanceView.as_view(), name="points-balance"),
    path("points/ledger/", api.StatementView.as_view(), name="points-ledger"),
    path("points/adjustments/", api.AdjustmentCreateView.as_view(), name="points-adjustments"),
    path("points/adjustments/<int:pk>/approve/", api.AdjustmentApproveView.as_view(), name="points-adjustment-approve"),
    path("evaluations/<int:pk>/appeal/", api.EvaluationAppealView.as_view(), name="evaluation-appeal"),
    path("appeals/<int:pk>/decide/", api.AppealDecideView.as_view(), name="appeal-decide"),
    path("", include(router.urls)),
]
