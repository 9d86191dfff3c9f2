"""governance.idempotency: one response per (caller, key) for a day, decided by the unique constraint."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from governance.idempotency import (
    IdempotencyKeyReused,
    StoredResponse,
    idempotency_purge_expired,
    idempotent_call,
    request_fingerprint,
)
from governance.models import AuditEntry, IdempotencyRecord
from governance.tasks import idempotency_purge_task

CREATED = StoredResponse(status=201, body='{"id": 1}', content_type="application/json")


def _producer(calls: list, response: StoredResponse = CREATED, hold: float = 0.0):
    def produce() -> StoredResponse:
        calls.append(1)
        AuditEntry.objects.create(action=AuditEntry.Action.CREATE, object_type="test", object_repr="produced")
        time.sleep(hold)  # keep the claiming transaction open while the other request arrives
        return response

    return produce


@pytest.mark.django_db
def test_the_second_call_replays_the_first_response_without_producing():
    calls: list = []

    first = idempotent_call(caller="user:1", key="k", fingerprint="f" * 64, produce=_producer(calls))
    second = idempotent_call(caller="user:1", key="k", fingerprint="f" * 64, produce=_producer(calls))

    assert first == (CREATED, False)
    assert second == (CREATED, True)
    assert len(calls) == 1
    assert AuditEntry.objects.count() == 1


@pytest.mark.django_db
def test_a_different_fingerprint_for_the_same_key_is_refused():
    idempotent_call(caller="user:1", key="k", fingerprint="a" * 64, produce=_producer([]))

    with pytest.raises(IdempotencyKeyReused):
        idempotent_call(caller="user:1", key="k", fingerprint="b" * 64, produce=_producer([]))

    assert AuditEntry.objects.count() == 1


@pytest.mark.django_db
def test_an_error_response_is_returned_and_nothing_is_kept():
    refused = StoredResponse(status=400, body='{"code": "invalid"}', content_type="application/json")

    result = idempotent_call(caller="user:1", key="k", fingerprint="f" * 64, produce=_producer([], refused))

    assert result == (refused, False)
    assert IdempotencyRecord.objects.count() == 0
    assert AuditEntry.objects.count() == 0  # the write of a refused request is rolled back with its claim


@pytest.mark.django_db
def test_a_raising_producer_leaves_no_claim_behind():
    def boom() -> StoredResponse:
        AuditEntry.objects.create(action=AuditEntry.Action.CREATE, object_type="test")
        raise RuntimeError("broker down")

    with pytest.raises(RuntimeError):
        idempotent_call(caller="user:1", key="k", fingerprint="f" * 64, produce=boom)

    assert IdempotencyRecord.objects.count() == 0
    assert AuditEntry.objects.count() == 0


@pytest.mark.django_db
def test_purge_deletes_only_rows_older_than_a_day():
    idempotent_call(caller="user:1", key="old", fingerprint="f" * 64, produce=_producer([]))
    idempotent_call(caller="user:1", key="new", fingerprint="f" * 64, produce=_producer([]))
    IdempotencyRecord.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=24, minutes=1))

    assert idempotency_purge_expired() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


def test_the_fingerprint_covers_method_path_and_body():
    base = request_fingerprint(method="POST", path="/api/v1/events/", data={"a": 1, "b": [1, 2]})

    assert request_fingerprint(method="post", path="/api/v1/events/", data={"b": [1, 2], "a": 1}) == base
    assert request_fingerprint(method="POST", path="/api/v1/events/", data={"a": 1, "b": [2, 1]}) != base
    assert request_fingerprint(method="POST", path="/api/v1/patrols/", data={"a": 1, "b": [1, 2]}) != base
    assert len(base) == 64


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_produce_once_and_both_get_the_first_response(require_postgres):
    calls: list = []
    results: list = []
    barrier = threading.Barrier(2)

    def send():
        try:
            barrier.wait()
            results.append(
                idempotent_call(caller="user:1", key="k", fingerprint="f" * 64, produce=_producer(calls, hold=0.5))
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert sorted(results, key=lambda r: r[1]) == [(CREATED, False), (CREATED, True)]
    assert len(calls) == 1
    assert AuditEntry.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_the_daily_purge_task_forgets_keys_older_than_a_day_and_a_rerun_deletes_nothing(db):
    fresh = IdempotencyRecord.objects.create(
        caller="user:1", key="a", fingerprint="f", response_status=201, response_body="{}"
    )
    old = IdempotencyRecord.objects.create(
        caller="user:1", key="b", fingerprint="f", response_status=201, response_body="{}"
    )
    IdempotencyRecord.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))
    assert idempotency_purge_task() == 1
    assert list(IdempotencyRecord.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert idempotency_purge_task() == 0
