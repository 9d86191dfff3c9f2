"""The double-verification race on SQLite's file database: separate processes (each with its own
connection, as gunicorn workers would have) verify one service record at the same instant; SQLite's
IMMEDIATE transactions serialise them and exactly one posting is made. Runs ``manage.py`` on a
fresh database file of its own, so it is independent of the test database's engine."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

SETUP = """
from datetime import date
from governance import services as core
from governance.models import Area, Role
from partners import services
from partners.models import Partner
district = core.area_create(name="区", code="D", level=Area.Level.DISTRICT)
street = core.area_create(name="街道", code="D-S", level=Area.Level.STREET, parent=district)
east = core.area_create(name="东升社区", code="D-S-E", level=Area.Level.COMMUNITY, parent=street)
staff = []
for i in range(4):
    user = core.user_create(username=f"staff{i}", password=None)
    core.post_assign(user=user, role=Role.COMMUNITY_STAFF, area=east)
    staff.append(user)
member = core.user_create(username="lawyer", password=None)
partner = Partner.objects.create(community=east, name="张律师", kind="professional", sub_kind="lawyer", status="active")
partner.users.add(member)
rule = services.earning_rule_save(community=east, activity="法律咨询", points=10, actor=staff[0])
record = services.service_record_submit(partner=partner, rule=rule, served_on=date(2026, 11, 2), actor=member)
print(record.pk)
"""

VERIFY = """
import json, time
from governance.exceptions import DomainError
from governance.models import User
from partners import services
from partners.models import ServiceRecord
record = ServiceRecord.objects.get(pk={pk})
actor = User.objects.get(username="staff{n}")
while time.time() < {start}:
    time.sleep(0.001)
try:
    services.service_record_verify(record=record, actor=actor)
    print(json.dumps("ok"))
except DomainError as exc:
    print(json.dumps(exc.code))
"""

CHECK = """
import json
from partners.models import Account, LedgerTransaction
from partners.services import ledger_verify
balance = Account.objects.get(partner__isnull=False).balance
print(json.dumps([LedgerTransaction.objects.count(), balance, ledger_verify().problems]))
"""


def _manage(env: dict, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )


@pytest.mark.integration
def test_four_processes_verifying_one_record_on_sqlite_post_once(tmp_path: Path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "governance.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "CELERY_TASK_ALWAYS_EAGER": "True",
        "CELERY_BROKER_URL": "memory://",
        "REDIS_URL": "",
    }
    _manage(env, "migrate", "-v0", timeout=300)
    pk = int(_manage(env, "shell", "-c", SETUP).stdout.strip().splitlines()[-1])
    start = time.time() + 4
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-c", VERIFY.format(pk=pk, n=n, start=start)],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    outcomes = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        outcomes.append(json.loads(out.strip().splitlines()[-1]))
    # One wins; the others find it verified (409 invalid_transition) — or, had one read the row
    # before the winner committed, moved (409 stale_state). None posts.
    assert outcomes.count("ok") == 1, outcomes
    assert set(outcomes) - {"ok"} <= {"invalid_transition", "stale_state"}, outcomes
    transactions, balance, problems = json.loads(_manage(env, "shell", "-c", CHECK).stdout.strip().splitlines()[-1])
    assert (transactions, balance, problems) == (1, 10, [])
