"""The demo gains a council: run twice, the second run adds nothing."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from governance.consultation.models import Meeting, Resolution, Suggestion
from governance.consultation.services import resolutions_flag_overdue


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_demo_council_is_complete_and_idempotent():
    call_command("seed_demo", verbosity=0)
    counts = (Meeting.objects.count(), Resolution.objects.count(), Suggestion.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (Meeting.objects.count(), Resolution.objects.count(), Suggestion.objects.count()) == counts == (2, 2, 3)
    past = Meeting.objects.get(status="concluded")
    assert past.minutes_published_at is not None
    assert Meeting.objects.filter(status="planned").count() == 1
    assert sorted(Resolution.objects.values_list("title", "status", "progress")) == [
        ("一号楼加装电梯", "in_progress", 40),
        ("规划停车位", "open", 0),
    ]
    assert resolutions_flag_overdue() == 1  # the parking resolution is past its due date
