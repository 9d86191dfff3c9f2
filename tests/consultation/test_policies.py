"""The role × action matrix of the 红色议事厅, written down as literal data; the policy, the API
and the page must each give the answer in the table (``ok`` / ``403`` / ``404``)."""

import pytest
from django.test import Client
from django.urls import reverse

from governance.consultation import policies, selectors
from governance.models import Role

pytestmark = pytest.mark.django_db

ACTIONS = [
    "open",
    "invite",
    "add_item",
    "arrange_agenda",
    "vote",
    "sign_in_other",
    "show_sign_in_qr",
    "write_minutes",
    "send_minutes",
    "publish_minutes",
    "sign_in",
    "confirm_minutes",
    "read_minutes",
]
RUNNER = dict.fromkeys(ACTIONS, "ok") | {"sign_in": "403", "confirm_minutes": "403"}
INVITEE = dict.fromkeys(ACTIONS, "403") | {"sign_in": "ok", "read_minutes": "ok"}

# confirm_minutes is for attendees (signed in); nobody has signed in to this planned meeting yet.
# The meeting is convened by 东升社区党委 (secretary 赵书记) for 东升花园; rep and the property
# head are invited. The minutes are not published, so a neighbour who is not invited may not read them.
EXPECTED = {
    "east_staff": RUNNER,
    "supervisor": RUNNER,
    "secretary": RUNNER,
    "admin": RUNNER,
    "rep": INVITEE,
    "property_head": INVITEE,
    "neighbour": dict.fromkeys(ACTIONS, "403"),
    "west_staff": dict.fromkeys(ACTIONS, "404"),
    "west_resident": dict.fromkeys(ACTIONS, "404"),
    "grid_worker": dict.fromkeys(ACTIONS, "403"),
}  # fmt: skip


@pytest.fixture
def people(
    east_staff, street_supervisor, secretary, rep, property_head, make_user, area_tree, west_resident, grid_worker
):
    return {
        "east_staff": east_staff,
        "supervisor": street_supervisor,
        "secretary": secretary,
        "admin": make_user(username="admin", is_superuser=True, is_staff=True),
        "rep": rep,
        "property_head": property_head,
        "neighbour": make_user(Role.RESIDENT, area_tree["east_building"], username="neighbour"),
        "west_staff": make_user(Role.COMMUNITY_STAFF, area_tree["west"], username="west_staff"),
        "west_resident": west_resident,
        "grid_worker": grid_worker,
    }


@pytest.fixture
def invited_two(meeting, east_staff, rep, property_head):
    from governance.consultation import services
    from governance.consultation.models import Group

    services.participant_add(actor=east_staff, meeting=meeting, user=rep, group=Group.RESIDENT_REP)
    services.participant_add(actor=east_staff, meeting=meeting, user=property_head, group=Group.PROPERTY)
    return meeting


def _policy_answer(user, action, meeting) -> str:
    if not selectors.visible_meetings(user=user).filter(pk=meeting.pk).exists():
        return "404"
    return "ok" if policies.meeting_can(user=user, action=action, meeting=meeting) else "403"


@pytest.mark.parametrize("who", list(EXPECTED))
def test_policy_matrix(who, people, invited_two):
    user = people[who]
    got = {action: _policy_answer(user, action, invited_two) for action in ACTIONS}
    assert got == EXPECTED[who]


@pytest.mark.parametrize("who", list(EXPECTED))
def test_api_and_page_give_the_matrix_answer_for_open(who, people, invited_two, api_as):
    from governance.consultation.models import Meeting

    user = people[who]
    response = api_as(user).post(f"/api/v1/consultation/meetings/{invited_two.pk}/open/")
    expected = {"ok": 200, "403": 403, "404": 404}[EXPECTED[who]["open"]]
    assert response.status_code == expected
    if expected == 403:
        assert response.json()["code"] == "not_convener"
        assert Meeting.objects.get(pk=invited_two.pk).status == "planned"
    if expected == 200:
        assert response.json()["status"] == "in_session"
        assert len(response.json()["sign_in_code"]) == 6
        Meeting.objects.filter(pk=invited_two.pk).update(status="planned")  # back, for the page door
    client = Client()
    client.force_login(user)
    page = client.post(reverse("consultation:meeting_action", args=[invited_two.pk, "open"]))
    assert page.status_code == {"ok": 302, "403": 403, "404": 404}[EXPECTED[who]["open"]]


@pytest.mark.parametrize(
    ("who", "area", "expected"),
    [
        ("rep", "east_compound", "ok"),
        ("rep", "east", "ok"),
        ("rep", "west_compound", "403"),
        ("east_staff", "east_compound", "ok"),
        ("west_staff", "east_compound", "403"),
        ("property_head", "east_compound", "403"),
        ("grid_worker", "east_compound", "403"),
    ],
)
def test_who_may_propose_a_topic_where(who, area, expected, people, area_tree):
    decision = policies.suggestion_create_can(user=people[who], area=area_tree[area])
    assert ("ok" if decision else "403") == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [("east_staff", "ok"), ("secretary", "ok"), ("property_head", "ok"), ("rep", "403"), ("west_staff", "404")],
)
def test_who_may_update_a_resolutions_progress(who, expected, people, quorate, east_staff, property_company, api_as):
    from governance.consultation import services
    from governance.consultation.models import Resolution

    item = services.agenda_item_add(
        actor=east_staff, meeting=quorate, title="加装电梯", responsible_department=property_company
    )
    services.agenda_item_vote(actor=east_staff, item=item, votes_for=3, votes_against=0, abstentions=0)
    resolution = Resolution.objects.get(item=item)
    response = api_as(people[who]).post(
        f"/api/v1/consultation/resolutions/{resolution.pk}/progress/", {"percent": 40, "note": "施工"}, format="json"
    )
    assert response.status_code == {"ok": 200, "403": 403, "404": 404}[expected]
    resolution.refresh_from_db()
    assert resolution.progress == (40 if expected == "ok" else 0)
