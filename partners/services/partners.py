"""Partners joining (an application staff decide), earning rules, service records that earn once."""

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.exceptions import DomainError
from governance.models import Area, AuditEntry, Role, User
from governance.outbox import notification_enqueue
from governance.selectors import users_with_role_in_area
from governance.services import audit_record
from governance.uploads import image_clean
from governance.workflow import Workflow
from partners.models import (
    MAX_RECORD_PHOTOS,
    SUB_KINDS,
    Account,
    EarningRule,
    LedgerTransaction,
    Partner,
    ServiceRecord,
    ServiceRecordPhoto,
)
from partners.services.ledger import ledger_post
from partners.services.ledger_accounts import book_lock, partner_account

P = Partner.Status
R = ServiceRecord.Status


class ReasonRequired(DomainError):
    code = "reason_required"
    default_detail = gettext_lazy("请填写原因。")


class PartnerNotActive(DomainError):
    code = "partner_not_active"
    status_code = 409
    default_detail = gettext_lazy("该合伙人尚未加入或已被暂停。")


# --- Joining ------------------------------------------------------------------------------------


def _record_partner_move(*, obj: Partner, frm: str, to: str, actor: User | None, note: str) -> None:
    audit_record(
        actor=actor, action=AuditEntry.Action.TRANSITION, obj=obj, changes={"from": frm, "to": to, "note": note}
    )
    titles = {
        P.ACTIVE: _("您已成为社区合伙人：%(name)s") if frm == P.PENDING else _("合伙人资格已恢复：%(name)s"),
        P.DECLINED: _("合伙人申请未通过：%(name)s"),
        P.SUSPENDED: _("合伙人资格已暂停：%(name)s"),
    }
    notification_enqueue(
        recipients=obj.users.all(),
        key=f"partner:{obj.pk}:v{obj.version}",
        title=titles[to] % {"name": obj.name},
        body=note,
        url=reverse("partners:my_points"),
    )


PARTNER_FLOW = Workflow(
    model=Partner,
    moves={
        P.PENDING: {P.ACTIVE: {"decided_by", "decision_reason"}, P.DECLINED: {"decided_by", "decision_reason"}},
        P.ACTIVE: {P.SUSPENDED: {"decided_by", "decision_reason"}},
        P.SUSPENDED: {P.ACTIVE: {"decided_by", "decision_reason"}},
        P.DECLINED: {},
    },
    record=_record_partner_move,
    labels=dict(P.choices),
    noun=gettext_lazy("合伙人"),
    stale_detail=gettext_lazy("该合伙人刚被其他工作人员处理过，请刷新后查看。"),
)

# The decisions staff take, by name: decision → target status.
PARTNER_DECISIONS = {"approve": P.ACTIVE, "decline": P.DECLINED, "suspend": P.SUSPENDED, "reactivate": P.ACTIVE}
NEEDS_REASON = frozenset({P.DECLINED, P.SUSPENDED})


@transaction.atomic
def partner_apply(
    *,
    applicant: User,
    community: Area,
    name: str,
    kind: str,
    sub_kind: str,
    form: str = Partner.Form.INDIVIDUAL,
    contact_name: str = "",
    contact_phone: str = "",
    skills: str = "",
    resources: str = "",
) -> Partner:
    """An application to join (pending); the applicant is linked and the community's staff told."""
    if community.level != Area.Level.COMMUNITY:
        raise DomainError(_("请选择一个社区。"), code="not_a_community")
    if sub_kind not in SUB_KINDS.get(kind, ()):
        raise DomainError(_("细分类型与合伙人类型不符。"), code="sub_kind_mismatch")
    partner = Partner(
        community=community,
        name=name.strip(),
        kind=kind,
        sub_kind=sub_kind,
        form=form,
        contact_name=contact_name,
        contact_phone=contact_phone,
        skills=skills,
        resources=resources,
    )
    partner.full_clean()
    partner.save()
    partner.users.add(applicant)
    audit_record(actor=applicant, action=AuditEntry.Action.CREATE, obj=partner, changes={"kind": kind})
    notification_enqueue(
        recipients=users_with_role_in_area(role=Role.COMMUNITY_STAFF, area=community),
        key=f"partner:{partner.pk}:applied",
        title=_("新的合伙人申请：%(name)s") % {"name": partner.name},
        url=reverse("partners:applications"),
    )
    return partner


@transaction.atomic
def partner_decide(*, partner: Partner, decision: str, actor: User, reason: str = "") -> Partner:
    """approve (a pending application, or a suspended partner back) | decline | suspend; a decline
    or a suspension needs a reason. ``reactivate`` is another name for approving a suspended one."""
    to = PARTNER_DECISIONS.get(decision)
    if to is None:
        raise DomainError(_("不支持的操作。"), code="unknown_action")
    reason = reason.strip()
    if to in NEEDS_REASON and not reason:
        raise ReasonRequired(_("拒绝或暂停必须填写原因。"))
    PARTNER_FLOW.transition(
        partner, to=to, actor=actor, note=reason, changes={"decided_by": actor, "decision_reason": reason}
    )
    if to == P.ACTIVE:
        partner_account(partner=partner)
    return partner


# --- Earning rules ------------------------------------------------------------------------------


@transaction.atomic
def earning_rule_save(
    *,
    community: Area,
    activity: str,
    points: int,
    actor: User,
    per_hour: bool = False,
    monthly_cap: int | None = None,
    is_active: bool = True,
    rule: EarningRule | None = None,
) -> EarningRule:
    if points is None or int(points) <= 0:
        raise DomainError(_("积分必须大于零。"), code="invalid_points")
    created = rule is None
    rule = rule or EarningRule(community=community)
    rule.activity, rule.points, rule.per_hour = activity.strip(), int(points), per_hour
    rule.monthly_cap, rule.is_active = monthly_cap, is_active
    rule.full_clean()
    rule.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
        obj=rule,
        changes={"points": rule.points, "per_hour": per_hour, "monthly_cap": monthly_cap},
    )
    return rule


# --- Service records ----------------------------------------------------------------------------


def _record_service_move(*, obj: ServiceRecord, frm: str, to: str, actor: User | None, note: str) -> None:
    audit_record(
        actor=actor, action=AuditEntry.Action.TRANSITION, obj=obj, changes={"from": frm, "to": to, "note": note}
    )
    if to == R.VERIFIED:
        title = _("服务记录已核实，获得 %(points)d 积分") % {"points": obj.points_awarded}
    else:
        title = _("服务记录未通过核实")
    notification_enqueue(
        recipients=obj.partner.users.all(),
        key=f"service-record:{obj.pk}:{to}",
        title=title,
        body=note,
        url=reverse("partners:my_points"),
    )


RECORD_FLOW = Workflow(
    model=ServiceRecord,
    moves={
        R.SUBMITTED: {
            R.VERIFIED: {"points_awarded", "capped", "verified_by", "verified_at"},
            R.REJECTED: {"reject_reason", "verified_by", "verified_at"},
        },
        R.VERIFIED: {},
        R.REJECTED: {},
    },
    record=_record_service_move,
    labels=dict(R.choices),
    noun=gettext_lazy("服务记录"),
    stale_detail=gettext_lazy("该服务记录刚被其他工作人员处理过，不会重复记分。"),
)


@transaction.atomic
def service_record_submit(
    *,
    partner: Partner,
    rule: EarningRule,
    served_on: date,
    actor: User,
    hours: Decimal | float | int = 0,
    beneficiaries: int = 0,
    description: str = "",
    photos: Sequence[UploadedFile] = (),
) -> ServiceRecord:
    """Log a service with its evidence photos. Everything is checked before anything is written;
    each photo is re-encoded by the core's cleaner (no EXIF/GPS kept)."""
    if not partner.is_active:
        raise PartnerNotActive()
    if rule.community_id != partner.community_id or not rule.is_active:
        raise DomainError(_("该服务项目不属于您所在的社区或已停用。"), code="rule_not_available")
    hours = Decimal(str(hours or 0))
    if hours < 0 or (rule.per_hour and hours <= 0):
        raise DomainError(_("按小时计分的服务请填写大于零的时长。"), code="hours_required", fields={"hours": []})
    if served_on > timezone.localdate():
        raise DomainError(_("服务日期不能晚于今天。"), code="future_date")
    if len(photos) > MAX_RECORD_PHOTOS:
        raise ValidationError(_("最多上传 %(n)d 张照片。") % {"n": MAX_RECORD_PHOTOS}, code="too_many_files")
    cleaned = [image_clean(photo) for photo in photos]
    record = ServiceRecord(
        partner=partner,
        rule=rule,
        served_on=served_on,
        hours=hours,
        beneficiaries=beneficiaries,
        description=description,
        submitted_by=actor,
    )
    record.full_clean()
    record.save()
    for content in cleaned:
        ServiceRecordPhoto.objects.create(record=record, image=content, uploaded_by=actor)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=record,
        changes={"rule": rule.activity, "photos": len(cleaned)},
    )
    return record


def points_for(*, rule: EarningRule, hours: Decimal) -> int:
    """Points a service earns before the cap: the rule's points, times the hours (rounded down)."""
    if not rule.per_hour:
        return rule.points
    return int((Decimal(rule.points) * Decimal(hours)).to_integral_value(rounding=ROUND_FLOOR))


def earned_this_month(*, partner: Partner, rule: EarningRule, day: date) -> int:
    total = ServiceRecord.objects.filter(
        partner=partner, rule=rule, status=R.VERIFIED, served_on__year=day.year, served_on__month=day.month
    ).aggregate(total=Sum("points_awarded"))["total"]
    return int(total or 0)


@transaction.atomic
def service_record_verify(*, record: ServiceRecord, actor: User) -> tuple[ServiceRecord, LedgerTransaction | None]:
    """Verify and post the points, exactly once: the book lock serialises the cap computation,
    the workflow's compare-and-set lets one verification through, and the ledger key
    ``service-record:<id>`` makes any replay post nothing."""
    community = record.partner.community
    book = book_lock(community=community)
    RECORD_FLOW.check(frm=record.status, to=R.VERIFIED)
    rule = record.rule
    base = points_for(rule=rule, hours=record.hours)
    awarded = base
    if rule.monthly_cap is not None:
        remaining = max(
            rule.monthly_cap - earned_this_month(partner=record.partner, rule=rule, day=record.served_on), 0
        )
        awarded = min(base, remaining)
    RECORD_FLOW.transition(
        record,
        to=R.VERIFIED,
        actor=actor,
        note=_("已达本月上限，按上限计 %(points)d 分（应得 %(base)d 分）。") % {"points": awarded, "base": base}
        if awarded < base
        else "",
        changes={
            "points_awarded": awarded,
            "capped": awarded < base,
            "verified_by": actor,
            "verified_at": timezone.now(),
        },
    )
    tx = None
    if awarded > 0:
        tx, _created = ledger_post(
            community=community,
            kind=LedgerTransaction.Kind.EARN,
            key=record.ledger_key,
            lines=[(Account.Kind.ISSUED, -awarded), (record.partner, awarded)],
            actor=actor,
            memo=f"{rule.activity} {record.served_on:%Y-%m-%d}",
            book=book,
        )
    return record, tx


@transaction.atomic
def service_record_reject(*, record: ServiceRecord, actor: User, reason: str) -> ServiceRecord:
    reason = reason.strip()
    if not reason:
        raise ReasonRequired(_("不通过必须填写原因。"))
    return RECORD_FLOW.transition(
        record,
        to=R.REJECTED,
        actor=actor,
        note=reason,
        changes={"reject_reason": reason, "verified_by": actor, "verified_at": timezone.now()},
    )
