"""Project wiring: migrations, production settings, demo seed, beat schedule, translations."""

import os
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone, translation

from governance.celery import app as celery_app
from governance.models import Area, PartyOrganization, Post, Role, User
from grids.models import Event, Grid, SensorDevice

BASE_DIR = Path(settings.BASE_DIR)


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_production_settings_pass_the_deploy_check_with_no_warning():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_DEBUG": "False",
            "DJANGO_SECRET_KEY": "k3J9-pQ2vX7mZ1rT8wL4yB6nC0sD5fG2hU9eA7iO3qW1zE8xR4tY6uP0oN2mV5bK",
            "DJANGO_ALLOWED_HOSTS": "portal.example.org",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = _manage("check", env={"DJANGO_DEBUG": "False", "DJANGO_ALLOWED_HOSTS": "portal.example.org"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_env_example_lists_every_variable_the_settings_read():
    settings_source = (BASE_DIR / "governance" / "settings.py").read_text(encoding="utf-8")
    documented = (BASE_DIR / ".env.example").read_text(encoding="utf-8")
    import re

    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', settings_source))
    assert read, "the settings read no variable?"
    missing = sorted(name for name in read if f"{name}=" not in documented)
    assert missing == []


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_seed_demo_builds_the_demo_and_a_second_run_adds_nothing(capsys):
    call_command("seed_demo")
    first_run = capsys.readouterr().out
    counts = (
        Area.objects.count(),
        Post.objects.count(),
        Grid.objects.count(),
        User.objects.count(),
        PartyOrganization.objects.count(),
        Event.objects.count(),
        SensorDevice.objects.count(),
    )
    call_command("seed_demo")
    assert (
        Area.objects.count(),
        Post.objects.count(),
        Grid.objects.count(),
        User.objects.count(),
        PartyOrganization.objects.count(),
        Event.objects.count(),
        SensorDevice.objects.count(),
    ) == counts
    assert Area.objects.filter(level=Area.Level.STREET).count() == 1
    assert Area.objects.filter(level=Area.Level.COMMUNITY).count() == 2
    assert Grid.objects.count() == 6
    assert set(Post.objects.values_list("role", flat=True)) == set(Role.values)
    assert "Portal-demo-2026" in first_run.splitlines()[-1]
    worker = User.objects.get(username="worker")
    assert worker.check_password("Portal-demo-2026")
    assert worker.grids.count() == 1
    statuses = set(Event.objects.values_list("status", flat=True))
    assert {"reported", "dispatched", "in_progress", "resolved", "closed"} <= statuses
    assert Event.objects.filter(respond_by__lt=timezone.now(), responded_at__isnull=True).count() == 1


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_seed_demo_refuses_with_debug_off_unless_forced():
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not Area.objects.exists()
    call_command("seed_demo", "--force", verbosity=0)
    assert Area.objects.exists()


# The whole beat schedule, written out: name → (task, crontab fields, expires in seconds).
EXPECTED_BEAT = {
    "events-escalate-overdue": ("grids.tasks.event_escalate_overdue_task", crontab(minute="*"), 50),
    "events-remind-due": ("grids.tasks.event_remind_due_task", crontab(minute="*"), 50),
    "department-scores": ("grids.tasks.department_scores_task", crontab(minute="*/5"), 240),
    "consultation-meeting-reminders": (
        "governance.consultation.tasks.meeting_remind_due_task",
        crontab(minute="*/5"),
        4 * 60,
    ),
    "consultation-minutes-nudge": (
        "governance.consultation.tasks.meeting_minutes_nudge_task",
        crontab(minute=20),
        3000,
    ),
    "consultation-resolutions-overdue": (
        "governance.consultation.tasks.resolution_flag_overdue_task",
        crontab(minute=30, hour=7),
        6 * 3600,
    ),
    "partners-ledger-verify": ("partners.tasks.ledger_verify_task", crontab(minute=30, hour=2), 6 * 3600),
    "partners-points-expiry": ("partners.tasks.points_expiry_task", crontab(minute=45, hour=0), 6 * 3600),
    "partners-redemptions-expire": ("partners.tasks.redemptions_expire_task", crontab(minute="*/10"), 9 * 60),
    "mediation-follow-up-clock": ("mediation.tasks.follow_up_clock_task", crontab(minute="*"), 50),
    "mediation-warning-digest": (
        "mediation.tasks.warning_digest_task",
        crontab(minute=0, hour=8, day_of_week="mon"),
        6 * 3600,
    ),
    "idempotency-purge": ("governance.tasks.idempotency_purge_task", crontab(minute=40, hour=3), 6 * 3600),
    "notifications-redeliver": ("governance.tasks.notification_redeliver_task", crontab(minute="*/2"), 100),
}


def test_beat_schedule_is_exactly_the_expected_one():
    schedule = celery_app.conf.beat_schedule
    actual = {name: (entry["task"], entry["schedule"], entry["options"]["expires"]) for name, entry in schedule.items()}
    assert actual == EXPECTED_BEAT  # crontab compares by its fields; an interval schedule never equals one


def test_every_beat_entry_names_a_registered_task():
    celery_app.loader.import_default_modules()
    registered = set(celery_app.tasks)
    missing = {
        name: entry["task"] for name, entry in celery_app.conf.beat_schedule.items() if entry["task"] not in registered
    }
    assert missing == {}


def test_celery_tasks_acknowledge_late():
    celery_app.loader.import_default_modules()
    ours = [
        t
        for name, t in celery_app.tasks.items()
        if name.split(".")[0] in {"governance", "grids", "partners", "mediation"}
    ]
    assert ours
    assert all(task.acks_late for task in ours)


def test_english_catalogue_is_complete():
    catalog = polib.pofile(str(BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    untranslated = [e.msgid for e in catalog.untranslated_entries()]
    fuzzy = [e.msgid for e in catalog.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []
    assert len(catalog) > 100


def test_english_is_served_from_the_compiled_catalogue():
    call_command("compile_translations", verbosity=0)
    with translation.override("en"):
        assert translation.gettext("网格员") == "Grid worker"
    with translation.override("zh-hans"):
        assert translation.gettext("网格员") == "网格员"
