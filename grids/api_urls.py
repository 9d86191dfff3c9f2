from django.urls import include, path
from rest_framework.routers import SimpleRouter

from grids import api

router = SimpleRouter()
router.register("grids", api.GridViewSet, basename="grid")
router.register("patrols", api.PatrolViewSet, basename="patrol")
router.register("event-categories", api.CategoryViewSet, basename="event-category")
router.register("events", api.EventViewSet, basename="event")

urlpatterns = [
    path("sensors/alerts/", api.SensorAlertView.as_view(), name="sensor-alerts"),
    path("", include(router.urls)),
]
