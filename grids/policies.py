"""Who may do what in grid management — the only place role sets and the action matrix live.

Every door asks here: the API (``Forbidden`` → ``403`` with the policy's ``code``), the pages
(the 403 page with the same reason), the admin (a message) and the tasks. Whether the *state*
allows a move is the workflow's question (``409``), not the policy's; which rows a person can
see at all is the selectors' (``404``).
"""

from django.utils.translation import gettext as _

from governance.models import Role, User
from governance.permissions import has_any_role
from governance.policy import Decision, allow, deny
from governance.selectors import jurisdiction_paths
from grids.models import Event
from grids.selectors import user_department_ids

# --- Role sets ------------------------------------------------------------------------------

STAFF_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.STREET_SUPERVISOR, Role.ADMIN})
HANDLER_ROLES = frozenset({Role.DEPARTMENT_HANDLER})
WORKER_ROLES = frozenset({Role.GRID_WORKER})
RESIDENT_ROLES = frozenset({Role.RESIDENT})
REPORTER_ROLES = WORKER_ROLES | RESIDENT_ROLES | STAFF_ROLES

# --- The action matrix ----------------------------------------------------------------------
# action → who may take it on an event they can see:
#   "staff"    staff (community staff, street supervisor, admin) whose posts cover the event's area
#   "handler"  handlers of the department the event is dispatched to
#   "reporter" the person who reported it, signed in
EVENT_ACTIONS: dict[str, str] = {
    "accept": "staff",
    "reject": "staff",
    "dispatch": "staff",
    "close": "staff",
    "return_visit": "staff",  # 回访: staff record the reporter's rating on their behalf, labelled so
    "redispatch": "staff",  # 改派: another unit, before work starts
    "urge": "staff",  # 催办: a timeline entry and a notice to the unit holding it
    "withdraw": "staff",  # 撤销: reported in error
    "start": "handler",
    "resolve": "handler",
    "return": "handler",  # 退回: sent to the wrong unit, back to staff
    "rate": "reporter",
    "read_contact": "staff_or_handler",
}

# Sources a report may claim: anyone reporting files as themselves; only staff register a
# 12345 hotline call, with the caller's name and phone.
STAFF_ONLY_SOURCES = frozenset({Event.Source.HOTLINE})
SELF_SOURCES = frozenset({Event.Source.PATROL, Event.Source.RESIDENT})


def _superuser(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def is_staff_over(*, user: User, event: Event) -> bool:
    """Staff whose posts cover the event's area (not merely staff somewhere)."""
    if _superuser(user):
        return True
    paths = jurisdiction_paths(user=user, roles=set(STAFF_ROLES)) or []
    area_path = event.grid.area.path
    return any(area_path.startswith(path) for path in paths)


def is_handler_of(*, user: User, event: Event) -> bool:
    """A handler of the department the event is dispatched to."""
    if _superuser(user):
        return True
    return event.department_id is not None and event.department_id in user_department_ids(user=user)


def event_can(*, user: User, action: str, event: Event) -> Decision:
    """May ``user`` take ``action`` on ``event`` (which they can already see)?"""
    if not (user.is_authenticated and user.is_active):
        return deny("not_authenticated", _("请先登录。"))
    who = EVENT_ACTIONS.get(action)
    if who is None:
        return deny("unknown_action", _("不支持的操作。"))
    if who == "reporter":
        # A hotline event's account is the staff member who took the call: the caller rates it
        # through their own link, or staff record a return visit.
        if event.reporter_id == user.pk and event.source != Event.Source.HOTLINE:
            return allow()
        return deny("not_reporter", _("只有上报人本人可以评价；工作人员请使用“回访评价”记录。"))
    if who == "staff":
        if is_staff_over(user=user, event=event):
            return allow()
        return deny("not_staff_here", _("只有该事件所在社区（街道）的工作人员可以执行此操作。"))
    if who == "handler":
        if is_handler_of(user=user, event=event):
            return allow()
        return deny("not_assigned_department", _("该事件不是派给您所在单位的。"))
    if is_staff_over(user=user, event=event) or is_handler_of(user=user, event=event):
        return allow()
    return deny("contact_not_allowed", _("只有社区工作人员和承办单位可以查看上报人的完整联系方式。"))


def event_actions_allowed(*, user: User, event: Event) -> set[str]:
    """Every action the policy allows ``user`` on ``event`` (the page shows these buttons)."""
    return {action for action in EVENT_ACTIONS if event_can(user=user, action=action, event=event)}


def event_report_can(*, user: User, source: str | None = None, for_caller: bool = False) -> Decision:
    """May ``user`` file a report, from ``source``, possibly on a caller's behalf (name, phone)?"""
    if not has_any_role(user, REPORTER_ROLES):
        return deny("not_reporter_role", _("您的岗位不能上报事件。"))
    staff = has_any_role(user, STAFF_ROLES)
    if source and source not in SELF_SOURCES and not (staff and source in STAFF_ONLY_SOURCES):
        return deny("source_not_allowed", _("只有社区工作人员可以登记12345热线来电。"))
    if for_caller and not staff:
        return deny("caller_not_allowed", _("只有社区工作人员可以代来电群众登记联系人和电话。"))
    return allow()


def may_report(user: User) -> bool:
    return bool(event_report_can(user=user))


def is_staff(user: User) -> bool:
    """Holds a staff post somewhere (queues, menus); per-event decisions use ``event_can``."""
    return has_any_role(user, STAFF_ROLES)


def is_handler(user: User) -> bool:
    return has_any_role(user, HANDLER_ROLES)


def is_worker(user: User) -> bool:
    return has_any_role(user, WORKER_ROLES)


def is_resident(user: User) -> bool:
    return has_any_role(user, RESIDENT_ROLES)
