"""The supervisor's statistics and early warning: counts and rules over their own centres' cases."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from governance.models import Role
from grids.models import Event, EventCategory
from grids.services import event_report, grid_save
from mediation import services, stats
from mediation.models import Case
from tests.grids.conftest import EAST_POINT, WEST_POINT, square

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
            "超期案件 0 件，重大风险临近期限 0 件，纠纷高发 1 处，反复纠纷 1 起，易引发纠纷的未办结网格事件 0 件。",
        ),
        (
            "mediation:digest:2026-W11",
            "【调解预警】2026年第11周",
            "超期案件 0 件，重大风险临近期限 0 件，纠纷高发 1 处，反复纠纷 1 起，易引发纠纷的未办结网格事件 0 件。",
        ),
    ]
    assert not Notification.objects.filter(
        recipient=village_mediator, idempotency_key__startswith="mediation:digest"
    ).exists()


@pytest.fixture
def prone_events(area_tree, grid_worker, make_user):
    """Open and finished events of a dispute-prone category and of an ordinary one, east and west."""
    grid_save(code="DS-G1", name="东升第一网格", area=area_tree["east"], boundary=square(116.30, 39.98),
              workers=[grid_worker])  # fmt: skip
    west_worker = make_user(Role.GRID_WORKER, area_tree["west"], username="west_worker")
    grid_save(code="XY-G1", name="西苑第一网格", area=area_tree["west"], boundary=square(116.31, 39.98),
              workers=[west_worker])  # fmt: skip
    neighbour = EventCategory.objects.create(service_code="neighbour_dispute", name="邻里纠纷", dispute_prone=True)
    manhole = EventCategory.objects.create(service_code="manhole", name="井盖破损")

    def report(category, point, reporter, text):
        lon, lat = point
        return event_report(reporter=reporter, category=category, description=text, lon=lon, lat=lat, source="patrol")

    return {
        "east_open": report(neighbour, EAST_POINT, grid_worker, "两户因楼道堆物争吵"),
        "east_closed": report(neighbour, EAST_POINT, grid_worker, "两户因停车位争吵"),
        "east_ordinary": report(manhole, EAST_POINT, grid_worker, "井盖缺失"),
        "west_open": report(neighbour, WEST_POINT, west_worker, "邻居装修噪音争执"),
    }


def test_open_events_of_dispute_prone_categories_count_for_their_supervisors(
    prone_events, street_supervisor, area_tree, make_user
):
    Event.objects.filter(pk=prone_events["east_closed"].pk).update(status=Event.Status.CLOSED)
    codes = lambda user: [e.code for e in stats.dispute_prone_events(user=user)]  # noqa: E731
    assert codes(street_supervisor) == [prone_events["east_open"].code, prone_events["west_open"].code]
    east_supervisor = make_user(Role.STREET_SUPERVISOR, area_tree["east"], username="east_sup")
    assert codes(east_supervisor) == [prone_events["east_open"].code]
    staff = make_user(Role.COMMUNITY_STAFF, area_tree["street"], username="street_staff")
    assert codes(staff) == []  # counted for the mediation supervisors' posts only


def test_the_overview_lists_them_and_marks_the_converted_one(prone_events, village_mediator, street_supervisor):
    case = services.case_from_event(event=prone_events["east_open"], actor=village_mediator, type="neighbour")
    client = Client()
    client.force_login(street_supervisor)
    page = client.get(reverse("mediation:overview")).content.decode()
    assert "易引发纠纷的未办结网格事件（3 件）" in page
    assert prone_events["west_open"].code in page
    assert f"已转调解 {case.number}" in page
    assert prone_events["east_ordinary"].code not in page


def test_the_weekly_digest_counts_them(prone_events, street_supervisor):
    from governance.models import Notification

    services.warning_digest()
    body = Notification.objects.get(recipient=street_supervisor, idempotency_key__startswith="mediation:digest").body
    assert body.endswith("易引发纠纷的未办结网格事件 3 件。")
