"""Who may do what in the 红色议事厅 — the only place role sets and the action matrix live.

Every door asks here: the API (``Forbidden`` → 403 with the policy's code), the pages (the 403
page with the same reason), the admin and the tasks. Whether the *state* allows it is the
workflow's question (409); which meetings a person can see at all is the selectors' (404).
"""

from django.utils.translation import gettext as _

from governance.consultation.models import Meeting, Resolution, ServiceItem
from governance.models import Area, PartyOrganization, Role, User
from governance.permissions import has_any_role
from governance.policy import Decision, allow, deny
from governance.selectors import jurisdiction_paths, user_department_ids

# --- Role sets ------------------------------------------------------------------------------

STAFF_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.STREET_SUPERVISOR, Role.ADMIN})
RESIDENT_ROLES = frozenset({Role.RESIDENT})
PROPOSER_ROLES = RESIDENT_ROLES | STAFF_ROLES
HANDLER_ROLES = frozenset({Role.DEPARTMENT_HANDLER})

# --- The action matrix ----------------------------------------------------------------------
# action → who may take it on a meeting they can see:
#   "runner"      community staff over the meeting's area, or the convening organisation's secretary
#   "participant" a person on the meeting's participant list
#   "attendee"    a participant who signed in (confirms or objects to the minutes)
#   "reader"      runners and participants always; anyone who can see the meeting once published
MEETING_ACTIONS: dict[str, str] = {
    "open": "runner",
    "conclude": "runner",
    "cancel": "runner",
    "invite": "runner",
    "add_item": "runner",
    "arrange_agenda": "runner",
    "vote": "runner",
    "sign_in_other": "runner",
    "show_sign_in_qr": "runner",
    "write_minutes": "runner",
    "send_minutes": "runner",
    "publish_minutes": "runner",
    "sign_in": "participant",
    "confirm_minutes": "attendee",
    "read_minutes": "reader",
}

RESOLUTION_ACTIONS: dict[str, str] = {
    "progress": "runner_or_responsible",
    "subtask": "runner",
}


def _active(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _staff_over(*, user: User, area: Area) -> bool:
    if user.is_superuser:
        return True
    paths = jurisdiction_paths(user=user, roles=set(STAFF_ROLES)) or []
    return any(area.path.startswith(path) for path in paths)


def is_runner(*, user: User, organization: PartyOrganization, area: Area) -> bool:
    """Community staff over the area, or the secretary of the convening party organisation."""
    if not _active(user):
        return False
    return _staff_over(user=user, area=area) or (
        organization.secretary_id is not None and organization.secretary_id == user.pk
    )


def meeting_create_can(*, user: User, organization: PartyOrganization, area: Area) -> Decision:
    if not _active(user):
        return deny("not_authenticated", _("请先登录。"))
    if is_runner(user=user, organization=organization, area=area):
        return allow()
    return deny("not_convener", _("只有该小区（社区）的社区工作人员或召集党组织书记可以安排议事会议。"))


def meeting_convene_can(*, user: User) -> Decision:
    """May ``user`` open the "new meeting" form at all (staff somewhere, or a secretary)?"""
    if not _active(user):
        return deny("not_authenticated", _("请先登录。"))
    if has_any_role(user, STAFF_ROLES) or PartyOrganization.objects.filter(secretary=user).exists():
        return allow()
    return deny("not_convener", _("只有社区工作人员或党组织书记可以安排议事会议。"))


def _is_participant(user: User, meeting: Meeting) -> bool:
    return meeting.participants.filter(user=user).exists()


def meeting_can(*, user: User, action: str, meeting: Meeting) -> Decision:
    """May ``user`` take ``action`` on ``meeting`` (which they can already see)?"""
    if not _active(user):
        return deny("not_authenticated", _("请先登录。"))
    who = MEETING_ACTIONS.get(action)
    if who is None:
        return deny("unknown_action", _("不支持的操作。"))
    runner = is_runner(user=user, organization=meeting.organization, area=meeting.area)
    if who == "runner":
        if runner:
            return allow()
        return deny("not_convener", _("只有社区工作人员或召集党组织书记可以主持会议。"))
    if who == "participant":
        if _is_participant(user, meeting):
            return allow()
        return deny("not_invited", _("您不在本次会议的参会名单中。"))
    if who == "attendee":
        if meeting.participants.filter(user=user, signed_in_at__isnull=False).exists():
            return allow()
        return deny("not_attendee", _("只有到会的参会人可以确认纪要。"))
    if runner or _is_participant(user, meeting) or meeting.minutes_published:
        return allow()
    return deny("minutes_unpublished", _("会议纪要尚未公布。"))


def meeting_actions_allowed(*, user: User, meeting: Meeting) -> set[str]:
    return {action for action in MEETING_ACTIONS if meeting_can(user=user, action=action, meeting=meeting)}


def resolution_can(*, user: User, action: str, resolution: Resolution) -> Decision:
    if not _active(user):
        return deny("not_authenticated", _("请先登录。"))
    if action not in RESOLUTION_ACTIONS:
        return deny("unknown_action", _("不支持的操作。"))
    meeting = resolution.meeting
    if is_runner(user=user, organization=meeting.organization, area=meeting.area):
        return allow()
    if RESOLUTION_ACTIONS[action] == "runner":
        return deny("not_convener", _("只有社区工作人员或召集党组织书记可以分解决议。"))
    if resolution.responsible_department_id and resolution.responsible_department_id in user_department_ids(
        user=user, roles=set(HANDLER_ROLES)
    ):
        return allow()
    return deny("not_responsible", _("只有责任单位或会议主持方可以更新决议进度。"))


def suggestion_create_can(*, user: User, area: Area) -> Decision:
    """Residents propose topics for the compound or community they live in; staff for theirs."""
    if not has_any_role(user, PROPOSER_ROLES):
        return deny("not_proposer", _("只有居民和社区工作人员可以提出议题。"))
    if user.is_superuser or _staff_over(user=user, area=area):
        return allow()
    paths = jurisdiction_paths(user=user, roles=set(RESIDENT_ROLES)) or []
    if any(path.startswith(area.path) for path in paths):
        return allow()
    return deny("not_your_area", _("只能向您所在的小区或社区提出议题。"))


def suggestion_support_can(*, user: User, suggestion) -> Decision:
    """Residents of the topic's compound or community support it (once each, not their own)."""
    if not has_any_role(user, RESIDENT_ROLES):
        return deny("not_resident", _("只有居民可以附议。"))
    if user.is_superuser or _lives_in_path(user, suggestion.area.path):
        return allow()
    return deny("not_your_area", _("只能附议您所在小区或社区的议题。"))


def _lives_in_path(user: User, path: str) -> bool:
    paths = jurisdiction_paths(user=user, roles=set(RESIDENT_ROLES)) or []
    return any(p.startswith(path) for p in paths)


def is_staff(user: User) -> bool:
    return has_any_role(user, STAFF_ROLES)


# --- Red property: the service list, ratings, fee plans, seats ---------------------------------------


def _lives_in(user: User, area: Area) -> bool:
    paths = jurisdiction_paths(user=user, roles=set(RESIDENT_ROLES)) or []
    return any(path.startswith(area.path) for path in paths)


def _convener_over(user: User, area: Area) -> bool:
    """Staff over the compound, or the secretary of a party organisation covering it."""
    if _staff_over(user=user, area=area):
        return True
    return PartyOrganization.objects.filter(secretary=user).filter(area__path__in=_prefixes_of(area.path)).exists()


def _prefixes_of(path: str) -> list[str]:
    segments = path.strip("/").split("/")
    return ["/".join(segments[: i + 1]) + "/" for i in range(len(segments))]


def compound_can(*, user: User, action: str, compound: Area) -> Decision:
    """``manage`` (service list, fee plans, seats) or ``scorecard`` on a compound."""
    if not _active(user):
        return deny("not_authenticated", _("请先登录。"))
    if action == "manage":
        if _convener_over(user, compound):
            return allow()
        return deny("not_convener", _("只有社区工作人员或党组织书记可以维护服务清单、经费方案和任职。"))
    if action == "scorecard":
        if _convener_over(user, compound):
            return allow()
        providers = set(ServiceItem.objects.filter(compound=compound).values_list("provider_id", flat=True))
        if providers & set(user_department_ids(user=user, roles=set(HANDLER_ROLES))):
            return allow()
        return deny("scorecard_not_allowed", _("服务评分仅对社区、党组织和物业公司本身开放。"))
    return deny("unknown_action", _("不支持的操作。"))


def service_item_rate_can(*, user: User, item: ServiceItem) -> Decision:
    if not _active(user):
        return deny("not_authenticated", _("请先登录。"))
    if has_any_role(user, RESIDENT_ROLES) and _lives_in(user, item.compound):
        return allow()
    return deny("not_resident_here", _("只有本小区的居民可以评价服务项目。"))


def person_seats_can(*, user: User, person: User) -> Decision:
    """A person's seats: the person, and staff."""
    if not _active(user):
        return deny("not_authenticated", _("请先登录。"))
    if user.pk == person.pk or has_any_role(user, STAFF_ROLES):
        return allow()
    return deny("not_allowed", _("只有本人和社区工作人员可以查看任职情况。"), hidden=True)
