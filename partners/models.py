"""社区合伙人 · 积分银行: partners, earning rules, service records, the ledger, rewards, vouchers.

Tables, constraints and indexes only; every write goes through ``partners.services``.

The ledger is append-only: ``LedgerTransaction`` and ``LedgerEntry`` refuse ``save()`` on an
existing row, ``delete()`` and queryset ``update()``/``delete()``; on PostgreSQL a trigger refuses
UPDATE and DELETE too, and a deferred constraint trigger refuses a transaction whose entries do not
sum to zero (migration 0002). ``Account.balance`` moves only inside ``partners.services.ledger``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.masking import mask_phone
from governance.models import Area


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


# --- Partners -------------------------------------------------------------------------------


class Partner(models.Model):
    class Kind(models.TextChoices):
        RESOURCE = "resource", _("资源型")
        PROFESSIONAL = "professional", _("专业型")
        VOLUNTEER = "volunteer", _("志愿型")

    class SubKind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        MERCHANT = "merchant", _("商户")
        SCHOOL = "school", _("学校")
        HOSPITAL = "hospital", _("医院")
        LAWYER = "lawyer", _("律师")
        DOCTOR = "doctor", _("医生")
        TEACHER = "teacher", _("教师")
        COUNSELLOR = "counsellor", _("心理咨询师")
        RESIDENT = "resident", _("居民")
        RETIRED_CADRE = "retired_cadre", _("退休干部")
        STUDENT = "student", _("大学生")

    class Form(models.TextChoices):
        ORGANISATION = "organisation", _("机构")
        INDIVIDUAL = "individual", _("个人")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        ACTIVE = "active", _("已加入")
        DECLINED = "declined", _("未通过")
        SUSPENDED = "suspended", _("已暂停")

    name = models.CharField(_("名称"), max_length=100)
    community = models.ForeignKey(
        Area,
        verbose_name=_("所属社区"),
        on_delete=models.PROTECT,
        related_name="partners",
        limit_choices_to={"level": Area.Level.COMMUNITY},
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    sub_kind = models.CharField(_("细分类型"), max_length=16, choices=SubKind.choices)
    form = models.CharField(_("主体"), max_length=16, choices=Form.choices, default=Form.INDIVIDUAL)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("关联账号"), related_name="partner_memberships", blank=True
    )
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    skills = models.TextField(_("技能特长"), blank=True)
    resources = models.TextField(_("可提供资源"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    version = models.PositiveIntegerField(default=0, editable=False)
    decision_reason = models.CharField(_("审核说明"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("社区合伙人")
        verbose_name_plural = pgettext_lazy("plural", "社区合伙人")
        ordering = ["community_id", "name"]
        indexes = [models.Index(fields=["community", "status"], name="partner_community_status_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


SUB_KINDS: dict[str, frozenset[str]] = {
    Partner.Kind.RESOURCE: frozenset(
        {Partner.SubKind.ENTERPRISE, Partner.SubKind.MERCHANT, Partner.SubKind.SCHOOL, Partner.SubKind.HOSPITAL}
    ),
    Partner.Kind.PROFESSIONAL: frozenset(
        {Partner.SubKind.LAWYER, Partner.SubKind.DOCTOR, Partner.SubKind.TEACHER, Partner.SubKind.COUNSELLOR}
    ),
    Partner.Kind.VOLUNTEER: frozenset(
        {Partner.SubKind.RESIDENT, Partner.SubKind.RETIRED_CADRE, Partner.SubKind.STUDENT}
    ),
}


class EarningRule(models.Model):
    """Activity → points in one community, optionally per hour, with a cap per partner per month."""

    community = models.ForeignKey(Area, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="earning_rules")
    activity = models.CharField(_("服务项目"), max_length=60)
    points = models.PositiveIntegerField(_("积分"))
    per_hour = models.BooleanField(_("按小时计"), default=False)
    monthly_cap = models.PositiveIntegerField(_("每人每月上限"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = pgettext_lazy("plural", "积分规则")
        ordering = ["community_id", "activity"]
        constraints = [
            models.UniqueConstraint(fields=["community", "activity"], name="earning_rule_unique_activity"),
            models.CheckConstraint(condition=Q(points__gt=0), name="earning_rule_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.points}"


class ServiceRecord(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待核实")
        VERIFIED = "verified", _("已核实")
        REJECTED = "rejected", _("未通过")

    partner = models.ForeignKey(Partner, verbose_name=_("合伙人"), on_delete=models.PROTECT, related_name="records")
    rule = models.ForeignKey(EarningRule, verbose_name=_("服务项目"), on_delete=models.PROTECT, related_name="records")
    served_on = models.DateField(_("服务日期"))
    hours = models.DecimalField(_("时长（小时）"), max_digits=5, decimal_places=1, default=0)
    beneficiaries = models.PositiveIntegerField(_("受益人数"), default=0)
    description = models.TextField(_("服务内容"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    version = models.PositiveIntegerField(default=0, editable=False)
    points_awarded = models.PositiveIntegerField(_("获得积分"), default=0)
    capped = models.BooleanField(_("受月度上限限制"), default=False)
    reject_reason = models.CharField(_("未通过原因"), max_length=300, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核实人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = pgettext_lazy("plural", "服务记录")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["partner", "rule", "served_on"], name="record_partner_rule_day_idx")]

    def __str__(self) -> str:
        return f"{self.partner} · {self.rule.activity} · {self.served_on}"

    @property
    def ledger_key(self) -> str:
        return f"service-record:{self.pk}"


MAX_RECORD_PHOTOS = 6  # evidence photos per service record: the service's, the form's and the API's limit


class ServiceRecordPhoto(models.Model):
    """Evidence of a service (现场照片). Checked and re-encoded by ``governance.uploads.image_clean``;
    served only through ``partners:record_photo`` to whoever may see the record, never from /media/."""

    record = models.ForeignKey(
        ServiceRecord, verbose_name=_("服务记录"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("照片"), upload_to="partners/records/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("服务照片")
        verbose_name_plural = pgettext_lazy("plural", "服务照片")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.record_id} · {self.pk}"


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


# --- Rewards and vouchers -------------------------------------------------------------------


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


# --- Needs, projects, claims, evaluations (需求征集 → 项目发布 → 认领 → 评估) ----------------------


class Need(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("征集中")
        ADOPTED = "adopted", _("已立项")

    community = models.ForeignKey(Area, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="needs")
    title = models.CharField(_("需求"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    version = models.PositiveIntegerField(default=0, editable=False)
    supporters = models.PositiveIntegerField(_("支持人数"), default=0, editable=False)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("居民需求")
        verbose_name_plural = pgettext_lazy("plural", "居民需求")
        ordering = ["-supporters", "-created_at"]

    def __str__(self) -> str:
        return self.title


class NeedSupport(models.Model):
    need = models.ForeignKey(Need, verbose_name=_("需求"), on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("支持人"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("支持时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("需求支持")
        verbose_name_plural = pgettext_lazy("plural", "需求支持")
        constraints = [models.UniqueConstraint(fields=["need", "user"], name="need_support_once")]

    def __str__(self) -> str:
        return f"{self.user} → {self.need}"


class Project(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", _("认领中")
        CLOSED = "closed", _("已结项")

    community = models.ForeignKey(Area, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="projects")
    need = models.ForeignKey(
        Need, verbose_name=_("来源需求"), null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    title = models.CharField(_("项目名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    skills = models.CharField(_("所需技能"), max_length=200, blank=True)
    slots = models.PositiveIntegerField(_("名额"))
    claimed = models.PositiveIntegerField(_("已认领"), default=0, editable=False)
    points_per_slot = models.PositiveIntegerField(_("每人积分"))
    starts_on = models.DateField(_("开始日期"), null=True, blank=True)
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PUBLISHED)
    version = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("结项时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("服务项目")
        verbose_name_plural = pgettext_lazy("plural", "服务项目")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(slots__gt=0), name="project_slots_positive"),
            # Never more claims than slots, even under concurrency (claims take a slot with a
            # conditional UPDATE … WHERE claimed < slots; this is the backstop).
            models.CheckConstraint(condition=Q(claimed__lte=models.F("slots")), name="project_claimed_within_slots"),
        ]

    def __str__(self) -> str:
        return self.title


class Claim(models.Model):
    class Status(models.TextChoices):
        CLAIMED = "claimed", _("已认领")
        DONE = "done", _("已完成")
        NO_SHOW = "no_show", _("未到场")

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="claims")
    partner = models.ForeignKey(Partner, verbose_name=_("合伙人"), on_delete=models.PROTECT, related_name="claims")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.CLAIMED)
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("认领时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("项目认领")
        verbose_name_plural = pgettext_lazy("plural", "项目认领")
        ordering = ["project_id", "created_at"]
        constraints = [models.UniqueConstraint(fields=["project", "partner"], name="claim_once_per_project")]

    def __str__(self) -> str:
        return f"{self.partner} · {self.project}"


class Evaluation(models.Model):
    class Role(models.TextChoices):
        RESIDENT = "resident", _("居民代表")
        STAFF = "staff", _("社区工作人员")

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="evaluations")
    partner = models.ForeignKey(Partner, verbose_name=_("合伙人"), on_delete=models.PROTECT, related_name="evaluations")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评价人"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("评价身份"), max_length=16, choices=Role.choices)
    score = models.PositiveSmallIntegerField(_("评分"))
    comment = models.CharField(_("评语"), max_length=300, blank=True)
    excluded = models.BooleanField(_("申诉成立、不计入信用"), default=False, editable=False)
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("项目评价")
        verbose_name_plural = pgettext_lazy("plural", "项目评价")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["project", "partner", "evaluator"], name="evaluation_once"),
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="evaluation_score_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.partner} · {self.project} · {self.score}"


class EvaluationAppeal(models.Model):
    """A partner contests an evaluation; staff decide. An upheld appeal takes it out of the credit."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待处理")
        UPHELD = "upheld", _("申诉成立")
        DISMISSED = "dismissed", _("申诉不成立")

    evaluation = models.OneToOneField(
        Evaluation, verbose_name=_("评价"), on_delete=models.PROTECT, related_name="appeal"
    )
    reason = models.CharField(_("申诉理由"), max_length=300)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    version = models.PositiveIntegerField(default=0, editable=False)
    appealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申诉人"), on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_note = models.CharField(_("处理意见"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("申诉时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评价申诉")
        verbose_name_plural = pgettext_lazy("plural", "评价申诉")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.evaluation} · {self.get_status_display()}"
