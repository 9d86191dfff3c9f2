"""Turning a grid event into a case, and the case an event became."""

from collections.abc import Iterable, Mapping

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.exceptions import Conflict, StaleState
from governance.models import Role, User
from governance.selectors import jurisdiction_paths
from grids.models import Event
from grids.models import TimelineEntry as EventTimelineEntry
from grids.services.events import EVENT_FLOW
from grids.services.events import timeline_add as event_timeline_add
from mediation.models import Case
from mediation.services.registration import case_register

S = Case.Status


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
