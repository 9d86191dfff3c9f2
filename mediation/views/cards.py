"""Home cards and menu links (registered in MediationConfig.ready)."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import home
from governance.extensions import Link
from governance.models import Role
from governance.permissions import has_any_role
from mediation import policies, selectors, services
from mediation.models import Case


def mediator_cards(user, roles: set[str]) -> list[home.Card]:
    if Role.MEDIATOR not in roles and Role.STREET_SUPERVISOR not in roles:
        if Role.RESIDENT in roles and policies.resident_only(user):
            return [
                home.Card(
                    title=_("申请调解"),
                    body=_("邻里、家庭、物业等矛盾纠纷，可在线申请调解组织帮助化解。"),
                    url=reverse("mediation:apply"),
                    action=_("申请调解"),
                    priority=30,
                )
            ]
        return []
    cases = selectors.visible_cases(user=user, handed_over=False)
    open_count = cases.filter(status__in=Case.OPEN_STATUSES).count()
    due = selectors.my_follow_ups_due(user=user).count()
    overdue = cases.filter(Q(status__in=Case.OPEN_STATUSES), deadline__lt=timezone.localdate()).count()
    body = _("未办结案件 %(open)d 件，本周待回访 %(due)d 次。") % {"open": open_count, "due": due}
    if overdue:
        body += _("已超过调解期限 %(n)d 件。") % {"n": overdue}
    return [
        home.Card(
            title=_("矛盾纠纷调解"),
            body=body,
            url=reverse("mediation:cases"),
            action=_("查看案件"),
            count=open_count,
            priority=18 if (open_count or due) else 45,
            tone="danger" if overdue else ("warn" if due else "normal"),
        )
    ]


def event_links(user, event) -> list[Link]:
    """On a grid event's page: the case it became (number and public-safe status, a link only for
    those who may see the case), or "转为调解案件" for those who may convert it."""
    case = services.event_case(event=event)
    if case is not None:
        label = _("已转为调解案件 %(number)s：%(status)s") % {
            "number": case.number,
            "status": services.public_status(case),
        }
        visible = selectors.visible_cases(user=user).filter(pk=case.pk).exists()
        return [Link(label=label, url=reverse("mediation:case_detail", args=[case.pk]) if visible else "")]
    if policies.event_convert_can(user=user, event=event):
        return [
            Link(
                label=_("转为调解案件"),
                url=reverse("mediation:case_new") + f"?event={event.pk}",
                note=_("邻里、家庭、物业等矛盾纠纷交由调解组织办理。"),
            )
        ]
    return []


def nav_links(user) -> list[tuple[str, str]]:
    if not getattr(user, "is_authenticated", False):
        return []
    links = []
    if has_any_role(user, [Role.MEDIATOR, Role.STREET_SUPERVISOR]) or user.is_superuser:
        links.append((reverse("mediation:cases"), _("调解案件")))
    if policies.is_supervisor(user):
        links.append((reverse("mediation:overview"), _("调解统计与预警")))
    if links:
        return links
    if policies.resident_only(user):
        return [(reverse("mediation:apply"), _("申请调解")), (reverse("mediation:cases"), _("我的调解"))]
    return []
