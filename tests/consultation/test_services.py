"""Consultation services: the two state machines as literal tables, sign-in, quorum, the two vote
rules, minutes, resolutions and their progress; every refusal leaves nothing written."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from governance.consultation import services
from governance.consultation.models import AgendaItem, CouncilRule, Group, Meeting, Resolution, TimelineEntry
from governance.consultation.selectors import quorum_for
from governance.exceptions import Conflict, DomainError, InvalidTransition
from governance.models import Notification
from tests.consultation.conftest import confirm_and_publish

pytestmark = pytest.mark.django_db
M = Meeting.Status
R = Resolution.Status


def test_meeting_transition_table_is_exactly_this():
    assert services.MEETING_FLOW.table() == {
        "planned": frozenset({"in_session", "cancelled"}),
        "in_session": frozenset({"concluded"}),
        "concluded": frozenset(),
        "cancelled": frozenset(),
    }
    assert services.MEETING_FLOW.writes("planned", "in_session") == frozenset({"sign_in_code", "opened_at"})
    assert services.MEETING_FLOW.writes("planned", "cancelled") == frozenset({"cancel_reason"})
    assert services.MEETING_FLOW.writes("in_session", "concluded") == frozenset(
        {"concluded_at", "sign_in_code", "minutes_nudge_at"}
    )


def test_resolution_transition_table_is_exactly_this():
    assert services.RESOLUTION_FLOW.table() == {
        "open": frozenset({"in_progress", "done"}),
        "in_progress": frozenset({"done"}),
        "done": frozenset(),
    }


def test_meeting_create_sets_reminder_24_hours_before(meeting, starts_at):
    assert meeting.status == "planned"
    assert meeting.remind_at == starts_at - timedelta(hours=24)
    assert list(meeting.timeline.values_list("kind", "to_status")) == [("transition", "planned")]


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("ends_at", {"ends_at_offset": -1}),
        ("area", {"area": "east_building"}),
        ("organization", {"area": "west_compound"}),
        ("place", {"place": ""}),
    ],
)
def test_meeting_create_refuses_bad_input(field, change, east_staff, committee, area_tree, starts_at):
    kwargs = {
        "actor": east_staff,
        "title": "议事",
        "organization": committee,
        "area": area_tree[change.get("area", "east_compound")],
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=change.get("ends_at_offset", 2)),
        "place": change.get("place", "会议室"),
    }
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(**kwargs)
    assert field in exc.value.message_dict
    assert Meeting.objects.count() == 0


def test_participant_invited_twice_is_refused(meeting, east_staff, rep, invited):
    with pytest.raises(Conflict) as exc:
        services.participant_add(actor=east_staff, meeting=meeting, user=rep, group=Group.OTHER)
    assert exc.value.code == "already_invited"
    assert meeting.participants.count() == 4


def test_invitation_lands_in_the_invitees_inbox(meeting, invited, rep):
    assert Notification.objects.filter(recipient=rep, idempotency_key=f"meeting:{meeting.pk}:invite").count() == 1


def test_open_issues_a_six_character_code_without_lookalikes(in_session):
    code = in_session.sign_in_code
    assert len(code) == 6
    assert not set(code) & set("01OIL")
    assert in_session.status == "in_session"


def test_sign_in_with_the_code_records_attendance_once(in_session, invited, rep):
    participant = services.meeting_sign_in(user=rep, meeting=in_session, code=in_session.sign_in_code.lower())
    first = participant.signed_in_at
    assert first is not None
    again = services.meeting_sign_in(user=rep, meeting=in_session, code=in_session.sign_in_code)
    assert again.signed_in_at == first
    assert in_session.timeline.filter(kind="sign_in").count() == 1


def test_sign_in_with_a_wrong_code_is_refused_and_nothing_written(in_session, invited, rep):
    wrong = "22222Z" if in_session.sign_in_code != "22222Z" else "33333Z"
    with pytest.raises(DomainError) as exc:
        services.meeting_sign_in(user=rep, meeting=in_session, code=wrong)
    assert exc.value.code == "wrong_code"
    assert "签到码不正确" in exc.value.detail
    invited["rep"].refresh_from_db()
    assert invited["rep"].signed_in_at is None


def test_sign_in_after_the_meeting_is_refused_as_expired(in_session, invited, rep, east_staff):
    code = in_session.sign_in_code
    services.meeting_conclude(actor=east_staff, meeting=in_session)
    with pytest.raises(Conflict) as exc:
        services.meeting_sign_in(user=rep, meeting=in_session, code=code)
    assert exc.value.code == "sign_in_closed"
    invited["rep"].refresh_from_db()
    assert invited["rep"].signed_in_at is None


def test_sign_in_by_someone_not_invited_is_refused(in_session, invited, west_resident):
    with pytest.raises(DomainError) as exc:
        services.meeting_sign_in(user=west_resident, meeting=in_session, code=in_session.sign_in_code)
    assert exc.value.code == "not_invited"


# --- Quorum per group -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signed", "percent", "property_required", "ok"),
    [
        ({"rep", "property"}, 50, True, True),  # 1 of 2 representatives = 50 %
        ({"rep"}, 50, True, False),  # nobody from the property company
        ({"rep"}, 50, False, True),  # the rule does not ask for the company
        ({"property", "owner"}, 50, True, False),  # no representative at all
        ({"rep", "property"}, 100, True, False),  # the rule wants every representative
        ({"rep", "rep2", "property"}, 100, True, True),
    ],
)
def test_quorum_is_checked_per_group(
    signed, percent, property_required, ok, in_session, invited, east_staff, area_tree
):
    CouncilRule.objects.create(
        area=area_tree["east_compound"], resident_rep_percent=percent, property_required=property_required
    )
    for key in signed:
        services.participant_sign_in_by_staff(actor=east_staff, participant=invited[key])
    assert quorum_for(meeting=in_session).ok is ok


def test_vote_without_quorum_is_409_and_nothing_written(in_session, invited, east_staff):
    item = services.agenda_item_add(actor=east_staff, meeting=in_session, title="规划停车位")
    services.participant_sign_in_by_staff(actor=east_staff, participant=invited["rep"])
    with pytest.raises(Conflict) as exc:
        services.agenda_item_vote(actor=east_staff, item=item, votes_for=1, votes_against=0, abstentions=0)
    assert exc.value.code == "no_quorum"
    assert "物业公司无人到会" in exc.value.detail
    item.refresh_from_db()
    assert (item.voted_at, item.votes_for, item.adopted) == (None, None, None)
    assert Resolution.objects.count() == 0


def test_tally_larger_than_attendance_is_refused(quorate, east_staff):
    item = services.agenda_item_add(actor=east_staff, meeting=quorate, title="规划停车位")
    with pytest.raises(DomainError) as exc:
        services.agenda_item_vote(actor=east_staff, item=item, votes_for=3, votes_against=1, abstentions=0)
    assert exc.value.code == "tally_exceeds_attendance"
    assert "超过到会人数 3" in exc.value.detail
    item.refresh_from_db()
    assert item.voted_at is None


@pytest.mark.parametrize(
    ("is_major", "votes_for", "against", "abstain", "adopted"),
    [
        (False, 2, 1, 0, True),  # 2 of 3 present: a simple majority
        (False, 1, 1, 1, False),  # 1 of 3: not a majority
        (False, 2, 0, 0, True),  # a majority of those present, one did not vote
        (True, 2, 1, 0, True),  # 2 of 3 = two thirds
        (True, 1, 0, 2, False),  # 1 of 3: not two thirds
    ],
)
def test_the_two_vote_rules(is_major, votes_for, against, abstain, adopted, quorate, east_staff, property_company):
    item = services.agenda_item_add(
        actor=east_staff,
        meeting=quorate,
        title="加装电梯",
        is_major=is_major,
        responsible_department=property_company,
    )
    services.agenda_item_vote(
        actor=east_staff, item=item, votes_for=votes_for, votes_against=against, abstentions=abstain
    )
    item.refresh_from_db()
    assert item.adopted is adopted
    assert item.present == 3
    assert Resolution.objects.filter(item=item).exists() is adopted


def test_two_thirds_rule_refuses_what_simple_majority_adopts(quorate, east_staff, invited):
    # 4 present would make 3 of 4 pass both rules; with 3 present 2 votes: check the boundary
    assert services.adopted_by_rule(votes_for=4, present=7, is_major=False) is True
    assert services.adopted_by_rule(votes_for=4, present=7, is_major=True) is False
    assert services.adopted_by_rule(votes_for=5, present=7, is_major=True) is True
    assert services.adopted_by_rule(votes_for=3, present=6, is_major=False) is False


def test_an_item_is_voted_once(quorate, east_staff):
    item = services.agenda_item_add(actor=east_staff, meeting=quorate, title="规划停车位")
    services.agenda_item_vote(actor=east_staff, item=item, votes_for=2, votes_against=1, abstentions=0)
    with pytest.raises(Conflict) as exc:
        services.agenda_item_vote(actor=east_staff, item=item, votes_for=0, votes_against=3, abstentions=0)
    assert exc.value.code == "already_voted"
    item.refresh_from_db()
    assert (item.votes_for, item.votes_against) == (2, 1)


def test_vote_outside_the_session_is_refused(meeting, invited, east_staff):
    item = services.agenda_item_add(actor=east_staff, meeting=meeting, title="规划停车位")
    with pytest.raises(Conflict) as exc:
        services.agenda_item_vote(actor=east_staff, item=item, votes_for=1, votes_against=0, abstentions=0)
    assert exc.value.code == "meeting_not_in_session"


def test_adopted_item_becomes_a_resolution_with_the_responsible_party(quorate, east_staff, property_company):
    due = timezone.localdate() + timedelta(days=14)
    item = services.agenda_item_add(
        actor=east_staff, meeting=quorate, title="加装电梯", responsible_department=property_company, due_date=due
    )
    services.agenda_item_vote(actor=east_staff, item=item, votes_for=3, votes_against=0, abstentions=0)
    resolution = Resolution.objects.get(item=item)
    assert (resolution.status, resolution.title, resolution.due_date) == ("open", "加装电梯", due)
    assert resolution.responsible_department == property_company
    assert list(resolution.timeline.values_list("kind", "to_status")) == [("transition", "open")]


def test_suggestion_on_the_agenda_is_marked(meeting, east_staff, rep, area_tree):
    topic = services.suggestion_create(author=rep, area=area_tree["east_compound"], title="楼道堆物清理")
    item = services.agenda_item_add(actor=east_staff, meeting=meeting, title="", suggestion=topic)
    topic.refresh_from_db()
    assert item.title == "楼道堆物清理"
    assert topic.status == "on_agenda"
    assert item.order == 1
    assert services.agenda_item_add(actor=east_staff, meeting=meeting, title="第二项").order == 2


# --- Moves, minutes ---------------------------------------------------------------------------


def test_a_concluded_meeting_cannot_be_cancelled(quorate, east_staff):
    services.meeting_conclude(actor=east_staff, meeting=quorate)
    with pytest.raises(InvalidTransition):
        services.meeting_cancel(actor=east_staff, meeting=quorate, reason="改期")
    quorate.refresh_from_db()
    assert quorate.status == "concluded"
    assert quorate.sign_in_code == ""


def test_cancel_needs_a_reason_and_tells_the_invitees(meeting, invited, east_staff, rep):
    with pytest.raises(ValidationError):
        services.meeting_cancel(actor=east_staff, meeting=meeting, reason="  ")
    services.meeting_cancel(actor=east_staff, meeting=meeting, reason="台风预警，改期召开")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancel_reason) == ("cancelled", "台风预警，改期召开")
    note = Notification.objects.get(recipient=rep, idempotency_key=f"meeting:{meeting.pk}:cancelled")
    assert "台风预警" in note.body


def test_minutes_are_published_only_after_the_meeting_and_then_frozen(quorate, east_staff, rep):
    services.meeting_minutes_save(actor=east_staff, meeting=quorate, text="会议议定：规划停车位。")
    with pytest.raises(Conflict) as exc:
        services.meeting_minutes_publish(actor=east_staff, meeting=quorate)
    assert exc.value.code == "meeting_not_concluded"
    services.meeting_conclude(actor=east_staff, meeting=quorate)
    with pytest.raises(Conflict) as exc:
        services.meeting_minutes_publish(actor=east_staff, meeting=quorate)
    assert exc.value.code == "minutes_not_sent"
    services.meeting_minutes_send(actor=east_staff, meeting=quorate)
    for participant in quorate.participants.filter(signed_in_at__isnull=False).select_related("user"):
        services.meeting_minutes_reply(user=participant.user, meeting=quorate)
    services.meeting_minutes_publish(actor=east_staff, meeting=quorate)
    quorate.refresh_from_db()
    assert quorate.minutes_published_at is not None
    assert Notification.objects.filter(recipient=rep, idempotency_key=f"meeting:{quorate.pk}:minutes").exists()
    with pytest.raises(Conflict) as exc:
        services.meeting_minutes_save(actor=east_staff, meeting=quorate, text="改写")
    assert exc.value.code == "minutes_published"
    quorate.refresh_from_db()
    assert quorate.minutes == "会议议定：规划停车位。"


def test_the_timeline_records_every_step_in_order(quorate, east_staff):
    item = services.agenda_item_add(actor=east_staff, meeting=quorate, title="规划停车位")
    services.agenda_item_vote(actor=east_staff, item=item, votes_for=3, votes_against=0, abstentions=0)
    services.meeting_conclude(actor=east_staff, meeting=quorate)
    confirm_and_publish(meeting=quorate, actor=east_staff)
    kinds = list(quorate.timeline.values_list("kind", flat=True))
    assert kinds == [
        "transition", "participant", "participant", "participant", "participant", "transition",
        "sign_in", "sign_in", "sign_in", "agenda", "vote", "transition", "minutes", "minutes_sent",
        "minutes_reply", "minutes_reply", "minutes_reply", "published",
    ]  # fmt: skip


# --- Resolutions ------------------------------------------------------------------------------


@pytest.fixture
def resolution(quorate, east_staff, property_company):
    item = services.agenda_item_add(
        actor=east_staff, meeting=quorate, title="加装电梯", responsible_department=property_company
    )
    services.agenda_item_vote(actor=east_staff, item=item, votes_for=3, votes_against=0, abstentions=0)
    return Resolution.objects.get(item=item)


def test_progress_moves_open_to_in_progress_to_done(resolution, property_head):
    services.resolution_progress(actor=property_head, resolution=resolution, percent=30, note="完成方案设计")
    assert (resolution.status, resolution.progress) == ("in_progress", 30)
    services.resolution_progress(actor=property_head, resolution=resolution, percent=60, note="施工中")
    resolution.refresh_from_db()
    assert (resolution.status, resolution.progress) == ("in_progress", 60)
    services.resolution_progress(actor=property_head, resolution=resolution, percent=100, note="验收通过")
    resolution.refresh_from_db()
    assert (resolution.status, resolution.progress) == ("done", 100)
    assert resolution.done_at is not None
    assert list(resolution.timeline.values_list("kind", "percent")) == [
        ("transition", None),
        ("transition", 30),
        ("progress", 60),
        ("transition", 100),
    ]
    with pytest.raises(Conflict):
        services.resolution_progress(actor=property_head, resolution=resolution, percent=50)


def test_progress_out_of_range_is_refused(resolution, property_head):
    with pytest.raises(ValidationError):
        services.resolution_progress(actor=property_head, resolution=resolution, percent=101)
    resolution.refresh_from_db()
    assert resolution.progress == 0


def test_overdue_resolution_is_flagged_once_and_reminds_responsible_and_convener(resolution, property_head, secretary):
    Resolution.objects.filter(pk=resolution.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    assert services.resolutions_flag_overdue() == 1
    assert services.resolutions_flag_overdue() == 0
    resolution.refresh_from_db()
    assert resolution.is_overdue
    key = f"resolution:{resolution.pk}:overdue"
    assert set(Notification.objects.filter(idempotency_key=key).values_list("recipient__username", flat=True)) == {
        "wuye",
        "secretary",
    }
    assert resolution.timeline.filter(kind="overdue").count() == 1


def test_done_resolution_is_never_flagged(resolution, property_head):
    services.resolution_progress(actor=property_head, resolution=resolution, percent=100)
    Resolution.objects.filter(pk=resolution.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    assert services.resolutions_flag_overdue() == 0


def test_reminder_sent_once_to_every_invitee(meeting, invited, starts_at):
    assert services.meetings_remind_due(now=starts_at - timedelta(hours=25)) == 0
    assert services.meetings_remind_due(now=starts_at - timedelta(hours=23)) == 1
    assert services.meetings_remind_due(now=starts_at - timedelta(hours=22)) == 0
    keys = Notification.objects.filter(idempotency_key__startswith=f"meeting:{meeting.pk}:remind:")
    assert sorted(keys.values_list("recipient__username", flat=True)) == ["rep", "rep2", "wuye", "yeweihui"]
    assert meeting.timeline.filter(kind=TimelineEntry.Kind.REMINDER).count() == 1


def test_cancelled_meeting_is_not_reminded(meeting, invited, east_staff, starts_at):
    services.meeting_cancel(actor=east_staff, meeting=meeting, reason="改期")
    assert services.meetings_remind_due(now=starts_at) == 0


def test_item_not_yet_voted_has_no_resolution(quorate, east_staff):
    services.agenda_item_add(actor=east_staff, meeting=quorate, title="待议")
    assert AgendaItem.objects.get(title="待议").adopted is None
