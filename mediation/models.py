"""Dispute mediation (矛盾纠纷化解): cases, parties, mediators, sessions, agreements, judicial
confirmation and follow-up visits. Tables, constraints and indexes only; the state machines are in
``mediation.services`` (the core's workflow kit) and every write goes through a service.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.masking import mask_id_number, mask_phone
from mediation.masking import mask_name


class Tier(models.TextChoices):
    """The three tiers of mediation centres, following the area tree."""

    VILLAGE = "village", _("村（社区）调委会")
    TOWNSHIP = "township", _("乡镇（街道）调解中心")
    COUNTY = "county", _("县（区）调解中心")


TIER_ORDER = [Tier.VILLAGE, Tier.TOWNSHIP, Tier.COUNTY]


class CaseCounter(models.Model):
    """The last number a centre issued in a year; locked (select_for_update) to issue the next."""

    centre = models.ForeignKey(
        "governance.Area", verbose_name=_("调解组织"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    last = models.PositiveIntegerField(_("已用序号"), default=0)

    class Meta:
        verbose_name = _("案件编号计数")
        verbose_name_plural = pgettext_lazy("plural", "案件编号计数")
        constraints = [models.UniqueConstraint(fields=["centre", "year"], name="mediation_counter_centre_year")]

    def __str__(self) -> str:
        return f"{self.centre} {self.year}: {self.last}"


class MediatorProfile(models.Model):
    """A mediator's registry entry; their areas are the areas of their mediator posts."""

    class Kind(models.TextChoices):
        PEOPLE = "people", _("人民调解员")
        ADMINISTRATIVE = "administrative", _("行政调解")
        JUDICIAL = "judicial", _("司法调解")
        ELDER = "elder", _("乡贤")
        LAWYER = "lawyer", _("律师")
        PSYCHOLOGIST = "psychologist", _("心理咨询师")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="mediator_profile"
    )
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices, default=Kind.PEOPLE)
    tier = models.CharField(_("层级"), max_length=10, choices=Tier.choices, default=Tier.VILLAGE)
    capacity = models.PositiveSmallIntegerField(_("同时承办上限"), default=10)
    is_active = models.BooleanField(_("在册"), default=True)

    class Meta:
        verbose_name = _("调解员")
        verbose_name_plural = pgettext_lazy("plural", "调解员")
        ordering = ["tier", "user_id"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()}"


class Case(models.Model):
    """A dispute from registration to closure (one number per centre and year)."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("已登记")
        ACCEPTED = "accepted", _("已受理")
        DECLINED = "declined", _("不予受理")
        MEDIATING = "mediating", _("调解中")
        AGREED = "agreed", _("已达成协议")
        FAILED = "failed", _("调解不成")
        REFERRED = "referred", _("已移交")
        CLOSED = "closed", _("已结案")
        REOPENED = "reopened", _("已重新启动")

    class Type(models.TextChoices):
        LAND = "land", _("土地")
        HOMESTEAD = "homestead", _("宅基地")
        NEIGHBOUR = "neighbour", _("邻里")
        FAMILY = "family", _("家庭/婚姻")
        PROPERTY = "property", _("物业")
        LABOUR = "labour", _("劳资")
        CONSUMER = "consumer", _("消费")
        OTHER = "other", _("其他")

    class Source(models.TextChoices):
        GRID_EVENT = "grid_event", _("网格事件")
        HOTLINE = "hotline", _("12345热线")
        PETITION = "petition", _("信访")
        WALK_IN = "walk_in", _("来访")
        ONLINE = "online", _("群众网上申请")
        COURT = "court", _("法院委派（诉前调解）")

    class Risk(models.TextChoices):
        LOW = "low", _("一般")
        MEDIUM = "medium", _("较大")
        HIGH = "high", _("重大")

    class ReferredTo(models.TextChoices):
        COURT = "court", _("人民法院")
        ARBITRATION = "arbitration", _("仲裁机构")
        ADMINISTRATIVE = "administrative", _("行政机关")

    OPEN_STATUSES = ("registered", "accepted", "mediating", "failed", "reopened")

    number = models.CharField(_("案号"), max_length=60, unique=True, editable=False)
    centre = models.ForeignKey(
        "governance.Area", verbose_name=_("立案调解组织"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"), editable=False)
    sequence = models.PositiveIntegerField(_("序号"), editable=False)
    tier = models.CharField(_("当前层级"), max_length=10, choices=Tier.choices)
    handling_area = models.ForeignKey(
        "governance.Area", verbose_name=_("承办调解组织"), on_delete=models.PROTECT, related_name="+"
    )
    type = models.CharField(_("纠纷类型"), max_length=12, choices=Type.choices)
    subtype = models.CharField(_("细分类型"), max_length=40, blank=True)
    description = models.TextField(_("纠纷简述"))
    area = models.ForeignKey(
        "governance.Area", verbose_name=_("发生地"), on_delete=models.PROTECT, related_name="mediation_cases"
    )
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    event = models.ForeignKey(
        "grids.Event",
        verbose_name=_("来源事件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mediation_cases",
    )
    amount = models.DecimalField(_("涉及金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    people_involved = models.PositiveIntegerField(_("涉及人数"), default=2)
    risk_level = models.CharField(_("风险等级"), max_length=8, choices=Risk.choices, default=Risk.LOW)
    risk_reason = models.CharField(_("风险说明"), max_length=300, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    deadline = models.DateField(_("调解期限"), null=True, blank=True)
    decline_reason = models.CharField(_("不予受理原因"), max_length=300, blank=True)
    fail_reason = models.CharField(_("调解不成原因"), max_length=300, blank=True)
    referred_to = models.CharField(_("移交去向"), max_length=16, choices=ReferredTo.choices, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.REGISTERED)
    status_changed_at = models.DateTimeField(_("状态变更时间"))
    version = models.PositiveIntegerField(_("版本"), default=0, editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("调解案件")
        verbose_name_plural = pgettext_lazy("plural", "调解案件")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "year", "sequence"], name="mediation_case_number_unique"),
        ]
        indexes = [
            models.Index(fields=["handling_area", "status"], name="mediation_case_centre_idx"),
            models.Index(fields=["deadline"], name="mediation_case_deadline_idx", condition=Q(deadline__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def agreement(self) -> "Agreement | None":
        """The current agreement: the latest round not superseded (None before the first one, and
        between a reopen and the next agreement). Earlier rounds stay in ``agreements``."""
        return self.agreements.filter(superseded_at__isnull=True).order_by("-round").first()


class CaseMediator(models.Model):
    """A mediator on a case: one lead, any number of co-mediators."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="assignments")
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("调解员"), on_delete=models.PROTECT, related_name="mediation_cases"
    )
    is_lead = models.BooleanField(_("主办"), default=False)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指派人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("指派时间"), auto_now_add=True)
    handed_over_at = models.DateTimeField(
        _("已移交上级"),
        null=True,
        blank=True,
        help_text=_(
            "案件移交上一级调解中心时，本级调解员不再承办：仍可查看案件，但不能再办理，除非被留任为协办调解员。"
        ),
    )

    class Meta:
        verbose_name = _("承办调解员")
        verbose_name_plural = pgettext_lazy("plural", "承办调解员")
        constraints = [
            models.UniqueConstraint(fields=["case", "mediator"], name="mediation_assignment_unique"),
            models.UniqueConstraint(fields=["case"], condition=Q(is_lead=True), name="mediation_one_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.mediator}"


class Party(models.Model):
    """A party to a case; contact details are shown unmasked only on the case page (audited)."""

    class Role(models.TextChoices):
        APPLICANT = "applicant", _("申请人")
        RESPONDENT = "respondent", _("被申请人")
        THIRD_PARTY = "third_party", _("第三人")

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("身份"), max_length=12, choices=Role.choices)
    name = models.CharField(_("姓名/名称"), max_length=60)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    id_number = models.CharField(_("身份证号码"), max_length=18, blank=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    building = models.ForeignKey(
        "governance.Area",
        verbose_name=_("所住楼栋"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mediation_parties",
    )

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = pgettext_lazy("plural", "当事人")
        ordering = ["case_id", "role", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name_masked}"

    @property
    def name_masked(self) -> str:
        return mask_name(self.name)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)


class PartyRelation(models.Model):
    """A declared relationship of a party: to another party, or to a person with an account."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="relations")
    party = models.ForeignKey(Party, verbose_name=_("当事人"), on_delete=models.CASCADE, related_name="relations")
    other_party = models.ForeignKey(
        Party, verbose_name=_("关系人（当事人）"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    other_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("关系人（用户）"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    relation = models.CharField(_("关系"), max_length=40)

    class Meta:
        verbose_name = _("当事人关系")
        verbose_name_plural = pgettext_lazy("plural", "当事人关系")
        constraints = [
            models.CheckConstraint(
                condition=Q(other_party__isnull=False) | Q(other_user__isnull=False), name="mediation_relation_other"
            )
        ]

    def __str__(self) -> str:
        return self.relation


class CaseTimelineEntry(models.Model):
    """Append-only history of a case: every move, assignment, hand-over, session and visit."""

    class Kind(models.TextChoices):
        TRANSITION = "transition", _("状态变更")
        ESCALATION = "escalation", _("上移层级")
        ASSIGNMENT = "assignment", _("指派调解员")
        SESSION = "session", _("调解会")
        AGREEMENT = "agreement", _("调解协议")
        CONFIRMATION = "confirmation", _("司法确认")
        FOLLOW_UP = "follow_up", _("回访")
        REMINDER = "reminder", _("提醒")

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="timeline")
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
    tier = models.CharField(_("层级"), max_length=10, choices=Tier.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    handover = models.JSONField(_("移交材料"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("案件流水")
        verbose_name_plural = pgettext_lazy("plural", "案件流水")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Case timeline entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Case timeline entries are append-only.")


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


class Agreement(models.Model):
    """The mediation agreement (调解协议书) of one round of mediation; a case is ``agreed`` only with
    a current one. A case reopened after a follow-up found the dispute back mediates again and may
    reach a new agreement: the earlier one is *superseded* (``superseded_at``) and kept, with its
    signatures, confirmation and follow-ups, as history (append-only). At most one per case is
    current (the partial unique constraint).

    ``signed_on`` is the agreement's own date (the day it was drawn up, as on the paper);
    ``effective_on`` is the day it took effect — the date of the last party signature, once every
    party has signed — and is what the follow-ups and the judicial-confirmation window count from
    (``mediation.services.work``). Both ``effective_on`` and ``superseded_at`` are written by the
    services only, with the compare-and-set on ``version``."""

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


class FollowUp(models.Model):
    """A follow-up visit (回访) of one agreement, due a week and a month after it took effect.

    ``case`` repeats ``agreement.case`` for the clock's scans and the scoping (set by the service
    that creates the row, never changed). A visit the case's reopening made pointless is
    ``cancelled`` (through the workflow kit, with its timeline entry), not marked done."""

    class Kind(models.TextChoices):
        WEEK = "week", _("一周回访")
        MONTH = "month", _("一月回访")

    class Status(models.TextChoices):
        PENDING = "pending", _("待回访")
        DONE = "done", _("已回访")
        CANCELLED = "cancelled", _("已取消")

    class Outcome(models.TextChoices):
        PERFORMED = "performed", _("已履行")
        PARTLY = "partly", _("部分履行")
        NOT_PERFORMED = "not_performed", _("未履行")
        RECURRED = "recurred", _("纠纷复发")

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="follow_ups")
    agreement = models.ForeignKey(
        Agreement, verbose_name=_("调解协议"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    due_on = models.DateField(_("应回访日期"))
    remind_on = models.DateField(_("提醒日期"))
    reminded_at = models.DateTimeField(_("已提醒"), null=True, blank=True)
    overdue_reported_at = models.DateTimeField(_("已报逾期"), null=True, blank=True)
    outcome = models.CharField(_("回访结果"), max_length=16, choices=Outcome.choices, blank=True)
    note = models.TextField(_("回访记录"), blank=True)
    done_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回访人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    status_changed_at = models.DateTimeField(_("状态变更时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=0, editable=False)

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = pgettext_lazy("plural", "回访")
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["agreement", "kind"], name="mediation_follow_up_once")]
        indexes = [
            # The reminder scan and the overdue scan: pending rows not yet told, by date. Partial.
            models.Index(
                fields=["remind_on"],
                name="mediation_followup_remind_idx",
                condition=Q(status="pending", reminded_at__isnull=True),
            ),
            models.Index(
                fields=["due_on"],
                name="mediation_followup_overdue_idx",
                condition=Q(status="pending", overdue_reported_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()}"
