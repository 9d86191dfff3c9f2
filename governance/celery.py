"""Celery application, wired to Django settings; it holds the whole beat schedule.

Every periodic entry is a ``crontab`` (interval schedules reset when beat restarts) with an
``expires`` shorter than its period, so a backlog after an outage never runs a scan twice.
"""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")

app = Celery("governance")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _use_django_logging(**kwargs) -> None:
    """The worker and beat log through settings.LOGGING (masking filter on every handler) instead
    of Celery's own handlers, which would replace the root logger's and carry no filter."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


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
    # The current month live (/efficiency/ says "数据截至 HH:MM"): a few seconds of work per run.
    "department-scores": {
        "task": "grids.tasks.department_scores_task",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 240},
    },
    # Consultation: invitees 24 h before a meeting; minutes nudges; overdue resolutions flagged once a day.
    "consultation-meeting-reminders": {
        "task": "governance.consultation.tasks.meeting_remind_due_task",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    "consultation-minutes-nudge": {
        "task": "governance.consultation.tasks.meeting_minutes_nudge_task",
        "schedule": crontab(minute=20),
        "options": {"expires": 50 * 60},
    },
    "consultation-resolutions-overdue": {
        "task": "governance.consultation.tasks.resolution_flag_overdue_task",
        "schedule": crontab(minute=30, hour=7),
        "options": {"expires": 6 * 3600},
    },
    # Partners: prove the points ledger every night; expire points; release expired vouchers.
    "partners-ledger-verify": {
        "task": "partners.tasks.ledger_verify_task",
        "schedule": crontab(minute=30, hour=2),
        "options": {"expires": 6 * 3600},
    },
    "partners-points-expiry": {
        "task": "partners.tasks.points_expiry_task",
        "schedule": crontab(minute=45, hour=0),
        "options": {"expires": 6 * 3600},
    },
    "partners-redemptions-expire": {
        "task": "partners.tasks.redemptions_expire_task",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 9 * 60},
    },
    # Mediation: session reminders, follow-up visits (the day before; overdue to the centre once),
    # the judicial-confirmation window; a weekly early-warning digest for supervisors.
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
    # Core: forget Idempotency-Key records past a day.
    "idempotency-purge": {
        "task": "governance.tasks.idempotency_purge_task",
        "schedule": crontab(minute=40, hour=3),
        "options": {"expires": 6 * 3600},
    },
    # The outbox scan: deliver email/SMS that no task delivered (broker down, worker killed).
    "notifications-redeliver": {
        "task": "governance.tasks.notification_redeliver_task",
        "schedule": crontab(minute="*/2"),
        "options": {"expires": 100},
    },
}
