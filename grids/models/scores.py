"""Monthly department scores and Open311 API keys."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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
