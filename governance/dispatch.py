"""Enqueue Celery tasks by name, after commit, best-effort.

Services never import tasks (tasks import services): a service asks for a task by its dotted
name here. Enqueuing is best-effort by design — every task the portal enqueues has a periodic
scan over indexed state behind it (the outbox scan, the escalation scan), so a broker that is
down delays the work and never loses it. A failure is logged and swallowed: a write that has
committed is never turned into an error for the person who made it.
"""

import logging

from django.db import transaction

from governance.celery import app

logger = logging.getLogger(__name__)


def enqueue(name: str, **kwargs) -> bool:
    """Send task ``name`` with ``kwargs`` now; False (logged) when the broker refused it."""
    try:
        if app.conf.task_always_eager:  # tests and one-process setups: run it here, as .delay() would
            if name not in app.tasks:
                app.loader.import_default_modules()  # the autodiscovered tasks modules
            app.tasks[name].apply(kwargs=kwargs, throw=True)
        else:
            app.send_task(name, kwargs=kwargs)
    except Exception as exc:
        logger.warning("Could not enqueue %s (%s); the periodic scan will pick it up.", name, type(exc).__name__)
        return False
    return True


def enqueue_on_commit(name: str, **kwargs) -> None:
    """Enqueue after the current transaction commits (at once when there is none)."""
    transaction.on_commit(lambda: enqueue(name, **kwargs))
