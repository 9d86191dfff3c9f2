"""Benchmarks run on a database of their own, ``<DATABASE_URL name>_bench``, created and migrated here.

They need PostgreSQL and skip otherwise (``REQUIRE_SERVICES`` does not apply: a benchmark is
never a gate). Tests here are transactional, so the gunicorn server they start sees their data.
"""

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections

BENCH_SUFFIX = "_bench"


def _admin_connection(db: dict) -> psycopg.Connection:
    return psycopg.connect(
        dbname="postgres",
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        autocommit=True,
    )


@pytest.fixture(scope="session")
def django_db_setup(django_db_blocker):
    """Replace pytest-django's ``test_…`` database with a freshly created and migrated bench one."""
    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("postgresql"):
        pytest.skip("benchmarks need PostgreSQL: set DATABASE_URL=postgres://… (running on SQLite)")
    name = f"{db['NAME']}{BENCH_SUFFIX}"
    with django_db_blocker.unblock():
        connections.close_all()
        with _admin_connection(db) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
        db["NAME"] = name
        connections["default"].settings_dict["NAME"] = name
        call_command("migrate", verbosity=0, interactive=False)
    yield name
    with django_db_blocker.unblock():
        connections.close_all()
