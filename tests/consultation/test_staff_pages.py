"""Staff pages for the compound's seats (党组织, 业委会, 物业公司; 交叉任职 marked) and its 红色管家
volunteers by building: through the services and the compound policy; refusals write nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from governance.consultation import services
from governance.consultation.models import Seat, Volunteer
from governance.models import AuditEntry, Role

pytestmark = pytest.mark.django_db
COMPOUND = "HD-ZGC-DS-01"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def seated(committee, property_company, property_head, owner_member, area_tree, east_staff):
    """钱经理 is the company's manager and a member of the party committee (交叉任职); 吴委员 is
    the owners' committee director."""
    services.seat_assign(
        actor=east_staff, person=property_head, body="property", position="manager", department=property_company
    )
    services.seat_assign(
        actor=east_staff, person=property_head, body="party", position="committee_member", organization=committee
    )
    services.seat_assign(
        actor=east_staff,
        person=owner_member,
        body="owners_committee",
        position="director",
        compound=area_tree["east_compound"],
    )


def test_seats_page_lists_the_three_bodies_and_marks_cross_holding(seated, east_staff):
    page = _client(east_staff).get(reverse("consultation:compound_seats", args=[COMPOUND]))
    assert page.status_code == 200
    html = page.content.decode()
    cross = html[html.index('data-testid="cross-holders"') :].split("</ul>")[0]
    assert "钱经理" in cross
    assert "吴委员" not in cross
    assert "东升社区党委 委员" in cross
    assert "红心物业 项目经理" in cross
    for body in ("party", "owners_committee", "property"):
        assert f'data-testid="seats-{body}"' in html


def test_staff_seat_a_person_in_the_owners_committee(east_staff, rep, area_tree):
    response = _client(east_staff).post(
        reverse("consultation:compound_seats", args=[COMPOUND]),
        {"person": rep.pk, "body": "owners_committee", "position": "deputy_director", "started_on": "2026-03-01"},
    )
    assert response.status_code == 302
    seat = Seat.objects.get(person=rep)
    assert (seat.body, seat.position, seat.compound, str(seat.started_on)) == (
        "owners_committee",
        "deputy_director",
        area_tree["east_compound"],
        "2026-03-01",
    )
    assert AuditEntry.objects.filter(action="create", object_id=str(seat.pk)).exists()


def test_a_position_of_another_body_is_refused_in_chinese_and_nothing_written(east_staff, rep):
    response = _client(east_staff).post(
        reverse("consultation:compound_seats", args=[COMPOUND]),
        {"person": rep.pk, "body": "owners_committee", "position": "secretary"},
        follow=True,
    )
    assert "该职务不属于此类组织。" in response.content.decode()
    assert not Seat.objects.filter(person=rep).exists()


def test_a_party_seat_needs_its_organisation(east_staff, rep):
    response = _client(east_staff).post(
        reverse("consultation:compound_seats", args=[COMPOUND]),
        {"person": rep.pk, "body": "party", "position": "party_member"},
        follow=True,
    )
    assert "请指明所任职的党组织、小区业委会或物业公司。" in response.content.decode()
    assert not Seat.objects.filter(person=rep).exists()


def test_staff_end_a_seat(seated, east_staff, owner_member):
    seat = Seat.objects.get(person=owner_member)
    response = _client(east_staff).post(reverse("consultation:compound_seat_end", args=[COMPOUND, seat.pk]))
    assert response.status_code == 302
    seat.refresh_from_db()
    assert seat.ended_on is not None


@pytest.mark.parametrize(("who", "status"), [("rep", 403), ("west_staff", 404), ("property_head", 403)])
def test_who_may_not_manage_seats_or_volunteers(who, status, seated, rep, property_head, make_user, area_tree):
    user = {
        "rep": rep,
        "property_head": property_head,
        "west_staff": make_user(Role.COMMUNITY_STAFF, area_tree["west"], username="west_staff"),
    }[who]
    client = _client(user)
    seat = Seat.objects.first()
    for url in (
        reverse("consultation:compound_seats", args=[COMPOUND]),
        reverse("consultation:compound_volunteers", args=[COMPOUND]),
    ):
        assert client.get(url).status_code == status
    assert client.post(reverse("consultation:compound_seat_end", args=[COMPOUND, seat.pk])).status_code == status
    assert (
        client.post(
            reverse("consultation:compound_seats", args=[COMPOUND]),
            {"person": rep.pk, "body": "owners_committee", "position": "director"},
        ).status_code
        == status
    )
    assert Seat.objects.filter(ended_on__isnull=True).count() == 3
    assert not Seat.objects.filter(person=rep).exists()


def test_the_secretary_of_the_convening_committee_may_manage(seated, secretary):
    assert _client(secretary).get(reverse("consultation:compound_seats", args=[COMPOUND])).status_code == 200


def test_volunteers_are_assigned_to_buildings_and_taken_off_duty(east_staff, rep, area_tree):
    client = _client(east_staff)
    building = area_tree["east_building"]
    response = client.post(
        reverse("consultation:compound_volunteers", args=[COMPOUND]),
        {"person": rep.pk, "building": building.pk, "duties": "夜间巡查"},
    )
    assert response.status_code == 302
    volunteer = Volunteer.objects.get(person=rep)
    assert (volunteer.building, volunteer.duties, volunteer.is_active) == (building, "夜间巡查", True)
    page = client.get(reverse("consultation:compound_volunteers", args=[COMPOUND])).content.decode()
    assert f'data-testid="volunteers-{building.code}"' in page
    assert "孙代表" in page
    again = client.post(
        reverse("consultation:compound_volunteers", args=[COMPOUND]),
        {"person": rep.pk, "building": building.pk},
        follow=True,
    )
    assert "孙代表 已是该楼栋的红色管家。" in again.content.decode()
    assert Volunteer.objects.filter(person=rep).count() == 1
    client.post(reverse("consultation:compound_volunteer_end", args=[COMPOUND, volunteer.pk]))
    volunteer.refresh_from_db()
    assert volunteer.is_active is False
    assert AuditEntry.objects.filter(object_id=str(volunteer.pk), action="update").count() == 1


def test_volunteer_end_twice_changes_nothing_the_second_time(east_staff, rep, area_tree):
    volunteer = services.volunteer_assign(actor=east_staff, person=rep, building=area_tree["east_building"])
    services.volunteer_end(actor=east_staff, volunteer=volunteer)
    services.volunteer_end(actor=east_staff, volunteer=volunteer)
    assert AuditEntry.objects.filter(object_id=str(volunteer.pk), action="update").count() == 1


def test_a_volunteer_of_another_compound_is_404(east_staff, west_resident, area_tree, make_user):
    from governance import services as core

    west_building = core.area_create(
        name="西1号楼", code="HD-ZGC-XY-01-B1", level="building", parent=area_tree["west_compound"]
    )
    volunteer = services.volunteer_assign(actor=None, person=west_resident, building=west_building)
    response = _client(east_staff).post(reverse("consultation:compound_volunteer_end", args=[COMPOUND, volunteer.pk]))
    assert response.status_code == 404
    volunteer.refresh_from_db()
    assert volunteer.is_active is True


def test_the_compound_page_links_managers_to_both(seated, east_staff, rep):
    html = _client(east_staff).get(reverse("consultation:compound", args=[COMPOUND])).content.decode()
    assert 'data-testid="manage-seats"' in html
    assert 'data-testid="manage-volunteers"' in html
    resident = _client(rep).get(reverse("consultation:compound", args=[COMPOUND])).content.decode()
    assert 'data-testid="manage-seats"' not in resident


def test_the_admin_action_takes_volunteers_off_duty_through_the_service(rep, area_tree, make_user):
    admin_user = make_user(username="root", is_superuser=True, is_staff=True)
    volunteer = services.volunteer_assign(actor=None, person=rep, building=area_tree["east_building"])
    response = _client(admin_user).post(
        reverse("admin:consultation_volunteer_changelist"),
        {"action": "end_volunteers", "_selected_action": [volunteer.pk]},
    )
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.is_active is False
    assert AuditEntry.objects.filter(object_id=str(volunteer.pk), action="update", actor=admin_user).exists()
