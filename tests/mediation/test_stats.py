"""The supervisor's statistics and early warning: counts and rules over their own centres' cases."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from governance.models import Role
from mediation import services, stats
from mediation.models import Case

pytestmark = pytest.mark.django_db


def test_counts_hotspots_repeats_and_warnings(
    register, village_mediator, west_mediator, street_supervisor, area_tree, make_user
):
    first = register()
    second = register()  # the same two parties again
    register(type="family", parties=[{"role": "applicant", "name": "张三"}, {"role": "respondent", "name": "张四"}])
    west = register(actor=west_mediator, lead=west_mediator, area=area_tree["west_compound"])
    risky = register(type="land", risk_level="high", risk_reason="可能引发群体性事件")
    services.case_accept(case=risky, actor=village_mediator)
    late = services.case_accept(case=first, actor=village_mediator)
    Case.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - timedelta(days=1))

    by_tier = dict(stats.status_by_tier(user=street_supervisor))
    assert by_tier["village"]["registered"] == 3
    assert by_tier["village"]["accepted"] == 2
    assert [c.number for c in stats.overdue_cases(user=street_supervisor)] == [first.number]
    assert [c.number for c in stats.high_risk_near_deadline(user=street_supervisor)] == []  # 30 days away
    Case.objects.filter(pk=risky.pk).update(deadline=timezone.localdate() + timedelta(days=3))
    assert [c.number for c in stats.high_risk_near_deadline(user=street_supervisor)] == [risky.number]
    assert [(h.area, h.type, h.last_30, h.last_90) for h in stats.hotspots(user=street_supervisor)] == [
        ("东升社区", "邻里", 2, 2)
    ]
    repeats = stats.repeated_disputes(user=street_supervisor)
    assert [(r.names, r.cases, r.numbers) for r in repeats] == [
        ("王*明 — 李*壮", 4, sorted([first.number, second.number, risky.number, west.number]))
    ]
    # A supervisor over the east community only counts the east centre's cases.
    east_supervisor = make_user(Role.STREET_SUPERVISOR, area_tree["east"], username="east_sup")
    assert [(r.names, r.cases) for r in stats.repeated_disputes(user=east_supervisor)] == [("王*明 — 李*壮", 3)]


def test_the_overview_page_is_for_supervisors(register, village_mediator, street_supervisor):
    register()
    supervisor = Client()
    supervisor.force_login(street_supervisor)
    assert supervisor.get(reverse("mediation:overview")).status_code == 200
    mediator = Client()
    mediator.force_login(village_mediator)
    assert mediator.get(reverse("mediation:overview")).status_code == 403


def test_weekly_digest_goes_to_each_supervisor_once_a_week(register, village_mediator, street_supervisor):
    import time_machine

    from governance.models import Notification

    with time_machine.travel("2026-03-02 08:00 +0800", tick=False):  # a Monday
        register()
        register()
        Notification.objects.all().delete()
        services.warning_digest()
        services.warning_digest()
    with time_machine.travel("2026-03-09 08:00 +0800", tick=False):
        services.warning_digest()
    rows = Notification.objects.filter(recipient=street_supervisor).order_by("id")
    assert list(rows.values_list("idempotency_key", "title", "body")) == [
        (
            "mediation:digest:2026-W10",
            "【调解预警】2026年第10周",
            "超期案件 0 件，重大风险临近期限 0 件，纠纷高发 1 处，反复纠纷 1 起。",
        ),
        (
            "mediation:digest:2026-W11",
            "【调解预警】2026年第11周",
            "超期案件 0 件，重大风险临近期限 0 件，纠纷高发 1 处，反复纠纷 1 起。",
        ),
    ]
    assert not Notification.objects.filter(
        recipient=village_mediator, idempotency_key__startswith="mediation:digest"
    ).exists()
