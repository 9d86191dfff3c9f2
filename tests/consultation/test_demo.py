"""The demo gains a council: run twice, the second run adds nothing."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from governance.consultation import selectors
from governance.consultation.models import FeePlan, Meeting, Resolution, ServiceItem, Suggestion
from governance.consultation.services import resolutions_flag_overdue
from governance.models import Area, User


def _counts() -> tuple[int, ...]:
    return (
        Meeting.objects.count(),
        Resolution.objects.count(),
        Suggestion.objects.count(),
        ServiceItem.objects.count(),
        FeePlan.objects.count(),
    )


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_demo_council_is_complete_and_idempotent():
    call_command("seed_demo", verbosity=0)
    counts = _counts()
    call_command("seed_demo", verbosity=0)
    assert _counts() == counts == (2, 2, 3, 7, 2)
    past = Meeting.objects.get(status="concluded")
    assert past.minutes_published_at is not None
    assert Meeting.objects.filter(status="planned").count() == 1
    assert sorted(Resolution.objects.values_list("title", "status", "progress")) == [
        ("一号楼加装电梯", "in_progress", 40),
        ("规划停车位", "open", 0),
    ]
    assert resolutions_flag_overdue() == 1  # the parking resolution is past its due date
    compound = Area.objects.get(code="XF-DS-01")
    assert ServiceItem.objects.filter(compound=compound).count() == 7
    assert ServiceItem.objects.get(name="停车秩序管理").resolution.title == "规划停车位"
    assert FeePlan.objects.filter(compound=compound).count() == 2
    assert selectors.cross_holders(selectors.compound_seats(compound=compound)) == {
        User.objects.get(username="wuye").pk,
        User.objects.get(username="yeweihui").pk,
    }
