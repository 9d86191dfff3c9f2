"""Photos chosen on the report form, kept across a form error or the duplicate confirmation.

A browser never refills a file input, so a report sent back (a missing field, "an open event of the
same category is within 50 m") would lose the photos the person just took. The page keeps them
here instead: each photo is re-encoded by the same ``photo_clean`` the service uses (so only a valid
image, with its metadata stripped, is kept), stored in the cache for ``PENDING_TTL`` seconds under a
random token bound to the user, and the form carries the token in a hidden field.
"""

import secrets

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile

from grids.services.photos import photo_clean

PENDING_TTL = 30 * 60
_CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def _key(user_id: int, token: str) -> str:
    return f"grids:pending-photos:{user_id}:{token}"


def _valid_token(token: str | None) -> bool:
    return bool(token) and len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum()


def pending_load(*, user, token: str | None) -> list[SimpleUploadedFile]:
    """The photos kept under ``token`` for this user (none for a token of someone else)."""
    if not _valid_token(token):
        return []
    stored = cache.get(_key(user.pk, token)) or []
    return [
        SimpleUploadedFile(name, content, content_type=_CONTENT_TYPES.get(name.rsplit(".", 1)[-1], "image/jpeg"))
        for name, content in stored
    ]


def pending_keep(
    *, user, token: str | None, kept: list[UploadedFile], new: list[UploadedFile], limit: int
) -> tuple[str, int, list[ValidationError]]:
    """Keep ``kept`` (already clean) and the valid ones of ``new``, up to ``limit``; returns
    ``(token, count, errors of the photos refused)``."""
    token = token if _valid_token(token) else secrets.token_urlsafe(16)
    stored, errors = [], []
    for upload in kept:
        upload.seek(0)
        stored.append((upload.name, upload.read()))
    for upload in new:
        if len(stored) >= limit:
            break
        try:
            clean = photo_clean(upload)
        except ValidationError as exc:
            errors.append(exc)
            continue
        stored.append((clean.name, clean.read()))
    stored = stored[:limit]
    if stored:
        cache.set(_key(user.pk, token), stored, PENDING_TTL)
    else:
        cache.delete(_key(user.pk, token))
    return token, len(stored), errors


def pending_drop(*, user, token: str | None) -> None:
    if _valid_token(token):
        cache.delete(_key(user.pk, token))
