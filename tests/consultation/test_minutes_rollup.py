"""The minutes confirmation window, the convener's nudges (each once), resolution roll-up from
sub-tasks, topic support once each, and 红色管家 volunteers."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from governance.consultation import policies, services
from governance.consultation.models import Resolution, SuggestionSupport, Volunteer
from governance.consultation.selectors import minutes_confirmation
from governance.exceptions import Conflict, DomainError
from governance.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(quorate, east_staff):
    """Concluded, minutes drafted and sent; rep, owner_member and property_head attended."""
    services.meeting_conclude(actor=east_staff, meeting=quorate)
    services.meeting_minutes_save(actor=east_staff, meeting=quorate, text="会议议定：规划停车位。")
    services.meeting_minutes_send(actor=east_staff, meeting=quorate)
    quorate.refresh_from_db()
    return quorate


def test_minutes_go_to_the_attendees_with_a_three_day_window(sent, rep, rep2):
    assert sent.confirm_by - sent.minutes_sent_at == timedelta(days=3)
    key = f"meeting:{sent.pk}:minutes-sent:1"
    assert set(Notification.objects.filter(idempotency_key=key).values_list("recipient__username", flat=True)) == {
        "rep",
        "yeweihui",
        "wuye",
    }  # rep2 was invited but did not come


def test_publish_waits_for_the_attendees_until_the_window_closes(sent, east_staff, rep):
    services.meeting_minutes_reply(user=rep, meeting=sent)
    with pytest.raises(Conflict) as exc:
        services.meeting_minutes_publish(actor=east_staff, meeting=sent)
    assert exc.value.code == "confirmation_open"
    assert "尚有 2 位参会人未答复" in exc.value.detail
    with time_machine.travel(sent.confirm_by + timedelta(minutes=1)):
        services.meeting_minutes_publish(actor=east_staff, meeting=sent)
    sent.refresh_from_db()
    assert sent.minutes_published_at is not None


def test_when_everyone_answered_the_minutes_may_be_published_at_once(
    sent, east_staff, rep, owner_member, property_head
):
    services.meeting_minutes_reply(user=rep, meeting=sent)
    services.meeting_minutes_reply(user=owner_member, meeting=sent)
    services.meeting_minutes_reply(user=property_head, meeting=sent, objection="第二条的期限写错了")
    state = minutes_confirmation(meeting=sent)
    assert ([u.username for u in state.confirmed], state.pending) == (["rep", "yeweihui"], [])
    assert [r.objection for r in state.objections] == ["第二条的期限写错了"]
    services.meeting_minutes_publish(actor=east_staff, meeting=sent)


def test_an_objection_is_shown_to_the_convener(sent, property_head, secretary, east_staff):
    response = services.meeting_minutes_reply(user=property_head, meeting=sent, objection="期限写错了")
    notes = Notification.objects.filter(idempotency_key=f"meeting:{sent.pk}:objection:{response.pk}")
    assert set(notes.values_list("recipient__username", flat=True)) == {"secretary", "east_staff"}
    assert notes.first().body == "期限写错了"


def test_reply_twice_late_or_without_attending_is_refused(sent, rep, rep2):
    services.meeting_minutes_reply(user=rep, meeting=sent)
    with pytest.raises(Conflict) as exc:
        services.meeting_minutes_reply(user=rep, meeting=sent, objection="改主意了")
    assert exc.value.code == "already_replied"
    with pytest.raises(DomainError) as exc:
        services.meeting_minutes_reply(user=rep2, meeting=sent)
    assert exc.value.code == "not_attendee"
    with time_machine.travel(sent.confirm_by + timedelta(seconds=1)), pytest.raises(Conflict) as exc:
        services.meeting_minutes_reply(user=rep, meeting=sent)
    assert exc.value.code == "confirmation_closed"
    assert sent.minutes_responses.count() == 1


def test_edited_minutes_must_be_sent_again_and_start_a_new_round(sent, east_staff, rep):
    services.meeting_minutes_reply(user=rep, meeting=sent)
    services.meeting_minutes_save(actor=east_staff, meeting=sent, text="会议议定：规划停车位，夜间巡查。")
    sent.refresh_from_db()
    assert sent.minutes_sent_at is None
    with pytest.raises(Conflict) as exc:
        services.meeting_minutes_publish(actor=east_staff, meeting=sent)
    assert exc.value.code == "minutes_not_sent"
    services.meeting_minutes_send(actor=east_staff, meeting=sent)
    sent.refresh_from_db()
    assert sent.minutes_round == 2
    # Participants are listed by group: owners' committee, property company, residents' representatives.
    assert [u.username for u in minutes_confirmation(meeting=sent).pending] == ["yeweihui", "wuye", "rep"]
    services.meeting_minutes_reply(user=rep, meeting=sent)  # a new round: rep answers again


def test_convener_is_nudged_at_3_and_7_days_each_once(quorate, east_staff, secretary):
    services.meeting_conclude(actor=east_staff, meeting=quorate)
    concluded = quorate.concluded_at
    with time_machine.travel(concluded + timedelta(days=2, hours=23)):
        assert services.meetings_minutes_nudge_due() == 0
    with time_machine.travel(concluded + timedelta(days=3, minutes=1)):
        assert services.meetings_minutes_nudge_due() == 1
        assert services.meetings_minutes_nudge_due() == 0
    with time_machine.travel(concluded + timedelta(days=7, minutes=1)):
        assert services.meetings_minutes_nudge_due() == 1
        assert services.meetings_minutes_nudge_due() == 0
    with time_machine.travel(concluded + timedelta(days=30)):
        assert services.meetings_minutes_nudge_due() == 0
    keys = sorted(
        Notification.objects.filter(recipient=secretary, idempotency_key__contains="minutes-nudge").values_list(
            "idempotency_key", flat=True
        )
    )
    assert keys == [f"meeting:{quorate.pk}:minutes-nudge:1", f"meeting:{quorate.pk}:minutes-nudge:2"]


def test_published_minutes_are_never_nudged(quorate, east_staff):
    from tests.consultation.conftest import confirm_and_publish

    services.meeting_conclude(actor=east_staff, meeting=quorate)
    confirm_and_publish(meeting=quorate, actor=east_staff)
    with time_machine.travel(quorate.concluded_at + timedelta(days=4)):
        assert services.meetings_minutes_nudge_due() == 0


# --- Roll-up --------------------------------------------------------------------------------------


@pytest.fixture
def elevator(quorate, east_staff, property_company):
    item = services.agenda_item_add(
        actor=east_staff, meeting=quorate, title="加装电梯", responsible_department=property_company
    )
    services.agenda_item_vote(actor=east_staff, item=item, votes_for=3, votes_against=0, abstentions=0)
    return Resolution.objects.get(item=item)


def test_parent_progress_rolls_up_from_its_sub_tasks(elevator, east_staff, property_head):
    due = timezone.localdate() + timedelta(days=20)
    survey = services.resolution_subtask_add(actor=east_staff, parent=elevator, title="征求住户意见", due_date=due)
    design = services.resolution_subtask_add(actor=east_staff, parent=elevator, title="方案设计报批", due_date=due)
    assert survey.responsible_department == elevator.responsible_department
    services.resolution_progress(actor=property_head, resolution=survey, percent=100, note="意见征集完成")
    elevator.refresh_from_db()
    assert (elevator.status, elevator.progress) == ("in_progress", 50)
    services.resolution_progress(actor=property_head, resolution=design, percent=30)
    elevator.refresh_from_db()
    assert elevator.progress == 65
    services.resolution_progress(actor=property_head, resolution=design, percent=100)
    elevator.refresh_from_db()
    assert (elevator.status, elevator.progress) == ("done", 100)
    assert elevator.timeline.filter(kind="progress", note="由子任务进度汇总").count() == 1


def test_a_parent_with_sub_tasks_takes_no_direct_progress(elevator, east_staff, property_head):
    services.resolution_subtask_add(
        actor=east_staff, parent=elevator, title="征求住户意见", due_date=timezone.localdate() + timedelta(days=5)
    )
    with pytest.raises(Conflict) as exc:
        services.resolution_progress(actor=property_head, resolution=elevator, percent=80)
    assert exc.value.code == "has_subtasks"
    elevator.refresh_from_db()
    assert elevator.progress == 0


def test_a_new_sub_task_pulls_the_parent_average_down(elevator, east_staff, property_head):
    due = timezone.localdate() + timedelta(days=5)
    first = services.resolution_subtask_add(actor=east_staff, parent=elevator, title="一", due_date=due)
    services.resolution_progress(actor=property_head, resolution=first, percent=80)
    services.resolution_subtask_add(actor=east_staff, parent=elevator, title="二", due_date=due)
    elevator.refresh_from_db()
    assert elevator.progress == 40


def test_only_runners_split_a_resolution(elevator, property_head, east_staff):
    assert not policies.resolution_can(user=property_head, action="subtask", resolution=elevator)
    assert policies.resolution_can(user=east_staff, action="subtask", resolution=elevator)


# --- Topic support, volunteers -----------------------------------------------------------------------


def test_a_topic_is_supported_once_each_and_not_by_its_author(rep, rep2, area_tree, west_resident):
    topic = services.suggestion_create(author=rep, area=area_tree["east_compound"], title="楼道堆物清理")
    services.suggestion_support(user=rep2, suggestion=topic)
    with pytest.raises(Conflict) as exc:
        services.suggestion_support(user=rep2, suggestion=topic)
    assert exc.value.code == "already_supported"
    with pytest.raises(DomainError) as exc:
        services.suggestion_support(user=rep, suggestion=topic)
    assert exc.value.code == "own_topic"
    assert not policies.suggestion_support_can(user=west_resident, suggestion=topic)
    assert SuggestionSupport.objects.filter(suggestion=topic).count() == 1


def test_volunteers_are_assigned_to_buildings_once(east_staff, rep, area_tree):
    services.volunteer_assign(actor=east_staff, person=rep, building=area_tree["east_building"])
    with pytest.raises(Conflict):
        services.volunteer_assign(actor=east_staff, person=rep, building=area_tree["east_building"])
    with pytest.raises(ValidationError):
        services.volunteer_assign(actor=east_staff, person=rep, building=area_tree["east_compound"])
    assert list(Volunteer.objects.values_list("duties", flat=True)) == ["巡查、调解、政策宣传"]
