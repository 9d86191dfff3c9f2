"""Red-property consultation (红色议事厅): topics, meetings, participants, agenda, votes, resolutions.

Tables, constraints and indexes only; every write goes through ``consultation.services``, every
status move through the core's workflow kit (``MEETING_FLOW``, ``RESOLUTION_FLOW``).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.models import Area, Department, PartyOrganization


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


class Suggestion(models.Model):
    """A topic a resident (or staff) proposes for the council (议题征集)."""

    class Status(models.TextChoices):
        OPEN = "open", _("征集中")
        ON_AGENDA = "on_agenda", _("已列入议程")

    area = models.ForeignKey(Area, verbose_name=_("小区/社区"), on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("议题"), max_length=120)
    body = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    version = models.PositiveIntegerField(default=0, editable=False)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = pgettext_lazy("plural", "议题")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class SuggestionSupport(models.Model):
    """A resident supports someone's topic, once (附议)."""

    suggestion = models.ForeignKey(
        Suggestion, verbose_name=_("议题"), on_delete=models.CASCADE, related_name="supports"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("附议人"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("附议时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附议")
        verbose_name_plural = pgettext_lazy("plural", "附议")
        constraints = [models.UniqueConstraint(fields=["suggestion", "user"], name="suggestion_support_once")]

    def __str__(self) -> str:
        return f"{self.user} → {self.suggestion}"


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


# --- Organisation seats (双向进入、交叉任职) -------------------------------------------------------


class Seat(models.Model):
    """A seat a person holds: in a party organisation, on a compound's owners' committee (业委会),
    or in the property company serving it. One person holding seats in two bodies is 交叉任职."""

    class Body(models.TextChoices):
        PARTY = "party", _("党组织")
        OWNERS_COMMITTEE = "owners_committee", _("业委会")
        PROPERTY = "property", _("物业公司")

    class Position(models.TextChoices):
        SECRETARY = "secretary", _("书记")
        DEPUTY_SECRETARY = "deputy_secretary", _("副书记")
        COMMITTEE_MEMBER = "committee_member", _("委员")
        PARTY_MEMBER = "party_member", _("党员")
        DIRECTOR = "director", _("主任")
        DEPUTY_DIRECTOR = "deputy_director", _("副主任")
        MEMBER = "member", _("成员")
        MANAGER = "manager", _("项目经理")

    BODY_POSITIONS = {
        Body.PARTY: {Position.SECRETARY, Position.DEPUTY_SECRETARY, Position.COMMITTEE_MEMBER, Position.PARTY_MEMBER},
        Body.OWNERS_COMMITTEE: {Position.DIRECTOR, Position.DEPUTY_DIRECTOR, Position.COMMITTEE_MEMBER},
        Body.PROPERTY: {Position.MANAGER, Position.MEMBER},
    }

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="+"
    )
    body = models.CharField(_("组织类别"), max_length=20, choices=Body.choices)
    position = models.CharField(_("职务"), max_length=20, choices=Position.choices)
    organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("党组织"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    compound = models.ForeignKey(
        Area, verbose_name=_("小区"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("物业公司"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    started_on = models.DateField(_("任职日期"))
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = pgettext_lazy("plural", "任职")
        ordering = ["person_id", "body", "id"]
        constraints = [
            # Exactly the column of its body is set: a party seat names an organisation, an owners'
            # committee seat a compound, a property seat the company.
            models.CheckConstraint(
                condition=(
                    Q(body="party", organization__isnull=False, compound__isnull=True, department__isnull=True)
                    | Q(
                        body="owners_committee",
                        organization__isnull=True,
                        compound__isnull=False,
                        department__isnull=True,
                    )
                    | Q(body="property", organization__isnull=True, compound__isnull=True, department__isnull=False)
                ),
                name="seat_names_its_body",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.where} {self.get_position_display()}"

    @property
    def where(self) -> str:
        return str(self.organization or self.compound or self.department or "")


# --- Service list, ratings, fee plans ---------------------------------------------------------------


class ServiceItem(models.Model):
    """One line of a compound's service list (服务清单), published to residents."""

    class Kind(models.TextChoices):
        BASIC = "basic", _("基础服务")
        FEATURED = "featured", _("特色服务")

    compound = models.ForeignKey(Area, verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(Department, verbose_name=_("服务提供方"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices, default=Kind.BASIC)
    name = models.CharField(_("服务项目"), max_length=60)
    standard = models.CharField(_("服务标准"), max_length=200)
    frequency = models.CharField(_("频次"), max_length=60)
    resolution = models.ForeignKey(
        Resolution,
        verbose_name=_("来源决议"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_items",
    )
    is_published = models.BooleanField(_("已公示"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("服务项目")
        verbose_name_plural = pgettext_lazy("plural", "服务项目")
        ordering = ["compound_id", "kind", "id"]
        constraints = [models.UniqueConstraint(fields=["compound", "name"], name="service_item_unique_name")]

    def __str__(self) -> str:
        return self.name


class ServiceRating(models.Model):
    """A resident's score of one service item for one month (1–5), once."""

    item = models.ForeignKey(ServiceItem, verbose_name=_("服务项目"), on_delete=models.CASCADE, related_name="ratings")
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("居民"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("月份"))  # the first day of the month
    score = models.PositiveSmallIntegerField(_("评分"))
    comment = models.CharField(_("意见"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("服务评价")
        verbose_name_plural = pgettext_lazy("plural", "服务评价")
        ordering = ["-month", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "resident", "month"], name="service_rating_once_a_month"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="service_rating_score_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.month:%Y-%m} {self.score}"


class FeePlan(models.Model):
    """Cost sharing of a compound for a period: subsidy + resident fees + public income = total."""

    compound = models.ForeignKey(Area, verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    subsidy = models.DecimalField(_("政府补贴（元）"), max_digits=12, decimal_places=2)
    resident_fees = models.DecimalField(_("居民缴费（元）"), max_digits=12, decimal_places=2)
    public_income = models.DecimalField(_("公共收益（元）"), max_digits=12, decimal_places=2)
    total = models.DecimalField(_("总额（元）"), max_digits=12, decimal_places=2)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("经费方案")
        verbose_name_plural = pgettext_lazy("plural", "经费方案")
        ordering = ["compound_id", "-period_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total=models.F("subsidy") + models.F("resident_fees") + models.F("public_income")),
                name="fee_plan_parts_add_up",
            ),
            models.CheckConstraint(
                condition=Q(subsidy__gte=0, resident_fees__gte=0, public_income__gte=0),
                name="fee_plan_parts_not_negative",
            ),
            models.CheckConstraint(condition=Q(period_end__gt=models.F("period_start")), name="fee_plan_period_order"),
            models.UniqueConstraint(fields=["compound", "period_start"], name="fee_plan_unique_period"),
        ]

    def __str__(self) -> str:
        return f"{self.compound} {self.period_start:%Y-%m}"


class Volunteer(models.Model):
    """A 红色管家 volunteer assigned to a building: helps patrol and mediate."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("志愿者"), on_delete=models.CASCADE, related_name="+"
    )
    building = models.ForeignKey(Area, verbose_name=_("楼栋"), on_delete=models.PROTECT, related_name="+")
    duties = models.CharField(_("职责"), max_length=120, default=_("巡查、调解、政策宣传"))
    since = models.DateField(_("上岗日期"))
    is_active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        verbose_name = _("红色管家")
        verbose_name_plural = pgettext_lazy("plural", "红色管家")
        ordering = ["building__path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "building"], condition=Q(is_active=True), name="volunteer_once_per_building"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.building}"
