"""The shared core: people, areas, departments, posts, party organisations, notifications, audit.

Tables, constraints and indexes only; every write goes through ``governance.services``.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.masking import mask_id_number, mask_phone
from governance.messages import render
from governance.naming import BilingualName

phone_validator = RegexValidator(r"^1[3-9]\d{9}$", _("请输入11位手机号码。"), code="invalid_phone")
id_number_validator = RegexValidator(r"^\d{17}[\dXx]$", _("请输入18位居民身份证号码。"), code="invalid_id_number")
code_validator = RegexValidator(r"^[A-Za-z0-9_-]+$", _("编码只能包含字母、数字、下划线和连字符。"), code="invalid_code")


class User(AbstractUser):
    """A person who signs in: staff, grid worker, handler, mediator, partner or resident."""

    full_name = models.CharField(_("姓名"), max_length=60, blank=True)
    phone = models.CharField(_("手机号码"), max_length=11, blank=True, validators=[phone_validator])
    id_number = models.CharField(_("身份证号码"), max_length=18, blank=True, validators=[id_number_validator])
    # The language of this person's email and SMS (the pages follow the browser's choice); set
    # when they switch language signed in. Empty: the portal's default, Chinese.
    language = models.CharField(
        _("通知语言"),
        max_length=10,
        blank=True,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        help_text=_("邮件和短信使用的语言；留空为系统默认语言（简体中文）。"),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = pgettext_lazy("plural", "用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)


class Area(BilingualName):
    """One node of the administrative tree, district → street → community → compound → building.

    ``path`` is the chain of codes from the root, each followed by ``/`` (``HD/ZGC/ZGC01/``), so
    everything under an area is the single indexed prefix query ``path__startswith=area.path``.
    """

    class Level(models.TextChoices):
        DISTRICT = "district", _("区/县")
        STREET = "street", _("街道/乡镇")
        COMMUNITY = "community", _("社区/村")
        COMPOUND = "compound", _("小区")
        BUILDING = "building", _("楼栋")

    LEVEL_ORDER = [Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.COMPOUND, Level.BUILDING]

    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("编码"), max_length=40, unique=True, validators=[code_validator])
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级区域"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("路径"), max_length=400, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("深度"), default=0, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = pgettext_lazy("plural", "区域")
        ordering = ["path"]
        indexes = [
            # LIKE 'prefix%' uses this index on PostgreSQL whatever the database collation.
            models.Index(fields=["path"], name="area_path_prefix_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.localized_name

    def level_index(self) -> int:
        return self.LEVEL_ORDER.index(self.level)


class Department(BilingualName):
    """A unit that fixes what is reported (市政, 水务, 电力, 城管, 物业公司 …)."""

    class Kind(models.TextChoices):
        MUNICIPAL = "municipal", _("市政")
        WATER = "water", _("水务")
        POWER = "power", _("电力")
        URBAN = "urban", _("城管")
        ENVIRONMENT = "environment", _("环保")
        POLICE = "police", _("公安")
        PROPERTY = "property", _("物业公司")
        CIVIL = "civil", _("民政")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("编码"), max_length=40, unique=True, validators=[code_validator])
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    area = models.ForeignKey(Area, verbose_name=_("服务区域"), on_delete=models.PROTECT, related_name="departments")
    phone = models.CharField(_("值班电话"), max_length=20, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("处置单位")
        verbose_name_plural = pgettext_lazy("plural", "处置单位")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.localized_name


class Role(models.TextChoices):
    GRID_WORKER = "grid_worker", _("网格员")
    COMMUNITY_STAFF = "community_staff", _("社区工作人员")
    STREET_SUPERVISOR = "street_supervisor", _("街道督办")
    DEPARTMENT_HANDLER = "department_handler", _("处置单位人员")
    MEDIATOR = "mediator", _("调解员")
    PARTNER = "partner", _("社区合伙人")
    RESIDENT = "resident", _("居民")
    ADMIN = "admin", _("系统管理员")


class Post(models.Model):
    """A role a user holds in an area or a department; a user may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="posts"
    )
    role = models.CharField(_("角色"), max_length=24, choices=Role.choices)
    area = models.ForeignKey(
        Area, verbose_name=_("区域"), null=True, blank=True, on_delete=models.PROTECT, related_name="posts"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("处置单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="posts"
    )
    title = models.CharField(_("职务"), max_length=60, blank=True)
    is_active = models.BooleanField(_("在岗"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = pgettext_lazy("plural", "岗位")
        ordering = ["user_id", "role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(area__isnull=False) | Q(department__isnull=False), name="post_has_area_or_department"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "area"],
                condition=Q(department__isnull=True),
                name="post_unique_area_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "department"],
                condition=Q(area__isnull=True),
                name="post_unique_department_role",
            ),
        ]

    def __str__(self) -> str:
        place = self.area or self.department
        return f"{self.get_role_display()} · {place}"


class PartyOrganization(BilingualName):
    """社区党委 → 小区党支部 → 楼栋党小组 → 党员中心户, each bound to an area."""

    class Level(models.TextChoices):
        COMMITTEE = "committee", _("社区党委")
        BRANCH = "branch", _("小区党支部")
        GROUP = "group", _("楼栋党小组")
        HOUSEHOLD = "household", _("党员中心户")

    LEVEL_ORDER = [Level.COMMITTEE, Level.BRANCH, Level.GROUP, Level.HOUSEHOLD]

    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    area = models.ForeignKey(
        Area, verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="party_organizations"
    )
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("书记/负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = pgettext_lazy("plural", "党组织")
        ordering = ["area__path", "level", "name"]

    def __str__(self) -> str:
        return self.localized_name


class Notification(models.Model):
    """One message to one person: always in the inbox, optionally by email and SMS.

    ``(recipient, idempotency_key)`` is unique, so a retried task or a repeated call never
    notifies twice.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # A person without an account (a 12345 caller, an Open311 reporter): SMS only, no inbox.
    to_phone = models.CharField(_("短信号码"), max_length=20, blank=True)
    idempotency_key = models.CharField(_("幂等键"), max_length=200)
    # The Chinese text, kept as the fallback; with a message_key the title is rendered in the
    # reader's language when shown or delivered (governance.messages).
    title = models.CharField(_("标题"), max_length=200)
    message_key = models.CharField(_("消息键"), max_length=80, blank=True)
    params = models.JSONField(_("消息参数"), default=dict, blank=True)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    by_email = models.BooleanField(_("发送邮件"), default=False)
    by_sms = models.BooleanField(_("发送短信"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    delivery_claimed_at = models.DateTimeField(_("外发认领时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("外发时间"), null=True, blank=True)
    delivery_error = models.CharField(_("外发错误"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = pgettext_lazy("plural", "通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "idempotency_key"], name="notification_unique_key"),
            models.UniqueConstraint(
                fields=["to_phone", "idempotency_key"],
                condition=Q(recipient__isnull=True),
                name="notification_unique_phone_key",
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(to_phone=""), name="notification_has_recipient"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            models.Index(
                fields=["created_at"],
                name="notification_undelivered_idx",
                condition=Q(delivered_at__isnull=True) & (Q(by_email=True) | Q(by_sms=True)),
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def display_title(self) -> str:
        """The title in the active language (the stored Chinese title when there is no key)."""
        return self.title_in()

    def title_in(self, language: str | None = None) -> str:
        if not self.message_key:
            return self.title
        return render(self.message_key, self.params, fallback=self.title, language=language)


class AuditEntry(models.Model):
    """Append-only record of who did what: writes, logins and reads of personal data."""

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        READ_PERSONAL = "read_personal", _("查看个人信息")
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGOUT = "logout", _("退出")
        TRANSITION = "transition", _("状态变更")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("动作"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=60, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = pgettext_lazy("plural", "审计记录")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"


class CalendarAdjustment(models.Model):
    """One line of the State Council's yearly holiday schedule (国务院办公厅关于节假日安排的通知):
    days off (放假) or a weekend day worked instead (调休上班).

    The ``chinese-calendar`` package carries the schedules it was released with; an entry here
    wins over it, so the next year's schedule can be entered the day it is published, and a local
    day off (or a correction) can be added without a release.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        WORKDAY = "workday", _("调休上班")

    name = models.CharField(_("名称"), max_length=40, help_text=_("如“元旦”“春节”“春节调休”。"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    first_day = models.DateField(_("起始日期"))
    last_day = models.DateField(_("结束日期"), help_text=_("只调整一天时与起始日期相同。"))
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    MAX_DAYS = 31  # the longest holiday (春节) is nine days; a month is a typing error

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = pgettext_lazy("plural", "节假日安排")
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=models.F("first_day")), name="calendar_adjustment_range_ordered"
            )
        ]

    def __str__(self) -> str:
        if self.first_day == self.last_day:
            return f"{self.name} {self.first_day:%Y-%m-%d}（{self.get_kind_display()}）"
        return f"{self.name} {self.first_day:%Y-%m-%d}～{self.last_day:%Y-%m-%d}（{self.get_kind_display()}）"


class IdempotencyRecord(models.Model):
    """The first response to a create sent with an ``Idempotency-Key`` header, replayed to a retry.

    ``caller`` names who sent it (``user:<id>``, ``open311:<key id>``): the same key from another
    caller is another request. ``fingerprint`` hashes the method, path and body, so the same key
    with a different request is refused instead of answered with the wrong response. Rows older
    than a day no longer count (``governance.idempotency.TTL``) and may be purged.
    """

    caller = models.CharField(_("调用方"), max_length=80)
    key = models.CharField(_("幂等键"), max_length=255)
    fingerprint = models.CharField(_("请求指纹"), max_length=64)
    # Empty while the first request runs: its row claims the key in the same transaction as the write.
    response_status = models.PositiveSmallIntegerField(_("响应状态码"), null=True, blank=True)
    response_body = models.TextField(_("响应内容"), blank=True)
    content_type = models.CharField(_("响应类型"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("幂等记录")
        verbose_name_plural = pgettext_lazy("plural", "幂等记录")
        constraints = [models.UniqueConstraint(fields=["caller", "key"], name="idempotency_caller_key_unique")]

    def __str__(self) -> str:
        return f"{self.caller} {self.key}"
