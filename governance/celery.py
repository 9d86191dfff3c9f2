"""Celery application, wired to Django settings; it holds the whole beat schedule.

Every periodic entry is a ``crontab`` (interval schedules reset when beat restarts) with an
``expires`` shorter than its period, so a backlog after an outage never runs a scan twice.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")

app = Celery("governance")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Grids: escalate overdue events (grid → community → street) and remind at 80 % of the window.
    "events-escalate-overdue": {
        "task": "grids.tasks.event_escalate_overdue_task",
        "schedule": crontab(minute="*"),
        "options": {"expires": 50},
    },
    "events-remind-due": {
        "task": "grids.tasks.event_remind_due_task",
        "schedule": crontab(minute="*"),
        "options": {"expires": 50},
    },
    "department-scores": {
        "task": "grids.tasks.department_scores_task",
        "schedule": crontab(minute=15, hour=1),
        "options": {"expires": 6 * 3600},
    },
    # Mediation: follow-up visits — remind the day before, report overdue ones to the centre once.
    "mediation-follow-up-clock": {
        "task": "mediation.tasks.follow_up_clock_task",
        "schedule": crontab(minute="*"),
        "options": {"expires": 50},
    },
    "mediation-warning-digest": {
        "task": "mediation.tasks.warning_digest_task",
        "schedule": crontab(minute=0, hour=8, day_of_week="mon"),
        "options": {"expires": 6 * 3600},
    },
    # Self-healing: deliver email/SMS for notifications whose on-commit dispatch was lost.
    "notifications-redeliver": {
        "task": "governance.tasks.notification_redeliver_task",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
}
