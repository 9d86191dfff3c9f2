"""Who may do what with partners and points — the only place role sets and the action matrix live.

Which rows a person can see at all is the selectors' question (404); whether the state allows a
move is the workflow's (409); this module answers the rest (403 with a code, on every door).

- Community staff (community staff, street supervisors, admins) whose posts cover the partner's
  community decide applications, verify service records, manage rules and rewards and fulfil or
  cancel vouchers there.
- A partner's linked users see their own account, log services and redeem — only while active.
- A merchant partner fulfils vouchers of the rewards it offers itself, and no others.
"""

from django.utils.translation import gettext as _

from governance.models import Area, Role, User
from governance.policy import Decision, allow, deny
from governance.selectors import jurisdiction_paths
from partners.models import Partner, PointsAdjustment, Redemption, ServiceRecord

STAFF_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.STREET_SUPERVISOR, Role.ADMIN})

# action → who may take it
#   "staff"   staff whose posts cover the partner's community
#   "member"  a user linked to the partner (the partner itself)
#   "active_member"  the same, while the partner is active
#   "member_or_staff"
PARTNER_ACTIONS: dict[str, str] = {
    "view": "member_or_staff",
    "view_account": "member_or_staff",
    "decide": "staff",
    "log_service": "active_member",
    "redeem": "active_member",
    "adjust": "staff",
}
RECORD_ACTIONS: dict[str, str] = {"view": "member_or_staff", "verify": "staff", "reject": "staff"}
REDEMPTION_ACTIONS: dict[str, str] = {
    "view": "member_staff_or_merchant",
    "cancel": "member_or_staff",
    "fulfil": "staff_or_merchant",
}


def _signed_in(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_staff_over(*, user: User, community: Area | None) -> bool:
    """Staff whose posts cover ``community`` (a post on it or on its street, or an admin's)."""
    if not _signed_in(user) or community is None:
        return False
    if user.is_superuser:
        return True
    paths = jurisdiction_paths(user=user, roles=set(STAFF_ROLES)) or []
    return any(community.path.startswith(path) for path in paths)


def is_staff_somewhere(user: User) -> bool:
    if not _signed_in(user):
        return False
    return user.is_superuser or bool(jurisdiction_paths(user=user, roles=set(STAFF_ROLES)))


def is_member(*, user: User, partner: Partner | None) -> bool:
    if not _signed_in(user) or partner is None:
        return False
    return partner.users.filter(pk=user.pk).exists()


def _decide(who: str, *, user: User, partner: Partner, merchant: Partner | None = None) -> Decision:
    if not _signed_in(user):
        return deny("not_authenticated", _("请先登录。"))
    staff = is_staff_over(user=user, community=partner.community)

    def member() -> bool:  # a query: asked only when the rule needs it
        return is_member(user=user, partner=partner)

    def is_merchant() -> bool:
        return merchant is not None and is_member(user=user, partner=merchant)

    if who == "staff":
        return allow() if staff else deny("not_staff_here", _("只有该合伙人所在社区的工作人员可以执行此操作。"))
    if who == "active_member":
        if not member():
            return deny("not_partner", _("只有合伙人本人可以执行此操作。"))
        if not partner.is_active:
            return deny("partner_not_active", _("您的合伙人资格尚未生效或已被暂停。"))
        return allow()
    if who == "member_or_staff":
        return allow() if staff or member() else deny("not_partner", _("只有合伙人本人或社区工作人员可以执行此操作。"))
    if who == "staff_or_merchant":
        if staff or is_merchant():
            return allow()
        return deny("not_offering_merchant", _("只有社区工作人员或提供该商品的商户可以核销。"))
    if who == "member_staff_or_merchant":
        return allow() if staff or member() or is_merchant() else deny("not_partner", _("您无权查看该兑换券。"))
    return deny("unknown_action", _("不支持的操作。"))


def partner_can(*, user: User, action: str, partner: Partner) -> Decision:
    who = PARTNER_ACTIONS.get(action)
    if who is None:
        return deny("unknown_action", _("不支持的操作。"))
    return _decide(who, user=user, partner=partner)


def record_can(*, user: User, action: str, record: ServiceRecord) -> Decision:
    who = RECORD_ACTIONS.get(action)
    if who is None:
        return deny("unknown_action", _("不支持的操作。"))
    return _decide(who, user=user, partner=record.partner)


def redemption_can(*, user: User, action: str, redemption: Redemption) -> Decision:
    who = REDEMPTION_ACTIONS.get(action)
    if who is None:
        return deny("unknown_action", _("不支持的操作。"))
    return _decide(who, user=user, partner=redemption.partner, merchant=redemption.reward.offered_by)


def adjustment_can(*, user: User, action: str, adjustment: PointsAdjustment) -> Decision:
    """``approve``: staff over the partner's community other than the one who asked (two-person rule)."""
    if action != "approve":
        return deny("unknown_action", _("不支持的操作。"))
    decision = _decide("staff", user=user, partner=adjustment.partner)
    if decision and adjustment.requested_by_id == user.pk:
        return deny("own_adjustment", _("不能复核自己提出的调整，请由另一位工作人员复核。"))
    return decision


def project_can(*, user: User, action: str, project) -> Decision:
    """``claim``: an active partner of the project's community; ``manage`` (publish, attendance,
    close): its staff. Who may evaluate is decided by the service (residents and staff there)."""
    if action == "manage":
        return community_manage_can(user=user, community=project.community)
    if action == "claim":
        if not _signed_in(user):
            return deny("not_authenticated", _("请先登录。"))
        partner = Partner.objects.filter(users=user, community_id=project.community_id).first()
        if partner is None:
            return deny("not_partner", _("只有本社区的合伙人可以认领项目。"))
        if not partner.is_active:
            return deny("partner_not_active", _("您的合伙人资格尚未生效或已被暂停。"))
        return allow()
    return deny("unknown_action", _("不支持的操作。"))


def evaluation_appeal_can(*, user: User, evaluation) -> Decision:
    """Only the evaluated partner appeals."""
    if is_member(user=user, partner=evaluation.partner):
        return allow()
    return deny("not_partner", _("只有被评价的合伙人本人可以申诉。"))


def appeal_decide_can(*, user: User, appeal) -> Decision:
    return _decide("staff", user=user, partner=appeal.evaluation.partner)


def community_manage_can(*, user: User, community: Area) -> Decision:
    """Rules and rewards of a community: its staff."""
    if is_staff_over(user=user, community=community):
        return allow()
    return deny("not_staff_here", _("只有本社区的工作人员可以管理积分规则和兑换商品。"))


def staff_pages_can(*, user: User) -> Decision:
    """The staff pages (applications, service records, adjustments, the ledger, rules, rewards,
    needs and projects): staff over at least one community. What each page then shows is scoped
    by the selectors; each write asks the object's policy."""
    if not _signed_in(user):
        return deny("not_authenticated", _("请先登录。"))
    if is_staff_somewhere(user):
        return allow()
    return deny("not_staff", _("只有社区工作人员可以查看此页面。"))


def partner_apply_can(*, user: User) -> Decision:
    if not _signed_in(user):
        return deny("not_authenticated", _("请先登录。"))
    return allow()


def partner_actions_allowed(*, user: User, partner: Partner) -> set[str]:
    return {a for a in PARTNER_ACTIONS if partner_can(user=user, action=a, partner=partner)}
