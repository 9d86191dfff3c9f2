"""Topics residents propose for the council (议题征集) and their supports (附议)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.models import Area


class Suggestion(models.Model):
    """A topic a resident (or staff) proposes for the council (议题征集)."""

    class Status(models.TextChoices):
        OPEN = "open", _("征集中")
        ON_AGENDA = "on_agenda", _("已列入议程")

    area = models.ForeignKey(Area, verbose_name=_("小区/社区"), on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("议题"), max_length=120)
    body = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    version = models.PositiveIntegerField(default=0, editable=False)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = pgettext_lazy("plural", "议题")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class SuggestionSupport(models.Model):
    """A resident supports someone's topic, once (附议)."""

    suggestion = models.ForeignKey(
        Suggestion, verbose_name=_("议题"), on_delete=models.CASCADE, related_name="supports"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("附议人"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("附议时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附议")
        verbose_name_plural = pgettext_lazy("plural", "附议")
        constraints = [models.UniqueConstraint(fields=["suggestion", "user"], name="suggestion_support_once")]

    def __str__(self) -> str:
        return f"{self.user} → {self.suggestion}"
