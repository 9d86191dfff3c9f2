"""Input/output serializers of the grids API. Reporter contact is masked in every output."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from governance.masking import mask_phone
from grids.models import Event, EventCategory, EventPhoto, Grid, Patrol, TimelineEntry
from grids.services import time_left_state


class GridOutput(serializers.ModelSerializer):
    community = serializers.CharField(source="area.name")
    households_advised = serializers.BooleanField(read_only=True)

    class Meta:
        model = Grid
        fields = ["id", "code", "name", "community", "households", "households_advised", "boundary", "is_active"]


class CategoryOutput(serializers.ModelSerializer):
    department = serializers.CharField(source="department.name", default=None)

    class Meta:
        model = EventCategory
        fields = [
            "id",
            "service_code",
            "name",
            "name_en",
            "description",
            "group",
            "department",
            "response_minutes",
            "resolution_minutes",
        ]


class CategoryBrief(serializers.ModelSerializer):
    class Meta:
        model = EventCategory
        fields = ["id", "service_code", "name"]


class GridBrief(serializers.ModelSerializer):
    class Meta:
        model = Grid
        fields = ["id", "code", "name"]


class PhotoOutput(serializers.ModelSerializer):
    """Photos are served through a scoped view (never a public /media/ link)."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = EventPhoto
        fields = ["id", "kind", "url", "created_at"]

    def get_url(self, photo: EventPhoto) -> str:
        path = reverse("grids:event_photo", args=[photo.event_id, photo.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class EventListOutput(serializers.ModelSerializer):
    category = CategoryBrief(allow_null=True)
    grid = GridBrief()
    department = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display")
    time_left = serializers.SerializerMethodField()
    minutes_left = serializers.SerializerMethodField()
    reporter_phone = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "id",
            "code",
            "status",
            "status_display",
            "category",
            "grid",
            "department",
            "source",
            "level",
            "description",
            "address",
            "lon",
            "lat",
            "respond_by",
            "responded_at",
            "time_left",
            "minutes_left",
            "reporter_name",
            "reporter_phone",
            "created_at",
        ]

    def get_department(self, event: Event) -> dict | None:
        return {"id": event.department_id, "name": event.department.name} if event.department_id else None

    def get_time_left(self, event: Event) -> str:
        return time_left_state(event=event, now=self.context.get("now"))

    def get_minutes_left(self, event: Event) -> int | None:
        if not event.is_open or event.responded_at is not None:
            return None
        now = self.context.get("now") or timezone.now()
        return int((event.respond_by - now).total_seconds() // 60)

    def get_reporter_phone(self, event: Event) -> str:
        return mask_phone(event.reporter_phone)


class EventDetailOutput(EventListOutput):
    suggested_category = CategoryBrief(allow_null=True)
    photos = PhotoOutput(many=True)
    resolve_by = serializers.DateTimeField()

    class Meta(EventListOutput.Meta):
        fields = [
            *EventListOutput.Meta.fields,
            "suggested_category",
            "photos",
            "resolution",
            "reject_reason",
            "rating",
            "rating_comment",
            "resolve_by",
            "resolved_at",
            "closed_at",
            "status_changed_at",
        ]


class NearbyOutput(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display")

    class Meta:
        model = Event
        fields = ["id", "code", "status", "status_display", "description", "address", "created_at"]


class TimelineOutput(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    kind_display = serializers.CharField(source="get_kind_display")

    class Meta:
        model = TimelineEntry
        fields = ["id", "kind", "kind_display", "actor", "from_status", "to_status", "level", "note", "created_at"]

    def get_actor(self, entry: TimelineEntry) -> str | None:
        return entry.actor.display_name if entry.actor_id else None


REPORT_SOURCE_CHOICES = [(s.value, s.label) for s in (Event.Source.PATROL, Event.Source.RESIDENT, Event.Source.HOTLINE)]


class EventInput(serializers.Serializer):
    description = serializers.CharField(label=_("描述"), max_length=2000)
    category = serializers.SlugRelatedField(
        label=_("类别"),
        slug_field="service_code",
        required=False,
        allow_null=True,
        queryset=EventCategory.objects.filter(is_active=True),
        error_messages={"does_not_exist": _("事件类别“{value}”不存在。")},
    )
    lon = serializers.FloatField(label=_("经度"), min_value=-180, max_value=180)
    lat = serializers.FloatField(label=_("纬度"), min_value=-90, max_value=90)
    address = serializers.CharField(label=_("地址"), max_length=200, required=False, allow_blank=True, default="")
    source = serializers.ChoiceField(
        label=_("来源"), required=False, choices=[Event.Source.PATROL, Event.Source.RESIDENT, Event.Source.HOTLINE]
    )
    patrol = serializers.PrimaryKeyRelatedField(
        label=_("巡查"), required=False, allow_null=True, queryset=Patrol.objects.all()
    )
    reporter_name = serializers.CharField(
        label=_("联系人"), max_length=60, required=False, allow_blank=True, default=""
    )
    reporter_phone = serializers.RegexField(
        r"^1[3-9]\d{9}$",
        label=_("联系电话"),
        required=False,
        allow_blank=True,
        default="",
        error_messages={"invalid": _("请输入11位手机号码。")},
    )
    photos = serializers.ListField(
        label=_("照片"), child=serializers.FileField(), required=False, default=list, max_length=6
    )
    confirm_new = serializers.BooleanField(label=_("确认新建"), required=False, default=False)


class NoteInput(serializers.Serializer):
    note = serializers.CharField(label=_("说明"), max_length=1000, required=False, allow_blank=True, default="")


class AcceptInput(NoteInput):
    category = serializers.SlugRelatedField(
        label=_("类别"),
        slug_field="service_code",
        required=False,
        allow_null=True,
        queryset=EventCategory.objects.filter(is_active=True),
    )


class RejectInput(serializers.Serializer):
    reason = serializers.CharField(label=_("原因"), max_length=300)


class DispatchInput(NoteInput):
    department = serializers.IntegerField(label=_("处置单位"), required=False, allow_null=True)


class ResolveInput(serializers.Serializer):
    resolution = serializers.CharField(label=_("处置结果"), max_length=2000)
    photos = serializers.ListField(
        label=_("照片"), child=serializers.FileField(), required=False, default=list, max_length=6
    )


class RateInput(serializers.Serializer):
    rating = serializers.IntegerField(label=_("评分"), min_value=1, max_value=5)
    comment = serializers.CharField(label=_("意见"), max_length=300, required=False, allow_blank=True, default="")


class PatrolOutput(serializers.ModelSerializer):
    grid = GridBrief()
    findings = serializers.SerializerMethodField()

    class Meta:
        model = Patrol
        fields = ["id", "grid", "status", "started_at", "ended_at", "route", "notes", "findings"]

    def get_findings(self, patrol: Patrol) -> list[str]:
        return [e.code for e in patrol.findings.all()]


class PatrolStartInput(serializers.Serializer):
    grid = serializers.SlugRelatedField(
        label=_("网格"), slug_field="code", queryset=Grid.objects.filter(is_active=True)
    )


class PatrolPointsInput(serializers.Serializer):
    points = serializers.ListField(
        label=_("轨迹点"),
        child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=3),
        max_length=1000,
    )


class PatrolFinishInput(serializers.Serializer):
    notes = serializers.CharField(label=_("巡查记录"), max_length=4000, required=False, allow_blank=True, default="")
    points = serializers.ListField(
        label=_("轨迹点"),
        child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=3),
        required=False,
        default=list,
        max_length=1000,
    )


class SensorAlertInput(serializers.Serializer):
    device_id = serializers.CharField(label=_("设备编号"), max_length=60)
    fault = serializers.CharField(label=_("故障代码"), max_length=40)
    message = serializers.CharField(label=_("说明"), max_length=300, required=False, allow_blank=True, default="")
