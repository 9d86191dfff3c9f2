"""The notice of every move of the event flow: what happened, told to the people who must act
next, never to the one who made the move.

The table is literal: for each move, who is told (by user name; the role of each is below) and
the title each reads, in Chinese, and for a few in English too.
"""

import pytest
from django.utils import translation

from governance.models import Notification, Role
from grids import services
from grids.models import Event

pytestmark = pytest.mark.django_db

# Who is who in the table (besides the actor of each move, who is never told):
#   worker          grid worker, the reporter
#   east_staff      community staff of the event's community
#   other_staff     community staff of the event's community
#   handler         handler of 市政所 (the unit the rules dispatch 井盖破损 to)
#   colleague       another handler of 市政所
#   water_handler   handler of 水务站 (copied on 井盖破损 dispatches)

RETURN_REASON = "井盖属于供水公司管线"
REDISPATCH_REASON = "属于供水管线"
WITHDRAW_REASON = "重复上报，已合并"
REJECT_REASON = "不属于网格事项"

# (steps before the move, the move) → {recipient: title}; "{code}" is the event's tracking code.
NOTICES = [
    ((), "report", {
        "east_staff": "新事件 {code} 待受理：井盖破损",
        "other_staff": "新事件 {code} 待受理：井盖破损",
    }),
    (("report",), "accept", {
        "other_staff": "事件 {code} 已受理，待派单：井盖破损",
    }),
    (("report",), "reject", {
        "worker": "您上报的事件 {code} 不予受理：不属于网格事项",
    }),
    (("report",), "withdraw", {
        "worker": "事件 {code} 已撤销：重复上报，已合并",
    }),
    (("report", "accept"), "withdraw", {
        "worker": "事件 {code} 已撤销：重复上报，已合并",
    }),
    (("report", "accept"), "dispatch", {
        "handler": "事件 {code} 已派至市政所，请处置：井盖破损",
        "colleague": "事件 {code} 已派至市政所，请处置：井盖破损",
        "water_handler": "【抄送】事件 {code} 已派至市政所：井盖破损",
    }),
    (("report", "accept", "dispatch"), "return", {
        "east_staff": "事件 {code} 被市政所退回，请重新派单。原因：井盖属于供水公司管线",
        "other_staff": "事件 {code} 被市政所退回，请重新派单。原因：井盖属于供水公司管线",
    }),
    (("report", "accept", "dispatch", "return"), "dispatch", {
        "handler": "事件 {code} 已派至市政所，请处置：井盖破损",
        "colleague": "事件 {code} 已派至市政所，请处置：井盖破损",
        "water_handler": "【抄送】事件 {code} 已派至市政所：井盖破损",
    }),
    (("report", "accept", "dispatch"), "redispatch", {
        "water_handler": "事件 {code} 由市政所改派至水务站，请处置。原因：属于供水管线",
        "handler": "事件 {code} 已改派至水务站，本单位无需再办理：井盖破损",
        "colleague": "事件 {code} 已改派至水务站，本单位无需再办理：井盖破损",
    }),
    (("report", "accept", "dispatch"), "urge", {
        "handler": "【催办】事件 {code} 请尽快处置",
        "colleague": "【催办】事件 {code} 请尽快处置",
    }),
    (("report", "accept", "dispatch"), "start", {}),
    (("report", "accept", "dispatch"), "withdraw", {
        "worker": "事件 {code} 已撤销：重复上报，已合并",
        "handler": "事件 {code} 已撤销：重复上报，已合并",
        "colleague": "事件 {code} 已撤销：重复上报，已合并",
    }),
    (("report", "accept", "dispatch", "start"), "urge", {
        "handler": "【催办】事件 {code} 请尽快处置",
        "colleague": "【催办】事件 {code} 请尽快处置",
    }),
    (("report", "accept", "dispatch", "start"), "resolve", {
        "worker": "您上报的事件 {code} 已办结，请查看结果并评价：井盖破损",
    }),
    (("report", "accept", "dispatch", "start"), "withdraw", {
        "worker": "事件 {code} 已撤销：重复上报，已合并",
        "handler": "事件 {code} 已撤销：重复上报，已合并",
        "colleague": "事件 {code} 已撤销：重复上报，已合并",
    }),
    (("report", "accept", "dispatch", "start", "resolve"), "rate_good", {}),
    (("report", "accept", "dispatch", "start", "resolve"), "return_visit_good", {}),
    (("report", "accept", "dispatch", "start", "resolve"), "rate_bad", {
        "handler": "事件 {code} 评价不满意（1 分），已重新打开，请再次处置：井盖破损",
        "colleague": "事件 {code} 评价不满意（1 分），已重新打开，请再次处置：井盖破损",
    }),
    (("report", "accept", "dispatch", "start", "resolve"), "return_visit_bad", {
        "handler": "事件 {code} 评价不满意（2 分），已重新打开，请再次处置：井盖破损",
        "colleague": "事件 {code} 评价不满意（2 分），已重新打开，请再次处置：井盖破损",
    }),
    (("report", "accept", "dispatch", "start", "resolve", "rate_bad"), "start", {}),
    (("report", "accept", "dispatch", "start", "resolve", "rate_bad"), "urge", {
        "handler": "【催办】事件 {code} 请尽快处置",
        "colleague": "【催办】事件 {code} 请尽快处置",
    }),
    (("report", "accept", "dispatch", "start", "resolve", "rate_bad"), "return", {
        "east_staff": "事件 {code} 被市政所退回，请重新派单。原因：井盖属于供水公司管线",
        "other_staff": "事件 {code} 被市政所退回，请重新派单。原因：井盖属于供水公司管线",
    }),
    (("report", "accept", "dispatch", "start", "resolve", "rate_bad"), "withdraw", {
        "worker": "事件 {code} 已撤销：重复上报，已合并",
        "handler": "事件 {code} 已撤销：重复上报，已合并",
        "colleague": "事件 {code} 已撤销：重复上报，已合并",
    }),
]  # fmt: skip


@pytest.fixture
def people(make_user, area_tree, east_staff, grid_worker, handler, water_handler, municipal, manhole, water):
    manhole.cc_departments.add(water)
    return {
        "worker": grid_worker,
        "east_staff": east_staff,
        "other_staff": make_user(Role.COMMUNITY_STAFF, area_tree["east"], username="other_staff"),
        "handler": handler,
        "colleague": make_user(Role.DEPARTMENT_HANDLER, department=municipal, username="colleague"),
        "water_handler": water_handler,
    }


def _moves(report, people, water):
    staff, handler, worker = people["east_staff"], people["handler"], people["worker"]

    def fresh(event: Event) -> Event:
        return Event.objects.get(pk=event.pk)

    return {
        "report": lambda _: report(),
        "accept": lambda e: services.event_accept(event=e, actor=staff),
        "reject": lambda e: services.event_reject(event=e, actor=staff, reason=REJECT_REASON),
        "withdraw": lambda e: services.event_withdraw(event=e, actor=staff, reason=WITHDRAW_REASON),
        "dispatch": lambda e: services.event_dispatch(event=e, actor=staff),
        "return": lambda e: services.event_return(event=e, actor=handler, reason=RETURN_REASON),
        "redispatch": lambda e: services.event_redispatch(
            event=e, actor=staff, department=water, reason=REDISPATCH_REASON
        ),
        "urge": lambda e: services.event_urge(event=e, actor=staff) and fresh(e),
        "start": lambda e: services.event_start(event=e, actor=handler),
        "resolve": lambda e: services.event_resolve(event=e, actor=handler, resolution="已更换井盖"),
        "rate_good": lambda e: services.event_rate(event=e, rating=5, actor=worker),
        "rate_bad": lambda e: services.event_rate(event=e, rating=1, actor=worker),
        "return_visit_good": lambda e: services.event_return_visit(event=e, actor=staff, rating=4),
        "return_visit_bad": lambda e: services.event_return_visit(event=e, actor=staff, rating=2),
    }


@pytest.mark.parametrize(
    ("before", "move", "expected"), NOTICES, ids=[f"{'>'.join(b) or 'start'}>{m}" for b, m, _ in NOTICES]
)
def test_each_move_tells_the_next_actors_what_happened(report, people, water, before, move, expected):
    moves = _moves(report, people, water)
    event = None
    for step in before:
        event = moves[step](event)
    last = Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0

    event = moves[move](event)

    told = {
        n.recipient.username: n.title
        for n in Notification.objects.filter(id__gt=last).select_related("recipient").order_by("id")
    }
    assert told == {name: title.format(code=event.code) for name, title in expected.items()}


# The (from, to) each row's move makes; a new move in EVENT_FLOW needs a row above.
ROWS_REACH = {
    ("reported", "accepted"), ("reported", "rejected"), ("reported", "withdrawn"),
    ("accepted", "dispatched"), ("accepted", "withdrawn"),
    ("dispatched", "in_progress"), ("dispatched", "accepted"), ("dispatched", "dispatched"),
    ("dispatched", "withdrawn"),
    ("in_progress", "resolved"), ("in_progress", "withdrawn"),
    ("resolved", "closed"), ("resolved", "reopened"),
    ("reopened", "in_progress"), ("reopened", "accepted"), ("reopened", "withdrawn"),
}  # fmt: skip


def test_every_move_of_the_flow_has_a_row():
    flow = {(frm, to) for frm, targets in services.EVENT_TRANSITIONS.items() for to in targets}
    assert flow == ROWS_REACH


def test_a_return_reads_in_the_readers_language_and_masks_a_number_in_the_reason(report, people):
    moves = _moves(report, people, None)
    event = moves["dispatch"](moves["accept"](moves["report"](None)))
    services.event_return(event=event, actor=people["handler"], reason="不归我单位，请联系 13812345678")

    notice = Notification.objects.get(recipient=people["other_staff"], message_key="grids.event.returned")
    assert notice.message_key == "grids.event.returned"
    assert notice.title == f"事件 {event.code} 被市政所退回，请重新派单。原因：不归我单位，请联系 138****5678"
    with translation.override("en"):
        assert notice.display_title == (
            f"Event {event.code} was returned by 市政所; please dispatch it again. "
            "Reason: 不归我单位，请联系 138****5678"
        )


def test_the_english_titles_of_the_moves(report, people):
    moves = _moves(report, people, None)
    event = moves["dispatch"](moves["accept"](moves["report"](None)))
    services.event_start(event=event, actor=people["handler"])
    services.event_resolve(event=event, actor=people["handler"], resolution="已更换井盖")
    services.event_rate(event=event, rating=1, actor=people["worker"])

    with translation.override("en"):
        titles = [
            n.display_title
            for n in Notification.objects.filter(recipient__username__in=["other_staff", "colleague", "worker"])
            .exclude(recipient__username="worker", message_key="grids.event.reported")
            .order_by("id")
        ]
    assert titles == [
        f"New event {event.code} awaits acceptance: Broken manhole cover",
        f"Event {event.code} accepted, awaiting dispatch: Broken manhole cover",
        f"Event {event.code} dispatched to 市政所; please handle it: Broken manhole cover",
        f"Your report {event.code} is resolved; please see the result and rate it: Broken manhole cover",
        f"Event {event.code} reopened, rated 1 of 5; please handle it again: Broken manhole cover",
    ]


def test_a_device_alarm_tells_only_its_unit_until_the_unit_returns_it(people, manhole, east_grid):
    device, _token = services.sensor_register(
        device_id="MC-001", kind="manhole_cover", lon=116.305, lat=39.985, category=manhole
    )
    event, created = services.sensor_alert(device=device, fault="tilt")

    assert created
    told = dict(Notification.objects.values_list("recipient__username", "title"))
    assert told == {
        "handler": f"事件 {event.code} 已派至市政所，请处置：井盖破损",
        "colleague": f"事件 {event.code} 已派至市政所，请处置：井盖破损",
        "water_handler": f"【抄送】事件 {event.code} 已派至市政所：井盖破损",
    }
    # sent back by the unit, it is the staff's again like any other
    services.event_return(event=event, actor=people["handler"], reason="设备不归本单位")
    returned = Notification.objects.filter(message_key="grids.event.returned")
    assert sorted(returned.values_list("recipient__username", flat=True)) == ["east_staff", "other_staff"]
