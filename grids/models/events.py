"""Events (work orders), their photos and their append-only timeline."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.messages import render
from grids.models.grid import EventCategory, Grid, Patrol, SensorDevice


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
        WITHDRAWN = "withdrawn", _("已撤销")

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
    # The deadline of the response window at the grid level: escalation moves ``respond_by`` on to
    # the next level's deadline but never this, so "overdue" (past ``due_at``, unanswered) means one
    # thing on the home card, the queue filter and the row (grids.selectors.overdue_q).
    due_at = models.DateTimeField(_("原响应期限"), null=True, blank=True)
    remind_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("已提醒"), null=True, blank=True)
    responded_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    # The first response ever: a reopen clears ``responded_at`` (the new window's clock runs) but
    # keeps this, so the efficiency index measures the first response time.
    first_responded_at = models.DateTimeField(_("首次响应时间"), null=True, blank=True)
    resolve_by = models.DateTimeField(_("办结期限"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    resolution = models.TextField(_("处置结果"), blank=True)
    reject_reason = models.CharField(_("不予受理原因"), max_length=300, blank=True)
    withdraw_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)
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


def _choice_label(choices, value) -> str:
    """The label of a stored choice; the value itself for one the choices no longer hold."""
    if value in (None, ""):
        return "—"
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


class TimelineEntry(models.Model):
    """Append-only history of an event (全流程留痕): transitions, escalations, reminders, notes."""

    class Kind(models.TextChoices):
        TRANSITION = "transition", _("状态变更")
        ESCALATION = "escalation", _("升级督办")
        REMINDER = "reminder", _("到期提醒")
        DISPATCH = "dispatch", _("派单")
        SENSOR_REPEAT = "sensor_repeat", _("设备重复告警")
        RATING = "rating", _("居民评价")
        URGE = "urge", _("催办")
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
    # A system note keeps the Chinese text in ``note`` and, with ``note_key``, is rendered in the
    # reader's language (governance.messages); a person's note has no key.
    note = models.TextField(_("说明"), blank=True)
    note_key = models.CharField(_("说明消息键"), max_length=80, blank=True)
    note_params = models.JSONField(_("说明参数"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("事件流水")
        verbose_name_plural = pgettext_lazy("plural", "事件流水")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        change = self.status_change_text()
        return f"{self.get_kind_display()} {change}" if change else str(self.get_kind_display())

    def status_change_text(self) -> str:
        """The move in words, ``已受理 → 已派单``; empty for an entry that moved nothing."""
        if not (self.from_status or self.to_status):
            return ""
        return f"{_choice_label(Event.Status, self.from_status)} → {_choice_label(Event.Status, self.to_status)}"

    def level_text(self) -> str:
        return "" if self.level is None else _choice_label(Event.Level, self.level)

    @property
    def localized_note(self) -> str:
        return render(self.note_key, self.note_params, fallback=self.note) if self.note_key else self.note
