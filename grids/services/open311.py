"""Open311 GeoReport v2: client keys (issued once, stored hashed) and filing a request as an event."""

import hashlib
import secrets
from collections.abc import Mapping, Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Event, EventCategory, Open311Key, TimelineEntry
from grids.services.events import timeline_add
from grids.services.report import event_report

KEY_PREFIX_LENGTH = 8


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def open311_key_issue(*, name: str) -> tuple[Open311Key, str]:
    """Issue a key for a client; returns the row and the secret key (shown once, stored hashed)."""
    key = secrets.token_urlsafe(30)
    record = Open311Key(name=name.strip(), key_hash=_hash(key), prefix=key[:KEY_PREFIX_LENGTH])
    record.full_clean()
    record.save()
    return record, key


def open311_key_authenticate(*, key: str) -> Open311Key | None:
    """The active key matching ``key``, or ``None``. Reads only: ``open311_key_mark_used`` records use."""
    key = (key or "").strip()
    if not key:
        return None
    # Looked up by its SHA-256: the stored value is a digest, so timing reveals nothing about the key.
    return Open311Key.objects.filter(key_hash=_hash(key), is_active=True).first()


def open311_key_mark_used(*, key: Open311Key) -> None:
    now = timezone.now()
    Open311Key.objects.filter(pk=key.pk).update(last_used_at=now)
    key.last_used_at = now


def open311_key_deactivate(*, key: Open311Key) -> Open311Key:
    Open311Key.objects.filter(pk=key.pk).update(is_active=False)
    key.is_active = False
    return key


def open311_description(
    *, description: str, attributes: Mapping[str, Sequence[str]] | None = None, media_url: str = ""
) -> str:
    """The event's text: what the resident wrote, then the client's ``attribute[...]`` values and media link."""
    lines = [f"{code}：{'、'.join(values)}" for code, values in (attributes or {}).items() if values]
    if media_url:
        lines.append(_("图片链接：%(url)s") % {"url": media_url})
    if not lines:
        return description
    return "\n".join([description, "", _("附加信息（Open311）："), *lines])


@transaction.atomic
def open311_request_create(
    *,
    key: Open311Key,
    category: EventCategory,
    lon: float,
    lat: float,
    description: str,
    address: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_email: str = "",
    attributes: Mapping[str, Sequence[str]] | None = None,
    media_url: str = "",
    photos: Sequence[UploadedFile] = (),
) -> Event:
    """File a service request from an Open311 client as an event; note which client filed it.

    Everything is checked by ``event_report`` before anything is written; the key's last use is
    recorded only when the event exists.
    """
    event = event_report(
        reporter=None,
        source=Event.Source.OPEN311,
        category=category,
        lon=lon,
        lat=lat,
        description=open311_description(description=description, attributes=attributes, media_url=media_url),
        address=address,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        reporter_email=reporter_email,
        photos=photos,
    )
    timeline_add(
        event=event,
        kind=TimelineEntry.Kind.NOTE,
        note=_("Open311 客户端：%(name)s") % {"name": key.name},
    )
    open311_key_mark_used(key=key)
    return event


__all__ = [
    "open311_description",
    "open311_key_authenticate",
    "open311_key_deactivate",
    "open311_key_issue",
    "open311_key_mark_used",
    "open311_request_create",
]
