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
from mediation import policies, services, stats

pytestmark = pytest.mark.django_db

ACTIONS = [
    "list", "detail", "parties", "timeline", "accept", "decline", "start", "fail", "refer", "close",
    "reopen", "escalate", "assign", "schedule_session", "agreement", "agreement_pdf", "declare_relation", "sign",
]  # fmt: skip

TEAM = {
    "list": "ok", "detail": "ok", "parties": "ok", "timeline": "ok", "accept": "ok", "decline": "ok",
    "start": "ok", "fail": "ok", "refer": "ok", "close": "ok", "reopen": "ok", "escalate": "ok",
    "assign": "403", "schedule_session": "ok", "agreement": "ok", "agreement_pdf": "ok", "declare_relation": "ok",
    "sign": "ok",
}  # fmt: skip
SUPERVISOR = {
    "list": "ok", "detail": "ok", "parties": "ok", "timeline": "ok", "accept": "403", "decline": "403",
    "start": "403", "fail": "403", "refer": "403", "close": "403", "reopen": "403", "escalate": "ok",
    "assign": "ok", "schedule_session": "403", "agreement": "403", "agreement_pdf": "ok", "declare_relation": "ok",
    "sign": "403",
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
    "declare_relation": ("registered", "post", "relations/", "RELATION"),
    "sign": ("agreed", "post", "agreement/signatures/", "SIGNATURE"),
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


def _payload(payload, people, target=None):
    if payload == "MEDIATOR":
        return {"mediator": people["unassigned_mediator"].pk}
    if payload == "SPARE":
        return {"mediator": people["spare"].pk}
    if payload == "RELATION":
        applicant, respondent = target.parties.get(role="applicant"), target.parties.get(role="respondent")
        return {"party": applicant.pk, "relation": "连襟", "other_party": respondent.pk}
    if payload == "SIGNATURE":
        return {"party": target.parties.get(role="applicant").pk, "method": "in_person"}
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
            getattr(client, method)(url, _payload(payload, people, target), format="json")
            if method == "post"
            else client.get(url)
        )
        answers[action] = _answer(response)
        if answers[action] == "403":
            assert response.json()["code"] in {"not_case_mediator", "not_supervisor", "not_lead_mediator"}
    assert answers == EXPECTED[who]


# --- After escalation to the next tier --------------------------------------------------------
#
# The case was registered in the east community and led by the village mediator (``former_lead``)
# with two village co-mediators; the lead escalated it to the township (street) centre keeping one
# of them on as co-mediator (``kept_co``) and not the other (``former_co``); the street supervisor
# then made a township mediator the lead (``new_lead``). The lower tier keeps reading the case it
# handed over but can no longer act on it (403 ``handed_over``) unless it was kept on — its
# mediators and the supervisors of the centre that handed it up alike (``community_supervisor``: a
# supervisor's post on the east community, over the village tier only).

READ_ONLY = {
    **dict.fromkeys(ACTIONS, "403"),
    "list": "ok", "detail": "ok", "parties": "ok", "timeline": "ok", "agreement_pdf": "ok",
}  # fmt: skip
ESCALATED_EXPECTED = {
    "former_lead": READ_ONLY,
    "former_co": READ_ONLY,
    "community_supervisor": READ_ONLY,
    "kept_co": {**TEAM, "escalate": "403"},
    "new_lead": TEAM,
    "supervisor": SUPERVISOR,
    "district_supervisor": SUPERVISOR,
    "west_supervisor": NOBODY,
    "west_mediator": NOBODY,
    "east_staff": NOBODY,
}
HANDED_OVER = {"former_lead", "former_co", "community_supervisor"}
ESCALATED_CALLS = {**CALLS, "assign": ("registered", "post", "assign/", "SPARE")}


@pytest.fixture
def escalated_people(people, make_user, area_tree):
    return {
        **people,
        "former_lead": people["lead"],
        "former_co": make_user(Role.MEDIATOR, area_tree["east"], username="village_helper", full_name="吴协办"),
        "kept_co": people["co"],
        "new_lead": people["unassigned_mediator"],
        "spare": make_user(Role.MEDIATOR, area_tree["street"], username="township_spare", full_name="陈中心"),
        "community_supervisor": make_user(Role.STREET_SUPERVISOR, area_tree["east"], username="east_sup"),
        "county_lead": make_user(Role.MEDIATOR, area_tree["district"], username="county_mediator", full_name="冯县调"),
    }


def _escalated(register, people, state, *, to_county=False):
    case = register()
    supervisor = people["supervisor"]
    services.case_assign(case=case, mediator=people["kept_co"], actor=supervisor)
    services.case_assign(case=case, mediator=people["former_co"], actor=supervisor)
    services.case_escalate(
        case=case, actor=people["former_lead"], tried="上门调解两次", assessment="需街道协调", keep=[people["kept_co"]]
    )
    case.refresh_from_db()
    services.case_assign(case=case, mediator=people["new_lead"], actor=supervisor, lead=True)
    lead = people["new_lead"]
    if to_county:
        services.case_escalate(case=case, actor=lead, tried="街道调解一次", assessment="涉及面广，需县里协调")
        case.refresh_from_db()
        services.case_assign(case=case, mediator=people["county_lead"], actor=people["district_supervisor"], lead=True)
        lead = people["county_lead"]
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


@pytest.mark.parametrize("who", list(ESCALATED_EXPECTED))
def test_after_escalation_the_lower_tier_reads_but_only_the_kept_act(who, escalated_people, register, api_as):
    people = escalated_people
    client = api_as(people[who])
    listed_case = _escalated(register, people, "registered")
    listed = client.get("/api/v1/mediation/cases/").json()["results"]
    answers = {"list": "ok" if listed_case.pk in [row["id"] for row in listed] else "absent"}
    for action, (state, method, suffix, payload) in ESCALATED_CALLS.items():
        target = _escalated(register, people, state)
        url = f"/api/v1/mediation/cases/{target.pk}/{suffix}"
        response = (
            getattr(client, method)(url, _payload(payload, people, target), format="json")
            if method == "post"
            else client.get(url)
        )
        answers[action] = _answer(response)
        if answers[action] == "403":
            expected_code = "handed_over" if who in HANDED_OVER else None
            code = response.json()["code"]
            assert code == expected_code if expected_code else code in {"not_case_mediator", "not_supervisor",
                                                                        "not_lead_mediator"}  # fmt: skip
    assert answers == ESCALATED_EXPECTED[who]


def test_the_handed_over_mediator_reads_the_notes_of_their_own_sessions_only(escalated_people, register, api_as):
    people = escalated_people
    case = register()
    services.case_accept(case=case, actor=people["former_lead"])
    before = services.session_schedule(
        case=case, actor=people["former_lead"], scheduled_at=timezone.now() + timedelta(hours=2), place="村调解室"
    )
    services.session_hold(
        session=before, actor=people["former_lead"], outcome="分歧较大",
        notes=[{"channel": "applicant", "text": "申请人底线：赔偿600元"}],
    )  # fmt: skip
    services.case_escalate(case=case, actor=people["former_lead"], tried="调解一次", assessment="需街道协调")
    case.refresh_from_db()
    services.case_assign(case=case, mediator=people["new_lead"], actor=people["supervisor"], lead=True)
    after = services.session_schedule(
        case=case, actor=people["new_lead"], scheduled_at=timezone.now() + timedelta(hours=3), place="街道调解中心"
    )
    services.session_hold(
        session=after, actor=people["new_lead"], outcome="达成一致",
        notes=[{"channel": "respondent", "text": "被申请人愿意赔偿700元"}],
    )  # fmt: skip

    def notes(who):
        rows = api_as(people[who]).get(f"/api/v1/mediation/cases/{case.pk}/sessions/").json()
        return [[note["text"] for note in row["notes"]] for row in rows]

    assert notes("new_lead") == [["申请人底线：赔偿600元"], ["被申请人愿意赔偿700元"]]
    assert notes("former_lead") == [["申请人底线：赔偿600元"], []]
    assert notes("supervisor") == [[], []]  # the channel notes are the mediators' alone
    page = Client()
    page.force_login(people["former_lead"])
    html = page.get(reverse("mediation:case_detail", args=[case.pk])).content.decode()
    assert "申请人底线：赔偿600元" in html
    assert "被申请人愿意赔偿700元" not in html
    assert "本案已移交上一级调解中心：您仍可查看案件和下载协议书，但不能再办理。" in html


def test_the_receiving_centre_keeps_a_handed_over_mediator_on_by_assigning_them_again(escalated_people, register):
    people = escalated_people
    case = _escalated(register, people, "accepted")
    assert not policies.case_can(user=people["former_lead"], action="start", case=case)
    services.case_assign(case=case, mediator=people["former_lead"], actor=people["supervisor"])
    assert policies.case_can(user=people["former_lead"], action="start", case=case)
    assert not policies.case_can(user=people["former_lead"], action="escalate", case=case)  # a co-mediator now


def test_handed_over_mediators_get_no_reminders_and_carry_no_load(escalated_people, register):
    from mediation.selectors import acting_mediators, mediators_for, my_follow_ups_due

    people = escalated_people
    case = _escalated(register, people, "agreed")
    assert set(acting_mediators(case_id=case.pk)) == {people["kept_co"], people["new_lead"]}
    assert list(my_follow_ups_due(user=people["former_lead"], days=40)) == []
    assert len(my_follow_ups_due(user=people["new_lead"], days=40)) == 2
    load = {u.username: u.load for u in mediators_for(case=case)}
    assert load["village_mediator"] == 0
    assert load["co_mediator"] == 0  # the case is agreed: not open


def test_only_the_case_mediators_can_be_kept_at_the_hand_over(escalated_people, register):
    from django.core.exceptions import ValidationError

    people = escalated_people
    case = register()
    with pytest.raises(ValidationError):
        services.case_escalate(
            case=case, actor=people["former_lead"], tried="x", assessment="y", keep=[people["spare"]]
        )
    case.refresh_from_db()
    assert case.tier == "village"


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


def test_a_supervisor_who_hands_a_case_above_their_reach_keeps_reading_it(escalated_people, register, api_as):
    people = escalated_people
    case = _escalated(register, people, "registered")
    client = api_as(people["supervisor"])
    response = client.post(
        f"/api/v1/mediation/cases/{case.pk}/escalate/", {"tried": "街道调解", "assessment": "重大"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["tier"], response.json()["number"]) == ("county", case.number)
    assert client.get(f"/api/v1/mediation/cases/{case.pk}/").status_code == 200  # now the county's: read-only
    again = client.post(f"/api/v1/mediation/cases/{case.pk}/accept/", {}, format="json")
    assert (again.status_code, again.json()["code"]) == (403, "handed_over")
    page = Client()
    page.force_login(people["supervisor"])
    other = _escalated(register, people, "registered")
    moved = page.post(
        reverse("mediation:case_move", args=[other.pk, "escalate"]),
        {"escalate-tried": "街道调解", "escalate-assessment": "重大"},
    )
    assert moved.status_code == 302
    assert moved["Location"] == reverse("mediation:case_detail", args=[other.pk])


# --- Handed up to the county ------------------------------------------------------------------
#
# The same case escalated once more, by the township lead (``new_lead``), to the county centre,
# where the district supervisor made a county mediator the lead (``county_lead``). Now the street
# supervisor (``supervisor``) is the supervisor of a handing-over centre: they read the case as the
# lower tier's mediators do and act on nothing. There is no tier above the county: escalating is
# allowed by the policy and refused by the service (409 ``top_tier``).

COUNTY_TEAM = {**TEAM, "escalate": "409"}
COUNTY_EXPECTED = {
    "supervisor": READ_ONLY,
    "community_supervisor": READ_ONLY,
    "new_lead": READ_ONLY,
    "former_lead": READ_ONLY,
    "county_lead": COUNTY_TEAM,
    "district_supervisor": {**SUPERVISOR, "escalate": "409"},
    "west_supervisor": NOBODY,
    "west_mediator": NOBODY,
    "east_staff": NOBODY,
}
COUNTY_HANDED_OVER = {"supervisor", "community_supervisor", "new_lead", "former_lead"}


@pytest.mark.parametrize("who", list(COUNTY_EXPECTED))
def test_handed_up_to_the_county_the_street_supervisor_reads_and_acts_on_nothing(who, escalated_people, register,
                                                                                 api_as):  # fmt: skip
    people = escalated_people
    client = api_as(people[who])
    listed_case = _escalated(register, people, "registered", to_county=True)
    listed = client.get("/api/v1/mediation/cases/").json()["results"]
    answers = {"list": "ok" if listed_case.pk in [row["id"] for row in listed] else "absent"}
    for action, (state, method, suffix, payload) in ESCALATED_CALLS.items():
        target = _escalated(register, people, state, to_county=True)
        url = f"/api/v1/mediation/cases/{target.pk}/{suffix}"
        response = (
            getattr(client, method)(url, _payload(payload, people, target), format="json")
            if method == "post"
            else client.get(url)
        )
        answers[action] = _answer(response)
        if answers[action] == "403":
            code = response.json()["code"]
            if who in COUNTY_HANDED_OVER:
                assert code == "handed_over"
            else:
                assert code in {"not_case_mediator", "not_supervisor", "not_lead_mediator"}
        if answers[action] == "409":
            assert response.json()["code"] == "top_tier"
    assert answers == COUNTY_EXPECTED[who]


@pytest.mark.parametrize("who", list(COUNTY_EXPECTED))
def test_handed_up_to_the_county_the_pages_agree_with_the_table(who, escalated_people, register):
    """The case list page, the case page and a page action say what the API says (404/200/403)."""
    people = escalated_people
    case = _escalated(register, people, "registered", to_county=True)
    client = Client()
    client.force_login(people[who])
    listed = case.number in client.get(reverse("mediation:cases")).content.decode()
    assert ("ok" if listed else "absent") == COUNTY_EXPECTED[who]["list"]
    page = client.get(reverse("mediation:case_detail", args=[case.pk]))
    assert _answer(page) == COUNTY_EXPECTED[who]["detail"]
    if who in COUNTY_HANDED_OVER:
        assert "本案已移交上一级调解中心：您仍可查看案件和下载协议书，但不能再办理。" in page.content.decode()
    accept = client.post(reverse("mediation:case_move", args=[case.pk, "accept"]))
    assert {302: "ok", 403: "403", 404: "404"}[accept.status_code] == COUNTY_EXPECTED[who]["accept"]
    allowed = policies.case_actions_allowed(user=people[who], case=case)
    assert ("accept" in allowed) == (COUNTY_EXPECTED[who]["accept"] == "ok")


def test_the_street_supervisor_reads_the_handed_up_case_but_not_its_channel_notes(escalated_people, register, api_as):
    people = escalated_people
    case = _escalated(register, people, "accepted", to_county=True)
    session = services.session_schedule(
        case=case, actor=people["county_lead"], scheduled_at=timezone.now() + timedelta(hours=2), place="县调解中心"
    )
    services.session_hold(
        session=session, actor=people["county_lead"], outcome="继续协商",
        notes=[{"channel": "joint", "text": "双方同意实地勘界"}],
    )  # fmt: skip
    rows = api_as(people["supervisor"]).get(f"/api/v1/mediation/cases/{case.pk}/sessions/").json()
    assert [row["notes"] for row in rows] == [[]]


def test_a_handed_over_supervisor_is_not_counted_the_case_in_their_figures(escalated_people, register):
    people = escalated_people
    _escalated(register, people, "registered", to_county=True)
    street = dict(stats.status_by_tier(user=people["supervisor"]))
    district = dict(stats.status_by_tier(user=people["district_supervisor"]))
    assert street["county"]["registered"] == 0
    assert district["county"]["registered"] == 1
