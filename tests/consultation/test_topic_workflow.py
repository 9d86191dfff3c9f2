"""A topic's status moves through the workflow kit: the table as literal data, a version bumped
and a timeline entry per move, compare-and-set against a second staff member, and the author told."""

from datetime import timedelta

import pytest

from governance.consultation import services
from governance.consultation.models import AgendaItem, Suggestion, TimelineEntry
from governance.exceptions import Conflict, InvalidTransition, StaleState
from governance.models import Notification

pytestmark = pytest.mark.django_db


def test_topic_transition_table_is_exactly_this():
    assert services.SUGGESTION_FLOW.table() == {
        "open": frozenset({"on_agenda"}),
        "on_agenda": frozenset({"open"}),
    }
    assert services.SUGGESTION_FLOW.writes("open", "on_agenda") == frozenset()
    assert services.SUGGESTION_FLOW.writes("on_agenda", "open") == frozenset()


@pytest.fixture
def topic(rep, area_tree):
    return services.suggestion_create(author=rep, area=area_tree["east_compound"], title="楼道堆物清理")


def test_putting_a_topic_on_the_agenda_moves_it_with_version_and_timeline(meeting, east_staff, topic, rep):
    assert (topic.status, topic.version) == ("open", 0)
    services.agenda_item_add(actor=east_staff, meeting=meeting, title="", suggestion=topic)
    topic.refresh_from_db()
    assert (topic.status, topic.version) == ("on_agenda", 1)
    assert topic.status_changed_at is not None
    assert list(topic.timeline.values_list("kind", "from_status", "to_status", "actor__username", "note")) == [
        ("transition", "open", "on_agenda", east_staff.username, "三月红色议事厅")
    ]
    notice = Notification.objects.get(recipient=rep)
    assert notice.title == "【议题】您提出的“楼道堆物清理”已列入议程"
    assert not Notification.objects.filter(recipient=east_staff).exists()


def test_a_topic_already_on_an_agenda_is_refused_and_nothing_is_written(meeting, east_staff, topic):
    services.agenda_item_add(actor=east_staff, meeting=meeting, title="", suggestion=topic)
    topic.refresh_from_db()
    with pytest.raises(Conflict) as caught:
        services.agenda_item_add(actor=east_staff, meeting=meeting, title="再议", suggestion=topic)
    assert caught.value.code == "topic_on_agenda"
    assert AgendaItem.objects.filter(meeting=meeting).count() == 1
    assert topic.timeline.count() == 1


def test_two_staff_putting_one_topic_on_agendas_one_wins_the_other_writes_nothing(
    meeting, east_staff, topic, committee, area_tree, starts_at
):
    other = services.meeting_create(
        actor=east_staff,
        title="四月红色议事厅",
        organization=committee,
        area=area_tree["east_compound"],
        starts_at=starts_at + timedelta(days=30),
        ends_at=starts_at + timedelta(days=30, hours=2),
        place="党群服务站",
    )
    seen_by_a = Suggestion.objects.get(pk=topic.pk)
    seen_by_b = Suggestion.objects.get(pk=topic.pk)
    services.agenda_item_add(actor=east_staff, meeting=meeting, title="", suggestion=seen_by_a)
    with pytest.raises(StaleState):
        services.agenda_item_add(actor=east_staff, meeting=other, title="", suggestion=seen_by_b)
    assert not AgendaItem.objects.filter(meeting=other).exists()
    topic.refresh_from_db()
    assert (topic.status, topic.version) == ("on_agenda", 1)
    assert topic.timeline.count() == 1


def test_cancelling_the_meeting_puts_its_topics_back_to_open(meeting, east_staff, topic):
    services.agenda_item_add(actor=east_staff, meeting=meeting, title="", suggestion=topic)
    services.meeting_cancel(actor=east_staff, meeting=meeting, reason="台风改期")
    topic.refresh_from_db()
    assert (topic.status, topic.version) == ("open", 2)
    assert list(topic.timeline.values_list("from_status", "to_status", "note")) == [
        ("open", "on_agenda", "三月红色议事厅"),
        ("on_agenda", "open", "会议取消：三月红色议事厅"),
    ]


def test_an_undeclared_move_is_refused(topic):
    with pytest.raises(InvalidTransition):
        services.SUGGESTION_FLOW.transition(topic, to="closed")
    topic.refresh_from_db()
    assert (topic.status, topic.version) == ("open", 0)
    assert not TimelineEntry.objects.filter(suggestion=topic).exists()
