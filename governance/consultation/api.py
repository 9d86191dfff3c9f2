"""Consultation API under /api/v1/consultation/: validate → policy → service → serialize.

Every object comes through a scoped selector (another compound's meeting is a 404); every
decision through ``consultation.policies`` (403 with the policy's code); every state refusal is
the workflow's 409.
"""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from governance.consultation import policies, selectors, services
from governance.consultation.models import FeePlan, Meeting, Resolution, ServiceItem, Suggestion
from governance.consultation.serializers import (
    AgendaItemInput,
    AgendaItemOutput,
    AgendaMoveInput,
    CancelInput,
    FeePlanInput,
    FeePlanOutput,
    MeetingInput,
    MeetingOutput,
    MinutesInput,
    MinutesReplyInput,
    ParticipantInput,
    ParticipantOutput,
    PartyOrganizationOutput,
    ProgressInput,
    RatingInput,
    RatingOutput,
    ResolutionOutput,
    ServiceItemInput,
    ServiceItemOutput,
    SignInInput,
    SubtaskInput,
    SuggestionInput,
    SuggestionOutput,
    VoteInput,
)
from governance.models import PartyOrganization
from governance.permissions import IsPortalUser
from governance.selectors import visible_party_organizations


def _valid(serializer_class, request) -> dict:
    """The request's body checked by ``serializer_class`` (400 with its errors otherwise)."""
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


def meeting_detail_data(*, meeting: Meeting, user) -> dict:
    attendance = selectors.attendance_for(meeting=meeting)
    quorum = selectors.quorum_for(meeting=meeting)
    runner = policies.meeting_can(user=user, action="open", meeting=meeting).allowed
    data = MeetingOutput(meeting).data
    data.update(
        participants=ParticipantOutput(meeting.participants.select_related("user"), many=True).data if runner else [],
        agenda=AgendaItemOutput(selectors.agenda_outline(meeting=meeting), many=True).data,
        attendance={g: {"invited": i, "signed": s} for g, _label, i, s in attendance.rows()},
        present=attendance.present,
        quorum={"ok": quorum.ok, "reasons": quorum.reasons},
        sign_in_code=meeting.sign_in_code if runner else None,
        minutes=meeting.minutes
        if policies.meeting_can(user=user, action="read_minutes", meeting=meeting).allowed
        else None,
    )
    return data


class PartyOrganizationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = PartyOrganization.objects.none()
    serializer_class = PartyOrganizationOutput
    permission_classes = [IsPortalUser]

    def get_queryset(self):
        return visible_party_organizations(user=self.request.user).order_by("area__path", "id")


class MeetingViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Meeting.objects.none()
    serializer_class = MeetingOutput
    permission_classes = [IsPortalUser]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        params = self.request.query_params
        return selectors.meeting_list(
            user=self.request.user, status=params.get("status", ""), area=params.get("area", "")
        )

    def _meeting(self, pk) -> Meeting:
        return selectors.meeting_get_for_user(user=self.request.user, pk=pk)

    def _detail(self, meeting: Meeting, code=status.HTTP_200_OK) -> Response:
        meeting.refresh_from_db()
        return Response(meeting_detail_data(meeting=meeting, user=self.request.user), status=code)

    @extend_schema(responses=MeetingOutput, summary="会议详情（议程、签到、法定人数）")
    def retrieve(self, request, pk=None):
        return self._detail(self._meeting(pk))

    @extend_schema(request=MeetingInput, responses={201: MeetingOutput}, summary="安排议事会议")
    def create(self, request):
        values = _valid(MeetingInput, request)
        policies.meeting_create_can(
            user=request.user, organization=values["organization"], area=values["area"]
        ).raise_if_denied()
        meeting = services.meeting_create(actor=request.user, **values)
        return self._detail(meeting, status.HTTP_201_CREATED)

    def _act(self, request, pk, action_name: str, run) -> Response:
        meeting = self._meeting(pk)
        policies.meeting_can(user=request.user, action=action_name, meeting=meeting).raise_if_denied()
        run(meeting)
        return self._detail(meeting)

    @extend_schema(request=None, summary="开会（返回签到码）")
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        return self._act(request, pk, "open", lambda m: services.meeting_open(actor=request.user, meeting=m))

    @extend_schema(request=None, summary="散会")
    @action(detail=True, methods=["post"])
    def conclude(self, request, pk=None):
        return self._act(request, pk, "conclude", lambda m: services.meeting_conclude(actor=request.user, meeting=m))

    @extend_schema(request=CancelInput, summary="取消会议")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        values = _valid(CancelInput, request)
        return self._act(
            request,
            pk,
            "cancel",
            lambda m: services.meeting_cancel(actor=request.user, meeting=m, reason=values["reason"]),
        )

    @extend_schema(request=ParticipantInput, summary="邀请参会人")
    @action(detail=True, methods=["post"])
    def participants(self, request, pk=None):
        values = _valid(ParticipantInput, request)
        return self._act(
            request,
            pk,
            "invite",
            lambda m: services.participant_add(actor=request.user, meeting=m, **values),
        )

    @extend_schema(request=SignInInput, summary="参会人凭签到码签到")
    @action(detail=True, methods=["post"], url_path="sign-in")
    def sign_in(self, request, pk=None):
        values = _valid(SignInInput, request)
        meeting = self._meeting(pk)
        policies.meeting_can(user=request.user, action="sign_in", meeting=meeting).raise_if_denied()
        participant = services.meeting_sign_in(user=request.user, meeting=meeting, code=values["code"])
        return Response(ParticipantOutput(participant).data)

    @extend_schema(request=AgendaItemInput, responses=AgendaItemOutput, summary="议程（列表 / 新增）")
    @action(detail=True, methods=["get", "post"], url_path="agenda-items")
    def agenda_items(self, request, pk=None):
        meeting = self._meeting(pk)
        if request.method == "GET":
            return Response(AgendaItemOutput(selectors.agenda_outline(meeting=meeting), many=True).data)
        policies.meeting_can(user=request.user, action="add_item", meeting=meeting).raise_if_denied()
        values = _valid(AgendaItemInput, request)
        suggestion = values.get("suggestion")
        if (
            suggestion is not None
            and not selectors.visible_suggestions(user=request.user).filter(pk=suggestion.pk).exists()
        ):
            suggestion = None
        values = {**values, "suggestion": suggestion}
        item = services.agenda_item_add(actor=request.user, meeting=meeting, **values)
        item.number = selectors.agenda_numbers(meeting=meeting)[item.pk]
        return Response(AgendaItemOutput(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MinutesInput, summary="撰写会议纪要")
    @action(detail=True, methods=["post"])
    def minutes(self, request, pk=None):
        values = _valid(MinutesInput, request)
        return self._act(
            request,
            pk,
            "write_minutes",
            lambda m: services.meeting_minutes_save(actor=request.user, meeting=m, text=values["text"]),
        )

    @extend_schema(request=None, summary="纪要送参会人确认（默认3天）")
    @action(detail=True, methods=["post"], url_path="minutes/send")
    def minutes_send(self, request, pk=None):
        return self._act(
            request, pk, "send_minutes", lambda m: services.meeting_minutes_send(actor=request.user, meeting=m)
        )

    @extend_schema(request=MinutesReplyInput, summary="参会人确认纪要或提出异议")
    @action(detail=True, methods=["post"], url_path="minutes/confirm")
    def minutes_confirm(self, request, pk=None):
        values = _valid(MinutesReplyInput, request)
        meeting = self._meeting(pk)
        policies.meeting_can(user=request.user, action="confirm_minutes", meeting=meeting).raise_if_denied()
        response = services.meeting_minutes_reply(user=request.user, meeting=meeting, objection=values["objection"])
        return Response({"round": response.round, "confirmed": response.confirmed, "objection": response.objection})

    @extend_schema(request=None, summary="公布会议纪要")
    @action(detail=True, methods=["post"], url_path="minutes/publish")
    def minutes_publish(self, request, pk=None):
        return self._act(
            request, pk, "publish_minutes", lambda m: services.meeting_minutes_publish(actor=request.user, meeting=m)
        )


class AgendaItemViewSet(viewsets.GenericViewSet):
    queryset = Meeting.objects.none()
    permission_classes = [IsPortalUser]
    lookup_value_regex = r"\d+"

    @extend_schema(request=VoteInput, responses=AgendaItemOutput, summary="录入表决结果（409 no_quorum）")
    @action(detail=True, methods=["post"])
    def vote(self, request, pk=None):
        item = selectors.agenda_item_get_for_user(user=request.user, pk=pk)
        policies.meeting_can(user=request.user, action="vote", meeting=item.meeting).raise_if_denied()
        values = _valid(VoteInput, request)
        item = services.agenda_item_vote(actor=request.user, item=item, **values)
        item.number = selectors.agenda_numbers(meeting=item.meeting)[item.pk]
        return Response({**AgendaItemOutput(item).data, "adopted": item.adopted})

    @extend_schema(
        request=AgendaMoveInput,
        responses=AgendaItemOutput(many=True),
        summary="调整议程顺序或层级（返回整份议程；409 议程已被他人调整）",
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        item = selectors.agenda_item_get_for_user(user=request.user, pk=pk)
        policies.meeting_can(user=request.user, action="arrange_agenda", meeting=item.meeting).raise_if_denied()
        values = _valid(AgendaMoveInput, request)
        services.agenda_item_move(actor=request.user, item=item, **values)
        return Response(AgendaItemOutput(selectors.agenda_outline(meeting=item.meeting), many=True).data)


class ResolutionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Resolution.objects.none()
    serializer_class = ResolutionOutput
    permission_classes = [IsPortalUser]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.visible_resolutions(user=self.request.user).order_by("due_date", "id")

    @extend_schema(request=ProgressInput, responses=ResolutionOutput, summary="更新决议进度")
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        resolution = selectors.resolution_get_for_user(user=request.user, pk=pk)
        policies.resolution_can(user=request.user, action="progress", resolution=resolution).raise_if_denied()
        values = _valid(ProgressInput, request)
        services.resolution_progress(actor=request.user, resolution=resolution, **values)
        return Response(ResolutionOutput(selectors.resolution_get_for_user(user=request.user, pk=pk)).data)

    @extend_schema(request=SubtaskInput, responses={201: ResolutionOutput}, summary="分解子任务")
    @action(detail=True, methods=["post"])
    def subtasks(self, request, pk=None):
        resolution = selectors.resolution_get_for_user(user=request.user, pk=pk)
        policies.resolution_can(user=request.user, action="subtask", resolution=resolution).raise_if_denied()
        values = _valid(SubtaskInput, request)
        child = services.resolution_subtask_add(actor=request.user, parent=resolution, **values)
        return Response(ResolutionOutput(child).data, status=status.HTTP_201_CREATED)


class SuggestionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = r"\d+"
    queryset = Suggestion.objects.none()
    serializer_class = SuggestionOutput
    permission_classes = [IsPortalUser]

    def get_queryset(self):
        return selectors.visible_suggestions(user=self.request.user)

    @extend_schema(request=SuggestionInput, responses={201: SuggestionOutput}, summary="提出议题")
    def create(self, request):
        values = _valid(SuggestionInput, request)
        policies.suggestion_create_can(user=request.user, area=values["area"]).raise_if_denied()
        suggestion = services.suggestion_create(author=request.user, **values)
        return Response(SuggestionOutput(suggestion).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: OpenApiTypes.OBJECT}, summary="附议（每人一次）")
    @action(detail=True, methods=["post"])
    def support(self, request, pk=None):
        suggestion = self.get_queryset().filter(pk=pk).first()
        if suggestion is None:
            raise Http404
        policies.suggestion_support_can(user=request.user, suggestion=suggestion).raise_if_denied()
        services.suggestion_support(user=request.user, suggestion=suggestion)
        return Response({"supports": suggestion.supports.count()}, status=status.HTTP_201_CREATED)


class ServiceItemViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The service lists a person can see; staff add items; residents rate once a month."""

    queryset = ServiceItem.objects.none()
    serializer_class = ServiceItemOutput
    permission_classes = [IsPortalUser]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.visible_service_items(user=self.request.user).order_by("compound_id", "kind", "id")

    @extend_schema(request=ServiceItemInput, responses={201: ServiceItemOutput}, summary="新增服务项目")
    def create(self, request):
        values = _valid(ServiceItemInput, request)
        policies.compound_can(user=request.user, action="manage", compound=values["compound"]).raise_if_denied()
        resolution = values.get("resolution")
        if resolution is not None:
            resolution = selectors.resolution_get_for_user(user=request.user, pk=resolution.pk)
        item = services.service_item_create(actor=request.user, **{**values, "resolution": resolution})
        return Response(ServiceItemOutput(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RatingInput, responses={201: RatingOutput}, summary="评价本月服务（每月一次）")
    @action(detail=True, methods=["post"])
    def ratings(self, request, pk=None):
        item = selectors.service_item_get_for_user(user=request.user, pk=pk)
        policies.service_item_rate_can(user=request.user, item=item).raise_if_denied()
        values = _valid(RatingInput, request)
        rating = services.service_item_rate(resident=request.user, item=item, **values)
        return Response(RatingOutput(rating).data, status=status.HTTP_201_CREATED)


class FeePlanViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = FeePlan.objects.none()
    serializer_class = FeePlanOutput
    permission_classes = [IsPortalUser]

    def get_queryset(self):
        return selectors.visible_fee_plans(user=self.request.user).order_by("compound_id", "-period_start")

    @extend_schema(request=FeePlanInput, responses={201: FeePlanOutput}, summary="新增经费方案")
    def create(self, request):
        values = _valid(FeePlanInput, request)
        policies.compound_can(user=request.user, action="manage", compound=values["compound"]).raise_if_denied()
        plan = services.fee_plan_create(actor=request.user, **values)
        return Response(FeePlanOutput(plan).data, status=status.HTTP_201_CREATED)
