"""Grids, categories and dispatch rules, patrols, sensor devices."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.models import Area, code_validator
from governance.naming import BilingualName


class Grid(BilingualName):
    """A grid (网格): part of a community walked by its grid workers, 300–500 households advised."""

    ADVISED_HOUSEHOLDS = (300, 500)

    code = models.CharField(_("网格编码"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("网格名称"), max_length=100)
    area = models.ForeignKey(Area, verbose_name=_("所属社区"), on_delete=models.PROTECT, related_name="grids")
    boundary = models.JSONField(_("边界（GeoJSON）"))
    # Bounding box of the boundary, kept by the service so "which grid holds this point" is an indexed query.
    min_lon = models.FloatField(editable=False, default=0)
    min_lat = models.FloatField(editable=False, default=0)
    max_lon = models.FloatField(editable=False, default=0)
    max_lat = models.FloatField(editable=False, default=0)
    households = models.PositiveIntegerField(_("户数"), default=0)
    workers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("网格员"), blank=True, related_name="grids"
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = pgettext_lazy("plural", "网格")
        ordering = ["code"]
        indexes = [models.Index(fields=["min_lon", "max_lon", "min_lat", "max_lat"], name="grid_bbox_idx")]

    def __str__(self) -> str:
        return f"{self.localized_name}（{self.code}）"

    @property
    def households_advised(self) -> bool:
        low, high = self.ADVISED_HOUSEHOLDS
        return low <= self.households <= high


class EventCategory(BilingualName):
    """What kind of problem: Open311 service, responsible department, deadlines."""

    class ResponseClock(models.TextChoices):
        CALENDAR = "calendar", _("自然时间")
        WORKING = "working", _("工作时间")

    service_code = models.CharField(_("服务编码"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=100)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    group = models.CharField(_("分组"), max_length=60, blank=True)
    keywords = models.CharField(
        _("关键词"), max_length=300, blank=True, help_text=_("用空格或逗号分隔，用于为未分类的上报推荐类别。")
    )
    department = models.ForeignKey(
        "governance.Department",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="categories",
    )
    cc_departments = models.ManyToManyField(
        "governance.Department", verbose_name=_("抄送单位"), blank=True, related_name="cc_categories"
    )
    response_minutes = models.PositiveIntegerField(_("响应时限（分钟）"), default=24 * 60)
    response_clock = models.CharField(
        _("响应时限计法"),
        max_length=10,
        choices=ResponseClock.choices,
        default=ResponseClock.CALENDAR,
        help_text=_("自然时间：连续计时；工作时间：只计法定工作日（含调休上班日）的工作时段。"),
    )
    resolution_minutes = models.PositiveIntegerField(_("办结时限（分钟）"), default=72 * 60)
    is_active = models.BooleanField(_("启用"), default=True)
    is_public = models.BooleanField(
        _("对外公开"),
        default=True,
        help_text=_("在 Open311 接口中公开此类别及其事件。老人紧急呼叫等涉及个人隐私的类别应关闭。"),
    )
    reportable_by_people = models.BooleanField(
        _("可人工上报"),
        default=True,
        help_text=_(
            "居民、网格员可在上报表单和接口中选择此类别。只由感知设备触发的类别（如老人紧急呼叫手环告警）应关闭；"
            "工作人员受理时仍可改为此类别。"
        ),
    )

    dispute_prone = models.BooleanField(
        _("易引发矛盾纠纷"),
        default=False,
        help_text=_("邻里纠纷、噪音扰民等容易演变为矛盾纠纷的类别：其未办结事件计入调解预警。"),
    )

    class Meta:
        verbose_name = _("事件类别")
        verbose_name_plural = pgettext_lazy("plural", "事件类别")
        ordering = ["group", "service_code"]

    def __str__(self) -> str:
        return self.localized_name


class DispatchRule(models.Model):
    """Category (and optionally area) → department. The most specific area wins."""

    category = models.ForeignKey(
        EventCategory, verbose_name=_("事件类别"), on_delete=models.CASCADE, related_name="dispatch_rules"
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("区域"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("留空表示所有区域。"),
    )
    department = models.ForeignKey(
        "governance.Department", verbose_name=_("派往单位"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("派单规则")
        verbose_name_plural = pgettext_lazy("plural", "派单规则")
        constraints = [
            models.UniqueConstraint(fields=["category", "area"], name="dispatch_rule_unique_area"),
            models.UniqueConstraint(
                fields=["category"], condition=models.Q(area__isnull=True), name="dispatch_rule_unique_default"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} → {self.department}"


class Patrol(models.Model):
    """A grid worker's walk of their grid (巡查): start, route points, notes, findings, end."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("巡查中")
        FINISHED = "finished", _("已结束")

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("网格员"), on_delete=models.PROTECT, related_name="patrols"
    )
    grid = models.ForeignKey(Grid, verbose_name=_("网格"), on_delete=models.PROTECT, related_name="patrols")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    route = models.JSONField(_("轨迹"), default=list, blank=True)
    notes = models.TextField(_("巡查记录"), blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)  # the workflow kit's compare-and-set

    class Meta:
        verbose_name = _("巡查")
        verbose_name_plural = pgettext_lazy("plural", "巡查")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker"], condition=models.Q(status="active"), name="patrol_one_active_per_worker"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grid} {self.started_at:%Y-%m-%d %H:%M}"


class SensorDevice(models.Model):
    """A device that raises alerts (井盖倾斜, 垃圾桶满溢, 老人手环报警) with its own token."""

    class Kind(models.TextChoices):
        MANHOLE = "manhole_cover", _("井盖传感器")
        BIN = "trash_bin", _("垃圾桶满溢传感器")
        WRISTBAND = "elderly_wristband", _("老人智能手环")
        SMOKE = "smoke", _("烟感报警器")
        OTHER = "other", _("其他设备")

    device_id = models.CharField(_("设备编号"), max_length=60, unique=True)
    kind = models.CharField(_("设备类型"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100, blank=True)
    address = models.CharField(_("安装位置"), max_length=200, blank=True)
    lon = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))
    grid = models.ForeignKey(Grid, verbose_name=_("网格"), on_delete=models.PROTECT, related_name="sensors")
    category = models.ForeignKey(
        EventCategory, verbose_name=_("告警事件类别"), on_delete=models.PROTECT, related_name="sensors"
    )
    token_hash = models.CharField(_("令牌摘要"), max_length=128, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    last_alert_at = models.DateTimeField(_("最近告警"), null=True, blank=True)

    class Meta:
        verbose_name = _("感知设备")
        verbose_name_plural = pgettext_lazy("plural", "感知设备")
        ordering = ["device_id"]

    def __str__(self) -> str:
        return self.name or self.device_id
