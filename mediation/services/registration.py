"""Registering a case at the first tier, with its parties and its number."""

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import Area, AuditEntry, User
from governance.outbox import notification_enqueue
from governance.services import audit_record
from grids.models import Event
from mediation.models import Case, CaseTimelineEntry, Party
from mediation.selectors import case_supervisors, first_tier_for
from mediation.services._common import _assign, _case_url, _clean_parties
from mediation.services.cases import timeline_add
from mediation.services.numbering import format_number, number_allocate

S = Case.Status


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
