"""Points: a partner's balance and statement, and staff adjustments (with the two-person rule)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.idempotency import idempotent_api
from governance.permissions import IsPortalUser
from partners import policies, selectors, services
from partners.api._common import _my_partner
from partners.models import Partner
from partners.serializers import (
    AdjustmentInput,
    AdjustmentOutput,
    StatementOutput,
)


def _partner_for_points(request) -> Partner:
    pk = request.query_params.get("partner")
    partner = selectors.partner_get_for_user(user=request.user, pk=pk) if pk else _my_partner(request.user)
    policies.partner_can(user=request.user, action="view_account", partner=partner).raise_if_denied()
    return partner


_PARTNER_PARAM = OpenApiParameter("partner", int, description="工作人员查看某合伙人")


class BalanceView(APIView):
    schema_may_404 = True  # no partner account of yours, or an id outside your community
    permission_classes = [IsPortalUser]

    @extend_schema(parameters=[_PARTNER_PARAM], responses=dict, summary="积分余额（可用、冻结）")
    def get(self, request):
        return Response(selectors.balance_summary(partner=_partner_for_points(request)))


class StatementView(APIView):
    schema_may_404 = True  # no partner account of yours, or an id outside your community
    permission_classes = [IsPortalUser]

    @extend_schema(parameters=[_PARTNER_PARAM], responses=StatementOutput(many=True), summary="积分明细（含累计余额）")
    def get(self, request):
        from governance.pagination import PortalPagination

        partner = _partner_for_points(request)
        paginator = PortalPagination()
        page = paginator.paginate_queryset(selectors.statement(partner=partner), request, view=self)
        return paginator.get_paginated_response(StatementOutput(page, many=True).data)


class AdjustmentCreateView(APIView):
    schema_may_404 = True  # no partner account of yours, or an id outside your community
    permission_classes = [IsPortalUser]

    @extend_schema(request=AdjustmentInput, responses={201: AdjustmentOutput}, summary="人工调整积分（须填原因）")
    @idempotent_api  # Idempotency-Key: a retry returns the first response and creates nothing more
    def post(self, request):
        data = AdjustmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        partner = selectors.partner_get_for_user(user=request.user, pk=data.validated_data["partner"])
        policies.partner_can(user=request.user, action="adjust", partner=partner).raise_if_denied()
        adjustment = services.adjustment_request(
            partner=partner,
            points=data.validated_data["points"],
            reason=data.validated_data["reason"],
            actor=request.user,
        )
        return Response(AdjustmentOutput(adjustment).data, status=status.HTTP_201_CREATED)


class AdjustmentApproveView(APIView):
    permission_classes = [IsPortalUser]

    @extend_schema(request=None, responses=AdjustmentOutput, summary="复核并入账（须为另一位工作人员）")
    def post(self, request, pk: int):
        adjustment = selectors.adjustment_get_for_user(user=request.user, pk=pk)
        policies.adjustment_can(user=request.user, action="approve", adjustment=adjustment).raise_if_denied()
        adjustment = services.adjustment_approve(adjustment=adjustment, actor=request.user)
        return Response(AdjustmentOutput(adjustment).data)
