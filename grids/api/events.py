"""Events API: report (with the duplicate check), list, detail and every action with its timeline.

Validate → service → serialize. Every object comes through a scoped selector, so another grid's
event is a 404.
"""

import math

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from governance.exceptions import Conflict, DomainError
from governance.idempotency import idempotent_api
from governance.permissions import IsPortalUser
from governance.selectors import dispatchable_departments
from grids import policies, selectors, services
from grids.models import Event, EventCategory
from grids.serializers import (
    AcceptInput,
    DispatchInput,
    EventDetailOutput,
    EventInput,
    EventListOutput,
    EventReasonInput,
    NearbyOutput,
    NoteInput,
    RateInput,
    RedispatchInput,
    RejectInput,
    ResolveInput,
    TimelineOutput,
)


class PossibleDuplicate(Conflict):
    code = "possible_duplicate"


class EventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Event.objects.none()
    serializer_class = EventListOutput
    lookup_value_regex = r"\d+"

    # Signed-in users only; who may take which action on which event is grids.policies' answer.
    permission_classes = [IsPortalUser]

    def get_queryset(self):
        events = selectors.event_list(user=self.request.user, filters=self.request.query_params)
        return events.only(*EventListOutput.columns) if self.action == "list" else events

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def _event(self, pk, action: str | None = None) -> Event:
        """The event if the user can see it (else 404) and, for ``action``, may take it (else 403)."""
        event = selectors.event_get_for_user(user=self.request.user, pk=pk)
        if action:
            policies.event_can(user=self.request.user, action=action, event=event).raise_if_denied()
        return event

    def _detail(self, event: Event) -> Response:
        event = selectors.event_get_for_user(user=self.request.user, pk=event.pk) if event else event
        return Response(EventDetailOutput(event, context=self.get_serializer_context()).data)

    def retrieve(self, request, pk=None):
        return self._detail(self._event(pk))

    @extend_schema(request=EventInput, responses={201: EventDetailOutput}, summary="上报事件")
    @idempotent_api  # Idempotency-Key: a retried report returns the first response, no second event
    def create(self, request):
        data = EventInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        for_caller = bool(values.get("reporter_name") or values.get("reporter_phone"))
        policies.event_report_can(
            user=request.user, source=values.get("source"), for_caller=for_caller
        ).raise_if_denied()
        confirm_new = values.pop("confirm_new")
        patrol = values.pop("patrol", None)
        if patrol is not None and patrol.worker_id != request.user.id:
            raise DomainError(
                _("只能在自己的巡查中添加发现。"), code="invalid", fields={"patrol": [_("不是您的巡查。")]}
            )
        source = values.pop("source", None) or (
            Event.Source.PATROL if patrol or policies.is_worker(request.user) else Event.Source.RESIDENT
        )
        category = values.get("category")
        if category is not None and not confirm_new:
            nearby = services.events_nearby_open(category=category, lon=values["lon"], lat=values["lat"])
            if nearby:
                # Codes are credentials (the tracking page): show only events this person may see.
                visible = set(
                    selectors.visible_events(user=request.user)
                    .filter(pk__in=[e.pk for e in nearby])
                    .values_list("pk", flat=True)
                )
                raise PossibleDuplicate(
                    _("附近 50 米内已有同类事件未办结，可能是同一问题。确认是新问题请勾选“确认新建”后重新提交。"),
                    fields={
                        "existing": NearbyOutput([e for e in nearby if e.pk in visible], many=True).data,
                        "count": len(nearby),
                    },
                )
        event = services.event_report(reporter=request.user, source=source, patrol=patrol, **values)
        context = {**self.get_serializer_context(), "no_photos": not values.get("photos")}
        return Response(EventDetailOutput(event, context=context).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("category", str), OpenApiParameter("lon", float), OpenApiParameter("lat", float)],
        responses=NearbyOutput(many=True),
        summary="附近 50 米内的同类未办结事件",
    )
    @action(detail=False, methods=["get"], pagination_class=None)  # a plain list, not paginated
    def nearby(self, request):
        category = EventCategory.objects.filter(service_code=request.query_params.get("category", "")).first()
        try:
            lon, lat = float(request.query_params["lon"]), float(request.query_params["lat"])
        except (KeyError, ValueError):
            raise DomainError(_("请提供 lon 和 lat。"), code="invalid") from None
        if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
            raise DomainError(_("坐标超出范围（经度 -180～180，纬度 -90～90）。"), code="invalid")
        if category is None:
            raise DomainError(_("事件类别不存在。"), code="invalid", fields={"category": [_("事件类别不存在。")]})
        found = services.events_nearby_open(
            category=category, lon=lon, lat=lat, queryset=selectors.visible_events(user=request.user)
        )
        return Response(NearbyOutput(found, many=True).data)

    @extend_schema(request=AcceptInput, responses=EventDetailOutput, summary="受理")
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        data = AcceptInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._detail(
            services.event_accept(event=self._event(pk, "accept"), actor=request.user, **data.validated_data)
        )

    @extend_schema(request=RejectInput, responses=EventDetailOutput, summary="不予受理")
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = RejectInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._detail(
            services.event_reject(event=self._event(pk, "reject"), actor=request.user, **data.validated_data)
        )

    @extend_schema(request=DispatchInput, responses=EventDetailOutput, summary="派单（可人工指定处置单位）")
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def dispatch_event(self, request, pk=None):  # not "dispatch": that name is APIView's request entry point
        data = DispatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        department = None
        if data.validated_data.get("department"):
            department = (
                dispatchable_departments(user=request.user).filter(pk=data.validated_data["department"]).first()
            )
            if department is None:
                raise DomainError(_("处置单位不存在。"), code="invalid", fields={"department": [_("处置单位不存在。")]})
        return self._detail(
            services.event_dispatch(
                event=self._event(pk, "dispatch"),
                actor=request.user,
                department=department,
                note=data.validated_data["note"],
            )
        )

    @extend_schema(request=NoteInput, responses=EventDetailOutput, summary="开始处置")
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        data = NoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._detail(
            services.event_start(event=self._event(pk, "start"), actor=request.user, **data.validated_data)
        )

    @extend_schema(request=ResolveInput, responses=EventDetailOutput, summary="办结")
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        data = ResolveInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._detail(
            services.event_resolve(event=self._event(pk, "resolve"), actor=request.user, **data.validated_data)
        )

    @extend_schema(request=NoteInput, responses=EventDetailOutput, summary="关闭")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        data = NoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._detail(
            services.event_close(event=self._event(pk, "close"), actor=request.user, **data.validated_data)
        )

    @extend_schema(request=RateInput, responses=EventDetailOutput, summary="评价（1–2 分重新打开）")
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        event = self._event(pk, "rate")
        data = RateInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._detail(services.event_rate(event=event, actor=request.user, **data.validated_data))

    @extend_schema(request=RateInput, responses=EventDetailOutput, summary="回访评价（工作人员代居民记录）")
    @action(detail=True, methods=["post"], url_path="return-visit", url_name="return-visit")
    def return_visit(self, request, pk=None):
        event = self._event(pk, "return_visit")
        data = RateInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._detail(services.event_return_visit(event=event, actor=request.user, **data.validated_data))

    @extend_schema(request=EventReasonInput, responses=EventDetailOutput, summary="退回（派错单位，回到待派单）")
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_event(self, request, pk=None):
        event = self._event(pk, "return")
        data = EventReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.event_return(event=event, actor=request.user, **data.validated_data)
        # The returning handler no longer sees the event (it left their unit): answer with the row in hand.
        return Response(EventDetailOutput(event, context=self.get_serializer_context()).data)

    @extend_schema(request=RedispatchInput, responses=EventDetailOutput, summary="改派（换处置单位）")
    @action(detail=True, methods=["post"])
    def redispatch(self, request, pk=None):
        event = self._event(pk, "redispatch")
        data = RedispatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        department = dispatchable_departments(user=request.user).filter(pk=data.validated_data["department"]).first()
        if department is None:
            raise DomainError(_("处置单位不存在。"), code="invalid", fields={"department": [_("处置单位不存在。")]})
        return self._detail(
            services.event_redispatch(
                event=event, actor=request.user, department=department, reason=data.validated_data["reason"]
            )
        )

    @extend_schema(request=NoteInput, responses=EventDetailOutput, summary="催办（通知承办单位，不改变状态）")
    @action(detail=True, methods=["post"])
    def urge(self, request, pk=None):
        event = self._event(pk, "urge")
        data = NoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.event_urge(event=event, actor=request.user, **data.validated_data)
        return self._detail(event)

    @extend_schema(request=EventReasonInput, responses=EventDetailOutput, summary="撤销（误报）")
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        event = self._event(pk, "withdraw")
        data = EventReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._detail(services.event_withdraw(event=event, actor=request.user, **data.validated_data))

    @extend_schema(responses={200: dict}, summary="上报人完整联系方式（查看记入审计）")
    @action(detail=True, methods=["get"])
    def contact(self, request, pk=None):
        event = self._event(pk, "read_contact")
        return Response(services.event_contact_read(event=event, actor=request.user, request=request._request))

    @extend_schema(responses=TimelineOutput(many=True), summary="事件流水")
    @action(detail=True, methods=["get"], pagination_class=None)  # the whole timeline, not paginated
    def timeline(self, request, pk=None):
        return Response(TimelineOutput(selectors.event_timeline(event=self._event(pk)), many=True).data)
