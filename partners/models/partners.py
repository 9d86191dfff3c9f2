"""Partners and what earns them points: their kinds, earning rules, service records and photos."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.masking import mask_phone
from governance.models import Area


class Partner(models.Model):
    class Kind(models.TextChoices):
        RESOURCE = "resource", _("资源型")
        PROFESSIONAL = "professional", _("专业型")
        VOLUNTEER = "volunteer", _("志愿型")

    class SubKind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        MERCHANT = "merchant", _("商户")
        SCHOOL = "school", _("学校")
        HOSPITAL = "hospital", _("医院")
        LAWYER = "lawyer", _("律师")
        DOCTOR = "doctor", _("医生")
        TEACHER = "teacher", _("教师")
        COUNSELLOR = "counsellor", _("心理咨询师")
        RESIDENT = "resident", _("居民")
        RETIRED_CADRE = "retired_cadre", _("退休干部")
        STUDENT = "student", _("大学生")

    class Form(models.TextChoices):
        ORGANISATION = "organisation", _("机构")
        INDIVIDUAL = "individual", _("个人")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        ACTIVE = "active", _("已加入")
        DECLINED = "declined", _("未通过")
        SUSPENDED = "suspended", _("已暂停")

    name = models.CharField(_("名称"), max_length=100)
    community = models.ForeignKey(
        Area,
        verbose_name=_("所属社区"),
        on_delete=models.PROTECT,
        related_name="partners",
        limit_choices_to={"level": Area.Level.COMMUNITY},
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    sub_kind = models.CharField(_("细分类型"), max_length=16, choices=SubKind.choices)
    form = models.CharField(_("主体"), max_length=16, choices=Form.choices, default=Form.INDIVIDUAL)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("关联账号"), related_name="partner_memberships", blank=True
    )
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    skills = models.TextField(_("技能特长"), blank=True)
    resources = models.TextField(_("可提供资源"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    version = models.PositiveIntegerField(default=0, editable=False)
    decision_reason = models.CharField(_("审核说明"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("社区合伙人")
        verbose_name_plural = pgettext_lazy("plural", "社区合伙人")
        ordering = ["community_id", "name"]
        indexes = [models.Index(fields=["community", "status"], name="partner_community_status_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


SUB_KINDS: dict[str, frozenset[str]] = {
    Partner.Kind.RESOURCE: frozenset(
        {Partner.SubKind.ENTERPRISE, Partner.SubKind.MERCHANT, Partner.SubKind.SCHOOL, Partner.SubKind.HOSPITAL}
    ),
    Partner.Kind.PROFESSIONAL: frozenset(
        {Partner.SubKind.LAWYER, Partner.SubKind.DOCTOR, Partner.SubKind.TEACHER, Partner.SubKind.COUNSELLOR}
    ),
    Partner.Kind.VOLUNTEER: frozenset(
        {Partner.SubKind.RESIDENT, Partner.SubKind.RETIRED_CADRE, Partner.SubKind.STUDENT}
    ),
}


class EarningRule(models.Model):
    """Activity → points in one community, optionally per hour, with a cap per partner per month."""

    community = models.ForeignKey(Area, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="earning_rules")
    activity = models.CharField(_("服务项目"), max_length=60)
    points = models.PositiveIntegerField(_("积分"))
    per_hour = models.BooleanField(_("按小时计"), default=False)
    monthly_cap = models.PositiveIntegerField(_("每人每月上限"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = pgettext_lazy("plural", "积分规则")
        ordering = ["community_id", "activity"]
        constraints = [
            models.UniqueConstraint(fields=["community", "activity"], name="earning_rule_unique_activity"),
            models.CheckConstraint(condition=Q(points__gt=0), name="earning_rule_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.points}"


class ServiceRecord(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待核实")
        VERIFIED = "verified", _("已核实")
        REJECTED = "rejected", _("未通过")

    partner = models.ForeignKey(Partner, verbose_name=_("合伙人"), on_delete=models.PROTECT, related_name="records")
    rule = models.ForeignKey(EarningRule, verbose_name=_("服务项目"), on_delete=models.PROTECT, related_name="records")
    served_on = models.DateField(_("服务日期"))
    hours = models.DecimalField(_("时长（小时）"), max_digits=5, decimal_places=1, default=0)
    beneficiaries = models.PositiveIntegerField(_("受益人数"), default=0)
    description = models.TextField(_("服务内容"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    version = models.PositiveIntegerField(default=0, editable=False)
    points_awarded = models.PositiveIntegerField(_("获得积分"), default=0)
    capped = models.BooleanField(_("受月度上限限制"), default=False)
    reject_reason = models.CharField(_("未通过原因"), max_length=300, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核实人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = pgettext_lazy("plural", "服务记录")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["partner", "rule", "served_on"], name="record_partner_rule_day_idx")]

    def __str__(self) -> str:
        return f"{self.partner} · {self.rule.activity} · {self.served_on}"

    @property
    def ledger_key(self) -> str:
        return f"service-record:{self.pk}"


MAX_RECORD_PHOTOS = 6  # evidence photos per service record: the service's, the form's and the API's limit


class ServiceRecordPhoto(models.Model):
    """Evidence of a service (现场照片). Checked and re-encoded by ``governance.uploads.image_clean``;
    served only through ``partners:record_photo`` to whoever may see the record, never from /media/."""

    record = models.ForeignKey(
        ServiceRecord, verbose_name=_("服务记录"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("照片"), upload_to="partners/records/%Y/%m/")
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
        verbose_name = _("服务照片")
        verbose_name_plural = pgettext_lazy("plural", "服务照片")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.record_id} · {self.pk}"
