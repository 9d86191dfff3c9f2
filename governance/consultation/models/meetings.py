"""Meetings of the 红色议事厅: who sits at the table, the quorum rule, participants, minutes answers."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.models import Area, PartyOrganization


class Group(models.TextChoices):
    """Who sits at the table (参会方)."""

    PROPERTY = "property", _("物业公司")
    OWNERS_COMMITTEE = "owners_committee", _("业委会")
    RESIDENT_REP = "resident_rep", _("居民代表")
    PARTY_MEMBER = "party_member", _("党员")
    OTHER = "other", _("其他")


class CouncilRule(models.Model):
    """The quorum rule of a compound or community (the nearest one above a meeting's area applies)."""

    area = models.OneToOneField(Area, verbose_name=_("区域"), on_delete=models.CASCADE, related_name="council_rule")
    resident_rep_percent = models.PositiveSmallIntegerField(
        _("居民代表最低到会比例（%）"), default=50, validators=[MaxValueValidator(100)]
    )
    property_required = models.BooleanField(_("须有物业公司到会"), default=True)

    class Meta:
        verbose_name = _("议事规则")
        verbose_name_plural = pgettext_lazy("plural", "议事规则")

    def __str__(self) -> str:
        return str(self.area)


class Meeting(models.Model):
    """One sitting of the 红色议事厅, convened by a party organisation for a compound or community."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("已安排")
        IN_SESSION = "in_session", _("进行中")
        CONCLUDED = "concluded", _("已结束")
        CANCELLED = "cancelled", _("已取消")

    title = models.CharField(_("会议名称"), max_length=120)
    organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("召集党组织"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(Area, verbose_name=_("小区/社区"), on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=120, blank=True)
    video_url = models.URLField(_("视频会议链接"), blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    version = models.PositiveIntegerField(default=0, editable=False)
    # Bumped by every change of the agenda's shape (add, move): two staff reordering at once are
    # serialised on it, and a page that shows an older agenda is told to refresh.
    agenda_version = models.PositiveIntegerField(default=0, editable=False)
    sign_in_code = models.CharField(_("签到码"), max_length=6, blank=True)
    opened_at = models.DateTimeField(_("开会时间"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("散会时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    minutes = models.TextField(_("会议纪要"), blank=True)
    minutes_published_at = models.DateTimeField(_("纪要公布时间"), null=True, blank=True)
    minutes_round = models.PositiveSmallIntegerField(_("纪要送审轮次"), default=0)
    minutes_sent_at = models.DateTimeField(_("纪要送审时间"), null=True, blank=True)
    confirm_by = models.DateTimeField(_("确认截止时间"), null=True, blank=True)
    minutes_nudge_at = models.DateTimeField(_("纪要催办时间"), null=True, blank=True)
    minutes_nudges = models.PositiveSmallIntegerField(_("纪要已催办次数"), default=0)
    remind_at = models.DateTimeField(_("会前提醒时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("已提醒时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("议事会议")
        verbose_name_plural = pgettext_lazy("plural", "议事会议")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after")
        ]
        indexes = [
            # The reminder clock reads only planned meetings not yet reminded, by their remind_at.
            models.Index(
                fields=["remind_at"],
                name="meeting_remind_due_idx",
                condition=Q(reminded_at__isnull=True, status="planned"),
            ),
            # The convener's nudge: concluded meetings whose minutes are still unpublished.
            models.Index(
                fields=["minutes_nudge_at"],
                name="meeting_minutes_nudge_idx",
                condition=Q(minutes_published_at__isnull=True, status="concluded"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def minutes_published(self) -> bool:
        return self.minutes_published_at is not None


class Participant(models.Model):
    """An invited person, by group; ``signed_in_at`` is their attendance."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("参会人"), on_delete=models.PROTECT, related_name="+"
    )
    group = models.CharField(_("参会方"), max_length=20, choices=Group.choices)
    signed_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    signed_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代签人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("参会人")
        verbose_name_plural = pgettext_lazy("plural", "参会人")
        ordering = ["group", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="participant_unique_per_meeting")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_group_display()}"


class MinutesResponse(models.Model):
    """An attendee's answer to the minutes sent to them: confirmed, or an objection (one per round)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="minutes_responses"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("参会人"), on_delete=models.CASCADE, related_name="+"
    )
    round = models.PositiveSmallIntegerField(_("送审轮次"))
    objection = models.TextField(_("异议"), blank=True)
    created_at = models.DateTimeField(_("答复时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("纪要确认")
        verbose_name_plural = pgettext_lazy("plural", "纪要确认")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user", "round"], name="minutes_response_once_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {'异议' if self.objection else '确认'}"

    @property
    def confirmed(self) -> bool:
        return not self.objection
