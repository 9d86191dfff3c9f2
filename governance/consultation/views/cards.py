"""The consultation card on the portal's home page."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import home
from governance.consultation import selectors
from governance.consultation.models import Meeting
from governance.models import Role


def consultation_cards(user, roles: set[str]) -> list[home.Card]:
    if not (roles & {Role.RESIDENT, Role.COMMUNITY_STAFF, Role.STREET_SUPERVISOR, Role.ADMIN, Role.DEPARTMENT_HANDLER}):
        return []
    upcoming = selectors.visible_meetings(user=user).filter(
        status__in=[Meeting.Status.PLANNED, Meeting.Status.IN_SESSION], ends_at__gte=timezone.now()
    )
    count = upcoming.count()
    overdue = selectors.overdue_resolutions(user=user).count()
    body = _("即将召开 %(n)d 场议事会议。") % {"n": count} if count else _("近期没有安排议事会议。")
    if overdue:
        body += _("有 %(n)d 项决议已逾期。") % {"n": overdue}
    return [
        home.Card(
            title=_("红色议事厅"),
            body=body,
            url=reverse("consultation:meetings"),
            action=_("查看会议"),
            count=count,
            priority=30,
            tone="danger" if overdue else "normal",
        )
    ]
