"""Follow-up visits of an agreement, a week and a month after it took effect."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mediation.models.agreements import Agreement
from mediation.models.cases import Case


class FollowUp(models.Model):
    """A follow-up visit (回访) of one agreement, due a week and a month after it took effect.

    ``case`` repeats ``agreement.case`` for the clock's scans and the scoping (set by the service
    that creates the row, never changed). A visit the case's reopening made pointless is
    ``cancelled`` (through the workflow kit, with its timeline entry), not marked done."""

    class Kind(models.TextChoices):
        WEEK = "week", _("一周回访")
        MONTH = "month", _("一月回访")

    class Status(models.TextChoices):
        PENDING = "pending", _("待回访")
        DONE = "done", _("已回访")
        CANCELLED = "cancelled", _("已取消")

    class Outcome(models.TextChoices):
        PERFORMED = "performed", _("已履行")
        PARTLY = "partly", _("部分履行")
        NOT_PERFORMED = "not_performed", _("未履行")
        RECURRED = "recurred", _("纠纷复发")

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="follow_ups")
    agreement = models.ForeignKey(
        Agreement, verbose_name=_("调解协议"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    due_on = models.DateField(_("应回访日期"))
    remind_on = models.DateField(_("提醒日期"))
    reminded_at = models.DateTimeField(_("已提醒"), null=True, blank=True)
    overdue_reported_at = models.DateTimeField(_("已报逾期"), null=True, blank=True)
    outcome = models.CharField(_("回访结果"), max_length=16, choices=Outcome.choices, blank=True)
    note = models.TextField(_("回访记录"), blank=True)
    done_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回访人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    status_changed_at = models.DateTimeField(_("状态变更时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=0, editable=False)

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = pgettext_lazy("plural", "回访")
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["agreement", "kind"], name="mediation_follow_up_once")]
        indexes = [
            # The reminder scan and the overdue scan: pending rows not yet told, by date. Partial.
            models.Index(
                fields=["remind_on"],
                name="mediation_followup_remind_idx",
                condition=Q(status="pending", reminded_at__isnull=True),
            ),
            models.Index(
                fields=["due_on"],
                name="mediation_followup_overdue_idx",
                condition=Q(status="pending", overdue_reported_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()}"
