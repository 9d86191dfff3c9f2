"""Needs, projects (claim, attendance, close), evaluations and their appeals."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.exceptions import DomainError
from governance.idempotency import idempotent_api
from governance.models import Area
from governance.permissions import IsPortalUser
from governance.schema import ERROR_DESCRIPTIONS, ErrorOutput
from partners import policies, selectors, services
from partners.api._common import _staff_community
from partners.models import Claim, Need, Partner, Project
from partners.serializers import (
    AttendanceInput,
    ClaimOutput,
    EvaluationInput,
    EvaluationOutput,
    NeedInput,
    NeedOutput,
    ProjectInput,
    ProjectOutput,
    ReasonInput,
)

# A bodiless idempotent action still answers 400 for a malformed Idempotency-Key and 409 while a
# request with the same key is in progress (or for the action's own conflicts); the core's schema
# infers those from a request body, so these actions declare them.
_KEY_ERRORS = {code: OpenApiResponse(ErrorOutput, description=ERROR_DESCRIPTIONS[str(code)]) for code in (400, 409)}


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
