"""The append-only history of a meeting, a resolution and a topic (全程留痕)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.consultation.models.meetings import Meeting
from governance.consultation.models.resolutions import Resolution
from governance.consultation.models.topics import Suggestion


class TimelineEntry(models.Model):
    """Append-only history of a meeting, a resolution and a topic (全程留痕)."""

    class Kind(models.TextChoices):
        TRANSITION = "transition", _("状态变更")
        PARTICIPANT = "participant", _("邀请参会")
        SIGN_IN = "sign_in", _("签到")
        AGENDA = "agenda", _("列入议程")
        VOTE = "vote", _("表决")
        MINUTES = "minutes", _("纪要")
        PUBLISHED = "published", _("纪要公布")
        REMINDER = "reminder", _("会前提醒")
        PROGRESS = "progress", _("进度更新")
        MINUTES_SENT = "minutes_sent", _("纪要送审")
        MINUTES_REPLY = "minutes_reply", _("纪要确认")
        NUDGE = "nudge", _("纪要催办")
        SUBTASK = "subtask", _("分解任务")
        OVERDUE = "overdue", _("逾期督办")
        AGENDA_MOVE = "agenda_move", _("调整议程")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), null=True, blank=True, on_delete=models.CASCADE, related_name="timeline"
    )
    resolution = models.ForeignKey(
        Resolution, verbose_name=_("决议"), null=True, blank=True, on_delete=models.CASCADE, related_name="timeline"
    )
    suggestion = models.ForeignKey(
        Suggestion, verbose_name=_("议题"), null=True, blank=True, on_delete=models.CASCADE, related_name="timeline"
    )
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
    percent = models.PositiveSmallIntegerField(_("进度（%）"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("议事流水")
        verbose_name_plural = pgettext_lazy("plural", "议事流水")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting__isnull=False) | Q(resolution__isnull=False) | Q(suggestion__isnull=False),
                name="consultation_timeline_has_owner",
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()
