"""Needs → projects → claims → evaluations (需求征集 → 项目发布 → 认领 → 评估), and appeals."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.models import Area
from partners.models.partners import Partner


class Need(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("征集中")
        ADOPTED = "adopted", _("已立项")

    community = models.ForeignKey(Area, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="needs")
    title = models.CharField(_("需求"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    version = models.PositiveIntegerField(default=0, editable=False)
    supporters = models.PositiveIntegerField(_("支持人数"), default=0, editable=False)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("居民需求")
        verbose_name_plural = pgettext_lazy("plural", "居民需求")
        ordering = ["-supporters", "-created_at"]

    def __str__(self) -> str:
        return self.title


class NeedSupport(models.Model):
    need = models.ForeignKey(Need, verbose_name=_("需求"), on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("支持人"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("支持时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("需求支持")
        verbose_name_plural = pgettext_lazy("plural", "需求支持")
        constraints = [models.UniqueConstraint(fields=["need", "user"], name="need_support_once")]

    def __str__(self) -> str:
        return f"{self.user} → {self.need}"


class Project(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", _("认领中")
        CLOSED = "closed", _("已结项")

    community = models.ForeignKey(Area, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="projects")
    need = models.ForeignKey(
        Need, verbose_name=_("来源需求"), null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    title = models.CharField(_("项目名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    skills = models.CharField(_("所需技能"), max_length=200, blank=True)
    slots = models.PositiveIntegerField(_("名额"))
    claimed = models.PositiveIntegerField(_("已认领"), default=0, editable=False)
    points_per_slot = models.PositiveIntegerField(_("每人积分"))
    starts_on = models.DateField(_("开始日期"), null=True, blank=True)
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PUBLISHED)
    version = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("结项时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("服务项目")
        verbose_name_plural = pgettext_lazy("plural", "服务项目")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(slots__gt=0), name="project_slots_positive"),
            # Never more claims than slots, even under concurrency (claims take a slot with a
            # conditional UPDATE … WHERE claimed < slots; this is the backstop).
            models.CheckConstraint(condition=Q(claimed__lte=models.F("slots")), name="project_claimed_within_slots"),
        ]

    def __str__(self) -> str:
        return self.title


class Claim(models.Model):
    class Status(models.TextChoices):
        CLAIMED = "claimed", _("已认领")
        DONE = "done", _("已完成")
        NO_SHOW = "no_show", _("未到场")

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="claims")
    partner = models.ForeignKey(Partner, verbose_name=_("合伙人"), on_delete=models.PROTECT, related_name="claims")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.CLAIMED)
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("认领时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("项目认领")
        verbose_name_plural = pgettext_lazy("plural", "项目认领")
        ordering = ["project_id", "created_at"]
        constraints = [models.UniqueConstraint(fields=["project", "partner"], name="claim_once_per_project")]

    def __str__(self) -> str:
        return f"{self.partner} · {self.project}"


class Evaluation(models.Model):
    class Role(models.TextChoices):
        RESIDENT = "resident", _("居民代表")
        STAFF = "staff", _("社区工作人员")

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="evaluations")
    partner = models.ForeignKey(Partner, verbose_name=_("合伙人"), on_delete=models.PROTECT, related_name="evaluations")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评价人"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("评价身份"), max_length=16, choices=Role.choices)
    score = models.PositiveSmallIntegerField(_("评分"))
    comment = models.CharField(_("评语"), max_length=300, blank=True)
    excluded = models.BooleanField(_("申诉成立、不计入信用"), default=False, editable=False)
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("项目评价")
        verbose_name_plural = pgettext_lazy("plural", "项目评价")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["project", "partner", "evaluator"], name="evaluation_once"),
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="evaluation_score_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.partner} · {self.project} · {self.score}"


class EvaluationAppeal(models.Model):
    """A partner contests an evaluation; staff decide. An upheld appeal takes it out of the credit."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待处理")
        UPHELD = "upheld", _("申诉成立")
        DISMISSED = "dismissed", _("申诉不成立")

    evaluation = models.OneToOneField(
        Evaluation, verbose_name=_("评价"), on_delete=models.PROTECT, related_name="appeal"
    )
    reason = models.CharField(_("申诉理由"), max_length=300)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    version = models.PositiveIntegerField(default=0, editable=False)
    appealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申诉人"), on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_note = models.CharField(_("处理意见"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("申诉时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评价申诉")
        verbose_name_plural = pgettext_lazy("plural", "评价申诉")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.evaluation} · {self.get_status_display()}"
