"""Resolutions: adopted items tracked to done (决议督办)."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.consultation.models.agenda import AgendaItem
from governance.consultation.models.meetings import Meeting
from governance.models import Area, Department


class Resolution(models.Model):
    """An adopted item, tracked to done (决议督办): who is responsible, by when, how far."""

    class Status(models.TextChoices):
        OPEN = "open", _("待办")
        IN_PROGRESS = "in_progress", _("办理中")
        DONE = "done", _("已办结")

    item = models.OneToOneField(
        AgendaItem, verbose_name=_("议程"), null=True, blank=True, on_delete=models.PROTECT, related_name="resolution"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("上级决议"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="resolutions")
    area = models.ForeignKey(Area, verbose_name=_("小区/社区"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("决议"), max_length=120)
    responsible_department = models.ForeignKey(
        Department, verbose_name=_("责任单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("办结期限"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    version = models.PositiveIntegerField(default=0, editable=False)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0, validators=[MaxValueValidator(100)])
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    overdue_flagged_at = models.DateTimeField(_("逾期标记时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("决议")
        verbose_name_plural = pgettext_lazy("plural", "决议")
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="resolution_progress_max_100"),
            # An adopted item's resolution, or a sub-task of one.
            models.CheckConstraint(
                condition=Q(item__isnull=False) | Q(parent__isnull=False), name="resolution_item_or_parent"
            ),
        ]
        indexes = [
            # The overdue clock reads open resolutions not yet flagged, by their due date.
            models.Index(
                fields=["due_date"],
                name="resolution_overdue_due_idx",
                condition=Q(overdue_flagged_at__isnull=True, status__in=["open", "in_progress"]),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.overdue_flagged_at is not None and self.status != self.Status.DONE
