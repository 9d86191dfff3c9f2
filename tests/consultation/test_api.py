"""The API contract under /api/v1/consultation/: a meeting run end to end, and bad input refused
with a clear Chinese error and nothing written."""

from datetime import timedelta

import pytest
from django.utils import timezone

from governance.consultation.models import AgendaItem, Meeting, Resolution, Suggestion

pytestmark = pytest.mark.django_db
BASE = "/api/v1/consultation"


def test_staff_run_a_meeting_through_the_api(api_as, east_staff, committee, area_tree, rep, rep2, property_head):
    api = api_as(east_staff)
    starts = timezone.now() + timedelta(days=2)
    created = api.post(
        f"{BASE}/meetings/",
        {
            "title": "四月红色议事厅",
            "area": area_tree["east_compound"].pk,
            "organization": committee.pk,
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "place": "党群服务站",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    for user, group in ((rep, "resident_rep"), (rep2, "resident_rep"), (property_head, "property")):
        assert api.post(f"{BASE}/meetings/{pk}/participants/", {"user": user.pk, "group": group}).status_code == 200
    item = api.post(f"{BASE}/meetings/{pk}/agenda-items/", {"title": "加装电梯", "is_major": True}, format="json")
    assert item.status_code == 201
    item_id = item.json()["id"]
    opened = api.post(f"{BASE}/meetings/{pk}/open/")
    code = opened.json()["sign_in_code"]
    assert len(code) == 6

    # Two participants sign in with the code on their own phones.
    assert api_as(rep).post(f"{BASE}/meetings/{pk}/sign-in/", {"code": code}).json()["signed_in"] is True
    assert api_as(property_head).post(f"{BASE}/meetings/{pk}/sign-in/", {"code": code}).status_code == 200
    # A participant does not see the code, nor the list of who else is invited.
    detail = api_as(rep).get(f"{BASE}/meetings/{pk}/").json()
    assert (detail["sign_in_code"], detail["participants"]) == (None, [])

    api = api_as(east_staff)
    detail = api.get(f"{BASE}/meetings/{pk}/").json()
    assert detail["attendance"] == {
        "property": {"invited": 1, "signed": 1},
        "resident_rep": {"invited": 2, "signed": 1},
    }
    assert detail["quorum"] == {"ok": True, "reasons": []}
    voted = api.post(f"{BASE}/agenda-items/{item_id}/vote/", {"votes_for": 2, "votes_against": 0, "abstentions": 0})
    assert voted.status_code == 200
    assert voted.json()["adopted"] is True
    assert api.post(f"{BASE}/meetings/{pk}/conclude/").json()["status"] == "concluded"
    assert api.post(f"{BASE}/meetings/{pk}/minutes/", {"text": "议定加装电梯。"}).status_code == 200
    assert api.post(f"{BASE}/meetings/{pk}/minutes/send/").status_code == 200
    early = api.post(f"{BASE}/meetings/{pk}/minutes/publish/")
    assert early.status_code == 409
    assert early.json()["code"] == "confirmation_open"
    assert api_as(rep).post(f"{BASE}/meetings/{pk}/minutes/confirm/", {}).json() == {
        "round": 1,
        "confirmed": True,
        "objection": "",
    }
    objection = api_as(property_head).post(f"{BASE}/meetings/{pk}/minutes/confirm/", {"objection": "期限写错了"})
    assert objection.json()["confirmed"] is False
    assert api_as(rep2).post(f"{BASE}/meetings/{pk}/minutes/confirm/", {}).json()["code"] == "not_attendee"
    api = api_as(east_staff)
    assert api.post(f"{BASE}/meetings/{pk}/minutes/publish/").json()["minutes_published"] is True

    resolutions = api_as(rep).get(f"{BASE}/resolutions/").json()["results"]
    assert [(r["title"], r["status"], r["progress"]) for r in resolutions] == [("加装电梯", "open", 0)]


def test_meeting_list_filters_by_status_and_area(api_as, east_staff, meeting, in_session):
    api = api_as(east_staff)
    assert [m["id"] for m in api.get(f"{BASE}/meetings/", {"status": "in_session"}).json()["results"]] == [meeting.pk]
    assert api.get(f"{BASE}/meetings/", {"status": "planned"}).json()["results"] == []
    assert [m["id"] for m in api.get(f"{BASE}/meetings/", {"area": "HD-ZGC-DS"}).json()["results"]] == [meeting.pk]
    assert api.get(f"{BASE}/meetings/", {"area": "HD-ZGC-XY"}).json()["results"] == []


def test_vote_without_quorum_is_409_no_quorum(api_as, east_staff, in_session, invited):
    item = AgendaItem.objects.create(meeting=in_session, title="规划停车位")
    response = api_as(east_staff).post(
        f"{BASE}/agenda-items/{item.pk}/vote/", {"votes_for": 0, "votes_against": 0, "abstentions": 0}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "no_quorum"
    assert "未达到法定到会人数" in response.json()["detail"]
    item.refresh_from_db()
    assert item.voted_at is None


def test_tally_larger_than_attendance_is_400_in_chinese(api_as, east_staff, quorate):
    item = AgendaItem.objects.create(meeting=quorate, title="规划停车位")
    response = api_as(east_staff).post(
        f"{BASE}/agenda-items/{item.pk}/vote/", {"votes_for": 5, "votes_against": 0, "abstentions": 0}
    )
    assert response.status_code == 400
    assert response.json() == {"code": "tally_exceeds_attendance", "detail": "票数合计 5 超过到会人数 3，请核对。"}
    assert Resolution.objects.count() == 0


def test_sign_in_with_a_wrong_code_is_400_in_chinese(api_as, in_session, invited, rep):
    response = api_as(rep).post(f"{BASE}/meetings/{in_session.pk}/sign-in/", {"code": "WRONG1"})
    assert response.status_code == 400
    assert response.json()["code"] == "wrong_code"
    assert response.json()["detail"] == "签到码不正确，请核对会场显示的6位签到码。"


def test_sign_in_before_the_meeting_opens_is_409_expired(api_as, meeting, invited, rep):
    response = api_as(rep).post(f"{BASE}/meetings/{meeting.pk}/sign-in/", {"code": "ABCDEF"})
    assert response.status_code == 409
    assert response.json()["code"] == "sign_in_closed"


def test_meeting_that_ends_before_it_starts_is_refused(api_as, east_staff, committee, area_tree):
    starts = timezone.now() + timedelta(days=2)
    response = api_as(east_staff).post(
        f"{BASE}/meetings/",
        {
            "title": "议事",
            "area": area_tree["east_compound"].pk,
            "organization": committee.pk,
            "starts_at": starts.isoformat(),
            "ends_at": (starts - timedelta(hours=1)).isoformat(),
            "place": "会议室",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"]["ends_at"] == ["结束时间须晚于开始时间。"]
    assert Meeting.objects.count() == 0


def test_resident_of_one_compound_cannot_see_anothers_topics_or_votes(
    api_as, rep, west_resident, area_tree, quorate, east_staff
):
    created = api_as(rep).post(f"{BASE}/topics/", {"area": area_tree["east_compound"].pk, "title": "楼道堆物清理"})
    assert created.status_code == 201
    item = AgendaItem.objects.create(meeting=quorate, title="规划停车位")
    west = api_as(west_resident)
    assert west.get(f"{BASE}/topics/").json()["results"] == []
    assert west.get(f"{BASE}/meetings/{quorate.pk}/").status_code == 404
    assert west.get(f"{BASE}/meetings/{quorate.pk}/agenda-items/").status_code == 404
    assert (
        west.post(
            f"{BASE}/agenda-items/{item.pk}/vote/", {"votes_for": 1, "votes_against": 0, "abstentions": 0}
        ).status_code
        == 404
    )
    refused = west.post(f"{BASE}/topics/", {"area": area_tree["east_compound"].pk, "title": "越界议题"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_your_area"
    assert list(Suggestion.objects.values_list("title", flat=True)) == ["楼道堆物清理"]


def test_party_organizations_are_scoped(api_as, committee, east_staff, west_resident):
    assert [o["name"] for o in api_as(east_staff).get(f"{BASE}/party-organizations/").json()["results"]] == [
        "东升社区党委"
    ]
    assert api_as(west_resident).get(f"{BASE}/party-organizations/").json()["results"] == []
