"""Cases: numbering, registration, the transition table and its moves, assignment (with recusal),
escalation to the next tier with a structured hand-over, conversion of a grid event, audited reads.

Every status move goes through ``CASE_FLOW`` (the core's workflow kit). Escalation is in the same
table as a move from each open state to itself that may write only the tier columns: the row keeps
its status, the compare-and-set on status and version still guards it, and the hand-over is
appended to the timeline in the same transaction. Services are permission-free: callers ask
``mediation.policies`` first.
"""

import re
from collections.abc import Iterable, Mapping
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.exceptions import Conflict, InvalidTransition, StaleState
from governance.models import Area, AuditEntry, Role, User
from governance.outbox import notification_enqueue
from governance.selectors import area_ancestors, jurisdiction_paths
from governance.services import audit_record
from governance.workflow import Workflow
from grids.models import Event
from grids.models import TimelineEntry as EventTimelineEntry
from grids.services.events import EVENT_FLOW
from grids.services.events import timeline_add as event_timeline_add
from mediation.models import (
    TIER_ORDER,
    Case,
    CaseCounter,
    CaseMediator,
    CaseTimelineEntry,
    Party,
    PartyRelation,
    Tier,
)
from mediation.selectors import case_supervisors, centre_for, first_tier_for, unsigned_parties

S = Case.Status
ESCALATE = ("tier", "handling_area", "deadline")


def deadline_days() -> int:
    return int(getattr(settings, "MEDIATION_DEADLINE_DAYS", 30))


def timeline_add(
    *,
    case: Case,
    kind: str,
    actor: User | None = None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    tier: str = "",
    handover: Mapping | None = None,
) -> CaseTimelineEntry:
    return CaseTimelineEntry.objects.create(
        case=case,
        kind=kind,
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        from_status=from_status,
        to_status=to_status,
        note=note,
        tier=tier,
        handover=dict(handover or {}),
    )


def _case_url(case: Case) -> str:
    return reverse("mediation:case_detail", args=[case.pk])


def _record_move(*, obj: Case, frm: str, to: str, actor: User | None, note: str) -> None:
    """Every status move: one append-only timeline entry and one audit entry (escalation, a move
    to the same status, writes its own entry with the hand-over)."""
    if frm == to:
        return
    timeline_add(
        case=obj, kind=CaseTimelineEntry.Kind.TRANSITION, actor=actor, from_status=frm, to_status=to, note=note
    )
    audit_record(actor=actor, action=AuditEntry.Action.TRANSITION, obj=obj, changes={"from": frm, "to": to})


# from → {to: the columns that move may write, besides status, version and the timestamps}
CASE_FLOW = Workflow(
    model=Case,
    moves={
        S.REGISTERED: {
            S.ACCEPTED: {"accepted_at", "deadline"},
            S.DECLINED: {"decline_reason", "closed_at"},
            S.REGISTERED: set(ESCALATE),
        },
        S.ACCEPTED: {S.MEDIATING: set(), S.ACCEPTED: set(ESCALATE)},
        S.MEDIATING: {S.AGREED: set(), S.FAILED: {"fail_reason"}, S.MEDIATING: set(ESCALATE)},
        S.AGREED: {S.CLOSED: {"closed_at"}},
        S.FAILED: {S.REFERRED: {"referred_to", "closed_at"}, S.CLOSED: {"closed_at"}, S.FAILED: set(ESCALATE)},
        S.CLOSED: {S.REOPENED: {"closed_at", "deadline"}},
        S.REOPENED: {S.MEDIATING: set(), S.REOPENED: set(ESCALATE)},
        S.DECLINED: {},
        S.REFERRED: {},
    },
    record=_record_move,
    labels=dict(S.choices),
    noun=gettext_lazy("案件"),
    stale_detail=gettext_lazy("该案件刚被其他人处理过，请刷新后查看最新状态。"),
)
CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    frm: frozenset(to for to in targets if to != frm) for frm, targets in CASE_FLOW.table().items()
}


def case_transition(*, case: Case, to: str, actor: User | None, note: str = "", changes=None) -> Case:
    """A status move (409 ``invalid_transition`` when the table has none). A move to the status the
    case already holds is refused here: in the table that entry is escalation's, not a move's."""
    if to == case.status:
        raise InvalidTransition(
            frm=case.status,
            to=to,
            detail=_("案件当前已是“%(status)s”。") % {"status": case.get_status_display()},
        )
    return CASE_FLOW.transition(case, to=to, actor=actor, note=note, changes=changes)


# --- Numbering ------------------------------------------------------------------------------

_SUFFIXES = ("街道办事处", "街道", "社区", "乡镇", "镇", "乡", "村", "区", "县")


def centre_short_name(area: Area) -> str:
    """``幸福街道`` → ``幸福``: the centre's name as it stands in a case number."""
    name = area.name
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def format_number(*, centre: Area, year: int, sequence: int) -> str:
    return f"（{year}）{centre_short_name(centre)}调字第{sequence}号"


@transaction.atomic
def number_allocate(*, centre: Area, year: int) -> int:
    """The centre's next number this year: the counter row is locked (FOR UPDATE) until the
    caller's transaction ends, so concurrent registrations queue and a rollback returns the
    number — no gaps, no duplicates (the unique constraint on (centre, year, sequence) backs it)."""
    counter, _created = CaseCounter.objects.get_or_create(centre=centre, year=year)
    counter = CaseCounter.objects.select_for_update().get(pk=counter.pk)
    CaseCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return counter.last


# --- Registration ---------------------------------------------------------------------------

PHONE_RE = re.compile(r"^1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$")
ID_RE = re.compile(r"^\d{17}[\dXx]$")


def _clean_parties(parties: Iterable[Mapping]) -> list[dict]:
    cleaned, errors = [], []
    roles = set(Party.Role.values)
    for index, raw in enumerate(parties, start=1):
        role = str(raw.get("role") or "")
        name = str(raw.get("name") or "").strip()
        phone = str(raw.get("phone") or "").strip()
        id_number = str(raw.get("id_number") or "").strip().upper()
        if role not in roles:
            errors.append(
                _("第 %(n)d 位当事人的身份“%(role)s”无效（应为申请人、被申请人或第三人）。")
                % {"n": index, "role": role}
            )
        if not name:
            errors.append(_("第 %(n)d 位当事人缺少姓名。") % {"n": index})
        if phone and not PHONE_RE.match(phone):
            errors.append(_("第 %(n)d 位当事人的电话号码格式不正确。") % {"n": index})
        if id_number and not ID_RE.match(id_number):
            errors.append(_("第 %(n)d 位当事人的身份证号码应为18位。") % {"n": index})
        building = raw.get("building")
        if building is not None and not isinstance(building, Area):
            building = Area.objects.filter(pk=building, level=Area.Level.BUILDING).first()
        cleaned.append(
            {
                "role": role,
                "name": name[:60],
                "phone": phone,
                "id_number": id_number,
                "address": str(raw.get("address") or "")[:200],
                "building": building,
                "user": raw.get("user"),
            }
        )
    if errors:
        raise ValidationError({"parties": errors})
    return cleaned


def _clean_amount(amount) -> Decimal | None:
    if amount in (None, ""):
        return None
    try:
        value = Decimal(str(amount))
    except InvalidOperation as exc:
        raise ValidationError({"amount": _("涉及金额应为数字。")}) from exc
    if value < 0:
        raise ValidationError({"amount": _("涉及金额不能为负数。")})
    return value


@transaction.atomic
def case_register(
    *,
    actor: User | None,
    type: str,
    description: str,
    area: Area,
    source: str,
    risk_level: str = Case.Risk.LOW,
    risk_reason: str = "",
    subtype: str = "",
    amount=None,
    people_involved: int | None = None,
    parties: Iterable[Mapping] = (),
    event: Event | None = None,
    lead: User | None = None,
    require_applicant: bool = True,
) -> Case:
    """Register a case at the lowest centre over ``area`` with the centre's next number.

    Everything is checked before anything is written; ``lead`` (the registering mediator) is
    assigned as lead mediator. The centre's supervisors are told a case is waiting.
    """
    description = (description or "").strip()
    errors = {}
    if type not in Case.Type.values:
        errors["type"] = [_("纠纷类型无效。")]
    if source not in Case.Source.values:
        errors["source"] = [_("案件来源无效。")]
    if risk_level not in Case.Risk.values:
        errors["risk_level"] = [_("风险等级无效（一般、较大或重大）。")]
    if risk_level != Case.Risk.LOW and not (risk_reason or "").strip():
        errors["risk_reason"] = [_("风险等级为较大或重大时，请说明理由。")]
    if not description:
        errors["description"] = [_("请简要描述纠纷情况。")]
    if errors:
        raise ValidationError(errors)
    cleaned = _clean_parties(parties)
    if require_applicant and not any(p["role"] == Party.Role.APPLICANT for p in cleaned):
        raise ValidationError({"parties": [_("请至少登记一位申请人。")]})
    value = _clean_amount(amount)
    tier, centre = first_tier_for(area=area)
    now = timezone.now()
    year = timezone.localdate(now).year
    sequence = number_allocate(centre=centre, year=year)
    case = Case.objects.create(
        number=format_number(centre=centre, year=year, sequence=sequence),
        centre=centre,
        year=year,
        sequence=sequence,
        tier=tier,
        handling_area=centre,
        type=type,
        subtype=(subtype or "")[:40],
        description=description,
        area=area,
        source=source,
        event=event,
        amount=value,
        people_involved=people_involved if people_involved is not None else max(len(cleaned), 2),
        risk_level=risk_level,
        risk_reason=(risk_reason or "")[:300],
        filed_by=actor if actor is not None and actor.is_authenticated else None,
        status=S.REGISTERED,
        status_changed_at=now,
    )
    for party in cleaned:
        Party.objects.create(case=case, **party)
    timeline_add(
        case=case,
        kind=CaseTimelineEntry.Kind.TRANSITION,
        actor=actor,
        to_status=S.REGISTERED,
        tier=tier,
        note=_("来源：%(source)s") % {"source": case.get_source_display()},
    )
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=case, changes={"number": case.number})
    if lead is not None:
        _assign(case=case, mediator=lead, lead=True, actor=actor)
    notification_enqueue(
        recipients=case_supervisors(case=case),
        key=f"mediation:case:{case.pk}:registered",
        title=_("【调解】新案件 %(number)s 待指派") % {"number": case.number},
        body=_("%(type)s纠纷，风险等级：%(risk)s。")
        % {"type": case.get_type_display(), "risk": case.get_risk_level_display()},
        url=_case_url(case),
    )
    return case


# Parties join a case while it is being mediated; an agreement binds those who signed it.
PARTIES_OPEN = frozenset({Case.Status.REGISTERED, Case.Status.ACCEPTED, Case.Status.MEDIATING, Case.Status.REOPENED})


@transaction.atomic
def party_add(
    *, case: Case, actor: User, role: str, name: str, phone: str = "", id_number: str = "", address: str = ""
) -> Party:
    (cleaned,) = _clean_parties(
        [{"role": role, "name": name, "phone": phone, "id_number": id_number, "address": address}]
    )
    # Locked: an agreement recorded at the same moment waits, so it cannot take effect without
    # the party added just before it.
    current = Case.objects.select_for_update().get(pk=case.pk)
    if current.status not in PARTIES_OPEN:
        reason = (
            _("协议只约束已签名的当事人；如需增加当事人，请重新启动调解。")
            if current.status == Case.Status.AGREED
            else ""
        )
        raise Conflict(
            _("案件当前为“%(status)s”，不能再增加当事人。") % {"status": current.get_status_display()} + reason,
            code="parties_closed",
        )
    party = Party.objects.create(case=case, **cleaned)
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=party, object_repr=str(case))
    return party


@transaction.atomic
def relation_declare(
    *, case: Case, actor: User, party: Party, relation: str, other_party=None, other_user=None
) -> PartyRelation:
    """Declare that ``party`` is related (亲属、同事 …) to another party or to a person with an
    account — a mediator, typically: the recusal check (:func:`recusal_reason`) reads these."""
    relation = (relation or "").strip()
    if party.case_id != case.pk or (other_party is not None and other_party.case_id != case.pk):
        raise ValidationError({"party": _("当事人不属于本案。")})
    if not relation:
        raise ValidationError({"relation": _("请填写关系（如：亲属、同事、邻居）。")})
    if (other_party is None) == (other_user is None):
        raise ValidationError({"relation": _("请指明一位关系人：本案另一位当事人，或一位调解员。")})
    if other_party is not None and other_party.pk == party.pk:
        raise ValidationError({"other_party": _("关系人不能是当事人本人。")})
    if PartyRelation.objects.filter(
        case=case, party=party, other_party=other_party, other_user=other_user, relation=relation[:40]
    ).exists():
        raise Conflict(_("该关系已申报。"), code="relation_exists")
    rel = PartyRelation.objects.create(
        case=case, party=party, other_party=other_party, other_user=other_user, relation=relation[:40]
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=rel,
        object_repr=case.number,
        changes={"party": party.pk, "other_party": getattr(other_party, "pk", None),
                 "other_user": getattr(other_user, "pk", None), "relation": rel.relation},
    )  # fmt: skip
    return rel


@transaction.atomic
def relation_remove(*, case: Case, actor: User, relation: PartyRelation) -> None:
    """Withdraw a declared relationship (declared in error); the audit keeps what it said."""
    if relation.case_id != case.pk:
        raise ValidationError({"relation": _("该关系不属于本案。")})
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        obj=relation,
        object_repr=case.number,
        changes={"party": relation.party_id, "other_party": relation.other_party_id,
                 "other_user": relation.other_user_id, "relation": relation.relation},
    )  # fmt: skip
    relation.delete()


# --- Moves ----------------------------------------------------------------------------------


def case_accept(*, case: Case, actor: User, note: str = "") -> Case:
    now = timezone.now()
    due = timezone.localdate(now) + timedelta(days=deadline_days())
    return case_transition(
        case=case, to=S.ACCEPTED, actor=actor, note=note, changes={"accepted_at": now, "deadline": due}
    )


def case_decline(*, case: Case, actor: User, reason: str) -> Case:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请说明不予受理的原因（如：不属于调解范围）。")})
    return case_transition(
        case=case,
        to=S.DECLINED,
        actor=actor,
        note=reason,
        changes={"decline_reason": reason[:300], "closed_at": timezone.now()},
    )


def case_start(*, case: Case, actor: User, note: str = "") -> Case:
    return case_transition(case=case, to=S.MEDIATING, actor=actor, note=note)


def case_fail(*, case: Case, actor: User, reason: str = "") -> Case:
    return case_transition(
        case=case, to=S.FAILED, actor=actor, note=reason, changes={"fail_reason": (reason or "")[:300]}
    )


def case_refer(*, case: Case, actor: User, to: str, note: str = "") -> Case:
    if to not in Case.ReferredTo.values:
        raise ValidationError({"to": _("请选择移交去向：人民法院、仲裁机构或行政机关。")})
    label = Case.ReferredTo(to).label
    return case_transition(
        case=case,
        to=S.REFERRED,
        actor=actor,
        note=_("移交%(to)s。%(note)s") % {"to": label, "note": note},
        changes={"referred_to": to, "closed_at": timezone.now()},
    )


def case_close(*, case: Case, actor: User | None, note: str = "", agreement_failed: bool = False) -> Case:
    """Close the case. An agreed case closes only once every party has signed the agreement
    (409 ``unsigned_parties`` naming who has not) — unless the agreement has failed anyway
    (``agreement_failed``: a follow-up found the dispute back and the case is to be reopened)."""
    if case.status == S.AGREED and not agreement_failed:
        unsigned = unsigned_parties(case=case)
        if unsigned:
            raise Conflict(
                _("以下当事人尚未在调解协议上签字，不能结案：%(names)s。请先登记签字。")
                % {"names": "、".join(f"{p.get_role_display()} {p.name_masked}" for p in unsigned)},
                code="unsigned_parties",
            )
    return case_transition(case=case, to=S.CLOSED, actor=actor, note=note, changes={"closed_at": timezone.now()})


# --- Assignment and recusal -----------------------------------------------------------------


class ConflictOfInterest(Conflict):
    code = "conflict_of_interest"
    default_detail = gettext_lazy("该调解员与本案当事人存在利害关系，应当回避。")


def recusal_reason(*, case: Case, mediator: User) -> str:
    """Why ``mediator`` must not mediate ``case`` ("" when nothing is declared against it)."""
    parties = list(case.parties.all())
    for party in parties:
        same_id = bool(mediator.id_number) and party.id_number.upper() == mediator.id_number.upper()
        same_phone = bool(mediator.phone) and party.phone == mediator.phone
        if party.user_id == mediator.pk or same_id or same_phone:
            return _("调解员本人是本案当事人（%(role)s）。") % {"role": party.get_role_display()}
    relation = case.relations.filter(other_user=mediator).select_related("party").first()
    if relation is not None:
        return _("调解员与当事人 %(name)s 存在已申报的关系：%(relation)s。") % {
            "name": relation.party.name_masked,
            "relation": relation.relation,
        }
    homes = set(
        mediator.posts.filter(is_active=True, role=Role.RESIDENT, area__level=Area.Level.BUILDING).values_list(
            "area_id", flat=True
        )
    )
    for party in parties:
        if party.building_id and party.building_id in homes:
            return _("调解员与当事人 %(name)s 住在同一楼栋。") % {"name": party.name_masked}
    return ""


def _assign(*, case: Case, mediator: User, lead: bool, actor: User | None) -> CaseMediator:
    reason = recusal_reason(case=case, mediator=mediator)
    if reason:
        raise ConflictOfInterest(reason)
    if lead:
        case.assignments.filter(is_lead=True).exclude(mediator=mediator).update(is_lead=False)
    assignment, created = CaseMediator.objects.get_or_create(
        case=case, mediator=mediator, defaults={"is_lead": lead, "assigned_by": actor}
    )
    if not created and (assignment.handed_over_at is not None or (lead and not assignment.is_lead)):
        # Assigned again after a hand-over: the receiving centre keeps them on the case.
        assignment.is_lead = assignment.is_lead or lead
        assignment.handed_over_at = None
        assignment.assigned_by = actor
        assignment.save(update_fields=["is_lead", "handed_over_at", "assigned_by"])
    timeline_add(
        case=case,
        kind=CaseTimelineEntry.Kind.ASSIGNMENT,
        actor=actor,
        note=(_("指派主办调解员：%(name)s") if lead else _("指派协办调解员：%(name)s"))
        % {"name": mediator.display_name},
    )
    audit_record(
        actor=actor, action=AuditEntry.Action.UPDATE, obj=case, changes={"mediator": mediator.pk, "lead": lead}
    )
    notification_enqueue(
        recipients=[mediator],
        key=f"mediation:case:{case.pk}:assign:{mediator.pk}:{case.version}",
        title=_("【调解】您被指派承办案件 %(number)s") % {"number": case.number},
        url=_case_url(case),
    )
    return assignment


@transaction.atomic
def case_assign(*, case: Case, mediator: User, actor: User, lead: bool = False) -> CaseMediator:
    """Put ``mediator`` on the case (lead or co-mediator); refused with ``409 conflict_of_interest``
    when they must recuse, or ``400`` when they hold no mediator post over the case's area."""
    ancestors = {a.pk for a in area_ancestors(area=case.area)}
    qualified = (
        mediator.is_active and mediator.posts.filter(is_active=True, role=Role.MEDIATOR, area_id__in=ancestors).exists()
    )
    if not qualified:
        raise ValidationError({"mediator": _("该用户不是本案所在区域的调解员。")})
    if not case.is_open and case.status != S.AGREED:
        raise Conflict(_("案件已结束，不能再指派调解员。"), code="case_finished")
    if lead is False and not case.assignments.filter(is_lead=True).exists():
        lead = True  # the first mediator on a case leads it
    return _assign(case=case, mediator=mediator, lead=lead, actor=actor)


# --- Escalation -----------------------------------------------------------------------------

HANDOVER_FIELDS = ("tried", "assessment", "shareable_notes")


@transaction.atomic
def case_escalate(
    *,
    case: Case,
    actor: User,
    tried: str,
    assessment: str,
    shareable_notes: str = "",
    keep: Iterable[User] = (),
) -> Case:
    """Hand the case up to the next tier's centre with a structured hand-over, and tell it.

    The lower tier's mediators hand the case over: they keep reading it (the follow-up is often
    theirs to help with) but no longer act on it — except those in ``keep``, who stay on as
    co-mediators. The receiving centre assigns its own lead (and may keep anyone on later by
    assigning them again)."""
    tried, assessment = (tried or "").strip(), (assessment or "").strip()
    if not tried or not assessment:
        raise ValidationError({"handover": [_("移交时请写明已采取的调解措施和调解员的评估意见。")]})
    acting = {a.mediator_id: a for a in case.assignments.filter(handed_over_at__isnull=True).select_related("mediator")}
    keep_ids = {user.pk for user in keep}
    if keep_ids - set(acting):
        raise ValidationError({"keep": [_("只能留任本案现有的承办调解员。")]})
    index = TIER_ORDER.index(Tier(case.tier))
    if index + 1 >= len(TIER_ORDER):
        raise Conflict(_("案件已在县（区）调解中心，没有更上一级。"), code="top_tier")
    new_tier = TIER_ORDER[index + 1]
    new_centre = centre_for(area=case.area, tier=new_tier)
    if new_centre is None:
        raise Conflict(_("没有找到上一级调解中心。"), code="no_upper_centre")
    held = case.sessions.filter(status="held").count()
    kept = [acting[pk].mediator.display_name for pk in acting if pk in keep_ids]
    handed = [acting[pk].mediator.display_name for pk in acting if pk not in keep_ids]
    handover = {
        "from_tier": case.tier,
        "to_tier": new_tier,
        "from_centre": case.handling_area.name,
        "to_centre": new_centre.name,
        "tried": tried,
        "sessions_held": held,
        "assessment": assessment,
        "shareable_notes": (shareable_notes or "").strip(),
        "kept_mediators": kept,
        "handed_over_mediators": handed,
    }
    changes = {"tier": new_tier, "handling_area": new_centre}
    if case.deadline is not None:
        changes["deadline"] = timezone.localdate() + timedelta(days=deadline_days())
    case = CASE_FLOW.transition(case, to=case.status, actor=actor, changes=changes)
    # The lower tier hands over; those kept stay as co-mediators; the receiving centre assigns its lead.
    case.assignments.filter(is_lead=True).update(is_lead=False)
    case.assignments.filter(handed_over_at__isnull=True).exclude(mediator_id__in=keep_ids).update(
        handed_over_at=timezone.now()
    )
    timeline_add(
        case=case,
        kind=CaseTimelineEntry.Kind.ESCALATION,
        actor=actor,
        tier=new_tier,
        note=(_("移交%(centre)s") % {"centre": new_centre.name})
        + ((_("；留任协办调解员：%(names)s") % {"names": "、".join(kept)}) if kept else ""),
        handover=handover,
    )
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=case, changes={"tier": new_tier})
    notification_enqueue(
        recipients=case_supervisors(case=case),
        key=f"mediation:case:{case.pk}:escalate:{new_tier}",
        title=_("【调解】案件 %(number)s 已移交本中心，请指派调解员") % {"number": case.number},
        url=_case_url(case),
        email=True,
    )
    return case


# --- From a grid event ----------------------------------------------------------------------


@transaction.atomic
def case_from_event(
    *,
    event: Event,
    actor: User,
    type: str,
    risk_level: str = Case.Risk.LOW,
    risk_reason: str = "",
    description: str = "",
    parties: Iterable[Mapping] = (),
) -> Case:
    """Turn a grid event into a case in one step, keeping the link. The event's timeline says it
    was transferred (the case number only), and its response clock counts it as answered."""
    if Case.objects.filter(event=event).exclude(status__in=[S.DECLINED]).exists():
        raise Conflict(_("该事件已转为调解案件。"), code="already_converted")
    is_mediator = bool(jurisdiction_paths(user=actor, roles={Role.MEDIATOR}))
    case = case_register(
        actor=actor,
        type=type,
        description=description or event.description,
        area=event.grid.area,
        source=Case.Source.GRID_EVENT,
        risk_level=risk_level,
        risk_reason=risk_reason,
        parties=parties,
        event=event,
        lead=actor if is_mediator else None,
        require_applicant=False,
    )
    event_timeline_add(
        event=event,
        kind=EventTimelineEntry.Kind.NOTE,
        actor=actor,
        note=_("已转为矛盾纠纷调解案件 %(number)s，由调解组织依法办理。") % {"number": case.number},
    )
    _event_answered(event)
    return case


def _event_answered(event: Event) -> None:
    """The conversion answers the event: its response clock stops (``responded_at``, and
    ``first_responded_at`` when it is the first answer, as ``grids`` records a response), so the
    escalation scan leaves it alone. The kit's clock write, re-read and retried when a grid clock
    (reminder, escalation) wrote the row since it was read — never silently skipped."""
    for _attempt in range(3):
        if event.responded_at is not None:
            return
        now = timezone.now()
        changes = {"responded_at": now, **({} if event.first_responded_at else {"first_responded_at": now})}
        if EVENT_FLOW.clock_write(event, changes=changes, where=Q(responded_at__isnull=True)):
            return
        event.refresh_from_db()
    raise StaleState(_("该事件刚被其他人更新，请刷新后重试。"))


def event_case(*, event: Event) -> Case | None:
    """The case an event became, for the event page (number and public-safe status only)."""
    return Case.objects.filter(event=event).order_by("-id").first()


PUBLIC_STATUS = {
    S.REGISTERED: gettext_lazy("已登记，等待受理"),
    S.ACCEPTED: gettext_lazy("已受理"),
    S.DECLINED: gettext_lazy("不予受理"),
    S.MEDIATING: gettext_lazy("调解中"),
    S.AGREED: gettext_lazy("已达成调解协议"),
    S.FAILED: gettext_lazy("调解未达成一致"),
    S.REFERRED: gettext_lazy("已引导通过其他途径解决"),
    S.CLOSED: gettext_lazy("已结案"),
    S.REOPENED: gettext_lazy("重新调解中"),
}


def public_status(case: Case) -> str:
    return str(PUBLIC_STATUS[case.status])


# --- Audited reads --------------------------------------------------------------------------


@transaction.atomic
def case_read_record(*, actor: User, case: Case, part: str, request=None) -> None:
    """Record that ``actor`` read ``part`` of the case (page, detail, parties, timeline)."""
    audit_record(
        actor=actor,
        action=AuditEntry.Action.READ_PERSONAL,
        obj=case,
        changes={"part": part},
        request=request,
        object_repr=case.number,
    )
