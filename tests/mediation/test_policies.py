"""The confidentiality and action matrix: every person × every case action, expected answers written
down as literal data (``ok`` / ``403`` / ``404``), asked through the API on a case in the state
where the action is possible, and the case page asked too: both doors must agree with the table.

The case is registered in the east community by its lead mediator (``lead``), with a co-mediator
(``co``). ``404``: the case does not exist for that person.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from governance.models import Role
from mediation import policies, services

pytestmark = pytest.mark.django_db

ACTIONS = [
    "list", "detail", "parties", "timeline", "accept", "decline", "start", "fail", "refer", "close",
    "reopen", "escalate", "assign", "schedule_session", "agreement", "agreement_pdf",
]  # fmt: skip

TEAM = {
    "list": "ok", "detail": "ok", "parties": "ok", "timeline": "ok", "accept": "ok", "decline": "ok",
    "start": "ok", "fail": "ok", "refer": "ok", "close": "ok", "reopen": "ok", "escalate": "ok",
    "assign": "403", "schedule_session": "ok", "agreement": "ok", "agreement_pdf": "ok",
}  # fmt: skip
SUPERVISOR = {
    "list": "ok", "detail": "ok", "parties": "ok", "timeline": "ok", "accept": "403", "decline": "403",
    "start": "403", "fail": "403", "refer": "403", "close": "403", "reopen": "403", "escalate": "ok",
    "assign": "ok", "schedule_session": "403", "agreement": "403", "agreement_pdf": "ok",
}  # fmt: skip
NOBODY = {**dict.fromkeys(ACTIONS, "404"), "list": "absent"}

EXPECTED = {
    "lead": TEAM,
    "co": {**TEAM, "escalate": "403"},
    "supervisor": SUPERVISOR,
    "admin": SUPERVISOR,
    "district_supervisor": SUPERVISOR,
    "west_supervisor": NOBODY,
    "unassigned_mediator": NOBODY,
    "west_mediator": NOBODY,
    "east_staff": NOBODY,
    "worker": NOBODY,
    "resident": NOBODY,
    "partner": NOBODY,
}

# action → (state the case is put in, method, url suffix, payload)
CALLS = {
    "detail": ("registered", "get", "", None),
    "parties": ("registered", "get", "parties/", None),
    "timeline": ("registered", "get", "timeline/", None),
    "accept": ("registered", "post", "accept/", {}),
    "decline": ("registered", "post", "decline/", {"reason": "不属于调解范围"}),
    "start": ("accepted", "post", "start/", {}),
    "fail": ("mediating", "post", "fail/", {"reason": "分歧大"}),
    "refer": ("failed", "post", "refer/", {"to": "court"}),
    "close": ("failed", "post", "close/", {}),
    "reopen": ("closed", "post", "reopen/", {}),
    "escalate": ("registered", "post", "escalate/", {"tried": "上门调解", "assessment": "需街道协调"}),
    "assign": ("registered", "post", "assign/", "MEDIATOR"),
    "schedule_session": ("accepted", "post", "sessions/", "SESSION"),
    "agreement": ("mediating", "post", "agreement/", "AGREEMENT"),
    "agreement_pdf": ("agreed", "get", "agreement/pdf/", None),
}
PATH = {
    "registered": [],
    "accepted": ["accept"],
    "mediating": ["accept", "start"],
    "failed": ["accept", "start", "fail"],
    "closed": ["accept", "start", "fail", "close"],
    "agreed": ["accept", "start", "agree"],
}


@pytest.fixture
def people(make_user, area_tree, village_mediator, co_mediator, township_mediator, west_mediator, street_supervisor,
           east_staff, grid_worker, east_resident):  # fmt: skip
    return {
        "lead": village_mediator,
        "co": co_mediator,
        "supervisor": street_supervisor,
        "admin": make_user(username="admin", is_superuser=True, is_staff=True),
        "district_supervisor": make_user(Role.STREET_SUPERVISOR, area_tree["district"], username="district_sup"),
        "west_supervisor": make_user(Role.STREET_SUPERVISOR, area_tree["west"], username="west_sup"),
        "unassigned_mediator": township_mediator,
        "west_mediator": west_mediator,
        "east_staff": east_staff,
        "worker": grid_worker,
        "resident": east_resident,
        "partner": make_user(Role.PARTNER, area_tree["east"], username="partner"),
    }


def _case(register, people, state):
    lead = people["lead"]
    case = register()
    services.case_assign(case=case, mediator=people["co"], actor=people["supervisor"])
    for move in PATH[state]:
        {
            "accept": lambda: services.case_accept(case=case, actor=lead),
            "start": lambda: services.case_start(case=case, actor=lead),
            "fail": lambda: services.case_fail(case=case, actor=lead, reason="x"),
            "close": lambda: services.case_close(case=case, actor=lead),
            "agree": lambda: services.agreement_record(
                case=case, actor=lead, terms="赔偿800元", signed_on=timezone.localdate()
            ),
        }[move]()
    return case


def _payload(payload, people):
    if payload == "MEDIATOR":
        return {"mediator": people["unassigned_mediator"].pk}
    if payload == "SESSION":
        return {"scheduled_at": (timezone.now() + timedelta(days=1)).isoformat(), "place": "调解室"}
    if payload == "AGREEMENT":
        return {"terms": "赔偿800元", "signed_on": timezone.localdate().isoformat()}
    return payload


def _answer(response) -> str:
    if response.status_code in (200, 201):
        return "ok"
    return str(response.status_code)


@pytest.mark.parametrize("who", list(EXPECTED))
def test_matrix_through_the_api(who, people, register, api_as):
    answers = {}
    client = None
    case = register()
    services.case_assign(case=case, mediator=people["co"], actor=people["supervisor"])
    client = api_as(people[who])
    listed = client.get("/api/v1/mediation/cases/").json()["results"]
    answers["list"] = "ok" if case.pk in [row["id"] for row in listed] else "absent"
    for action, (state, method, suffix, payload) in CALLS.items():
        target = _case(register, people, state)
        url = f"/api/v1/mediation/cases/{target.pk}/{suffix}"
        response = (
            getattr(client, method)(url, _payload(payload, people), format="json")
            if method == "post"
            else client.get(url)
        )
        answers[action] = _answer(response)
        if answers[action] == "403":
            assert response.json()["code"] in {"not_case_mediator", "not_supervisor", "not_lead_mediator"}
    assert answers == EXPECTED[who]


@pytest.mark.parametrize("who", list(EXPECTED))
def test_the_case_page_and_the_policy_agree(who, people, register):
    case = register()
    services.case_assign(case=case, mediator=people["co"], actor=people["supervisor"])
    client = Client()
    client.force_login(people[who])
    page = client.get(reverse("mediation:case_detail", args=[case.pk]))
    expected_view = EXPECTED[who]["detail"]
    assert _answer(page) == expected_view
    allowed = policies.case_actions_allowed(user=people[who], case=case)
    accept = client.post(reverse("mediation:case_move", args=[case.pk, "accept"]))
    assert {302: "ok", 403: "403", 404: "404"}[accept.status_code] == EXPECTED[who]["accept"]
    assert ("accept" in allowed) == (EXPECTED[who]["accept"] == "ok")
