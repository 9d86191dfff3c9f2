"""Red property: seats in the three bodies, the service list and its monthly ratings, fee plans.

Keyword-only, atomic, audited; permission-free (callers ask ``consultation.policies``).
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.consultation.models import (
    CouncilRule,
    FeePlan,
    Resolution,
    Seat,
    ServiceItem,
    ServiceRating,
    Volunteer,
)
from governance.exceptions import Conflict
from governance.models import Area, AuditEntry, Department, PartyOrganization, User
from governance.services import audit_record


class AlreadyRated(Conflict):
    code = "already_rated"


def month_of(day: date) -> date:
    return day.replace(day=1)


# --- Seats ------------------------------------------------------------------------------------


def seat_check(
    *,
    body: str,
    position: str,
    organization: PartyOrganization | None,
    compound: Area | None,
    department: Department | None,
) -> None:
    """Raise ``ValidationError`` unless the seat fits its body (shared with the admin form)."""
    where = {Seat.Body.PARTY: organization, Seat.Body.OWNERS_COMMITTEE: compound, Seat.Body.PROPERTY: department}
    if body not in where or where[body] is None:
        raise ValidationError({"body": _("请指明所任职的党组织、小区业委会或物业公司。")})
    if position not in Seat.BODY_POSITIONS[body]:
        raise ValidationError({"position": _("该职务不属于此类组织。")})
    if body == Seat.Body.OWNERS_COMMITTEE and compound.level != Area.Level.COMPOUND:
        raise ValidationError({"compound": _("业委会须属于一个小区。")})
    if body == Seat.Body.PROPERTY and department.kind != Department.Kind.PROPERTY:
        raise ValidationError({"department": _("请选择物业公司。")})


@transaction.atomic
def seat_assign(
    *,
    actor: User | None,
    person: User,
    body: str,
    position: str,
    organization: PartyOrganization | None = None,
    compound: Area | None = None,
    department: Department | None = None,
    started_on: date | None = None,
) -> Seat:
    """Seat ``person`` in a party organisation, an owners' committee or the property company."""
    seat_check(body=body, position=position, organization=organization, compound=compound, department=department)
    seat = Seat(
        person=person,
        body=body,
        position=position,
        organization=organization if body == Seat.Body.PARTY else None,
        compound=compound if body == Seat.Body.OWNERS_COMMITTEE else None,
        department=department if body == Seat.Body.PROPERTY else None,
        started_on=started_on or timezone.localdate(),
    )
    seat.full_clean()
    seat.save()
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=seat)
    return seat


@transaction.atomic
def seat_end(*, actor: User | None, seat: Seat, ended_on: date | None = None) -> Seat:
    ended_on = ended_on or timezone.localdate()
    if Seat.objects.filter(pk=seat.pk, ended_on__isnull=True).update(ended_on=ended_on):
        seat.ended_on = ended_on
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=seat, changes={"ended_on": ended_on.isoformat()})
    return seat


# --- Service list and ratings ---------------------------------------------------------------------


@transaction.atomic
def service_item_create(
    *,
    actor: User,
    compound: Area,
    provider: Department,
    name: str,
    standard: str,
    frequency: str,
    kind: str = ServiceItem.Kind.BASIC,
    resolution: Resolution | None = None,
) -> ServiceItem:
    """Add a line to the compound's service list (a resolution may be what put it there)."""
    if compound.level != Area.Level.COMPOUND:
        raise ValidationError({"compound": _("服务清单须属于一个小区。")})
    if resolution is not None and not compound.path.startswith(resolution.area.path):
        raise ValidationError({"resolution": _("该决议不属于此小区。")})
    if ServiceItem.objects.filter(compound=compound, name=name.strip()).exists():
        raise ValidationError({"name": _("该小区的服务清单已有“%(name)s”。") % {"name": name.strip()}})
    item = ServiceItem(
        compound=compound,
        provider=provider,
        kind=kind,
        name=name.strip(),
        standard=standard.strip(),
        frequency=frequency.strip(),
        resolution=resolution,
    )
    item.full_clean()
    item.save()
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=item)
    return item


@transaction.atomic
def service_item_rate(
    *, resident: User, item: ServiceItem, score: int, comment: str = "", today: date | None = None
) -> ServiceRating:
    """A resident scores an item once a month (1–5); a second score that month is refused."""
    if not 1 <= score <= 5:
        raise ValidationError({"score": _("评分须为 1 到 5 分。")})
    month = month_of(today or timezone.localdate())
    if ServiceRating.objects.filter(item=item, resident=resident, month=month).exists():
        raise AlreadyRated(_("您本月已评价过“%(name)s”，下月可再次评价。") % {"name": item.name})
    try:
        with transaction.atomic():
            rating = ServiceRating.objects.create(
                item=item, resident=resident, month=month, score=score, comment=comment.strip()[:300]
            )
    except IntegrityError as exc:  # a concurrent second submit lost the race on the unique key
        raise AlreadyRated(_("您本月已评价过“%(name)s”，下月可再次评价。") % {"name": item.name}) from exc
    audit_record(actor=resident, action=AuditEntry.Action.CREATE, obj=rating)
    return rating


# --- Fee plans ------------------------------------------------------------------------------------


@transaction.atomic
def fee_plan_create(
    *,
    actor: User,
    compound: Area,
    period_start: date,
    period_end: date,
    subsidy: Decimal,
    resident_fees: Decimal,
    public_income: Decimal,
    total: Decimal,
    note: str = "",
) -> FeePlan:
    """A compound's cost sharing for a period; the parts must add up to the total (also a check
    constraint in the database, so no other writer can store a plan that does not)."""
    if compound.level != Area.Level.COMPOUND:
        raise ValidationError({"compound": _("经费方案须属于一个小区。")})
    parts = subsidy + resident_fees + public_income
    if parts != total:
        raise ValidationError(
            {
                "total": _("政府补贴 %(s)s + 居民缴费 %(r)s + 公共收益 %(p)s = %(sum)s 元，与总额 %(total)s 元不符。")
                % {
                    "s": f"{subsidy:.2f}",
                    "r": f"{resident_fees:.2f}",
                    "p": f"{public_income:.2f}",
                    "sum": f"{parts:.2f}",
                    "total": f"{total:.2f}",
                }
            }
        )
    if min(subsidy, resident_fees, public_income) < 0:
        raise ValidationError({"total": _("各项金额不能为负数。")})
    if period_end <= period_start:
        raise ValidationError({"period_end": _("截止日期须晚于起始日期。")})
    if FeePlan.objects.filter(compound=compound, period_start=period_start).exists():
        raise ValidationError({"period_start": _("该小区这一期的经费方案已存在。")})
    plan = FeePlan(
        compound=compound,
        period_start=period_start,
        period_end=period_end,
        subsidy=subsidy,
        resident_fees=resident_fees,
        public_income=public_income,
        total=total,
        note=note.strip(),
        created_by=actor,
    )
    plan.full_clean(validate_constraints=False)
    plan.save()
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=plan)
    return plan


# --- 红色管家 volunteers -------------------------------------------------------------------------------


def volunteer_check(*, person: User, building: Area) -> None:
    if building.level != Area.Level.BUILDING:
        raise ValidationError({"building": _("红色管家须分配到楼栋。")})
    if Volunteer.objects.filter(person=person, building=building, is_active=True).exists():
        raise Conflict(_("%(name)s 已是该楼栋的红色管家。") % {"name": person.display_name}, code="already_volunteer")


@transaction.atomic
def volunteer_assign(
    *, actor: User | None, person: User, building: Area, duties: str = "", since: date | None = None
) -> Volunteer:
    volunteer_check(person=person, building=building)
    volunteer = Volunteer(
        person=person,
        building=building,
        duties=(duties or "").strip() or _("巡查、调解、政策宣传"),
        since=since or timezone.localdate(),
    )
    volunteer.full_clean()
    volunteer.save()
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=volunteer)
    return volunteer


@transaction.atomic
def volunteer_end(*, actor: User | None, volunteer: Volunteer) -> Volunteer:
    """Take a 红色管家 off duty (the row stays, for the record); a second call changes nothing."""
    if Volunteer.objects.filter(pk=volunteer.pk, is_active=True).update(is_active=False):
        volunteer.is_active = False
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=volunteer, changes={"is_active": False})
    return volunteer


@transaction.atomic
def council_rule_set(
    *, actor: User | None, area: Area, resident_rep_percent: int, property_required: bool
) -> CouncilRule:
    """The quorum rule of a compound or community (one per area)."""
    if area.level not in (Area.Level.COMPOUND, Area.Level.COMMUNITY):
        raise ValidationError({"area": _("议事规则须属于小区或社区。")})
    if not 0 < resident_rep_percent <= 100:
        raise ValidationError({"resident_rep_percent": _("比例须在 1 到 100 之间。")})
    rule, created = CouncilRule.objects.update_or_create(
        area=area, defaults={"resident_rep_percent": resident_rep_percent, "property_required": property_required}
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
        obj=rule,
        changes={"resident_rep_percent": resident_rep_percent, "property_required": property_required},
    )
    return rule
