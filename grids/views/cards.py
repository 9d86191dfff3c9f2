"""Home-page cards and menu links for the grid roles (registered in GridsConfig.ready)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from governance import home
from grids import policies, selectors
from grids.models import Event
from grids.views._common import (
    S,
)

# --- Home cards (registered in GridsConfig.ready) ------------------------------------------


def grid_worker_cards(user, roles: set[str]) -> list[home.Card]:
    if not roles & policies.WORKER_ROLES:
        return []
    counts = selectors.worker_open_events(user=user).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=selectors.overdue_q())
    )
    patrol = selectors.active_patrol(user=user)
    if counts["open"]:
        body = _("网格内有 %(open)d 件未办结事件，其中 %(overdue)d 件已超时。") % counts
    else:
        body = _("网格内没有未办结的事件。")
    if patrol:
        body = _("巡查进行中（%(grid)s）。%(rest)s") % {"grid": patrol.grid.localized_name, "rest": body}
    return [
        home.Card(
            title=_("我的网格"),
            body=body,
            url=reverse("grids:grid"),
            action=_("继续巡查") if patrol else _("开始巡查"),
            count=counts["open"],
            priority=20,
            tone="danger" if counts["overdue"] else ("warn" if patrol else "normal"),
        )
    ]


def staff_cards(user, roles: set[str]) -> list[home.Card]:
    if not roles & policies.STAFF_ROLES:
        return []
    counts = selectors.visible_events(user=user).aggregate(
        reported=Count("pk", filter=Q(status=S.REPORTED)), overdue=Count("pk", filter=selectors.overdue_q())
    )
    if counts["reported"] or counts["overdue"]:
        body = _("待受理 %(reported)d 件，已超时 %(overdue)d 件。") % counts
    else:
        body = _("没有待受理或超时的事件。")
    return [
        home.Card(
            title=_("事件队列"),
            body=body,
            url=reverse("grids:queue"),
            action=_("处理事件"),
            count=counts["reported"],
            priority=15 if counts["reported"] or counts["overdue"] else 40,
            tone="danger" if counts["overdue"] else ("warn" if counts["reported"] else "normal"),
        )
    ]


def escalation_cards(user, roles: set[str]) -> list[home.Card]:
    """督办 for staff and supervisors: what is overdue at each level and what climbed to the street
    today; each count links to the queue filtered the same way (one definition of overdue)."""
    if not roles & policies.STAFF_ROLES:
        return []
    summary = selectors.escalation_summary(user=user)
    if not summary["overdue"] and not summary["street_today"]:
        return [
            home.Card(
                title=_("超时督办"),
                body=_("没有超时未响应的事件。"),
                url=reverse("grids:queue") + "?overdue=1",
                action=_("查看超时事件"),
                priority=45,
            )
        ]
    queue = reverse("grids:queue")
    levels = [(Event.Level.GRID, "grid"), (Event.Level.COMMUNITY, "community"), (Event.Level.STREET, "street")]
    links = tuple(
        (
            f"{queue}?overdue=1&level={int(level)}",
            _("%(level)s %(n)d 件") % {"level": level.label, "n": summary[key]},
        )
        for level, key in levels
    )
    body = _("已超时 %(overdue)d 件；今日升级至街道督办 %(street_today)d 件。") % summary
    return [
        home.Card(
            title=_("超时督办"),
            body=body,
            url=f"{queue}?overdue=1",
            action=_("查看超时事件"),
            count=summary["overdue"],
            priority=10,
            tone="danger",
            links=links,
        )
    ]


def handler_cards(user, roles: set[str]) -> list[home.Card]:
    if not roles & policies.HANDLER_ROLES:
        return []
    count = selectors.department_tasks(user=user).count()
    return [
        home.Card(
            title=_("我的任务"),
            body=ngettext("有 %(n)d 件派给本单位的事件待处置。", "有 %(n)d 件派给本单位的事件待处置。", count)
            % {"n": count}
            if count
            else _("没有待处置的事件。"),
            url=reverse("grids:tasks"),
            action=_("查看任务"),
            count=count,
            priority=15 if count else 40,
            tone="warn" if count else "normal",
        )
    ]


def resident_cards(user, roles: set[str]) -> list[home.Card]:
    if not roles & policies.RESIDENT_ROLES:
        return []
    return [
        home.Card(
            title=_("我要上报"),
            body=_("发现井盖缺失、漏水、垃圾堆积等问题，拍照上报给社区。"),
            url=reverse("grids:event_new"),
            action=_("上报问题"),
            priority=20,
        ),
        home.Card(
            title=_("我的上报"),
            body=_("查看您上报的问题办到哪一步、处置结果和照片；办结后在这里评价。"),
            url=reverse("grids:my_reports"),
            action=_("我的上报"),
            priority=25,
        ),
    ]


def nav_links(user) -> list[tuple[str, str]]:
    """The menu entries for this person's roles (templates/grids/_nav.html)."""
    if not getattr(user, "is_authenticated", False):
        return []
    links = []
    if policies.is_worker(user):
        links.append((reverse("grids:grid"), _("我的网格")))
    if policies.is_staff(user):
        links.append((reverse("grids:queue"), _("事件队列")))
    if policies.is_handler(user):
        links.append((reverse("grids:tasks"), _("我的任务")))
    if policies.may_report(user):
        links.append((reverse("grids:event_new"), _("上报事件")))
        links.append((reverse("grids:my_reports"), _("我的上报")))
    if policies.is_worker(user):
        links.append((reverse("grids:my_patrols"), _("巡查记录")))
    links.append((reverse("grids:track_lookup"), _("查询进度")))
    links.append((reverse("grids:efficiency"), _("服务效能指数")))
    return links
