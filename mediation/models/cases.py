"""Cases: their numbering counter, the case itself, its mediators and its append-only timeline."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mediation.models.mediators import Tier


class CaseCounter(models.Model):
    """The last number a centre issued in a year; locked (select_for_update) to issue the next."""

    centre = models.ForeignKey(
        "governance.Area", verbose_name=_("调解组织"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    last = models.PositiveIntegerField(_("已用序号"), default=0)

    class Meta:
        verbose_name = _("案件编号计数")
        verbose_name_plural = pgettext_lazy("plural", "案件编号计数")
        constraints = [models.UniqueConstraint(fields=["centre", "year"], name="mediation_counter_centre_year")]

    def __str__(self) -> str:
        return f"{self.centre} {self.year}: {self.last}"


class Case(models.Model):
    """A dispute from registration to closure (one number per centre and year)."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("已登记")
        ACCEPTED = "accepted", _("已受理")
        DECLINED = "declined", _("不予受理")
        MEDIATING = "mediating", _("调解中")
        AGREED = "agreed", _("已达成协议")
        FAILED = "failed", _("调解不成")
        REFERRED = "referred", _("已移交")
        CLOSED = "closed", _("已结案")
        REOPENED = "reopened", _("已重新启动")

    class Type(models.TextChoices):
        LAND = "land", _("土地")
        HOMESTEAD = "homestead", _("宅基地")
        NEIGHBOUR = "neighbour", _("邻里")
        FAMILY = "family", _("家庭/婚姻")
        PROPERTY = "property", _("物业")
        LABOUR = "labour", _("劳资")
        CONSUMER = "consumer", _("消费")
        OTHER = "other", _("其他")

    class Source(models.TextChoices):
        GRID_EVENT = "grid_event", _("网格事件")
        HOTLINE = "hotline", _("12345热线")
        PETITION = "petition", _("信访")
        WALK_IN = "walk_in", _("来访")
        ONLINE = "online", _("群众网上申请")
        COURT = "court", _("法院委派（诉前调解）")

    class Risk(models.TextChoices):
        LOW = "low", _("一般")
        MEDIUM = "medium", _("较大")
        HIGH = "high", _("重大")

    class ReferredTo(models.TextChoices):
        COURT = "court", _("人民法院")
        ARBITRATION = "arbitration", _("仲裁机构")
        ADMINISTRATIVE = "administrative", _("行政机关")

    OPEN_STATUSES = ("registered", "accepted", "mediating", "failed", "reopened")

    number = models.CharField(_("案号"), max_length=60, unique=True, editable=False)
    centre = models.ForeignKey(
        "governance.Area", verbose_name=_("立案调解组织"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"), editable=False)
    sequence = models.PositiveIntegerField(_("序号"), editable=False)
    tier = models.CharField(_("当前层级"), max_length=10, choices=Tier.choices)
    handling_area = models.ForeignKey(
        "governance.Area", verbose_name=_("承办调解组织"), on_delete=models.PROTECT, related_name="+"
    )
    type = models.CharField(_("纠纷类型"), max_length=12, choices=Type.choices)
    subtype = models.CharField(_("细分类型"), max_length=40, blank=True)
    description = models.TextField(_("纠纷简述"))
    area = models.ForeignKey(
        "governance.Area", verbose_name=_("发生地"), on_delete=models.PROTECT, related_name="mediation_cases"
    )
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    event = models.ForeignKey(
        "grids.Event",
        verbose_name=_("来源事件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mediation_cases",
    )
    amount = models.DecimalField(_("涉及金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    people_involved = models.PositiveIntegerField(_("涉及人数"), default=2)
    risk_level = models.CharField(_("风险等级"), max_length=8, choices=Risk.choices, default=Risk.LOW)
    risk_reason = models.CharField(_("风险说明"), max_length=300, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    deadline = models.DateField(_("调解期限"), null=True, blank=True)
    decline_reason = models.CharField(_("不予受理原因"), max_length=300, blank=True)
    fail_reason = models.CharField(_("调解不成原因"), max_length=300, blank=True)
    referred_to = models.CharField(_("移交去向"), max_length=16, choices=ReferredTo.choices, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.REGISTERED)
    status_changed_at = models.DateTimeField(_("状态变更时间"))
    version = models.PositiveIntegerField(_("版本"), default=0, editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("调解案件")
        verbose_name_plural = pgettext_lazy("plural", "调解案件")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "year", "sequence"], name="mediation_case_number_unique"),
        ]
        indexes = [
            models.Index(fields=["handling_area", "status"], name="mediation_case_centre_idx"),
            models.Index(fields=["deadline"], name="mediation_case_deadline_idx", condition=Q(deadline__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def agreement(self) -> "Agreement | None":  # noqa: F821 - in mediation.models.agreements, which imports this module
        """The current agreement: the latest round not superseded (None before the first one, and
        between a reopen and the next agreement). Earlier rounds stay in ``agreements``."""
        return self.agreements.filter(superseded_at__isnull=True).order_by("-round").first()


class CaseMediator(models.Model):
    """A mediator on a case: one lead, any number of co-mediators."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="assignments")
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("调解员"), on_delete=models.PROTECT, related_name="mediation_cases"
    )
    is_lead = models.BooleanField(_("主办"), default=False)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指派人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("指派时间"), auto_now_add=True)
    handed_over_at = models.DateTimeField(
        _("已移交上级"),
        null=True,
        blank=True,
        help_text=_(
            "案件移交上一级调解中心时，本级调解员不再承办：仍可查看案件，但不能再办理，除非被留任为协办调解员。"
        ),
    )

    class Meta:
        verbose_name = _("承办调解员")
        verbose_name_plural = pgettext_lazy("plural", "承办调解员")
        constraints = [
            models.UniqueConstraint(fields=["case", "mediator"], name="mediation_assignment_unique"),
            models.UniqueConstraint(fields=["case"], condition=Q(is_lead=True), name="mediation_one_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.mediator}"


class CaseTimelineEntry(models.Model):
    """Append-only history of a case: every move, assignment, hand-over, session and visit."""

    class Kind(models.TextChoices):
        TRANSITION = "transition", _("状态变更")
        ESCALATION = "escalation", _("上移层级")
        ASSIGNMENT = "assignment", _("指派调解员")
        SESSION = "session", _("调解会")
        AGREEMENT = "agreement", _("调解协议")
        CONFIRMATION = "confirmation", _("司法确认")
        FOLLOW_UP = "follow_up", _("回访")
        REMINDER = "reminder", _("提醒")
        PARTY = "party", _("当事人")

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="timeline")
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
    tier = models.CharField(_("层级"), max_length=10, choices=Tier.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    handover = models.JSONField(_("移交材料"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("案件流水")
        verbose_name_plural = pgettext_lazy("plural", "案件流水")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Case timeline entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Case timeline entries are append-only.")
