"""Partners, their earning rules and their service records (log, verify, reject)."""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from governance.exceptions import DomainError
from governance.idempotency import idempotent_api
from governance.models import Area
from governance.permissions import IsPortalUser
from partners import policies, selectors, services
from partners.api._common import _my_partner, _staff_community
from partners.models import EarningRule, Partner, ServiceRecord
from partners.serializers import (
    CreditOutput,
    EarningRuleInput,
    EarningRuleOutput,
    PartnerInput,
    PartnerOutput,
    ReasonInput,
    ServiceRecordInput,
    ServiceRecordOutput,
)


class PartnerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    schema_may_404 = True  # no partner account of yours, or an id outside your community
    queryset = Partner.objects.none()
    serializer_class = PartnerOutput
    permission_classes = [IsPortalUser]
    lookup_value_regex = r"\d+"
    filterset_fields = ["status", "kind"]

    def get_queryset(self):
        return selectors.visible_partners(user=self.request.user).order_by("pk")

    def get_object(self):
        return selectors.partner_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=PartnerInput, responses={201: PartnerOutput}, summary="申请成为合伙人")
    @idempotent_api  # Idempotency-Key: a retry returns the first response and creates nothing more
    def create(self, request):
        policies.partner_apply_can(user=request.user).raise_if_denied()
        data = PartnerInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        community = Area.objects.filter(pk=values.pop("community")).first()
        if community is None:
            raise DomainError(_("社区不存在。"), code="not_a_community")
        partner = services.partner_apply(applicant=request.user, community=community, **values)
        return Response(PartnerOutput(partner).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, decision: str):
        partner = self.get_object()
        policies.partner_can(user=request.user, action="decide", partner=partner).raise_if_denied()
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        partner = services.partner_decide(
            partner=partner, decision=decision, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(PartnerOutput(partner).data)

    @extend_schema(request=ReasonInput, responses=PartnerOutput, summary="通过申请（或恢复暂停的合伙人）")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, "approve")

    @extend_schema(request=ReasonInput, responses=PartnerOutput, summary="拒绝申请（须填原因）")
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._decide(request, "decline")

    @extend_schema(request=ReasonInput, responses=PartnerOutput, summary="暂停合伙人（须填原因）")
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._decide(request, "suspend")

    @extend_schema(
        parameters=[OpenApiParameter("community", int), OpenApiParameter("year", int)],
        responses=dict,
        summary="年度优秀合伙人排行（按当年获得积分）",
    )
    @action(detail=False, methods=["get"])
    def ranking(self, request):
        ids = selectors.community_ids_of(user=request.user)
        try:
            community_pk = int(request.query_params.get("community", ""))
            year = int(request.query_params.get("year") or timezone.localdate().year)
        except ValueError as exc:
            raise DomainError(_("请指定社区和年份。"), code="community_required") from exc
        community = Area.objects.filter(pk=community_pk, level=Area.Level.COMMUNITY).first()
        if community is None or (ids is not None and community.pk not in ids):
            raise Http404
        return Response(
            {
                "community": community.pk,
                "year": year,
                "results": services.partner_ranking(community=community, year=year),
            }
        )

    @extend_schema(request=None, responses=CreditOutput, summary="信用档案：分数、依据与计算公式")
    @action(detail=True, methods=["get"])
    def credit(self, request, pk=None):
        partner = self.get_object()
        policies.partner_can(user=request.user, action="view", partner=partner).raise_if_denied()
        return Response(CreditOutput(services.credit_profile(partner=partner)).data)


class EarningRuleViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = EarningRule.objects.none()
    serializer_class = EarningRuleOutput
    permission_classes = [IsPortalUser]

    def get_queryset(self):
        return selectors.visible_rules(user=self.request.user).order_by("pk")

    @extend_schema(request=EarningRuleInput, responses={201: EarningRuleOutput}, summary="新增积分规则（工作人员）")
    @idempotent_api  # Idempotency-Key: a retry returns the first response and creates nothing more
    def create(self, request):
        data = EarningRuleInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        community = _staff_community(request.user, values.pop("community", None))
        policies.community_manage_can(user=request.user, community=community).raise_if_denied()
        rule = services.earning_rule_save(community=community, actor=request.user, **values)
        return Response(EarningRuleOutput(rule).data, status=status.HTTP_201_CREATED)


class ServiceRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    schema_may_404 = True  # no partner account of yours, or an id outside your community
    queryset = ServiceRecord.objects.none()
    serializer_class = ServiceRecordOutput
    permission_classes = [IsPortalUser]
    lookup_value_regex = r"\d+"
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.visible_records(user=self.request.user).order_by("-pk")

    def get_object(self):
        return selectors.record_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=ServiceRecordInput, responses={201: ServiceRecordOutput}, summary="登记服务记录")
    @idempotent_api  # Idempotency-Key: a retry returns the first response and creates nothing more
    def create(self, request):
        data = ServiceRecordInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        partner_pk = values.pop("partner", None)
        partner = (
            selectors.partner_get_for_user(user=request.user, pk=partner_pk)
            if partner_pk
            else _my_partner(request.user)
        )
        policies.partner_can(user=request.user, action="log_service", partner=partner).raise_if_denied()
        rule = EarningRule.objects.filter(pk=values.pop("rule")).first()
        if rule is None:
            raise DomainError(_("服务项目不存在。"), code="rule_not_available")
        record = services.service_record_submit(partner=partner, rule=rule, actor=request.user, **values)
        return Response(ServiceRecordOutput(record, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ServiceRecordOutput, summary="核实并记分（只记一次）")
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        record = self.get_object()
        policies.record_can(user=request.user, action="verify", record=record).raise_if_denied()
        record, _tx = services.service_record_verify(record=record, actor=request.user)
        return Response(ServiceRecordOutput(record, context={"request": request}).data)

    @extend_schema(request=ReasonInput, responses=ServiceRecordOutput, summary="不通过（须填原因）")
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        record = self.get_object()
        policies.record_can(user=request.user, action="reject", record=record).raise_if_denied()
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        record = services.service_record_reject(record=record, actor=request.user, reason=data.validated_data["reason"])
        return Response(ServiceRecordOutput(record, context={"request": request}).data)
