"""The role × action matrix: one policy, and every door gives the same answer.

For each person and each event action, the expected answer is written down here as literal data
(``ok`` / ``403`` / ``404``), and the API and the page are both asked on an event in the state
where the action is possible: they must agree with the table and with each other.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from governance.models import Notification, Role
from grids import policies, services
from grids.models import Event

S = Event.Status
pytestmark = pytest.mark.django_db

ACTIONS = [
    "accept", "reject", "dispatch", "start", "resolve", "close", "rate", "return_visit",
    "return", "redispatch", "urge", "withdraw",
]  # fmt: skip

# The state each action is tried in (the workflow allows it there).
STATE_FOR = {
    "accept": S.REPORTED,
    "reject": S.REPORTED,
    "dispatch": S.ACCEPTED,
    "start": S.DISPATCHED,
    "resolve": S.IN_PROGRESS,
    "close": S.RESOLVED,
    "rate": S.RESOLVED,
    "return_visit": S.RESOLVED,
    "return": S.DISPATCHED,
    "redispatch": S.DISPATCHED,
    "urge": S.DISPATCHED,
    "withdraw": S.ACCEPTED,
}

# The event is reported by ``worker`` in the east community's grid and, once dispatched, sent to
# the municipal department (``handler``). 404: the person cannot see the event at that point.
EXPECTED = {
    "worker": {
        "accept": "403", "reject": "403", "dispatch": "403", "start": "403",
        "resolve": "403", "close": "403", "rate": "ok", "return_visit": "403",
        "return": "403", "redispatch": "403", "urge": "403", "withdraw": "403",
    },
    "east_staff": {
        "accept": "ok", "reject": "ok", "dispatch": "ok", "start": "403",
        "resolve": "403", "close": "ok", "rate": "403", "return_visit": "ok",
        "return": "403", "redispatch": "ok", "urge": "ok", "withdraw": "ok",
    },
    "west_staff": dict.fromkeys(ACTIONS, "404"),
    "supervisor": {
        "accept": "ok", "reject": "ok", "dispatch": "ok", "start": "403",
        "resolve": "403", "close": "ok", "rate": "403", "return_visit": "ok",
        "return": "403", "redispatch": "ok", "urge": "ok", "withdraw": "ok",
    },
    "handler": {
        "accept": "404", "reject": "404", "dispatch": "404", "start": "ok",
        "resolve": "ok", "close": "403", "rate": "403", "return_visit": "403",
        "return": "ok", "redispatch": "403", "urge": "403", "withdraw": "404",
    },
    "other_handler": dict.fromkeys(ACTIONS, "404"),
    "resident": dict.fromkeys(ACTIONS, "404"),
    "mediator": dict.fromkeys(ACTIONS, "404"),
    "partner": dict.fromkeys(ACTIONS, "404"),
    "admin": {
        "accept": "ok", "reject": "ok", "dispatch": "ok", "start": "ok",
        "resolve": "ok", "close": "ok", "rate": "403", "return_visit": "ok",
        "return": "ok", "redispatch": "ok", "urge": "ok", "withdraw": "ok",
    },
}  # fmt: skip


@pytest.fixture
def people(grid_worker, east_staff, street_supervisor, handler, water_handler, make_user, area_tree):
    return {
        "worker": grid_worker,
        "east_staff": east_staff,
        "west_staff": make_user(Role.COMMUNITY_STAFF, area_tree["west"], username="west_staff"),
        "supervisor": street_supervisor,
        "handler": handler,
        "other_handler": water_handler,
        "resident": make_user(Role.RESIDENT, area_tree["east_building"], username="resident"),
        "mediator": make_user(Role.MEDIATOR, area_tree["street"], username="mediator"),
        "partner": make_user(Role.PARTNER, area_tree["east"], username="partner"),
        "admin": make_user(username="admin", is_superuser=True, is_staff=True),
    }


@pytest.fixture
def event_in(report, east_staff, handler):
    """A fresh event moved, through the services, into ``status``."""

    def _in(status: str) -> Event:
        event = report()
        path = {
            S.REPORTED: [],
            S.ACCEPTED: ["accept"],
            S.DISPATCHED: ["accept", "dispatch"],
            S.IN_PROGRESS: ["accept", "dispatch", "start"],
            S.RESOLVED: ["accept", "dispatch", "start", "resolve"],
        }[status]
        for step in path:
            if step == "accept":
                services.event_accept(event=event, actor=east_staff)
            elif step == "dispatch":
                services.event_dispatch(event=event, actor=east_staff)
            elif step == "start":
                services.event_start(event=event, actor=handler)
            else:
                services.event_resolve(event=event, actor=handler, resolution="已更换")
        return Event.objects.get(pk=event.pk)

    return _in


def _api(client, user, action: str, event: Event, manhole, water):
    client.force_authenticate(user=user)
    body = {"reason": "不属于受理范围", "resolution": "已处理", "rating": 4, "note": "", "department": water.pk}
    if action == "accept":
        body["category"] = manhole.service_code
    return client.post(f"/api/v1/events/{event.pk}/{action.replace('_', '-')}/", body, format="json")


def _page(user, action: str, event: Event, manhole, water):
    client = Client()
    client.force_login(user)
    body = {
        "seen_status": event.status,
        "category": manhole.pk,
        "reject-reason": "不属于受理范围",
        "reject-seen_status": event.status,
        "resolution": "已处理",
        "rate-rating": "4",
        "visit-rating": "4",
        "return-reason": "不属于本单位职责",
        "redispatch-department": water.pk,
        "redispatch-reason": "属于供水管线",
        "withdraw-reason": "重复上报",
        "urge-note": "请尽快处置",
    }
    return client.post(reverse(f"grids:event_{action}", args=[event.pk]), body)


def _answer(response, *, ok: set[int]) -> str:
    if response.status_code in ok:
        return "ok"
    return str(response.status_code)


@pytest.mark.parametrize("who", list(EXPECTED))
@pytest.mark.parametrize("action", ACTIONS)
def test_api_and_page_give_the_policy_answer(api_client, people, event_in, manhole, water, who, action):
    user = people[who]
    by_api_event = event_in(STATE_FOR[action])
    by_page_event = event_in(STATE_FOR[action])
    api = _answer(_api(api_client, user, action, by_api_event, manhole, water), ok={200})
    page = _answer(_page(user, action, by_page_event, manhole, water), ok={302})
    assert (api, page) == (EXPECTED[who][action], EXPECTED[who][action])
    if action == "urge":  # no status change: the urge is a timeline entry
        moved = {e.timeline.filter(kind="urge").exists() for e in (by_api_event, by_page_event)}
    elif action == "redispatch":  # dispatched → dispatched, to another unit
        moved = {Event.objects.get(pk=e.pk).department_id == water.pk for e in (by_api_event, by_page_event)}
    else:
        moved = {Event.objects.get(pk=e.pk).status != STATE_FOR[action] for e in (by_api_event, by_page_event)}
    assert moved == {EXPECTED[who][action] == "ok"}  # a refusal changes nothing, an allowed action moves


def test_a_refusal_carries_the_policys_code_on_the_api(api_as, people, event_in):
    event = event_in(S.RESOLVED)
    response = api_as(people["east_staff"]).post(f"/api/v1/events/{event.pk}/rate/", {"rating": 5}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "not_reporter")
    page = Client()
    page.force_login(people["east_staff"])
    refused = page.post(reverse("grids:event_rate", args=[event.pk]), {"rate-rating": "5"})
    assert refused.status_code == 403
    assert 'data-code="not_reporter"' in refused.content.decode()


def test_return_visit_is_recorded_as_its_own_labelled_action(api_as, people, event_in):
    event = event_in(S.RESOLVED)
    response = api_as(people["east_staff"]).post(
        f"/api/v1/events/{event.pk}/return-visit/", {"rating": 5, "comment": "电话回访，居民满意"}, format="json"
    )
    assert response.status_code == 200
    event.refresh_from_db()
    assert (event.status, event.rating, event.rated_via) == (S.CLOSED, 5, "return_visit")
    last = event.timeline.last()
    assert last.actor == people["east_staff"]
    assert last.note == "回访评价 5 分：电话回访，居民满意"


# --- What each refusal says -------------------------------------------------------------------

NOT_HERE = ("not_staff_here", "只有该事件所在社区（街道）的工作人员可以执行此操作。")
NOT_ASSIGNED = ("not_assigned_department", "该事件不是派给您所在单位的。")
NOT_REPORTER = ("not_reporter", "只有上报人本人可以评价；工作人员请使用“回访评价”记录。")
NO_CONTACT = ("contact_not_allowed", "只有社区工作人员和承办单位可以查看上报人的完整联系方式。")
ALLOWED = ("", "")


@pytest.mark.parametrize(
    ("who", "action", "status", "expected"),
    [
        ("worker", "accept", S.REPORTED, NOT_HERE),
        ("handler", "close", S.RESOLVED, NOT_HERE),
        ("east_staff", "start", S.DISPATCHED, NOT_ASSIGNED),
        ("other_handler", "resolve", S.IN_PROGRESS, NOT_ASSIGNED),
        ("east_staff", "rate", S.RESOLVED, NOT_REPORTER),
        ("east_staff", "fly", S.REPORTED, ("unknown_action", "不支持的操作。")),
        ("east_staff", "read_contact", S.REPORTED, ALLOWED),  # staff over the area, no department
        ("handler", "read_contact", S.DISPATCHED, ALLOWED),  # the unit it was sent to, not staff
        ("other_handler", "read_contact", S.DISPATCHED, NO_CONTACT),
        ("worker", "read_contact", S.REPORTED, NO_CONTACT),
    ],
)
def test_each_refusal_carries_its_code_and_says_why(people, event_in, who, action, status, expected):
    decision = policies.event_can(user=people[who], action=action, event=event_in(status))
    assert (decision.code, decision.detail) == expected
    assert bool(decision) is (expected == ALLOWED)


def test_a_signed_out_or_deactivated_person_may_do_nothing(people, event_in):
    event = event_in(S.REPORTED)
    staff = people["east_staff"]
    staff.is_active = False
    for user in (AnonymousUser(), staff):
        decision = policies.event_can(user=user, action="accept", event=event)
        assert (decision.code, decision.detail, bool(decision)) == ("not_authenticated", "请先登录。", False)


# --- What the menus ask: the role a person holds somewhere ------------------------------------

# who → (is_staff, is_handler, is_worker, is_resident, may_report)
MENU_ROLES = {
    "worker": (False, False, True, False, True),
    "east_staff": (True, False, False, False, True),
    "supervisor": (True, False, False, False, True),
    "handler": (False, True, False, False, False),
    "resident": (False, False, False, True, True),
    "mediator": (False, False, False, False, False),
    "partner": (False, False, False, False, False),
}


@pytest.mark.parametrize("who", list(MENU_ROLES))
def test_the_menu_questions_answer_by_the_roles_held(people, who):
    user = people[who]
    answers = (
        policies.is_staff(user),
        policies.is_handler(user),
        policies.is_worker(user),
        policies.is_resident(user),
        policies.may_report(user),
    )
    assert answers == MENU_ROLES[who]


# --- Reporting: who may file what ------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "source", "for_caller", "expected"),
    [
        ("resident", "resident", False, ""),
        ("resident", "hotline", False, "source_not_allowed"),
        ("resident", "resident", True, "caller_not_allowed"),
        ("resident", "open311", False, "source_not_allowed"),
        ("resident", "sensor", False, "source_not_allowed"),
        ("worker", "patrol", False, ""),
        ("worker", "hotline", True, "source_not_allowed"),
        ("east_staff", "hotline", True, ""),
        ("east_staff", "resident", False, ""),
        ("handler", "resident", False, "not_reporter_role"),
        ("mediator", "resident", False, "not_reporter_role"),
    ],
)
def test_report_policy(people, who, source, for_caller, expected):
    decision = policies.event_report_can(user=people[who], source=source, for_caller=for_caller)
    assert decision.code == expected
    assert bool(decision) is (expected == "")


def test_a_report_with_nothing_said_is_a_persons_own(people):
    assert policies.event_report_can(user=people["resident"]) == policies.allow()
    assert policies.event_report_can(user=people["resident"], source="resident") == policies.allow()


@pytest.mark.parametrize(
    ("who", "source", "for_caller", "detail"),
    [
        ("handler", "resident", False, "您的岗位不能上报事件。"),
        ("resident", "hotline", False, "只有社区工作人员可以登记12345热线来电。"),
        ("resident", "resident", True, "只有社区工作人员可以代来电群众登记联系人和电话。"),
    ],
)
def test_each_report_refusal_says_why_in_chinese(people, who, source, for_caller, detail):
    assert policies.event_report_can(user=people[who], source=source, for_caller=for_caller).detail == detail


def test_a_resident_cannot_file_as_hotline_with_someone_elses_name_through_the_api(api_as, people, manhole, east_grid):
    body = {
        "description": "楼道灯不亮",
        "lon": 116.305,
        "lat": 39.985,
        "category": manhole.service_code,
        "source": "hotline",
        "reporter_name": "张三",
        "reporter_phone": "13900001111",
    }
    response = api_as(people["resident"]).post("/api/v1/events/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "source_not_allowed")
    body.pop("source")
    response = api_as(people["resident"]).post("/api/v1/events/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "caller_not_allowed")
    assert Event.objects.count() == 0


def test_a_hotline_report_texts_the_caller_a_rating_link_that_rates(api_as, people, manhole, east_grid, client):

    body = {
        "description": "来电反映路灯不亮",
        "lon": 116.305,
        "lat": 39.985,
        "category": manhole.service_code,
        "source": "hotline",
        "reporter_name": "张三",
        "reporter_phone": "13900001111",
    }
    response = api_as(people["east_staff"]).post("/api/v1/events/", body, format="json")
    assert response.status_code == 201
    event = Event.objects.get()
    notice = Notification.objects.get(to_phone="13900001111")
    assert notice.recipient is None
    assert notice.by_sms
    assert notice.url.startswith("/r/")
    assert event.code in notice.title
    secret = notice.url.split("/")[2]
    assert secret not in response.content.decode()  # the API never returns the caller's secret
    # The staff member who took the call is not "the reporter": they record a return visit instead.
    assert not policies.event_can(user=people["east_staff"], action="rate", event=event)
    Event.objects.filter(pk=event.pk).update(status=S.RESOLVED)
    client.post(reverse("grids:rate_by_link", args=[secret]), {"rating": "5"})
    event.refresh_from_db()
    assert (event.status, event.rated_via) == (S.CLOSED, "link")
