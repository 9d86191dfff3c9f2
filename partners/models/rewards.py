"""Rewards (兑换商品) with their stock, and the redemptions (vouchers) made for them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.models import Area
from partners.models.partners import Partner


class Reward(models.Model):
    class Kind(models.TextChoices):
        SERVICE = "service", _("服务权益")
        GOODS = "goods", _("实物")
        COUPON = "coupon", _("商户优惠券")

    community = models.ForeignKey(Area, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="rewards")
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    description = models.TextField(_("说明"), blank=True)
    cost = models.PositiveIntegerField(_("所需积分"))
    stock = models.PositiveIntegerField(_("剩余库存"), null=True, blank=True, help_text=_("留空表示不限量"))
    per_partner_limit = models.PositiveIntegerField(_("每人限兑"), null=True, blank=True)
    valid_from = models.DateField(_("开始日期"), null=True, blank=True)
    valid_until = models.DateField(_("截止日期"), null=True, blank=True)
    offered_by = models.ForeignKey(
        Partner,
        verbose_name=_("提供商户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="offered_rewards",
    )
    is_active = models.BooleanField(_("上架"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("兑换商品")
        verbose_name_plural = pgettext_lazy("plural", "兑换商品")
        ordering = ["community_id", "cost", "name"]
        constraints = [models.CheckConstraint(condition=Q(cost__gt=0), name="reward_cost_positive")]

    def __str__(self) -> str:
        return self.name


class Redemption(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待核销")
        FULFILLED = "fulfilled", _("已核销")
        CANCELLED = "cancelled", _("已取消")
        EXPIRED = "expired", _("已过期")

    reward = models.ForeignKey(Reward, verbose_name=_("兑换商品"), on_delete=models.PROTECT, related_name="redemptions")
    partner = models.ForeignKey(Partner, verbose_name=_("合伙人"), on_delete=models.PROTECT, related_name="redemptions")
    quantity = models.PositiveIntegerField(_("数量"))
    points = models.PositiveIntegerField(_("积分"))
    voucher_code = models.CharField(_("兑换码"), max_length=8, unique=True)
    idempotency_key = models.CharField(_("幂等键"), max_length=200, unique=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    version = models.PositiveIntegerField(default=0, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("兑换人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("有效期至"))
    closed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("兑换时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("兑换券")
        verbose_name_plural = pgettext_lazy("plural", "兑换券")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="redemption_quantity_positive")]
        indexes = [
            models.Index(fields=["expires_at"], condition=Q(status="pending"), name="redemption_pending_expiry_idx")
        ]

    def __str__(self) -> str:
        return f"{self.voucher_code} · {self.reward}"
