"""The clock tasks, called directly: a second run changes nothing."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from governance.consultation.models import Resolution
from governance.consultation.tasks import meeting_remind_due_task, resolution_flag_overdue_task
from governance.models import Notification

pytestmark = pytest.mark.django_db


def test_reminder_task_twice_sends_once(meeting, invited, starts_at, django_capture_on_commit_callbacks):
    with time_machine.travel(starts_at - timedelta(hours=23), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert meeting_remind_due_task() == 1
        assert meeting_remind_due_task() == 0
    reminders = Notification.objects.filter(idempotency_key__startswith=f"meeting:{meeting.pk}:remind:")
    assert reminders.count() == 4
    meeting.refresh_from_db()
    assert meeting.reminded_at == starts_at - timedelta(hours=23)


def test_reminder_task_before_the_window_sends_nothing(meeting, invited, starts_at):
    with time_machine.travel(starts_at - timedelta(hours=30), tick=False):
        assert meeting_remind_due_task() == 0
    assert not Notification.objects.filter(idempotency_key__contains=":remind:").exists()


def test_overdue_task_twice_flags_once(quorate, east_staff, property_company, property_head):
    from governance.consultation import services

    item = services.agenda_item_add(
        actor=east_staff,
        meeting=quorate,
        title="加装电梯",
        responsible_department=property_company,
        due_date=timezone.localdate() + timedelta(days=5),
    )
    services.agenda_item_vote(actor=east_staff, item=item, votes_for=3, votes_against=0, abstentions=0)
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        assert resolution_flag_overdue_task() == 1
        assert resolution_flag_overdue_task() == 0
    resolution = Resolution.objects.get(item=item)
    assert resolution.is_overdue
    assert (
        Notification.objects.filter(
            recipient=property_head, idempotency_key=f"resolution:{resolution.pk}:overdue"
        ).count()
        == 1
    )
