"""The mediation API (``/api/v1/mediation/…``): validate input, ask the policy, call a service.

A case outside the caller's reach is ``404`` on every endpoint; an action the policy refuses is
``403`` with the policy's code; a move the table refuses is ``409``. Reading a case's detail,
parties or timeline writes an audit entry.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.models import Area, User
from governance.pagination import PortalPagination
from governance.permissions import IsPortalUser
from mediation import documents, policies, selectors, services
from mediation import serializers as s
from mediation.models import Case, FollowUp, Party, Session


def _valid(serializer_class, request):
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class MediationView(APIView):
    permission_classes = [IsPortalUser]

    def case(self, pk, action: str) -> Case:
        """The case if the user may see it (else 404) and may take ``action`` (else 403)."""
        case = selectors.case_get_for_user(user=self.request.user, pk=pk)
        policies.case_can(user=self.request.user, action=action, case=case).raise_if_denied()
        return case

    def detail(self, case: Case, code=status.HTTP_200_OK) -> Response:
        case = selectors.case_get_for_user(user=self.request.user, pk=case.pk)
        return Response(s.CaseDetailOutput(case).data, status=code)


class CasePageOutput(serializers.Serializer):
    """One page of the case list (the portal's pagination)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = s.CaseListOutput(many=True)


class CaseListView(MediationView):
    schema_may_404 = True  # the area or grid event named in the body is outside your jurisdiction

    @extend_schema(responses=CasePageOutput, operation_id="v1_mediation_cases_list", summary="我可见的调解案件")
    def get(self, request):
        qs = selectors.case_list(user=request.user, status=request.query_params.get("status") or None)
        paginator = PortalPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(s.CaseListOutput(page, many=True).data)

    @extend_schema(request=s.CaseInput, responses={201: s.CaseCreatedOutput}, summary="登记调解案件")
    def post(self, request):
        values = _valid(s.CaseInput, request)
        area = Area.objects.filter(pk=values.pop("area")).first()
        if area is None:
            raise Http404
        policies.case_register_can(user=request.user, area=area, source=values["source"]).raise_if_denied()
        event_id = values.pop("event", None)
        parties = values.pop("parties", [])
        if policies.resident_only(request.user):
            parties = [{**p, "user": request.user} if i == 0 else p for i, p in enumerate(parties)]
        if event_id:
            event = selectors.event_for_conversion(user=request.user, pk=event_id)
            policies.event_convert_can(user=request.user, event=event).raise_if_denied()
            case = services.case_from_event(
                event=event,
                actor=request.user,
                type=values["type"],
                risk_level=values["risk_level"],
                risk_reason=values.get("risk_reason", ""),
                description=values["description"],
                parties=parties,
            )
        else:
            lead = request.user if policies.is_mediator(request.user) else None
            case = services.case_register(actor=request.user, area=area, parties=parties, lead=lead, **values)
        return Response(s.CaseCreatedOutput(case).data, status=status.HTTP_201_CREATED)


class CaseDetailView(MediationView):
    @extend_schema(responses=s.CaseDetailOutput, summary="案件详情（当事人信息已脱敏；查看记入审计）")
    def get(self, request, pk):
        case = self.case(pk, "view")
        services.case_read_record(actor=request.user, case=case, part="detail", request=request)
        return self.detail(case)


class CasePartiesView(MediationView):
    @extend_schema(responses=s.PartyOutput(many=True), summary="当事人完整信息（查看记入审计）")
    def get(self, request, pk):
        case = self.case(pk, "read_parties")
        services.case_read_record(actor=request.user, case=case, part="parties", request=request)
        return Response(s.PartyOutput(selectors.case_parties(case=case), many=True).data)

    @extend_schema(request=s.PartyInput, responses={201: s.PartyOutput}, summary="增加当事人")
    def post(self, request, pk):
        case = self.case(pk, "add_party")
        party = services.party_add(case=case, actor=request.user, **_valid(s.PartyInput, request))
        return Response(s.PartyOutput(party).data, status=status.HTTP_201_CREATED)


class CaseRelationsView(MediationView):
    @extend_schema(responses=s.RelationOutput(many=True), summary="已申报的当事人关系")
    def get(self, request, pk):
        case = self.case(pk, "read_parties")
        return Response(s.RelationOutput(selectors.case_relations(case=case), many=True).data)

    @extend_schema(request=s.RelationInput, responses={201: None}, summary="申报当事人关系（用于回避审查）")
    def post(self, request, pk):
        case = self.case(pk, "declare_relation")
        values = _valid(s.RelationInput, request)
        party = get_object_or_404(Party, pk=values["party"], case=case)
        other_party = (
            get_object_or_404(Party, pk=values["other_party"], case=case) if values.get("other_party") else None
        )
        other_user = get_object_or_404(User, pk=values["other_user"]) if values.get("other_user") else None
        relation = services.relation_declare(
            case=case,
            actor=request.user,
            party=party,
            relation=values["relation"],
            other_party=other_party,
            other_user=other_user,
        )
        return Response({"id": relation.pk}, status=status.HTTP_201_CREATED)


class CaseRelationView(MediationView):
    @extend_schema(request=None, responses={204: None}, summary="撤回关系申报")
    def delete(self, request, pk, relation_pk):
        case = self.case(pk, "declare_relation")
        relation = selectors.case_relation_get(case=case, pk=relation_pk)
        services.relation_remove(case=case, actor=request.user, relation=relation)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CaseTimelineView(MediationView):
    @extend_schema(responses=s.CaseTimelineOutput(many=True), summary="案件流水")
    def get(self, request, pk):
        case = self.case(pk, "view")
        services.case_read_record(actor=request.user, case=case, part="timeline", request=request)
        return Response(s.CaseTimelineOutput(selectors.case_timeline(case=case), many=True).data)


# action → (input serializer, service call)
def _accept(case, user, v):
    return services.case_accept(case=case, actor=user, note=v.get("note", ""))


def _decline(case, user, v):
    return services.case_decline(case=case, actor=user, reason=v["reason"])


def _start(case, user, v):
    return services.case_start(case=case, actor=user, note=v.get("note", ""))


def _fail(case, user, v):
    return services.case_fail(case=case, actor=user, reason=v["reason"])


def _refer(case, user, v):
    return services.case_refer(case=case, actor=user, to=v["to"], note=v.get("note", ""))


def _close(case, user, v):
    return services.case_close(case=case, actor=user, note=v.get("note", ""))


def _reopen(case, user, v):
    return services.case_reopen(case=case, actor=user, note=v.get("note", ""))


def _escalate(case, user, v):
    keep_ids = set(v.pop("keep", []))
    keep = list(User.objects.filter(pk__in=keep_ids))
    if len(keep) != len(keep_ids):
        raise ValidationError({"keep": [_("只能留任本案现有的承办调解员。")]})
    return services.case_escalate(case=case, actor=user, keep=keep, **v)


CASE_MOVES = {
    "accept": (s.NoteInput, _accept),
    "decline": (s.ReasonInput, _decline),
    "start": (s.NoteInput, _start),
    "fail": (s.ReasonInput, _fail),
    "refer": (s.ReferInput, _refer),
    "close": (s.NoteInput, _close),
    "reopen": (s.NoteInput, _reopen),
    "escalate": (s.EscalateInput, _escalate),
}


class CaseMoveView(MediationView):
    move = ""

    @extend_schema(request=None, responses=s.CaseDetailOutput, summary="案件办理")
    def post(self, request, pk):
        case = self.case(pk, self.move)
        serializer_class, call = CASE_MOVES[self.move]
        call(case, request.user, _valid(serializer_class, request))
        if not selectors.visible_cases(user=request.user).filter(pk=case.pk).exists():
            # Escalated above the actor's reach (a street supervisor handing up to the county): the
            # answer is the case as they just left it, not a 404 for a move that was made.
            return Response(s.CaseDetailOutput(selectors.case_after_move(pk=case.pk)).data)
        return self.detail(case)


class CaseAssignView(MediationView):
    @extend_schema(request=s.AssignInput, responses=s.CaseDetailOutput, summary="指派调解员")
    def post(self, request, pk):
        case = self.case(pk, "assign")
        values = _valid(s.AssignInput, request)
        mediator = get_object_or_404(User, pk=values["mediator"], is_active=True)
        services.case_assign(case=case, mediator=mediator, actor=request.user, lead=values["lead"])
        return self.detail(case)


class EventToCaseView(MediationView):
    @extend_schema(request=s.EventToCaseInput, responses={201: s.CaseCreatedOutput}, summary="网格事件转为调解案件")
    def post(self, request, pk):
        event = selectors.event_for_conversion(user=request.user, pk=pk)
        policies.event_convert_can(user=request.user, event=event).raise_if_denied()
        values = _valid(s.EventToCaseInput, request)
        case = services.case_from_event(event=event, actor=request.user, **values)
        return Response(s.CaseCreatedOutput(case).data, status=status.HTTP_201_CREATED)


class CaseSessionsView(MediationView):
    @extend_schema(responses=s.SessionOutput(many=True), summary="调解会")
    def get(self, request, pk):
        case = self.case(pk, "view")
        notes_visible = policies.channel_notes_visible(user=request.user, case=case)
        sessions = selectors.case_sessions(case=case)
        return Response(s.SessionOutput(sessions, many=True, context={"notes_visible": notes_visible}).data)

    @extend_schema(request=s.SessionInput, responses={201: s.SessionOutput}, summary="安排调解会")
    def post(self, request, pk):
        case = self.case(pk, "schedule_session")
        session = services.session_schedule(case=case, actor=request.user, **_valid(s.SessionInput, request))
        return Response(s.SessionOutput(session).data, status=status.HTTP_201_CREATED)


class SessionHoldView(MediationView):
    @extend_schema(request=s.HoldInput, responses=s.SessionOutput, summary="记录调解会")
    def post(self, request, pk):
        session: Session = selectors.session_get_for_user(user=request.user, pk=pk)
        policies.case_can(user=request.user, action="hold_session", case=session.case).raise_if_denied()
        values = _valid(s.HoldInput, request)
        services.session_hold(
            session=session, actor=request.user, outcome=values["outcome"], notes=values.get("notes", [])
        )
        notes_visible = policies.channel_notes_visible(user=request.user, case=session.case)
        session = selectors.session_get_for_user(user=request.user, pk=pk)
        return Response(s.SessionOutput(session, context={"notes_visible": notes_visible}).data)


class AgreementView(MediationView):
    @extend_schema(request=s.AgreementInput, responses={201: s.CaseDetailOutput}, summary="记录调解协议")
    def post(self, request, pk):
        case = self.case(pk, "record_agreement")
        services.agreement_record(case=case, actor=request.user, **_valid(s.AgreementInput, request))
        return self.detail(case, code=status.HTTP_201_CREATED)


def _signature_rows(case: Case) -> list[dict]:
    """Every party of the case and their live signature on the current agreement (404: none)."""
    if selectors.case_agreement(case=case) is None:
        raise Http404
    return s.SignatureOutput(s.signature_rows(selectors.agreement_signatures(case=case)), many=True).data


class AgreementSignaturesView(MediationView):
    """Who has signed the current agreement: every party of the case, signed or not."""

    def rows(self, case: Case) -> list[dict]:
        return _signature_rows(case)

    @extend_schema(responses=s.SignatureOutput(many=True), summary="调解协议的当事人签字情况（查看记入审计）")
    def get(self, request, pk):
        case = self.case(pk, "view")
        rows = self.rows(case)
        services.case_read_record(actor=request.user, case=case, part="signatures", request=request)
        return Response(rows)

    @extend_schema(
        request=s.SignatureInput,
        responses={201: s.SignatureOutput(many=True)},
        summary="登记当事人签字（当面签字或调解员事后补录；日期不能晚于今天）",
    )
    def post(self, request, pk):
        case = self.case(pk, "record_signature")
        values = _valid(s.SignatureInput, request)
        party = Party.objects.filter(pk=values["party"], case=case).first()
        services.signature_record(
            case=case, actor=request.user, party=party, signed_on=values["signed_on"], method=values["method"]
        )
        return Response(self.rows(case), status=status.HTTP_201_CREATED)


class SignatureWithdrawView(MediationView):
    @extend_schema(
        request=s.WithdrawInput,
        responses=s.SignatureOutput(many=True),
        summary="撤回登记错误的当事人签字（须说明原因；已申请司法确认或已结案的不能撤回）",
    )
    def post(self, request, pk, signature_pk):
        case = self.case(pk, "withdraw_signature")
        signature = selectors.signature_get(case=case, pk=signature_pk)
        values = _valid(s.WithdrawInput, request)
        services.signature_withdraw(case=case, actor=request.user, signature=signature, reason=values["reason"])
        return Response(_signature_rows(case))


class AgreementListView(MediationView):
    @extend_schema(responses=s.AgreementOutput(many=True), summary="本案各轮调解协议（含已失效的以前各轮）")
    def get(self, request, pk):
        case = self.case(pk, "view")
        agreements = case.agreements.select_related("confirmation").order_by("round")
        return Response(s.AgreementOutput(agreements, many=True).data)


class AgreementPdfView(MediationView):
    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
        summary="下载调解协议书（PDF；下载记入审计）",
    )
    def get(self, request, pk, agreement_pk=None):
        """The current agreement; with ``agreement_pk``, any round's (an earlier one is marked as
        superseded on the paper)."""
        case = self.case(pk, "download_agreement")
        if agreement_pk is None:
            agreement = selectors.case_agreement(case=case)
            if agreement is None:
                raise Http404
        else:
            agreement = selectors.case_agreement_get(case=case, pk=agreement_pk)
        services.case_read_record(actor=request.user, case=case, part="agreement_pdf", request=request)
        return documents.agreement_response(case=case, agreement=agreement)


class CaseFollowUpsView(MediationView):
    @extend_schema(
        responses=s.FollowUpOutput(many=True),
        parameters=[OpenApiParameter("agreement", int, description="an earlier round's agreement id")],
        summary="回访（默认为当前调解协议的回访）",
    )
    def get(self, request, pk):
        case = self.case(pk, "view")
        agreement_id = request.query_params.get("agreement")
        agreement = selectors.case_agreement_get(case=case, pk=agreement_id) if agreement_id else None
        follow_ups = selectors.case_follow_ups(case=case, agreement=agreement)
        return Response(s.FollowUpOutput(follow_ups, many=True).data)


class FollowUpRecordView(MediationView):
    @extend_schema(request=s.FollowUpInput, responses=s.FollowUpOutput, summary="记录回访")
    def post(self, request, pk):
        follow_up: FollowUp = selectors.follow_up_get_for_user(user=request.user, pk=pk)
        policies.case_can(user=request.user, action="record_follow_up", case=follow_up.case).raise_if_denied()
        services.follow_up_record(follow_up=follow_up, actor=request.user, **_valid(s.FollowUpInput, request))
        return Response(s.FollowUpOutput(FollowUp.objects.get(pk=pk)).data)


class ConfirmationView(MediationView):
    @extend_schema(request=s.ConfirmationInput, responses=s.CaseDetailOutput, summary="申请司法确认")
    def post(self, request, pk):
        case = self.case(pk, "apply_confirmation")
        services.confirmation_apply(case=case, actor=request.user, **_valid(s.ConfirmationInput, request))
        return self.detail(case, code=status.HTTP_201_CREATED)


class ConfirmationDecideView(MediationView):
    @extend_schema(request=s.DecideInput, responses=s.CaseDetailOutput, summary="登记司法确认结果")
    def post(self, request, pk):
        case = self.case(pk, "decide_confirmation")
        services.confirmation_decide(case=case, actor=request.user, **_valid(s.DecideInput, request))
        return self.detail(case)
