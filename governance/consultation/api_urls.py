from rest_framework.routers import SimpleRouter

from governance.consultation import api

router = SimpleRouter()
router.register("party-organizations", api.PartyOrganizationViewSet, basename="consultation-party-organization")
router.register("meetings", api.MeetingViewSet, basename="consultation-meeting")
router.register("agenda-items", api.AgendaItemViewSet, basename="consultation-agenda-item")
router.register("resolutions", api.ResolutionViewSet, basename="consultation-resolution")
router.register("topics", api.SuggestionViewSet, basename="consultation-topic")

urlpatterns = router.urls
