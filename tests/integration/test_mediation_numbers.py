"""Case numbers under concurrency, on PostgreSQL: many registrations at once in one centre and
year get consecutive numbers — no gaps, no duplicates — even when some transactions roll back
after their number was allocated (the counter row's lock holds the number until commit)."""

import threading

import pytest
from django.db import connection, transaction

from governance.models import Role
from mediation import services
from mediation.models import Case

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

THREADS = 8
EACH = 5


class Rollback(Exception):
    pass


def test_concurrent_registrations_get_consecutive_numbers(require_postgres, area_tree, make_user):
    mediator = make_user(Role.MEDIATOR, area_tree["east"], username="m")
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    rolled_back = []

    def register(thread: int) -> None:
        try:
            barrier.wait(timeout=30)
            for n in range(EACH):
                try:
                    with transaction.atomic():
                        services.case_register(
                            actor=mediator,
                            type="neighbour",
                            description=f"并发登记 {thread}-{n}",
                            area=area_tree["east_compound"],
                            source="walk_in",
                            parties=[{"role": "applicant", "name": "王小明"}],
                        )
                        if n == 2:  # the number was taken, then the whole registration rolls back
                            raise Rollback
                except Rollback:
                    rolled_back.append(thread)
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(t,)) for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert len(rolled_back) == THREADS
    sequences = sorted(Case.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, THREADS * (EACH - 1) + 1))
    numbers = set(Case.objects.values_list("number", flat=True))
    assert len(numbers) == THREADS * (EACH - 1)
    assert Case.objects.filter(number__endswith="调字第32号").exists()
