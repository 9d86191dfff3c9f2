from rest_framework.routers import SimpleRouter

from governance.consultation import api

router = SimpleRouter()
router.register("party-organizations", api.PartyOrganizationViewSet, basename="consultation-party-organization")
router.register("meetings", api.MeetingViewSet, basename="consultation-meeting")
router.register("agenda-items", api.AgendaItemViewSet, basename="consultation-agenda-item")
router.register("resolutions", api.ResolutionViewSet, basename="consultation-resolution")
router.register("topics", api.SuggestionViewSet, basename="consultation-topic")
router.register("service-items", api.ServiceItemViewSet, basename="consultation-service-item")
router.register("fee-plans", api.FeePlanViewSet, basename="consultation-fee-plan")

urlpatterns = router.urls
