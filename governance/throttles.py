"""Rate limits: one fixed-window counter in the default cache, used by every door that needs one.

Scopes and their limits are ``settings.RATE_LIMITS`` (``"N/s|min|h|d"``, env ``RATE_LIMIT_<SCOPE>``;
empty = off). A request over the limit is refused with ``429`` and ``Retry-After`` = the seconds
left in the window:

- the API (DRF throttles below): ``token`` per client IP on ``POST /api/v1/auth/token/``,
  ``sensor`` per device on ``POST /api/v1/sensors/alerts/``, ``writes`` per signed-in user on
  every other POST/PUT/PATCH/DELETE (the default throttle). The JSON envelope is
  ``{"code": "throttled", "detail": "请求过于频繁，请在 N 秒后重试。"}`` (governance/exceptions.py);
- the sign-in page: ``login`` counts *failed* sign-ins per client IP, so a password spray over many
  usernames is slowed while an office behind one address can still sign in (django-axes locks
  one username and IP after 5 failures on top of this);
- Open311: ``open311`` per ``api_key`` on POST ``requests``, refused in the GeoReport error shape.

The counter is ``SET NX`` + ``INCR`` in one pipeline (``governance.cache.count_with``; ``add`` +
``incr`` on other caches): atomic in Redis, so every web process shares one count. With Redis down
the cache serves from process memory (governance/cache.py) and, should the cache itself fail, the
limit fails open: a slowed attacker is better than a refused citizen.
"""

import functools
import hashlib
import json
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext
from rest_framework.throttling import BaseThrottle

from governance.cache import count_with

logger = logging.getLogger(__name__)

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400}
_PERIODS["day"] = 86400
_LOG_EVERY = 60.0  # seconds between two "cache failed, limits open" warnings
_last_logged = 0.0


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds


def parse_rate(text: str | None) -> Rate | None:
    """``"10/min"`` → Rate(10, 60); ``""``/``None`` → None (no limit). A typo fails loudly."""
    if not text or not str(text).strip():
        return None
    count, _slash, unit = str(text).strip().partition("/")
    unit = unit.strip().lower()
    if unit not in _PERIODS or not count.strip().isdigit():
        raise ValueError(f"Invalid rate limit {text!r}: expected 'N/s', 'N/min', 'N/h' or 'N/d'.")
    return Rate(limit=int(count), period=_PERIODS[unit])


def rate_for(scope: str) -> Rate | None:
    return parse_rate(getattr(settings, "RATE_LIMITS", {}).get(scope))


def retry_message(wait: int) -> str:
    return ngettext("请求过于频繁，请在 %(n)d 秒后重试。", "请求过于频繁，请在 %(n)d 秒后重试。", wait) % {"n": wait}


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or with ``AXES_PROXY_COUNT`` = N reverse proxies in
    front, the address the outermost of them saw (the N-th entry of ``X-Forwarded-For`` from the
    right), so a forged ``X-Forwarded-For`` changes nothing. django-axes uses the same function
    (``AXES_CLIENT_IP_CALLABLE``): the lockout and the limits see one address."""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR") or None  # None when unknown (axes stores no address)


def _key(scope: str, ident: str, window: int) -> str:
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]  # never an api_key or token in the cache
    return f"ratelimit:{scope}:{digest}:{window}"


def _cache_failed(exc: Exception) -> None:
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= _LOG_EVERY:
        _last_logged = now
        logger.warning("Rate limits: the cache failed (%s); requests pass unlimited.", exc.__class__.__name__)


def _window(rate: Rate) -> tuple[int, int]:
    """(this window's number, whole seconds until it ends — at least 1)."""
    now = time.time()
    window = int(now // rate.period)
    return window, max(1, math.ceil((window + 1) * rate.period - now))


def hit(scope: str, ident: str) -> int | None:
    """Count one request; the seconds to wait when it is over the limit, else None."""
    rate = rate_for(scope)
    if rate is None:
        return None
    window, wait = _window(rate)
    key = _key(scope, ident, window)
    try:
        count = count_with(cache, key, rate.period + 1)
    except Exception as exc:  # fail open: see the module docstring
        _cache_failed(exc)
        return None
    return wait if count > rate.limit else None


def exhausted(scope: str, ident: str) -> int | None:
    """Without counting: the seconds to wait when the limit is already used up, else None."""
    rate = rate_for(scope)
    if rate is None:
        return None
    window, wait = _window(rate)
    try:
        count = cache.get(_key(scope, ident, window), 0)
    except Exception as exc:
        _cache_failed(exc)
        return None
    return wait if count >= rate.limit else None


# --- The API (DRF) --------------------------------------------------------------------------


class PortalRateThrottle(BaseThrottle):
    """One scope, one identity per request (None = this request is not limited)."""

    scope = ""

    def ident_for(self, request, view) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        self._wait = None
        ident = self.ident_for(request, view)
        if ident is None:
            return True
        self._wait = hit(self.scope, ident)
        return self._wait is None

    def wait(self) -> int | None:
        return self._wait


class TokenRateThrottle(PortalRateThrottle):
    """``POST /api/v1/auth/token/`` per client IP."""

    scope = "token"

    def ident_for(self, request, view) -> str | None:
        return f"ip:{client_ip(request._request)}" if request.method == "POST" else None


class SensorRateThrottle(PortalRateThrottle):
    """Sensor alerts per authenticated device: varying ``fault`` opens no more events than this."""

    scope = "sensor"

    def ident_for(self, request, view) -> str | None:
        device = request.auth
        return f"device:{device.pk}" if getattr(device, "pk", None) is not None else None


class WriteRateThrottle(PortalRateThrottle):
    """Every API POST/PUT/PATCH/DELETE per signed-in user (the default throttle)."""

    scope = "writes"

    @staticmethod
    def throttles_method(method: str) -> bool:
        """Reads are never limited by this one (the schema documents 429 accordingly)."""
        return method.upper() in UNSAFE_METHODS

    def ident_for(self, request, view) -> str | None:
        if request.method not in UNSAFE_METHODS or not request.user or not request.user.is_authenticated:
            return None
        return f"user:{request.user.pk}"


# --- Open311 --------------------------------------------------------------------------------


def _open311_api_key(request: HttpRequest) -> str:
    value = request.POST.get("api_key", "") if request.method == "POST" else ""
    return (value or request.GET.get("api_key", "")).strip()


def _open311_refusal(wait: int, fmt: str) -> HttpResponse:
    """GeoReport v2's error shape, which 311 clients parse: ``[{"code": 429, "description"}]``."""
    message = retry_message(wait)
    if fmt == "xml":
        body = (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f"<errors><error><code>429</code><description>{escape(message)}</description></error></errors>"
        )
        response = HttpResponse(body, content_type="text/xml; charset=utf-8", status=429)
    else:
        body = json.dumps([{"code": 429, "description": message}], ensure_ascii=False)
        response = HttpResponse(body, content_type="application/json; charset=utf-8", status=429)
    response["Retry-After"] = str(wait)
    return response


def open311_post_limit(view: Callable) -> Callable:
    """Decorator for the Open311 ``requests`` view (inside ``open311_endpoint``): POSTs per api_key."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "POST":
            wait = hit("open311", f"key:{_open311_api_key(request)}")
            if wait is not None:
                return _open311_refusal(wait, kwargs.get("fmt", "json"))
        return view(request, *args, **kwargs)

    return wrapper
