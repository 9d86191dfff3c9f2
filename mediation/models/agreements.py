"""The agreement of each round, the parties' signatures on it and its judicial confirmation."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mediation.models.cases import Case
from mediation.models.parties import Party


class Agreement(models.Model):
    """The mediation agreement (调解协议书) of one round of mediation; a case is ``agreed`` only with
    a current one. A case reopened after a follow-up found the dispute back mediates again and may
    reach a new agreement: the earlier one is *superseded* (``superseded_at``) and kept, with its
    signatures, confirmation and follow-ups, as history (append-only). At most one per case is
    current (the partial unique constraint).

    ``signed_on`` is the agreement's own date (the day it was drawn up, as on the paper);
    ``effective_on`` is the day it took effect — the date of the last party signature, once every
    party has signed — and is what the follow-ups and the judicial-confirmation window count from
    (``mediation.services.agreements``; the signatures that set it are in
    ``mediation.services.signatures``). Both ``effective_on`` and ``superseded_at`` are written by
    the services only, with the compare-and-set on ``version``."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="agreements")
    round = models.PositiveSmallIntegerField(_("调解轮次"), default=1, editable=False)
    terms = models.TextField(_("协议内容"))
    signed_on = models.DateField(_("签订日期"))
    effective_on = models.DateField(
        _("生效日期"), null=True, blank=True, help_text=_("最后一位当事人签字之日；尚有当事人未签字时为空。")
    )
    performance_due = models.DateField(_("履行期限"), null=True, blank=True)
    confirmation_warned_at = models.DateTimeField(_("已提醒申请司法确认"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("失效时间"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(_("版本"), default=0, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("调解协议")
        verbose_name_plural = pgettext_lazy("plural", "调解协议")
        ordering = ["case_id", "round"]
        constraints = [
            models.UniqueConstraint(fields=["case", "round"], name="mediation_agreement_round_unique"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(superseded_at__isnull=True), name="mediation_one_current_agreement"
            ),
        ]
        indexes = [
            # Day 20 of the 30-day window for judicial confirmation: agreements in force, not yet warned.
            models.Index(
                fields=["effective_on"],
                name="mediation_agreement_warn_idx",
                condition=Q(confirmation_warned_at__isnull=True, superseded_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} #{self.round} {self.signed_on}"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


class AgreementSignature(models.Model):
    """One party's signature on the agreement (签名、盖章或按指印): when, and how it was recorded.

    A party of the case without a row has not signed. The date may be entered after the fact
    (by the mediator, from the signed paper), never in the future and never before the agreement's
    own date; a signature recorded in person is dated the day it is recorded.

    A wrongly recorded signature is *withdrawn* (``withdrawn_at``, with a reason), never deleted:
    the row stays as history and the party counts as not signed (at most one live signature per
    party and agreement: the partial unique constraint)."""

    class Method(models.TextChoices):
        IN_PERSON = "in_person", _("当面签字")
        AFTER_THE_FACT = "after_the_fact", _("调解员事后补录")

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("调解协议"), on_delete=models.CASCADE, related_name="signatures"
    )
    party = models.ForeignKey(Party, verbose_name=_("当事人"), on_delete=models.CASCADE, related_name="signatures")
    signed_on = models.DateField(_("签字日期"))
    method = models.CharField(_("登记方式"), max_length=16, choices=Method.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤回人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    withdraw_reason = models.CharField(_("撤回原因"), max_length=300, blank=True, editable=False)

    class Meta:
        verbose_name = _("当事人签字")
        verbose_name_plural = pgettext_lazy("plural", "当事人签字")
        ordering = ["agreement_id", "party_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "party"], condition=Q(withdrawn_at__isnull=True), name="mediation_signature_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party} {self.signed_on}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class JudicialConfirmation(models.Model):
    """司法确认 of an agreement: applied → confirmed | rejected."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("已申请")
        CONFIRMED = "confirmed", _("已确认")
        REJECTED = "rejected", _("不予确认")

    agreement = models.OneToOneField(
        Agreement, verbose_name=_("调解协议"), on_delete=models.CASCADE, related_name="confirmation"
    )
    court = models.CharField(_("受理法院"), max_length=100)
    applied_on = models.DateField(_("申请日期"))
    ruling_number = models.CharField(_("裁定书文号"), max_length=80, blank=True)
    reason = models.CharField(_("不予确认理由"), max_length=300, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.APPLIED)
    status_changed_at = models.DateTimeField(_("状态变更时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=0, editable=False)

    class Meta:
        verbose_name = _("司法确认")
        verbose_name_plural = pgettext_lazy("plural", "司法确认")

    def __str__(self) -> str:
        return f"{self.agreement.case} {self.get_status_display()}"
