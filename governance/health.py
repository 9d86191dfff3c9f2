"""Liveness of what requests and tasks use: the database, the cache and the broker."""

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from kombu import Connection


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down"
        return False, exc.__class__.__name__
    return True, connection.vendor


def check_broker() -> tuple[bool, str]:
    url = settings.CELERY_BROKER_URL
    try:
        with Connection(url, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
            if conn.transport_cls in ("redis", "rediss") or url.startswith(("redis://", "rediss://")):
                conn.default_channel.client.ping()
    except Exception as exc:  # any failure means "down"
        return False, exc.__class__.__name__
    return True, url.split("://", 1)[0]


def check_cache() -> tuple[bool, str]:
    """Redis itself (not the in-process fallback that serves while it is down), or the local cache."""
    cache = caches["default"]
    try:
        if hasattr(cache, "ping"):  # governance.cache.DegradableRedisCache
            cache.ping()
            return True, "redis"
        cache.set("healthz", "ok", 5)
        if cache.get("healthz") != "ok":
            return False, "NoValue"
    except Exception as exc:  # any failure means "down"
        return False, exc.__class__.__name__
    return True, cache.__class__.__module__.rsplit(".", 1)[-1]
