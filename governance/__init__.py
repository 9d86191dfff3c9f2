"""Project package and shared core of the community-governance portal."""

from governance.celery import app as celery_app

__all__ = ("celery_app",)
