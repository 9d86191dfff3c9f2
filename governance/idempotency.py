"""Idempotent creates: a retry carrying the same ``Idempotency-Key`` gets the first response again.

A client that lost the answer to a create (a dropped connection, a timeout) sends the request
again with the same key. Within ``TTL`` the same caller and key get the stored status and body,
and nothing is written twice; the same key with a different request is refused
(``idempotency_key_reused``, 422).

The key is claimed by inserting its row in the same transaction as the write, so the unique
constraint on (caller, key) decides between concurrent duplicates: on PostgreSQL the second insert
waits for the first transaction, then finds the row and replays its response; if the first failed,
its row is rolled back with its write and the second runs as if it came first. A request that ends
in an error stores nothing, so a retry after a refusal is checked afresh.

Doors: ``idempotent_api`` wraps a DRF view method; Open311 calls ``idempotent_call`` directly.
"""

import functools
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy
from rest_framework import status
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from governance.exceptions import Conflict, DomainError
from governance.models import IdempotencyRecord

HEADER = "Idempotency-Key"
TTL = timedelta(hours=24)
KEY_FORMAT = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces


class InvalidIdempotencyKey(DomainError):
    code = "invalid_idempotency_key"
    default_detail = gettext_lazy("Idempotency-Key 须为 1 到 255 个可见 ASCII 字符。")


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = gettext_lazy("该 Idempotency-Key 已用于另一个不同的请求，请为新请求换一个新的键。")


class IdempotencyInProgress(Conflict):
    code = "in_progress"
    default_detail = gettext_lazy("使用该 Idempotency-Key 的请求仍在处理中，请稍后重试。")


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: str
    content_type: str


class _NotStored(Exception):
    """Leaves the claiming transaction: an error response is returned, and nothing is kept."""

    def __init__(self, response: StoredResponse):
        self.response = response


def request_fingerprint(*, method: str, path: str, data: Any, files: Mapping | None = None) -> str:
    """SHA-256 over the method, the path and the body (form fields, JSON, uploaded files' bytes)."""
    digest = hashlib.sha256(f"{method.upper()} {path}\n".encode())
    if hasattr(data, "lists"):  # a QueryDict: every value of every field, in order (files come below)
        data = sorted((name, [v for v in values if isinstance(v, str)]) for name, values in data.lists())
    digest.update(json.dumps(data, sort_keys=True, cls=JSONEncoder, ensure_ascii=False).encode())
    for name in sorted(files or {}):
        for upload in files.getlist(name) if hasattr(files, "getlist") else [files[name]]:
            digest.update(f"\n{name}:{upload.name}:{upload.size}:".encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return digest.hexdigest()


def _live(*, caller: str, key: str) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.filter(caller=caller, key=key, created_at__gte=timezone.now() - TTL).first()


def _replay(record: IdempotencyRecord, fingerprint: str) -> StoredResponse:
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    if record.response_status is None:
        raise IdempotencyInProgress()
    return StoredResponse(status=record.response_status, body=record.response_body, content_type=record.content_type)


def idempotent_call(
    *, caller: str, key: str, fingerprint: str, produce: Callable[[], StoredResponse]
) -> tuple[StoredResponse, bool]:
    """``produce()`` at most once per (caller, key) within ``TTL``; returns the response and whether
    it is a replay. ``produce`` runs inside this transaction; if it raises, nothing is stored."""
    if not KEY_FORMAT.match(key):
        raise InvalidIdempotencyKey()
    existing = _live(caller=caller, key=key)
    if existing is not None:
        return _replay(existing, fingerprint), True
    try:
        return _claim_and_produce(caller=caller, key=key, fingerprint=fingerprint, produce=produce)
    except _NotStored as refused:
        return refused.response, False


def _claim_and_produce(
    *, caller: str, key: str, fingerprint: str, produce: Callable[[], StoredResponse]
) -> tuple[StoredResponse, bool]:
    with transaction.atomic():
        # An expired row for the same key is replaced: a day later the key names a new request.
        IdempotencyRecord.objects.filter(caller=caller, key=key, created_at__lt=timezone.now() - TTL).delete()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(caller=caller, key=key, fingerprint=fingerprint)
        except IntegrityError:
            # A concurrent request with this key committed first (its insert held ours until then).
            existing = _live(caller=caller, key=key)
            if existing is None:
                raise IdempotencyInProgress() from None
            return _replay(existing, fingerprint), True
        response = produce()
        if response.status >= 400:
            raise _NotStored(response)
        record.response_status = response.status
        record.response_body = response.body
        record.content_type = response.content_type
        record.save(update_fields=["response_status", "response_body", "content_type"])
    return response, False


def idempotency_purge_expired(*, now=None) -> int:
    """Delete rows past ``TTL``; returns how many. Safe to run at any time (for a periodic task)."""
    deleted, _by_model = IdempotencyRecord.objects.filter(created_at__lt=(now or timezone.now()) - TTL).delete()
    return deleted


def idempotent_api(view_method: Callable) -> Callable:
    """A DRF view method (e.g. ``create``) that honours ``Idempotency-Key`` for a signed-in caller.

    Without the header the method runs as before. A replay carries ``Idempotent-Replayed: true``.
    """

    @functools.wraps(view_method)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None or not request.user.is_authenticated:
            return view_method(view, request, *args, **kwargs)

        def produce() -> StoredResponse:
            response = view_method(view, request, *args, **kwargs)
            body = json.dumps(response.data, cls=JSONEncoder, ensure_ascii=False)
            return StoredResponse(status=response.status_code, body=body, content_type="application/json")

        fingerprint = request_fingerprint(
            method=request.method, path=request.path, data=request.data, files=request.FILES
        )
        stored, replayed = idempotent_call(
            caller=f"user:{request.user.pk}", key=key, fingerprint=fingerprint, produce=produce
        )
        response = Response(json.loads(stored.body), status=stored.status)
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response

    wrapper.idempotent = True  # PortalAutoSchema documents the header and the 422
    return wrapper
