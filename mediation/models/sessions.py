"""Mediation sessions and their notes, per channel."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mediation.models.cases import Case


class Session(models.Model):
    """A mediation session (调解会): scheduled, then held (or cancelled)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("已安排")
        HELD = "held", _("已召开")
        CANCELLED = "cancelled", _("已取消")

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("现场")
        VIDEO = "video", _("视频")

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="sessions")
    scheduled_at = models.DateTimeField(_("时间"))
    mode = models.CharField(_("方式"), max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    video_link = models.URLField(_("视频会议链接"), blank=True)
    attendees = models.CharField(_("参加人员"), max_length=300, blank=True)
    outcome = models.TextField(_("结果"), blank=True)
    held_at = models.DateTimeField(_("召开时间"), null=True, blank=True)
    remind_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("已提醒"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("安排人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    status_changed_at = models.DateTimeField(_("状态变更时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=0, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("调解会")
        verbose_name_plural = pgettext_lazy("plural", "调解会")
        ordering = ["scheduled_at", "id"]
        indexes = [
            # The 24-hour reminder scan: scheduled sessions not yet reminded. Partial.
            models.Index(
                fields=["remind_at"],
                name="mediation_session_remind_idx",
                condition=Q(status="scheduled", reminded_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.scheduled_at:%Y-%m-%d %H:%M}"


class SessionNote(models.Model):
    """Notes of a held session, per channel (joint, or 背对背 with one side only): mediators only."""

    class Channel(models.TextChoices):
        JOINT = "joint", _("共同调解")
        APPLICANT = "applicant", _("仅申请人方（背对背）")
        RESPONDENT = "respondent", _("仅被申请人方（背对背）")

    session = models.ForeignKey(Session, verbose_name=_("调解会"), on_delete=models.CASCADE, related_name="notes")
    channel = models.CharField(_("记录渠道"), max_length=12, choices=Channel.choices)
    text = models.TextField(_("记录"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("调解记录")
        verbose_name_plural = pgettext_lazy("plural", "调解记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.session} {self.get_channel_display()}"
