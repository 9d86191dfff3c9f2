"""Red property: organisation seats (交叉任职), the service list and its ratings, fee plans, volunteers."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.consultation.models.resolutions import Resolution
from governance.models import Area, Department, PartyOrganization

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
