"""The append-only points ledger: books, accounts, transactions and entries, checkpoints, adjustments."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.models import Area
from partners.models.partners import Partner


class AppendOnlyError(RuntimeError):
    """A ledger row was about to be changed or removed: the ledger is append-only."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} {self.pk} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} {self.pk} is append-only")


# --- The ledger -----------------------------------------------------------------------------


class LedgerBook(models.Model):
    """One community's book: the head of its hash chain. Every posting locks it first."""

    community = models.OneToOneField(Area, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="ledger_book")
    sequence = models.PositiveBigIntegerField(_("最新序号"), default=0)
    head_hash = models.CharField(_("链头哈希"), max_length=64, default="")

    class Meta:
        verbose_name = _("积分账簿")
        verbose_name_plural = pgettext_lazy("plural", "积分账簿")

    def __str__(self) -> str:
        return str(self.community)


class Account(models.Model):
    class Kind(models.TextChoices):
        PARTNER = "partner", _("合伙人账户")
        ISSUED = "issued", _("积分发行")
        REDEEMED = "redeemed", _("已兑换")
        EXPIRED = "expired", _("已过期")
        HOLD = "hold", _("冻结")

    community = models.ForeignKey(Area, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="accounts")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    partner = models.OneToOneField(
        Partner, verbose_name=_("合伙人"), null=True, blank=True, on_delete=models.PROTECT, related_name="account"
    )
    balance = models.BigIntegerField(_("余额"), default=0, editable=False)
    created_at = models.DateTimeField(_("开户时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("积分账户")
        verbose_name_plural = pgettext_lazy("plural", "积分账户")
        ordering = ["community_id", "kind", "id"]
        constraints = [
            # Only the issuing account may go below zero (it is the source of earned points);
            # a partner's balance can never go negative.
            models.CheckConstraint(condition=Q(kind="issued") | Q(balance__gte=0), name="account_balance_not_negative"),
            models.CheckConstraint(
                condition=(Q(kind="partner") & Q(partner__isnull=False))
                | (~Q(kind="partner") & Q(partner__isnull=True)),
                name="account_partner_iff_partner_kind",
            ),
            models.UniqueConstraint(
                fields=["community", "kind"], condition=Q(partner__isnull=True), name="account_unique_system_kind"
            ),
        ]

    def __str__(self) -> str:
        if self.partner_id:
            return f"{self.partner}"
        return f"{self.community} · {self.get_kind_display()}"


class LedgerTransaction(AppendOnlyModel):
    class Kind(models.TextChoices):
        EARN = "earn", _("服务获得")
        ADJUST = "adjust", _("人工调整")
        REDEEM_HOLD = "redeem_hold", _("兑换冻结")
        REDEEM_SETTLE = "redeem_settle", _("兑换核销")
        REDEEM_RELEASE = "redeem_release", _("兑换取消退回")
        EXPIRE = "expire", _("积分过期")
        REVERSE = "reverse", _("冲正")

    book = models.ForeignKey(LedgerBook, verbose_name=_("账簿"), on_delete=models.PROTECT, related_name="transactions")
    sequence = models.PositiveBigIntegerField(_("序号"))
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    idempotency_key = models.CharField(_("幂等键"), max_length=200, unique=True)
    memo = models.CharField(_("摘要"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    reverses = models.OneToOneField(
        "self", verbose_name=_("冲正对象"), null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    created_at = models.DateTimeField(_("记账时间"))
    prev_hash = models.CharField(_("上一笔哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("积分交易")
        verbose_name_plural = pgettext_lazy("plural", "积分交易")
        ordering = ["book_id", "sequence"]
        constraints = [models.UniqueConstraint(fields=["book", "sequence"], name="ledger_tx_unique_sequence")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.idempotency_key}"


class LedgerEntry(AppendOnlyModel):
    transaction = models.ForeignKey(
        LedgerTransaction, verbose_name=_("交易"), on_delete=models.PROTECT, related_name="entries"
    )
    account = models.ForeignKey(Account, verbose_name=_("账户"), on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField(_("积分变动"))
    balance_after = models.BigIntegerField(_("变动后余额"))

    class Meta:
        verbose_name = _("积分分录")
        verbose_name_plural = pgettext_lazy("plural", "积分分录")
        ordering = ["transaction_id", "id"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_amount_not_zero")]
        indexes = [models.Index(fields=["account", "transaction"], name="entry_account_tx_idx")]

    def __str__(self) -> str:
        return f"{self.account} {self.amount:+d}"


class LedgerCheckpoint(models.Model):
    """The result of one full verification of the ledger (nightly task or ``verify_ledger``)."""

    created_at = models.DateTimeField(_("校验时间"), auto_now_add=True)
    ok = models.BooleanField(_("校验通过"))
    transactions = models.PositiveBigIntegerField(_("交易笔数"), default=0)
    heads = models.JSONField(_("各账簿链头"), default=dict)
    totals = models.JSONField(_("各类账户合计"), default=dict)
    problem = models.TextField(_("首个问题"), blank=True)

    class Meta:
        verbose_name = _("账本校验记录")
        verbose_name_plural = pgettext_lazy("plural", "账本校验记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {'OK' if self.ok else 'FAIL'}"


class PointsAdjustment(models.Model):
    """A manual correction by staff, with a reason; above the threshold it waits for a second,
    different staff member's approval (two-person rule) before it posts."""

    class Status(models.TextChoices):
        PENDING_APPROVAL = "pending_approval", _("待复核")
        POSTED = "posted", _("已入账")
        REJECTED = "rejected", _("已驳回")

    partner = models.ForeignKey(Partner, verbose_name=_("合伙人"), on_delete=models.PROTECT, related_name="adjustments")
    points = models.IntegerField(_("调整积分"))
    reason = models.CharField(_("原因"), max_length=300)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices)
    version = models.PositiveIntegerField(default=0, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("积分调整")
        verbose_name_plural = pgettext_lazy("plural", "积分调整")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(points=0), name="adjustment_points_not_zero")]

    def __str__(self) -> str:
        return f"{self.partner} {self.points:+d}"

    @property
    def ledger_key(self) -> str:
        return f"adjustment:{self.pk}"
