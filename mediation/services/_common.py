"""Helpers the case services share: the case page's link, the parties' checks, an assignment (with recusal)."""

import re
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from governance.models import Area, AuditEntry, User
from governance.outbox import notification_enqueue
from governance.services import audit_record
from mediation.models import Case, CaseMediator, CaseTimelineEntry, Party
from mediation.services.cases import timeline_add
from mediation.services.recusal import ConflictOfInterest, recusal_reason


def _case_url(case: Case) -> str:
    return reverse("mediation:case_detail", args=[case.pk])


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
