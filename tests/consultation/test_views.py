"""The pages: same rules as the API, refusals shown as Chinese messages, nothing written."""

import pytest
from django.test import Client
from django.urls import reverse

from governance import services as core
from governance.consultation.models import AgendaItem, Suggestion

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_pages_render(east_staff, quorate):
    client = _client(east_staff)
    for url in (
        reverse("consultation:meetings"),
        reverse("consultation:meeting_new"),
        reverse("consultation:meeting_detail", args=[quorate.pk]),
        reverse("consultation:resolutions"),
        reverse("consultation:topics"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"<script>" not in response.content
        assert b"style=" not in response.content
    page = client.get(reverse("consultation:meeting_detail", args=[quorate.pk])).content.decode()
    assert quorate.sign_in_code in page
    assert "已达到法定到会人数" in page


def test_participant_signs_in_on_the_page(rep, in_session, invited):
    client = _client(rep)
    page = client.get(reverse("consultation:meeting_detail", args=[in_session.pk])).content.decode()
    assert in_session.sign_in_code not in page
    response = client.post(
        reverse("consultation:meeting_action", args=[in_session.pk, "sign-in"]),
        {"code": in_session.sign_in_code},
        follow=True,
    )
    assert "签到成功" in response.content.decode()
    invited["rep"].refresh_from_db()
    assert invited["rep"].signed_in_at is not None


def test_wrong_code_on_the_page_is_a_chinese_message(rep, in_session, invited):
    response = _client(rep).post(
        reverse("consultation:meeting_action", args=[in_session.pk, "sign-in"]), {"code": "ZZZZZ2"}, follow=True
    )
    assert "签到码不正确" in response.content.decode()
    invited["rep"].refresh_from_db()
    assert invited["rep"].signed_in_at is None


def test_tally_larger_than_attendance_on_the_page_writes_nothing(east_staff, quorate):
    item = AgendaItem.objects.create(meeting=quorate, title="规划停车位")
    response = _client(east_staff).post(
        reverse("consultation:item_vote", args=[item.pk]),
        {"votes_for": 9, "votes_against": 0, "abstentions": 0},
        follow=True,
    )
    assert "票数合计 9 超过到会人数 3" in response.content.decode()
    item.refresh_from_db()
    assert item.voted_at is None


def test_resident_proposes_a_topic(rep, area_tree):
    response = _client(rep).post(
        reverse("consultation:topics"),
        {"area": area_tree["east_compound"].pk, "title": "非机动车棚加装充电桩", "body": "电动车楼道充电不安全"},
        follow=True,
    )
    assert "议题已提交" in response.content.decode()
    assert Suggestion.objects.get().title == "非机动车棚加装充电桩"


def test_resident_cannot_open_the_new_meeting_form(rep):
    assert _client(rep).get(reverse("consultation:meeting_new")).status_code == 403


def test_home_card_shows_the_council(rep, meeting, invited):
    page = _client(rep).get(reverse("home")).content.decode()
    assert "红色议事厅" in page


def test_admin_pages_render_in_chinese_with_read_only_timelines(make_user, quorate):
    admin_user = make_user(username="root", is_superuser=True, is_staff=True)
    client = _client(admin_user)
    for model in (
        "meeting",
        "resolution",
        "suggestion",
        "timelineentry",
        "seat",
        "serviceitem",
        "feeplan",
        "councilrule",
    ):
        assert client.get(f"/admin/consultation/{model}/").status_code == 200, model
    page = client.get(f"/admin/consultation/meeting/{quorate.pk}/change/").content.decode()
    assert "议事流水" in page
    assert "签到" in page
    assert client.get("/admin/consultation/meeting/add/").status_code == 403


def test_admin_adds_a_seat_through_the_service_and_refuses_a_misfit(make_user, committee, rep):
    from governance.consultation.models import Seat
    from governance.models import AuditEntry

    client = _client(make_user(username="root", is_superuser=True, is_staff=True))
    url = "/admin/consultation/seat/add/"
    base = {"person": rep.pk, "body": "party", "organization": committee.pk, "started_on": "2026-01-01"}
    refused = client.post(url, {**base, "position": "director"})
    assert refused.status_code == 200
    assert "该职务不属于此类组织。" in refused.content.decode()
    assert Seat.objects.count() == 0
    added = client.post(url, {**base, "position": "party_member"})
    assert added.status_code == 302
    seat = Seat.objects.get()
    assert (seat.person, seat.position) == (rep, "party_member")
    assert AuditEntry.objects.filter(object_type="consultation.seat", object_id=str(seat.pk), action="create").exists()
    assert client.get(f"/admin/consultation/seat/{seat.pk}/change/").status_code == 200  # view only
    assert (
        client.post(f"/admin/consultation/seat/{seat.pk}/change/", {**base, "position": "secretary"}).status_code == 403
    )


def test_the_meeting_page_names_the_party_organisation_and_compound_in_english(east_staff, meeting, committee):
    core.party_organization_update(
        org=committee,
        name=committee.name,
        name_en="Dongsheng Community Party Committee",
        level=committee.level,
        area=committee.area,
        secretary=committee.secretary,
    )
    compound = meeting.area
    core.area_rename(area=compound, name=compound.name, name_en="Dongsheng Garden")
    client = _client(east_staff)
    client.cookies["portal_language"] = "en"
    page = client.get(reverse("consultation:meeting_detail", args=[meeting.pk])).content.decode()
    assert "Dongsheng Community Party Committee" in page
    assert "Dongsheng Garden" in page
    assert "东升社区党委" not in page
