"""Who may do what in mediation — the only place role sets and the action matrix live.

A case exists only for its mediators and the supervisors of its centre and the tiers above it (and,
read-only, for the lower tier that handed it up: its mediators and its centre's supervisors):
for everyone else every action is refused as ``404`` (hidden), so the API, the pages and the
admin never confirm that a case exists. Among those who see it, mediators act on the case and
supervisors assign and escalate. Whether the *state* allows a move is the workflow's question
(409), not the policy's.
"""

from collections.abc import Callable

from django.utils.translation import gettext as _

from governance.models import Area, Role, User
from governance.permissions import has_any_role
from governance.policy import Decision, allow, deny
from governance.selectors import jurisdiction_paths
from grids.models import Event
from grids.policies import is_staff_over
from mediation.models import Case, Session
from mediation.selectors import (
    SUPERVISOR_ROLES,
    case_assignment,
    is_case_lead,
    is_case_mediator,
    is_case_supervisor,
    is_handed_over_mediator,
    is_handed_over_supervisor,
)

MEDIATOR_ROLES = frozenset({Role.MEDIATOR})
REGISTRAR_ROLES = frozenset({Role.MEDIATOR, Role.COMMUNITY_STAFF, Role.STREET_SUPERVISOR, Role.ADMIN})
RESIDENT_ROLES = frozenset({Role.RESIDENT})

# action → who may take it on a case they can see:
#   "read"        anyone the case exists for: its mediators (handed over included) and supervisors
#   "mediator"    a mediator acting on the case (lead or co-mediator, not handed over)
#   "supervisor"  a supervisor of the case's centre or a tier above
#   "team"        an acting mediator or a supervisor
#   "lead_or_supervisor"  the lead mediator, or a supervisor
#
# After escalation to the next tier (枫桥经验: the village or township that knows the parties stays
# involved), the lower tier's mediators keep *reading* the case they handed over — its parties,
# timeline, agreement and the channel notes of the sessions they held — but can no longer act on
# it (403 ``handed_over``), unless they were kept on as co-mediators (at the hand-over, or by the
# receiving centre assigning them again). The supervisors of the centre that handed the case up
# keep the same read-only access (403 ``handed_over`` on every action; the receiving centre's
# supervisors supervise it now).
CASE_ACTIONS: dict[str, str] = {
    "view": "read",
    "read_parties": "read",
    "download_agreement": "read",
    "accept": "mediator",
    "decline": "mediator",
    "start": "mediator",
    "fail": "mediator",
    "refer": "mediator",
    "close": "mediator",
    "reopen": "mediator",
    "add_party": "mediator",
    "declare_relation": "team",
    "schedule_session": "mediator",
    "hold_session": "mediator",
    "record_agreement": "mediator",
    "record_signature": "mediator",
    "withdraw_signature": "mediator",
    "apply_confirmation": "mediator",
    "decide_confirmation": "mediator",
    "record_follow_up": "mediator",
    "escalate": "lead_or_supervisor",
    "assign": "supervisor",
}


def _hidden() -> Decision:
    return deny("not_found", _("未找到，或不在您的管辖范围内。"), hidden=True)


def case_can(*, user: User, action: str, case: Case) -> Decision:
    """May ``user`` take ``action`` on ``case``? Anyone outside the case team gets a 404."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return deny("not_authenticated", _("请先登录。"))
    who = CASE_ACTIONS.get(action)
    if who is None:
        return deny("unknown_action", _("不支持的操作。"))
    mediator = is_case_mediator(user=user, case=case)
    supervisor = is_case_supervisor(user=user, case=case)
    handed_over = not (mediator or supervisor) and is_handed_over_mediator(user=user, case=case)
    handed_over_supervisor = not (mediator or supervisor or handed_over) and is_handed_over_supervisor(
        user=user, case=case
    )
    if not (mediator or supervisor or handed_over or handed_over_supervisor):
        return _hidden()
    if who == "read":
        return allow()
    if handed_over:
        return deny(
            "handed_over",
            _("本案已移交上一级调解中心：您仍可查看，但不能再办理（除非被留任为协办调解员）。"),
        )
    if handed_over_supervisor:
        return deny("handed_over", _("本案已移交上一级调解中心：您仍可查看，但督办和指派由上级调解中心负责。"))
    if who == "team":
        return allow()
    if who == "mediator":
        if mediator:
            return allow()
        return deny("not_case_mediator", _("只有承办本案的调解员可以执行此操作。"))
    if who == "supervisor":
        if supervisor:
            return allow()
        return deny("not_supervisor", _("只有调解中心的督办负责人可以指派调解员。"))
    if supervisor or is_case_lead(user=user, case=case):
        return allow()
    return deny("not_lead_mediator", _("只有主办调解员或督办负责人可以将案件移交上级调解中心。"))


def channel_notes_visible(*, user: User, case: Case) -> Callable[[Session], bool]:
    """Which sessions' channel notes (joint and 背对背) the user may read: the case's acting
    mediators all of them; a mediator who handed the case over those of sessions held before the
    hand-over; supervisors and everyone else none (the notes are the mediators' alone)."""
    assignment = case_assignment(user=user, case=case)
    if assignment is None:
        return lambda session: False
    if assignment.handed_over_at is None:
        return lambda session: True
    cutoff = assignment.handed_over_at
    return lambda session: session.held_at is not None and session.held_at <= cutoff


def is_handed_over_reader(*, user: User, case: Case) -> bool:
    """Someone of a lower tier who handed the case up and now only reads it (mediator or supervisor)."""
    return bool(case_can(user=user, action="view", case=case)) and not any(
        case_can(user=user, action=action, case=case) for action, who in CASE_ACTIONS.items() if who == "team"
    )


def case_actions_allowed(*, user: User, case: Case) -> set[str]:
    return {action for action in CASE_ACTIONS if case_can(user=user, action=action, case=case)}


def _covers(paths: list[str] | None, area: Area) -> bool:
    return paths is None or any(area.path.startswith(p) for p in paths)


def case_register_can(*, user: User, area: Area, source: str) -> Decision:
    """May ``user`` register a case for ``area`` from ``source``?

    Mediators, community staff and supervisors register cases in their own areas; residents file
    online only, and only for their own community.
    """
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return deny("not_authenticated", _("请先登录。"))
    if user.is_superuser:
        return allow()
    if has_any_role(user, REGISTRAR_ROLES):
        if _covers(jurisdiction_paths(user=user, roles=set(REGISTRAR_ROLES)), area):
            return allow()
        return deny("area_not_allowed", _("该地点不在您的工作区域内。"))
    if has_any_role(user, RESIDENT_ROLES):
        if source != Case.Source.ONLINE:
            return deny("source_not_allowed", _("居民只能通过网上申请提交纠纷。"))
        if area.path.startswith(tuple(resident_community_paths(user=user))):
            return allow()
        return deny("not_own_community", _("只能为您所在的社区（村）申请调解。"))
    return deny("not_registrar_role", _("您的岗位不能登记调解案件。"))


def resident_community_paths(*, user: User) -> list[str]:
    """The communities (villages) the resident's posts lie in."""
    paths = []
    for path in jurisdiction_paths(user=user, roles=set(RESIDENT_ROLES)) or []:
        segments = path.strip("/").split("/")
        prefixes = ["/".join(segments[: i + 1]) + "/" for i in range(len(segments))]
        community = (
            Area.objects.filter(path__in=prefixes, level=Area.Level.COMMUNITY).values_list("path", flat=True).first()
        )
        if community:
            paths.append(community)
    return paths


def event_convert_can(*, user: User, event: Event) -> Decision:
    """Staff over the event's area, or a mediator whose posts cover it, may turn it into a case."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return deny("not_authenticated", _("请先登录。"))
    if is_staff_over(user=user, event=event):
        return allow()
    area = event.grid.area
    paths = jurisdiction_paths(user=user, roles=set(MEDIATOR_ROLES)) or []
    if any(area.path.startswith(p) for p in paths):
        return allow()
    return deny("convert_not_allowed", _("只有该事件所在社区（街道）的工作人员或调解员可以将事件转为调解案件。"))


def is_mediator(user: User) -> bool:
    return has_any_role(user, MEDIATOR_ROLES)


def is_supervisor(user: User) -> bool:
    return has_any_role(user, SUPERVISOR_ROLES) or bool(getattr(user, "is_superuser", False))


def may_register(user: User) -> bool:
    return has_any_role(user, REGISTRAR_ROLES) or bool(getattr(user, "is_superuser", False))


def resident_only(user: User) -> bool:
    """A resident with no registrar post: files online, as the applicant."""
    return has_any_role(user, RESIDENT_ROLES) and not may_register(user)
