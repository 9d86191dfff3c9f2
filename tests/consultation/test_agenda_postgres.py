"""Two staff editing one agenda at once, on PostgreSQL: concurrent moves and adds from threads
leave every sibling list numbered 1, 2, 3 … with no duplicate and no gap, and every move applied."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from governance import services as core
from governance.consultation import services
from governance.consultation.models import AgendaItem, Meeting
from governance.models import PartyOrganization, Role

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

THREADS = 6
ROUNDS = 8


def test_concurrent_reorders_and_adds_keep_a_consistent_order(require_postgres, area_tree, make_user):
    staff = make_user(Role.COMMUNITY_STAFF, area_tree["east"], username="staff_a")
    committee = core.party_organization_create(
        name="东升社区党委", level=PartyOrganization.Level.COMMITTEE, area=area_tree["east"]
    )
    start = timezone.now() + timedelta(days=2)
    meeting = services.meeting_create(
        actor=staff,
        title="并发议程",
        organization=committee,
        area=area_tree["east_compound"],
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="站",
    )
    tops = [services.agenda_item_add(actor=staff, meeting=meeting, title=f"议题{n}") for n in range(1, 6)]
    for n in range(1, 4):
        services.agenda_item_add(actor=staff, meeting=meeting, title=f"子项{n}", parent=tops[0])
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def edit(thread: int) -> None:
        try:
            barrier.wait(timeout=30)
            for n in range(ROUNDS):
                item = AgendaItem.objects.get(
                    pk=tops[(thread + n) % len(tops)].pk
                )  # a copy read before the others move
                if n % 3 == 2:
                    services.agenda_item_add(
                        actor=staff, meeting=Meeting.objects.get(pk=meeting.pk), title=f"新增{thread}-{n}"
                    )
                elif n % 3 == 1 and item.pk != tops[0].pk:
                    services.agenda_item_move(actor=staff, item=item, position=1 + n % 3, parent=tops[0])
                    services.agenda_item_move(actor=staff, item=AgendaItem.objects.get(pk=item.pk), position=1)
                else:
                    services.agenda_item_move(actor=staff, item=item, position=1 + (thread * 7 + n) % 6)
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(t,)) for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    added = sum(1 for thread in range(THREADS) for n in range(ROUNDS) if n % 3 == 2)
    items = list(AgendaItem.objects.filter(meeting=meeting).values_list("parent_id", "order"))
    assert len(items) == 5 + 3 + added
    by_parent: dict = {}
    for parent_id, order in items:
        by_parent.setdefault(parent_id, []).append(order)
    for orders in by_parent.values():
        assert sorted(orders) == list(range(1, len(orders) + 1))
    assert set(by_parent) == {None, tops[0].pk}
    assert Meeting.objects.get(pk=meeting.pk).agenda_version == 5 + 3 + added + sum(
        1 if n % 3 != 1 or tops[(thread + n) % 5].pk == tops[0].pk else 2
        for thread in range(THREADS)
        for n in range(ROUNDS)
        if n % 3 != 2
    )
