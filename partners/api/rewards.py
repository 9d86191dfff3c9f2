"""Rewards and redemptions: redeem once per Idempotency-Key, fulfil (also by code), cancel."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from governance.exceptions import DomainError
from governance.idempotency import idempotent_api
from governance.permissions import IsPortalUser
from partners import policies, selectors, services
from partners.api._common import _my_partner, _staff_community
from partners.models import Redemption, Reward
from partners.serializers import (
    CodeInput,
    ReasonInput,
    RedemptionInput,
    RedemptionOutput,
    RewardInput,
    RewardOutput,
)


class RewardViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Reward.objects.none()
    serializer_class = RewardOutput
    permission_classes = [IsPortalUser]

    def get_queryset(self):
        return selectors.visible_rewards(user=self.request.user).order_by("pk")

    @extend_schema(request=RewardInput, responses={201: RewardOutput}, summary="上架兑换商品（工作人员）")
    @idempotent_api  # Idempotency-Key: a retry returns the first response and creates nothing more
    def create(self, request):
        data = RewardInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        community = _staff_community(request.user, values.pop("community", None))
        policies.community_manage_can(user=request.user, community=community).raise_if_denied()
        partner_pk = values.pop("partner", None)
        offered_by = None
        if partner_pk is not None:
            offered_by = selectors.visible_partners(user=request.user).filter(pk=partner_pk).first()
            if offered_by is None:
                raise DomainError(_("提供商户不存在。"), code="partner_not_found")
        reward = services.reward_save(community=community, actor=request.user, offered_by=offered_by, **values)
        return Response(RewardOutput(reward).data, status=status.HTTP_201_CREATED)


class RedemptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    schema_may_404 = True  # no partner account of yours, or an id outside your community
    queryset = Redemption.objects.none()
    serializer_class = RedemptionOutput
    permission_classes = [IsPortalUser]
    lookup_value_regex = r"\d+"
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.visible_redemptions(user=self.request.user).order_by("-pk")

    def get_object(self):
        return selectors.redemption_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        request=RedemptionInput,
        responses={201: RedemptionOutput},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True)],
        summary="兑换（同一 Idempotency-Key 只兑换一次）",
    )
    @idempotent_api  # Idempotency-Key: a retry returns the first response and creates nothing more
    def create(self, request):
        key = (request.headers.get("Idempotency-Key") or "").strip()
        if not key or len(key) > 100:
            raise DomainError(
                _("请在请求头 Idempotency-Key 中提供本次兑换的唯一标识（不超过100个字符）。"),
                code="idempotency_key_required",
            )
        data = RedemptionInput(data=request.data)
        data.is_valid(raise_exception=True)
        partner = _my_partner(request.user)
        policies.partner_can(user=request.user, action="redeem", partner=partner).raise_if_denied()
        reward = Reward.objects.filter(pk=data.validated_data["reward"]).first()
        if reward is None:
            raise DomainError(_("兑换商品不存在。"), code="reward_not_found", fields={"reward": []})
        redemption, _created = services.redemption_create(
            partner=partner,
            reward=reward,
            quantity=data.validated_data["quantity"],
            actor=request.user,
            key=f"api:{key}",
        )
        return Response(RedemptionOutput(redemption).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RedemptionOutput, summary="核销（工作人员或提供该商品的商户）")
    @action(detail=True, methods=["post"])
    def fulfil(self, request, pk=None):
        redemption = self.get_object()
        policies.redemption_can(user=request.user, action="fulfil", redemption=redemption).raise_if_denied()
        return Response(RedemptionOutput(services.redemption_fulfil(redemption=redemption, actor=request.user)).data)

    @extend_schema(request=ReasonInput, responses=RedemptionOutput, summary="取消兑换，退回积分和库存")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        redemption = self.get_object()
        policies.redemption_can(user=request.user, action="cancel", redemption=redemption).raise_if_denied()
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        redemption = services.redemption_cancel(
            redemption=redemption, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(RedemptionOutput(redemption).data)

    @extend_schema(request=CodeInput, responses=RedemptionOutput, summary="按兑换码核销")
    @action(detail=False, methods=["post"], url_path="fulfil-by-code")
    def fulfil_by_code(self, request):
        data = CodeInput(data=request.data)
        data.is_valid(raise_exception=True)
        code = services.normalise_code(data.validated_data["code"])
        redemption = self.get_queryset().filter(voucher_code=code).first()
        if redemption is None:
            raise Http404
        policies.redemption_can(user=request.user, action="fulfil", redemption=redemption).raise_if_denied()
        return Response(RedemptionOutput(services.redemption_fulfil(redemption=redemption, actor=request.user)).data)
