"""Fixtures of the consultation tests: a community party committee, a property company, a meeting
in 东升花园 with a resident representative, an owners' committee member and the company's head."""

from datetime import timedelta

import pytest
from django.utils import timezone

from governance import services as core
from governance.consultation import services
from governance.consultation.models import Group
from governance.models import Department, PartyOrganization, Role


@pytest.fixture
def secretary(make_user, area_tree):
    return make_user(Role.RESIDENT, area_tree["east_compound"], username="secretary", full_name="赵书记")


@pytest.fixture
def committee(area_tree, secretary) -> PartyOrganization:
    return core.party_organization_create(
        name="东升社区党委", level=PartyOrganization.Level.COMMITTEE, area=area_tree["east"], secretary=secretary
    )


@pytest.fixture
def property_company(area_tree) -> Department:
    return core.department_create(
        name="红心物业", code="HXWY", kind=Department.Kind.PROPERTY, area=area_tree["east_compound"]
    )


@pytest.fixture
def property_head(make_user, property_company):
    return make_user(Role.DEPARTMENT_HANDLER, department=property_company, username="wuye", full_name="钱经理")


@pytest.fixture
def rep(make_user, area_tree):
    return make_user(Role.RESIDENT, area_tree["east_building"], username="rep", full_name="孙代表")


@pytest.fixture
def rep2(make_user, area_tree):
    return make_user(Role.RESIDENT, area_tree["east_building"], username="rep2", full_name="周代表")


@pytest.fixture
def owner_member(make_user, area_tree):
    return make_user(Role.RESIDENT, area_tree["east_compound"], username="yeweihui", full_name="吴委员")


@pytest.fixture
def west_resident(make_user, area_tree):
    return make_user(Role.RESIDENT, area_tree["west_compound"], username="west_resident")


@pytest.fixture
def starts_at():
    return timezone.now() + timedelta(days=3)


@pytest.fixture
def meeting(east_staff, committee, area_tree, starts_at):
    return services.meeting_create(
        actor=east_staff,
        title="三月红色议事厅",
        organization=committee,
        area=area_tree["east_compound"],
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        place="东升花园党群服务站",
    )


@pytest.fixture
def invited(meeting, east_staff, rep, rep2, owner_member, property_head):
    """rep and rep2 (residents' representatives), the owners' committee member, the property head."""
    return {
        "rep": services.participant_add(actor=east_staff, meeting=meeting, user=rep, group=Group.RESIDENT_REP),
        "rep2": services.participant_add(actor=east_staff, meeting=meeting, user=rep2, group=Group.RESIDENT_REP),
        "owner": services.participant_add(
            actor=east_staff, meeting=meeting, user=owner_member, group=Group.OWNERS_COMMITTEE
        ),
        "property": services.participant_add(
            actor=east_staff, meeting=meeting, user=property_head, group=Group.PROPERTY
        ),
    }


@pytest.fixture
def in_session(meeting, invited, east_staff):
    services.meeting_open(actor=east_staff, meeting=meeting)
    return meeting


@pytest.fixture
def quorate(in_session, invited, east_staff):
    """rep, the owners' committee member and the property head signed in (3 present)."""
    for key in ("rep", "owner", "property"):
        services.participant_sign_in_by_staff(actor=east_staff, participant=invited[key])
    return in_session


def confirm_and_publish(*, meeting, actor, text: str = "纪要") -> None:
    """Save, send, have every attendee confirm, publish: the whole minutes path, for tests about what follows."""
    services.meeting_minutes_save(actor=actor, meeting=meeting, text=text)
    services.meeting_minutes_send(actor=actor, meeting=meeting)
    for participant in meeting.participants.select_related("user").filter(signed_in_at__isnull=False):
        services.meeting_minutes_reply(user=participant.user, meeting=meeting)
    services.meeting_minutes_publish(actor=actor, meeting=meeting)
