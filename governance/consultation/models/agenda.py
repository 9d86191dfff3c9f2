"""The agenda of a meeting: items and sub-items, with the hand-counted tally."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.consultation.models.meetings import Meeting
from governance.consultation.models.topics import Suggestion
from governance.models import Department


class AgendaItem(models.Model):
    """One item on the agenda, or a sub-item of one (numbered 1, 1.1, 1.2, 2 …); the secretary
    enters the hand-counted tally. ``order`` is the place among its siblings, 1, 2, 3 … without gaps."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="agenda")
    parent = models.ForeignKey(
        "self", verbose_name=_("上级议程"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    order = models.PositiveSmallIntegerField(_("序号"), default=1)
    title = models.CharField(_("议题"), max_length=120)
    description = models.TextField(_("说明"), blank=True)
    suggestion = models.ForeignKey(
        Suggestion, verbose_name=_("来源议题"), null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    is_major = models.BooleanField(_("重大事项（须三分之二通过）"), default=False)
    responsible_department = models.ForeignKey(
        Department, verbose_name=_("责任单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("办结期限"), null=True, blank=True)
    notes = models.TextField(_("讨论记录"), blank=True)
    votes_for = models.PositiveSmallIntegerField(_("赞成"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("反对"), null=True, blank=True)
    abstentions = models.PositiveSmallIntegerField(_("弃权"), null=True, blank=True)
    present = models.PositiveSmallIntegerField(_("表决时到会人数"), null=True, blank=True)
    adopted = models.BooleanField(_("通过"), null=True, blank=True)
    voted_at = models.DateTimeField(_("表决时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("议程")
        verbose_name_plural = pgettext_lazy("plural", "议程")
        ordering = ["meeting_id", "order", "id"]
        constraints = [
            # One item per place among its siblings: the top level of a meeting, and each item's sub-items.
            models.UniqueConstraint(
                fields=["meeting", "order"], condition=Q(parent__isnull=True), name="agenda_item_top_order_unique"
            ),
            models.UniqueConstraint(
                fields=["parent", "order"], condition=Q(parent__isnull=False), name="agenda_item_sub_order_unique"
            ),
            models.CheckConstraint(condition=Q(order__gte=1), name="agenda_item_order_from_1"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def voted(self) -> bool:
        return self.voted_at is not None
