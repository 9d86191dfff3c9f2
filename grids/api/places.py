"""Grids, event categories and patrols: what a grid worker walks and reports against."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from governance.permissions import IsPortalUser
from grids import policies, selectors, services
from grids.models import EventCategory, Grid, Patrol
from grids.serializers import (
    CategoryOutput,
    GridOutput,
    PatrolFinishInput,
    PatrolOutput,
    PatrolPointsInput,
    PatrolStartInput,
)


class IsGridWorker(BasePermission):
    def has_permission(self, request, view) -> bool:
        return policies.is_worker(request.user)


class GridViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Grids in the user's jurisdiction (a grid worker: their own), boundaries as GeoJSON."""

    queryset = Grid.objects.none()
    serializer_class = GridOutput
    permission_classes = [IsPortalUser]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.visible_grids(user=self.request.user).order_by("code")

    @extend_schema(summary="网格边界（GeoJSON FeatureCollection）", responses={200: dict})
    @action(detail=False, methods=["get"])
    def geojson(self, request):
        features = [
            {
                "type": "Feature",
                "id": g.id,
                "geometry": g.boundary,
                "properties": {
                    "code": g.code,
                    "name": g.localized_name,
                    "name_en": g.name_en,
                    "community": g.area.localized_name,
                    "households": g.households,
                },
            }
            for g in self.get_queryset()
        ]
        return Response({"type": "FeatureCollection", "features": features})


class CategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = EventCategory.objects.none()
    serializer_class = CategoryOutput
    permission_classes = [IsPortalUser]
    pagination_class = None

    def get_queryset(self):
        return selectors.active_categories()


class PatrolViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Start (POST), add route points, finish. Grid workers patrol; staff read."""

    queryset = Patrol.objects.none()
    serializer_class = PatrolOutput
    lookup_value_regex = r"\d+"

    def get_permissions(self):
        if self.action in ("create", "points", "finish"):
            return [IsGridWorker()]
        return [IsPortalUser()]

    def get_queryset(self):
        return selectors.visible_patrols(user=self.request.user).prefetch_related("findings")

    def _own(self, pk) -> Patrol:
        return get_object_or_404(Patrol.objects.select_related("grid"), pk=pk, worker=self.request.user)

    @extend_schema(request=PatrolStartInput, responses={201: PatrolOutput}, summary="开始巡查")
    def create(self, request):
        data = PatrolStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        patrol = services.patrol_start(worker=request.user, grid=data.validated_data["grid"])
        return Response(PatrolOutput(patrol).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PatrolPointsInput, responses=PatrolOutput, summary="追加轨迹点")
    @action(detail=True, methods=["post"])
    def points(self, request, pk=None):
        data = PatrolPointsInput(data=request.data)
        data.is_valid(raise_exception=True)
        patrol = services.patrol_add_points(patrol=self._own(pk), points=data.validated_data["points"])
        return Response(PatrolOutput(patrol).data)

    @extend_schema(request=PatrolFinishInput, responses=PatrolOutput, summary="结束巡查")
    @action(detail=True, methods=["post"])
    def finish(self, request, pk=None):
        data = PatrolFinishInput(data=request.data)
        data.is_valid(raise_exception=True)
        patrol = services.patrol_finish(patrol=self._own(pk), **data.validated_data)
        return Response(PatrolOutput(patrol).data)
