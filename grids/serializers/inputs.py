"""Input serializers of the grids API: a report, the moves' notes, patrols, a sensor's alert."""

from django.utils.encoding import smart_str
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from governance.prepared import Prepared
from grids import geo
from grids.models import Event, EventCategory, Grid, Patrol

REPORT_SOURCE_CHOICES = [(s.value, s.label) for s in (Event.Source.PATROL, Event.Source.RESIDENT, Event.Source.HOTLINE)]


# Every report names its category: the lookup is compiled once (governance.prepared).
_reportable_category = Prepared(
    lambda code: EventCategory.objects.filter(is_active=True, reportable_by_people=True, service_code=code),
    code="prepared-sample-code",
)


class ReportableCategoryField(serializers.SlugRelatedField):
    """``SlugRelatedField`` on ``service_code`` over the categories people may report, answered by
    the compiled lookup (the queryset stays for the schema and the browsable form)."""

    def to_internal_value(self, data):
        found = _reportable_category.first(code=str(data))  # as the ORM would compare it
        if found is None:
            self.fail("does_not_exist", slug_name=self.slug_field, value=smart_str(data))
        return found


class EventInput(serializers.Serializer):
    description = serializers.CharField(label=_("描述"), max_length=2000)
    category = ReportableCategoryField(
        label=_("类别"),
        slug_field="service_code",
        required=False,
        allow_null=True,
        queryset=EventCategory.objects.filter(is_active=True, reportable_by_people=True),
        error_messages={"does_not_exist": _("事件类别“{value}”不存在或不能人工上报。")},
    )
    lon = serializers.FloatField(label=_("经度"), min_value=-180, max_value=180)
    lat = serializers.FloatField(label=_("纬度"), min_value=-90, max_value=90)
    crs = serializers.ChoiceField(
        label=_("坐标系"),
        choices=geo.CRS_CHOICES,
        required=False,
        default=geo.WGS84,
        help_text=_("lon/lat 的坐标系：wgs84（GPS，默认）、gcj02（高德、腾讯等）或 bd09（百度）。保存为 WGS-84。"),
    )
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

    def validate(self, attrs):
        attrs["lon"], attrs["lat"] = geo.to_wgs84(attrs["lon"], attrs["lat"], attrs.pop("crs", geo.WGS84))
        return attrs


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


class EventReasonInput(serializers.Serializer):
    reason = serializers.CharField(label=_("原因"), max_length=300)


class RedispatchInput(EventReasonInput):
    department = serializers.IntegerField(label=_("改派至（处置单位）"))


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
