"""governance.clock: the scan-then-claim shape every clock uses."""

import logging

import pytest

from governance import clock
from governance.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return [make_user(username=name) for name in ("c_user", "a_user", "b_user")]


def test_due_ids_are_the_first_limit_in_order(people):
    by_name = {u.username: u.pk for u in people}
    assert clock.due_ids(User.objects.all(), "username", 2) == [by_name["a_user"], by_name["b_user"]]
    assert clock.due_ids(User.objects.filter(username="nobody"), "username", 2) == []


def test_claim_returns_the_row_only_while_it_is_still_due(people):
    row = people[0]
    assert clock.claim(User.objects.filter(is_active=True), row.pk) == row
    User.objects.filter(pk=row.pk).update(is_active=False)
    assert clock.claim(User.objects.filter(is_active=True), row.pk) is None


def test_each_counts_what_was_done_and_a_failing_row_never_blocks_the_rest(caplog):
    seen = []

    def step(pk):
        seen.append(pk)
        if pk == 2:
            raise RuntimeError("boom")
        return pk != 3  # 3: claimed by another scanner, nothing done

    with caplog.at_level(logging.ERROR, logger="governance.clock"):
        assert clock.each([1, 2, 3, 4], step, "Event escalation") == 2
    assert seen == [1, 2, 3, 4]
    assert [r.getMessage() for r in caplog.records if r.name == "governance.clock"] == [
        "Event escalation (id 2) failed; skipped, the next scan retries it."
    ]
