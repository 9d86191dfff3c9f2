"""The Redis cache, degraded rather than down: while Redis does not answer, a per-process memory cache.

Redis down is a degraded state, not an outage. ``DegradableRedisCache`` is Django's ``RedisCache``
(with the short socket timeouts set in ``CACHES["default"]["OPTIONS"]``) that, when a call fails with a
connection error or a timeout, serves that call and every call of the next ``RETRY_AFTER`` seconds
from a ``LocMemCache`` of its own process, logs one warning for the whole interval, and then tries
Redis again. Counts kept meanwhile (the rate limits) are per process, not shared: the limits still
hold, only looser by the number of web processes. ``ping()`` asks Redis itself, for ``/healthz``.
"""

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_AFTER = 30.0  # seconds on the local cache before Redis is asked again
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
_METHODS = ("add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many", "delete_many", "clear")


class DegradableRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]):
        super().__init__(server, params)
        local_params = {k: v for k, v in params.items() if k not in ("OPTIONS", "LOCATION", "BACKEND")}
        self._local = LocMemCache(f"degraded-{id(self)}", local_params)
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def degraded(self) -> bool:
        return time.monotonic() < self._down_until

    def _mark_down(self, exc: Exception) -> None:
        with self._lock:
            if self.degraded:
                return
            self._down_until = time.monotonic() + RETRY_AFTER
        logger.warning(
            "Cache: Redis unreachable (%s); using this process's memory cache for %d s.",
            exc.__class__.__name__,
            RETRY_AFTER,
        )

    def count(self, key: str, timeout: int) -> int:
        """Add one to the counter ``key`` (created at 0 with ``timeout`` seconds to live) and return
        it: one round trip to Redis (``SET NX EX`` and ``INCR`` in one pipeline) where ``add`` and
        ``incr`` take three. Falls back to the local cache like every other call."""
        if not self.degraded:
            try:
                redis_key = self.make_and_validate_key(key)
                pipe = self._cache.get_client(redis_key, write=True).pipeline(transaction=False)
                pipe.set(redis_key, 0, ex=timeout, nx=True)
                pipe.incr(redis_key)
                return int(pipe.execute()[1])
            except UNREACHABLE as exc:
                self._mark_down(exc)
        return count_with(self._local, key, timeout)

    def ping(self) -> bool:
        """Ask Redis itself, bypassing the fallback; a success ends the degraded interval at once."""
        self._cache.get_client(write=True).ping()
        self._down_until = 0.0
        return True


def _degradable(name: str):
    redis_method = getattr(RedisCache, name)

    def method(self: DegradableRedisCache, *args, **kwargs):
        if not self.degraded:
            try:
                return redis_method(self, *args, **kwargs)
            except UNREACHABLE as exc:
                self._mark_down(exc)
        return getattr(self._local, name)(*args, **kwargs)

    method.__name__ = name
    method.__doc__ = redis_method.__doc__
    return method


for _name in _METHODS:
    setattr(DegradableRedisCache, _name, _degradable(_name))


def count_with(cache, key: str, timeout: int) -> int:
    """``cache.count()`` for any Django cache: ``add`` then ``incr`` (atomic in Redis and LocMem).

    ``cache`` may be ``django.core.cache.cache``, a proxy to the backend: ask for the method, not
    the proxy's class."""
    count = getattr(cache, "count", None)
    if callable(count):
        return count(key, timeout)
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=timeout)
        return 1
