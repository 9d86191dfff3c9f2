"""Recording a follow-up visit, and referring the parties to counselling."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import User
from governance.outbox import notification_enqueue
from mediation.models import Case, CaseTimelineEntry, FollowUp, MediatorProfile
from mediation.selectors import case_supervisors, mediators_for
from mediation.services.agreements import FOLLOW_UP_FLOW, case_reopen
from mediation.services.assignment import case_assign
from mediation.services.cases import case_close, timeline_add
from mediation.services.recusal import recusal_reason

S = Case.Status


def counselling_refer(*, case: Case, actor: User) -> User | None:
    """Refer the parties to a psychologist mediator: the least-loaded qualified one who need not
    recuse joins the case as co-mediator. Without one, the centre's supervisors are asked."""
    for candidate in mediators_for(case=case, kind=MediatorProfile.Kind.PSYCHOLOGIST):
        if recusal_reason(case=case, mediator=candidate):
            continue
        case_assign(case=case, mediator=candidate, actor=actor, lead=False)
        timeline_add(
            case=case,
            kind=CaseTimelineEntry.Kind.FOLLOW_UP,
            actor=actor,
            note=_("转介心理咨询师：%(name)s") % {"name": candidate.display_name},
        )
        return candidate
    timeline_add(
        case=case, kind=CaseTimelineEntry.Kind.FOLLOW_UP, actor=actor, note=_("需要心理疏导，暂无可转介的心理咨询师")
    )
    notification_enqueue(
        recipients=case_supervisors(case=case),
        key=f"mediation:case:{case.pk}:counselling:{case.version}",
        title=_("【调解】案件 %(number)s 的当事人需要心理疏导，请安排心理咨询师") % {"number": case.number},
        url=reverse("mediation:case_detail", args=[case.pk]),
    )
    return None


@transaction.atomic
def follow_up_record(
    *, follow_up: FollowUp, actor: User, outcome: str, note: str = "", needs_counselling: bool = False
) -> FollowUp:
    """Record what the visit found. "Dispute recurred" reopens the case (an agreed case is closed
    first — the agreement stage is over — then reopened: :func:`case_reopen` ends the round);
    "needs counselling" refers the parties to a psychologist mediator."""
    if outcome not in FollowUp.Outcome.values:
        raise ValidationError({"outcome": _("请选择回访结果。")})
    note = (note or "").strip()
    FOLLOW_UP_FLOW.transition(
        follow_up,
        to=FollowUp.Status.DONE,
        actor=actor,
        note=note[:300],
        changes={"outcome": outcome, "note": note, "done_at": timezone.now(), "done_by": actor},
    )
    if outcome == FollowUp.Outcome.RECURRED:
        case = Case.objects.get(pk=follow_up.case_id)
        if case.status == S.AGREED:
            case = case_close(case=case, actor=actor, note=_("回访发现纠纷复发"), agreement_failed=True)
        if case.status == S.CLOSED:
            case = case_reopen(case=case, actor=actor, note=_("回访发现纠纷复发，重新启动调解"))
        follow_up.case = case
    if needs_counselling:
        counselling_refer(case=Case.objects.get(pk=follow_up.case_id), actor=actor)
    return follow_up
