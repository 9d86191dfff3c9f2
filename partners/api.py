"""Partners API (``/api/v1/``): partners, earning rules, service records, points, rewards and
redemptions. Validate → policy → service → serialize; every object through a scoped selector
(another community's partner is a 404); refusals in the one JSON envelope ``{"code","detail"}``.
"""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.exceptions import DomainError
from governance.idempotency import idempotent_api
from governance.models import Area
from governance.permissions import IsPortalUser
from governance.policy import Forbidden
from governance.schema import ERROR_DESCRIPTIONS, ErrorOutput
from partners import policies, selectors, services
from partners.models import Claim, EarningRule, Need, Partner, Project, Redemption, Reward, ServiceRecord
from partners.serializers import (
    AdjustmentInput,
    AdjustmentOutput,
    AttendanceInput,
    ClaimOutput,
    CodeInput,
    CreditOutput,
    EarningRuleInput,
    EarningRuleOutput,
    EvaluationInput,
    EvaluationOutput,
    NeedInput,
    NeedOutput,
    PartnerInput,
    PartnerOutput,
    ProjectInput,
    ProjectOutput,
    ReasonInput,
    RedemptionInput,
    RedemptionOutput,
    RewardInput,
    RewardOutput,
    ServiceRecordInput,
    ServiceRecordOutput,
    StatementOutput,
)

# A bodiless idempotent action still answers 400 for a malformed Idempotency-Key and 409 while a
# request with the same key is in progress (or for the action's own conflicts); the core's schema
# infers those from a request body, so these actions declare them.
_KEY_ERRORS = {code: OpenApiResponse(ErrorOutput, description=ERROR_DESCRIPTIONS[str(code)]) for code in (400, 409)}


class NotAPartner(DomainError):
    code = "not_partner"
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = _("您还不是社区合伙人。")


def _my_partner(user) -> Partner:
    partner = selectors.my_partner(user=user)
    if partner is None:
        raise NotAPartner(_("您还不是社区合伙人，不能执行此操作。"))
    return partner


def _staff_community(user, pk: int | None) -> Area:
    """The community a staff write is for: the one named (if they are staff over it) or their own."""
    communities = selectors.staff_communities(user=user)
    if pk is not None:
        community = Area.objects.filter(pk=pk, level=Area.Level.COMMUNITY).first()
        if community is None:
            raise DomainError(_("社区不存在。"), code="not_a_community")
        policies.community_manage_can(user=user, community=community).raise_if_denied()
        return community
    if not policies.is_staff_somewhere(user):
        raise Forbidden(_("只有社区工作人员可以执行此操作。"), code="not_staff_here")
    found = list(communities.order_by("path")[:2])
    if len(found) != 1:
        raise DomainError(_("请指定社区（community）。"), code="community_required")
    return found[0]


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


class NeedViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Need.objects.none()
    serializer_class = NeedOutput
    permission_classes = [IsPortalUser]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.visible_needs(user=self.request.user)

    @extend_schema(request=NeedInput, responses={201: NeedOutput}, summary="提出需求")
    @idempotent_api  # Idempotency-Key: a retry returns the first response and creates nothing more
    def create(self, request):
        data = NeedInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        ids = selectors.community_ids_of(user=request.user)
        community = Area.objects.filter(pk=values.pop("community"), level=Area.Level.COMMUNITY).first()
        if community is None or (ids is not None and community.pk not in ids):
            raise DomainError(_("只能向您所在的社区提出需求。"), code="not_your_community")
        need = services.need_submit(community=community, actor=request.user, **values)
        return Response(NeedOutput(need).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: NeedOutput, **_KEY_ERRORS}, summary="支持需求（每人一次）")
    @action(detail=True, methods=["post"])
    @idempotent_api  # Idempotency-Key: a retry returns the first response and creates nothing more
    def support(self, request, pk=None):
        need = selectors.need_get_for_user(user=request.user, pk=pk)
        return Response(NeedOutput(services.need_support(need=need, actor=request.user)).data)


class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    schema_may_404 = True  # no partner account of yours, or an id outside your community
    queryset = Project.objects.none()
    serializer_class = ProjectOutput
    permission_classes = [IsPortalUser]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.visible_projects(user=self.request.user)

    def get_object(self):
        return selectors.project_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=ProjectInput, responses={201: ProjectOutput}, summary="发布项目（工作人员）")
    @idempotent_api  # Idempotency-Key: a retry returns the first response and creates nothing more
    def create(self, request):
        data = ProjectInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        community = _staff_community(request.user, values.pop("community", None))
        policies.community_manage_can(user=request.user, community=community).raise_if_denied()
        need_pk = values.pop("need", None)
        need = selectors.need_get_for_user(user=request.user, pk=need_pk) if need_pk else None
        project = services.project_publish(community=community, need=need, actor=request.user, **values)
        return Response(ProjectOutput(project).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: ClaimOutput, **_KEY_ERRORS}, summary="认领项目")
    @action(detail=True, methods=["post"])
    @idempotent_api  # Idempotency-Key: a retry returns the first response and creates nothing more
    def claim(self, request, pk=None):
        project = self.get_object()
        policies.project_can(user=request.user, action="claim", project=project).raise_if_denied()
        partner = Partner.objects.get(users=request.user, community_id=project.community_id)
        claim = services.project_claim(project=project, partner=partner, actor=request.user)
        return Response(ClaimOutput(claim).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AttendanceInput, responses=ClaimOutput, summary="登记到场情况（工作人员）")
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        project = self.get_object()
        policies.project_can(user=request.user, action="manage", project=project).raise_if_denied()
        data = AttendanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        claim = Claim.objects.filter(project=project, pk=data.validated_data["claim"]).first()
        if claim is None:
            raise Http404
        claim = services.claim_mark(claim=claim, outcome=data.validated_data["outcome"], actor=request.user)
        return Response(ClaimOutput(claim).data)

    @extend_schema(request=None, responses=ProjectOutput, summary="结项并发放积分（工作人员）")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        project = self.get_object()
        policies.project_can(user=request.user, action="manage", project=project).raise_if_denied()
        return Response(ProjectOutput(services.project_close(project=project, actor=request.user)).data)

    @extend_schema(
        request=EvaluationInput, responses={201: EvaluationOutput}, summary="评价合伙人（居民代表、工作人员）"
    )
    @action(detail=True, methods=["post"])
    @idempotent_api  # Idempotency-Key: a retry returns the first response and creates nothing more
    def evaluations(self, request, pk=None):
        project = self.get_object()
        data = EvaluationInput(data=request.data)
        data.is_valid(raise_exception=True)
        partner = Partner.objects.filter(pk=data.validated_data["partner"], community_id=project.community_id).first()
        if partner is None:
            raise DomainError(_("该合伙人没有参与这个项目。"), code="not_in_project")
        evaluation = services.evaluation_add(
            project=project,
            partner=partner,
            evaluator=request.user,
            score=data.validated_data["score"],
            comment=data.validated_data["comment"],
        )
        return Response(EvaluationOutput(evaluation).data, status=status.HTTP_201_CREATED)


class EvaluationAppealView(APIView):
    permission_classes = [IsPortalUser]

    @extend_schema(request=ReasonInput, responses={201: dict}, summary="对评价提出申诉（合伙人本人）")
    @idempotent_api  # Idempotency-Key: a retry returns the first response and creates nothing more
    def post(self, request, pk: int):
        evaluation = selectors.evaluation_get_for_user(user=request.user, pk=pk)
        policies.evaluation_appeal_can(user=request.user, evaluation=evaluation).raise_if_denied()
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = services.evaluation_appeal(
            evaluation=evaluation, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response({"id": appeal.pk, "status": appeal.status}, status=status.HTTP_201_CREATED)


class AppealDecideView(APIView):
    permission_classes = [IsPortalUser]

    @extend_schema(request=dict, responses=dict, summary='处理申诉（工作人员）：{"uphold": true|false, "note"}')
    def post(self, request, pk: int):
        appeal = selectors.appeal_get_for_user(user=request.user, pk=pk)
        policies.appeal_decide_can(user=request.user, appeal=appeal).raise_if_denied()
        uphold = request.data.get("uphold")
        if not isinstance(uphold, bool):
            raise DomainError(_("请说明申诉是否成立（uphold: true 或 false）。"), code="invalid", fields={"uphold": []})
        note = str(request.data.get("note") or "")[:300]
        appeal = services.appeal_decide(appeal=appeal, uphold=uphold, actor=request.user, note=note)
        return Response({"id": appeal.pk, "status": appeal.status})
