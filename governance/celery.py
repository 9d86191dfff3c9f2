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
    # Self-healing: deliver email/SMS for notifications whose on-commit dispatch was lost.
    "notifications-redeliver": {
        "task": "governance.tasks.notification_redeliver_task",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
}
