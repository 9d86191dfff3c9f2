"""Grid boundaries under concurrency, on PostgreSQL: two overlapping grids saved at the same
moment cannot both be checked against a table that holds neither — boundary writes take turns
(a transaction-scoped advisory lock), so exactly one is saved and the other is refused."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from grids.models import Grid
from grids.services import grid_save
from tests.grids.conftest import square

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

THREADS = 6


def test_overlapping_grids_saved_at_once_one_is_saved_the_others_refused(require_postgres, area_tree):
    barrier = threading.Barrier(THREADS)
    saved: list[str] = []
    refused: list[tuple[str, list[str]]] = []
    errors: list[BaseException] = []

    def save(n: int) -> None:
        code = f"DS-G{n}"
        try:
            barrier.wait(timeout=30)
            # each 0.01° square is shifted 0.001° from the last: every one overlaps every other
            grid_save(code=code, name=f"网格{n}", area=area_tree["east"], boundary=square(116.30 + n * 0.001, 39.98))
            saved.append(code)
        except ValidationError as exc:
            refused.append((code, list(exc.message_dict)))
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert len(saved) == 1
    assert len(refused) == THREADS - 1
    assert all(fields == ["boundary"] for _code, fields in refused)
    assert list(Grid.objects.values_list("code", flat=True)) == saved
