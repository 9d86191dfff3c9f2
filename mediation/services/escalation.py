"""Escalation: handing a case up to the next tier's centre with a structured hand-over."""

from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.exceptions import Conflict
from governance.models import AuditEntry, User
from governance.outbox import notification_enqueue
from governance.services import audit_record
from mediation.models import TIER_ORDER, Case, CaseTimelineEntry, Tier
from mediation.selectors import case_supervisors, centre_for
from mediation.services._common import _case_url
from mediation.services.cases import CASE_FLOW, deadline_days, timeline_add

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
