"""Nested agenda: items and sub-items numbered 1, 1.1, 1.2, 2 …, the topic linked, reordering that
keeps every sibling list 1, 2, 3 … and refuses a move made on an agenda that changed meanwhile."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from governance.consultation import services
from governance.consultation.models import AgendaItem, Meeting, TimelineEntry
from governance.consultation.selectors import agenda_outline
from governance.exceptions import Conflict, StaleState

pytestmark = pytest.mark.django_db


def outline(meeting):
    return [(item.number, item.title) for item in agenda_outline(meeting=meeting)]


@pytest.fixture
def agenda(meeting, east_staff):
    """1 停车管理 (1.1 划线, 1.2 夜间巡查), 2 加装电梯, 3 经费方案."""
    parking = services.agenda_item_add(actor=east_staff, meeting=meeting, title="停车管理")
    lines = services.agenda_item_add(actor=east_staff, meeting=meeting, title="划线", parent=parking)
    patrol = services.agenda_item_add(actor=east_staff, meeting=meeting, title="夜间巡查", parent=parking)
    lift = services.agenda_item_add(actor=east_staff, meeting=meeting, title="加装电梯")
    fees = services.agenda_item_add(actor=east_staff, meeting=meeting, title="经费方案")
    return {"parking": parking, "lines": lines, "patrol": patrol, "lift": lift, "fees": fees}


def test_items_and_sub_items_are_numbered_in_reading_order(meeting, agenda):
    assert outline(meeting) == [
        ("1", "停车管理"),
        ("1.1", "划线"),
        ("1.2", "夜间巡查"),
        ("2", "加装电梯"),
        ("3", "经费方案"),
    ]
    assert [i.depth for i in agenda_outline(meeting=meeting)] == [0, 1, 1, 0, 0]
    assert list(TimelineEntry.objects.filter(meeting=meeting, kind="agenda").values_list("note", flat=True)) == [
        "1 停车管理",
        "1.1 划线",
        "1.2 夜间巡查",
        "2 加装电梯",
        "3 经费方案",
    ]


def test_a_sub_item_links_its_topic(meeting, east_staff, agenda, rep, area_tree):
    topic = services.suggestion_create(author=rep, area=area_tree["east_compound"], title="电动车充电桩")
    item = services.agenda_item_add(
        actor=east_staff, meeting=meeting, title="", suggestion=topic, parent=agenda["parking"]
    )
    topic.refresh_from_db()
    assert (item.title, item.suggestion, topic.status) == ("电动车充电桩", topic, "on_agenda")
    assert ("1.3", "电动车充电桩") in outline(meeting)


def test_sub_items_cannot_have_sub_items(meeting, east_staff, agenda):
    with pytest.raises(ValidationError):
        services.agenda_item_add(actor=east_staff, meeting=meeting, title="三级", parent=agenda["lines"])
    assert AgendaItem.objects.filter(meeting=meeting).count() == 5


def test_a_parent_from_another_meeting_is_refused(meeting, east_staff, agenda, committee, area_tree, starts_at):
    other = services.meeting_create(
        actor=east_staff,
        title="另一场",
        organization=committee,
        area=area_tree["east_compound"],
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        place="站",
    )
    with pytest.raises(ValidationError):
        services.agenda_item_add(actor=east_staff, meeting=other, title="子项", parent=agenda["parking"])
    assert not AgendaItem.objects.filter(meeting=other).exists()


def test_moving_an_item_up_renumbers_its_siblings(meeting, east_staff, agenda):
    services.agenda_item_move(actor=east_staff, item=agenda["fees"], position=1)
    assert outline(meeting) == [
        ("1", "经费方案"),
        ("2", "停车管理"),
        ("2.1", "划线"),
        ("2.2", "夜间巡查"),
        ("3", "加装电梯"),
    ]
    entry = TimelineEntry.objects.filter(meeting=meeting, kind="agenda_move").get()
    assert entry.note == "经费方案：3 → 1"


def test_moving_a_sub_item_to_the_top_level_closes_the_gap_it_leaves(meeting, east_staff, agenda):
    services.agenda_item_move(actor=east_staff, item=agenda["lines"], position=2)
    assert outline(meeting) == [
        ("1", "停车管理"),
        ("1.1", "夜间巡查"),
        ("2", "划线"),
        ("3", "加装电梯"),
        ("4", "经费方案"),
    ]


def test_moving_an_item_under_another_makes_it_a_sub_item(meeting, east_staff, agenda):
    services.agenda_item_move(actor=east_staff, item=agenda["fees"], position=1, parent=agenda["lift"])
    assert outline(meeting) == [
        ("1", "停车管理"),
        ("1.1", "划线"),
        ("1.2", "夜间巡查"),
        ("2", "加装电梯"),
        ("2.1", "经费方案"),
    ]


def test_a_position_past_the_end_puts_the_item_last(meeting, east_staff, agenda):
    services.agenda_item_move(actor=east_staff, item=agenda["parking"], position=99)
    assert [n for n, _t in outline(meeting)] == ["1", "2", "3", "3.1", "3.2"]
    assert outline(meeting)[2] == ("3", "停车管理")


@pytest.mark.parametrize("bad", ["self", "has_children", "grandchild", "zero"])
def test_bad_moves_are_refused_and_nothing_changes(meeting, east_staff, agenda, bad):
    before = outline(meeting)
    version = Meeting.objects.get(pk=meeting.pk).agenda_version
    kwargs = {
        "self": {"item": agenda["lift"], "parent": agenda["lift"], "position": 1},
        "has_children": {"item": agenda["parking"], "parent": agenda["lift"], "position": 1},
        "grandchild": {"item": agenda["fees"], "parent": agenda["lines"], "position": 1},
        "zero": {"item": agenda["fees"], "position": 0},
    }[bad]
    with pytest.raises(ValidationError):
        services.agenda_item_move(actor=east_staff, **kwargs)
    assert outline(meeting) == before
    assert Meeting.objects.get(pk=meeting.pk).agenda_version == version


def test_a_move_made_on_an_agenda_that_changed_meanwhile_is_refused(meeting, east_staff, agenda):
    shown = Meeting.objects.get(pk=meeting.pk).agenda_version  # both staff have the page open
    services.agenda_item_move(actor=east_staff, item=agenda["fees"], position=1, agenda_version=shown)
    after_first = outline(meeting)
    with pytest.raises(StaleState) as caught:
        services.agenda_item_move(actor=east_staff, item=agenda["lift"], position=1, agenda_version=shown)
    assert caught.value.detail == "议程刚被其他人调整过，请刷新后再操作。"
    assert outline(meeting) == after_first


def test_two_moves_from_stale_copies_without_a_version_both_apply_in_turn(meeting, east_staff, agenda):
    stale_fees = AgendaItem.objects.get(pk=agenda["fees"].pk)
    stale_lift = AgendaItem.objects.get(pk=agenda["lift"].pk)
    services.agenda_item_move(actor=east_staff, item=stale_fees, position=1)
    services.agenda_item_move(actor=east_staff, item=stale_lift, position=1)
    assert [t for n, t in outline(meeting) if "." not in n] == ["加装电梯", "经费方案", "停车管理"]
    tops = list(
        AgendaItem.objects.filter(meeting=meeting, parent=None).order_by("order").values_list("order", flat=True)
    )
    assert tops == [1, 2, 3]


def test_the_database_refuses_two_items_in_one_place(meeting, agenda):
    with pytest.raises(IntegrityError), transaction.atomic():
        AgendaItem.objects.create(meeting=meeting, title="重号", order=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        AgendaItem.objects.create(meeting=meeting, parent=agenda["parking"], title="重号", order=1)


def test_the_agenda_of_a_concluded_meeting_cannot_be_reordered(quorate, east_staff):
    first = services.agenda_item_add(actor=east_staff, meeting=quorate, title="一")
    services.agenda_item_add(actor=east_staff, meeting=quorate, title="二")
    services.meeting_conclude(actor=east_staff, meeting=quorate)
    with pytest.raises(Conflict):
        services.agenda_item_move(actor=east_staff, item=first, position=2)
    assert outline(quorate) == [("1", "一"), ("2", "二")]


# --- Doors: the API and the meeting page ---------------------------------------------------------


def test_api_adds_a_sub_item_and_moves_it_returning_the_numbered_agenda(meeting, east_staff, agenda, api_as):
    api = api_as(east_staff)
    created = api.post(
        f"/api/v1/consultation/meetings/{meeting.pk}/agenda-items/",
        {"title": "错峰停车", "parent": agenda["parking"].pk},
        format="json",
    )
    assert created.status_code == 201
    assert (created.json()["number"], created.json()["parent"]) == ("1.3", agenda["parking"].pk)
    version = api.get(f"/api/v1/consultation/meetings/{meeting.pk}/").json()["agenda_version"]
    moved = api.post(
        f"/api/v1/consultation/agenda-items/{created.json()['id']}/move/",
        {"position": 1, "parent": agenda["parking"].pk, "agenda_version": version},
        format="json",
    )
    assert moved.status_code == 200
    assert [(row["number"], row["title"]) for row in moved.json()][:4] == [
        ("1", "停车管理"),
        ("1.1", "错峰停车"),
        ("1.2", "划线"),
        ("1.3", "夜间巡查"),
    ]
    again = api.post(
        f"/api/v1/consultation/agenda-items/{agenda['lift'].pk}/move/",
        {"position": 1, "agenda_version": version},
        format="json",
    )
    assert again.status_code == 409
    assert again.json()["code"] == "stale_state"
    listed = api.get(f"/api/v1/consultation/meetings/{meeting.pk}/agenda-items/").json()
    assert [row["number"] for row in listed] == ["1", "1.1", "1.2", "1.3", "2", "3"]


def test_api_move_by_an_invitee_is_403_and_changes_nothing(meeting, invited, rep, agenda, api_as):
    response = api_as(rep).post(
        f"/api/v1/consultation/agenda-items/{agenda['fees'].pk}/move/", {"position": 1}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "not_convener"
    assert outline(meeting)[0] == ("1", "停车管理")


def test_api_move_from_another_compound_is_404(meeting, agenda, make_user, area_tree, api_as):
    from governance.models import Role

    west_staff = make_user(Role.COMMUNITY_STAFF, area_tree["west"], username="west_staff")
    response = api_as(west_staff).post(
        f"/api/v1/consultation/agenda-items/{agenda['fees'].pk}/move/", {"position": 1}, format="json"
    )
    assert response.status_code == 404


def test_page_shows_numbers_and_its_buttons_move_items(meeting, east_staff, agenda):
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(east_staff)
    url = reverse("consultation:meeting_detail", args=[meeting.pk])
    page = client.get(url).content.decode()
    assert re.findall(r'data-number="([\d.]+)"', page) == ["1", "1.1", "1.2", "2", "3"]
    version = Meeting.objects.get(pk=meeting.pk).agenda_version
    response = client.post(
        reverse("consultation:item_move", args=[agenda["lift"].pk]),
        {"position": 1, "parent": "", "agenda_version": version},
    )
    assert response.status_code == 302
    assert outline(meeting)[0] == ("1", "加装电梯")
    stale = client.post(
        reverse("consultation:item_move", args=[agenda["fees"].pk]),
        {"position": 1, "parent": "", "agenda_version": version},
        follow=True,
    )
    assert "议程刚被其他人调整过，请刷新后再操作。" in stale.content.decode()
    assert outline(meeting)[0] == ("1", "加装电梯")
