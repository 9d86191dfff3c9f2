"""Grid management tables. Workflow lives in grids.services."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.models import Area, code_validator


class Grid(models.Model):
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
        return f"{self.name}（{self.code}）"

    @property
    def households_advised(self) -> bool:
        low, high = self.ADVISED_HOUSEHOLDS
        return low <= self.households <= high


class EventCategory(models.Model):
    """What kind of problem: Open311 service, responsible department, deadlines."""

    service_code = models.CharField(_("服务编码"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
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
    resolution_minutes = models.PositiveIntegerField(_("办结时限（分钟）"), default=72 * 60)
    is_active = models.BooleanField(_("启用"), default=True)
    is_public = models.BooleanField(
        _("对外公开"),
        default=True,
        help_text=_("在 Open311 接口中公开此类别及其事件。老人紧急呼叫等涉及个人隐私的类别应关闭。"),
    )

    class Meta:
        verbose_name = _("事件类别")
        verbose_name_plural = pgettext_lazy("plural", "事件类别")
        ordering = ["group", "service_code"]

    def __str__(self) -> str:
        return self.name

    def display_name(self, language: str | None = None) -> str:
        return self.name_en if language and language.startswith("en") and self.name_en else self.name


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


class Event(models.Model):
    """An event / work order (事件/工单) from report to close, with its response clock."""

    class Status(models.TextChoices):
        REPORTED = "reported", _("已上报")
        ACCEPTED = "accepted", _("已受理")
        REJECTED = "rejected", _("不予受理")
        DISPATCHED = "dispatched", _("已派单")
        IN_PROGRESS = "in_progress", _("处置中")
        RESOLVED = "resolved", _("已办结")
        CLOSED = "closed", _("已关闭")
        REOPENED = "reopened", _("已重新打开")

    class Source(models.TextChoices):
        PATROL = "patrol", _("网格巡查")
        RESIDENT = "resident", _("居民上报")
        SENSOR = "sensor", _("感知设备")
        HOTLINE = "hotline", _("12345热线")
        OPEN311 = "open311", _("Open311")

    class RatedVia(models.TextChoices):
        REPORTER = "reporter", _("上报人评价")
        LINK = "link", _("评价链接")
        RETURN_VISIT = "return_visit", _("回访评价")

    class Level(models.IntegerChoices):
        GRID = 0, _("网格")
        COMMUNITY = 1, _("社区")
        STREET = 2, _("街道")

    OPEN_STATUSES = ("reported", "accepted", "dispatched", "in_progress", "reopened")
    # Statuses in which the response clock runs: nobody has started on it yet.
    AWAITING_RESPONSE = ("reported", "accepted", "dispatched", "reopened")

    code = models.CharField(_("查询编号"), max_length=16, unique=True, editable=False)
    category = models.ForeignKey(
        EventCategory, verbose_name=_("类别"), null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    suggested_category = models.ForeignKey(
        EventCategory, verbose_name=_("推荐类别"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.TextField(_("描述"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lon = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))
    grid = models.ForeignKey(Grid, verbose_name=_("网格"), on_delete=models.PROTECT, related_name="events")
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    patrol = models.ForeignKey(
        Patrol, verbose_name=_("巡查"), null=True, blank=True, on_delete=models.SET_NULL, related_name="findings"
    )
    sensor = models.ForeignKey(
        SensorDevice, verbose_name=_("设备"), null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    sensor_fault = models.CharField(_("故障代码"), max_length=40, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_events",
    )
    reporter_name = models.CharField(_("联系人"), max_length=60, blank=True)
    reporter_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    reporter_email = models.EmailField(_("联系邮箱"), blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.REPORTED)
    level = models.PositiveSmallIntegerField(_("督办层级"), choices=Level.choices, default=Level.GRID)
    department = models.ForeignKey(
        "governance.Department",
        verbose_name=_("处置单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    window_started_at = models.DateTimeField(_("计时开始"))
    respond_by = models.DateTimeField(_("响应期限"))
    remind_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("已提醒"), null=True, blank=True)
    responded_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    resolve_by = models.DateTimeField(_("办结期限"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    resolution = models.TextField(_("处置结果"), blank=True)
    reject_reason = models.CharField(_("不予受理原因"), max_length=300, blank=True)
    rating = models.PositiveSmallIntegerField(_("评价"), null=True, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=300, blank=True)
    rated_via = models.CharField(_("评价方式"), max_length=12, choices=RatedVia.choices, blank=True)
    # SHA-256 of the secret rating link given to the reporter (SMS, or shown once): the public
    # tracking code shows progress only and lets nobody act.
    rate_secret_hash = models.CharField(_("评价链接摘要"), max_length=64, blank=True, editable=False, db_index=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"))
    # Bumped by every move and every clock write (governance.workflow): the compare-and-set guard.
    version = models.PositiveIntegerField(_("版本"), default=0, editable=False)
    created_at = models.DateTimeField(_("上报时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("事件")
        verbose_name_plural = pgettext_lazy("plural", "事件")
        ordering = ["respond_by", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="event_rating_1_to_5",
            ),
            models.UniqueConstraint(
                fields=["sensor", "sensor_fault"],
                condition=models.Q(
                    sensor__isnull=False, status__in=["reported", "accepted", "dispatched", "in_progress", "reopened"]
                ),
                name="event_one_open_per_sensor_fault",
            ),
        ]
        indexes = [
            # The escalation scan: due, unanswered, still open. Partial, so it stays small.
            models.Index(
                fields=["respond_by"],
                name="event_escalation_due_idx",
                condition=models.Q(
                    responded_at__isnull=True,
                    level__lt=2,
                    status__in=["reported", "accepted", "dispatched", "reopened"],
                ),
            ),
            models.Index(
                fields=["remind_at"],
                name="event_reminder_due_idx",
                condition=models.Q(reminded_at__isnull=True, responded_at__isnull=True),
            ),
            models.Index(fields=["status", "respond_by"], name="event_status_deadline_idx"),
            models.Index(fields=["grid", "status"], name="event_grid_status_idx"),
            # "an open event of the same category within 50 m": a box on lat within one category.
            models.Index(
                fields=["category", "lat", "lon"],
                name="event_open_nearby_idx",
                condition=models.Q(status__in=["reported", "accepted", "dispatched", "in_progress", "reopened"]),
            ),
            models.Index(fields=["department", "status"], name="event_department_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.category or ''}".strip()

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class EventPhoto(models.Model):
    class Kind(models.TextChoices):
        REPORT = "report", _("上报照片")
        RESOLUTION = "resolution", _("处置照片")

    event = models.ForeignKey(Event, verbose_name=_("事件"), on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("照片"), upload_to="events/%Y/%m/")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.REPORT)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("事件照片")
        verbose_name_plural = pgettext_lazy("plural", "事件照片")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.image.name}"


class TimelineEntry(models.Model):
    """Append-only history of an event (全流程留痕): transitions, escalations, reminders, notes."""

    class Kind(models.TextChoices):
        TRANSITION = "transition", _("状态变更")
        ESCALATION = "escalation", _("升级督办")
        REMINDER = "reminder", _("到期提醒")
        DISPATCH = "dispatch", _("派单")
        SENSOR_REPEAT = "sensor_repeat", _("设备重复告警")
        RATING = "rating", _("居民评价")
        NOTE = "note", _("备注")

    event = models.ForeignKey(Event, verbose_name=_("事件"), on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_status = models.CharField(_("原状态"), max_length=12, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, blank=True)
    level = models.PositiveSmallIntegerField(_("督办层级"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("事件流水")
        verbose_name_plural = pgettext_lazy("plural", "事件流水")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.from_status}→{self.to_status}"


class DepartmentScore(models.Model):
    """A department's month: response, on-time, resolution, satisfaction → 0–100 (服务效能指数)."""

    department = models.ForeignKey(
        "governance.Department", verbose_name=_("处置单位"), on_delete=models.CASCADE, related_name="scores"
    )
    month = models.DateField(_("月份"))
    events = models.PositiveIntegerField(_("事件数"), default=0)
    avg_response_minutes = models.FloatField(_("平均响应时长（分钟）"), null=True, blank=True)
    on_time_rate = models.FloatField(_("按时响应率"), null=True, blank=True)
    resolution_rate = models.FloatField(_("办结率"), null=True, blank=True)
    satisfaction = models.FloatField(_("满意度"), null=True, blank=True)
    score = models.FloatField(_("效能指数"), null=True, blank=True)
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)

    class Meta:
        verbose_name = _("处置单位月度评分")
        verbose_name_plural = pgettext_lazy("plural", "处置单位月度评分")
        ordering = ["-month", "-score"]
        constraints = [models.UniqueConstraint(fields=["department", "month"], name="department_score_unique_month")]

    def __str__(self) -> str:
        return f"{self.department_id} {self.month:%Y-%m}"


class Open311Key(models.Model):
    """An API key for an Open311 client (stored hashed; shown once when issued)."""

    name = models.CharField(_("名称"), max_length=100)
    key_hash = models.CharField(_("密钥摘要"), max_length=128, unique=True, editable=False)
    prefix = models.CharField(_("密钥前缀"), max_length=8, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 密钥")
        verbose_name_plural = pgettext_lazy("plural", "Open311 密钥")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
