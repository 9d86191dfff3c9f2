"""Checks for uploaded files: size limit, real content type (not the name or the header) and, for
images, a pixel limit read from the header before anything is decoded.

Every app's photos go through :func:`image_clean` (checked, orientation applied, re-encoded so no
EXIF/GPS metadata survives), and a page that sends a form back keeps the photos already chosen with
:func:`pending_keep` / :func:`pending_load` / :func:`pending_drop` (a browser never refills a file
input). Photos are never served from ``/media/``: each app serves them through a view that checks
who may see the object they belong to.
"""

import io
import secrets
import uuid
import warnings

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

_SIGNATURES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}


def sniff_image_type(head: bytes) -> str | None:
    for signature, content_type in _SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def validate_image_upload(upload: UploadedFile, *, max_bytes: int | None = None) -> str:
    """Refuse files that are too large, not a JPEG/PNG/WebP image, or over the pixel limit; return the
    sniffed type."""
    limit = max_bytes or settings.UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("文件过大（%(size)s），上限为 %(limit)s。")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="file_too_large",
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    content_type = sniff_image_type(head)
    if content_type not in settings.UPLOAD_IMAGE_TYPES:
        raise ValidationError(_("只能上传 JPEG、PNG 或 WebP 格式的图片。"), code="invalid_image_type")
    check_image_pixels(upload)
    return content_type


def too_many_pixels_error(*, limit: int, size: tuple[int, int] | None = None) -> ValidationError:
    """The error for an image over the pixel limit, e.g. 上限为 4000 万像素."""
    values = {"limit": f"{limit / 10000:g}"}
    if size is None:
        message = _("图片尺寸过大，上限为 %(limit)s 万像素，请缩小后重新上传。") % values
    else:
        values.update(width=size[0], height=size[1])
        message = _("图片尺寸过大（%(width)d×%(height)d 像素），上限为 %(limit)s 万像素，请缩小后重新上传。") % values
    return ValidationError(message, code="image_too_large")


def check_image_pixels(upload: UploadedFile) -> tuple[int, int]:
    """Refuse an image whose header declares more than ``UPLOAD_MAX_PIXELS`` pixels, before it is
    decoded (a few hundred KB of PNG can declare 13000×13000 and take 1.4 GB to decode).

    ``Image.open`` is lazy: it reads the header only. ``Image.MAX_IMAGE_PIXELS`` is set to the same
    limit, so Pillow's own decompression-bomb guard agrees with this one wherever an image is opened.
    Returns ``(width, height)``; leaves the file position where it was.
    """
    limit = settings.UPLOAD_MAX_PIXELS
    Image.MAX_IMAGE_PIXELS = limit  # Pillow refuses, on open, what declares more than twice this
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Between the limit and twice it Pillow only warns: the check below refuses those.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as img:
                width, height = img.size
    except Image.DecompressionBombError as exc:
        raise too_many_pixels_error(limit=limit) from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationError(_("图片文件已损坏，无法读取。"), code="invalid_image") from exc
    finally:
        upload.seek(position)
    if width * height > limit:
        raise too_many_pixels_error(limit=limit, size=(width, height))
    return width, height


# --- Clean copies -------------------------------------------------------------------------------

MAX_SIDE = 2048
_FORMATS = {"image/jpeg": ("JPEG", "jpg"), "image/png": ("PNG", "png"), "image/webp": ("WEBP", "webp")}


def image_clean(upload: UploadedFile) -> ContentFile:
    """Validate and re-encode an image so no metadata (GPS included) survives. Raises ValidationError."""
    content_type = validate_image_upload(upload)  # pixel limit checked from the header, before decoding
    upload.seek(0)
    try:
        with Image.open(upload) as img:
            if img.format == "JPEG":
                img.draft(img.mode, (MAX_SIDE, MAX_SIDE))  # decode at a reduced scale: bounded memory
            img.load()
            img = ImageOps.exif_transpose(img)
    except Image.DecompressionBombError as exc:
        raise too_many_pixels_error(limit=settings.UPLOAD_MAX_PIXELS) from exc
    except (UnidentifiedImageError, OSError) as exc:
        raise ValidationError(_("图片文件已损坏，无法读取。"), code="invalid_image") from exc
    img.thumbnail((MAX_SIDE, MAX_SIDE))
    fmt, ext = _FORMATS[content_type]
    if fmt == "JPEG" and img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    if img.mode not in ("RGB", "RGBA", "L", "LA"):
        img = img.convert("RGBA" if fmt != "JPEG" else "RGB")
    clean = Image.new(img.mode, img.size)  # a fresh image carries no info/exif from the upload
    clean.paste(img)
    buffer = io.BytesIO()
    clean.save(buffer, format=fmt, **({"quality": 85, "optimize": True} if fmt == "JPEG" else {}))
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.{ext}")


# --- Photos kept across a form sent back --------------------------------------------------------
#
# Each photo is re-encoded by ``image_clean`` (so only a valid image, metadata stripped, is kept),
# stored in the cache for ``PENDING_TTL`` seconds under a random token bound to the user and to the
# page's ``namespace``; the form carries the token in a hidden field.

PENDING_TTL = 30 * 60
_CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def _pending_key(namespace: str, user_id: int, token: str) -> str:
    return f"{namespace}:pending-photos:{user_id}:{token}"


def pending_token_valid(token: str | None) -> bool:
    return bool(token) and len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum()


def pending_load(*, namespace: str, user, token: str | None) -> list[SimpleUploadedFile]:
    """The photos kept under ``token`` for this user (none for a token of someone else)."""
    if not pending_token_valid(token):
        return []
    stored = cache.get(_pending_key(namespace, user.pk, token)) or []
    return [
        SimpleUploadedFile(name, content, content_type=_CONTENT_TYPES.get(name.rsplit(".", 1)[-1], "image/jpeg"))
        for name, content in stored
    ]


def pending_keep(
    *, namespace: str, user, token: str | None, kept: list[UploadedFile], new: list[UploadedFile], limit: int
) -> tuple[str, int, list[ValidationError]]:
    """Keep ``kept`` (already clean) and the valid ones of ``new``, up to ``limit``; returns
    ``(token, count, errors of the photos refused)``."""
    token = token if pending_token_valid(token) else secrets.token_urlsafe(16)
    stored, errors = [], []
    for upload in kept:
        upload.seek(0)
        stored.append((upload.name, upload.read()))
    for upload in new:
        if len(stored) >= limit:
            break
        try:
            clean = image_clean(upload)
        except ValidationError as exc:
            errors.append(exc)
            continue
        stored.append((clean.name, clean.read()))
    stored = stored[:limit]
    key = _pending_key(namespace, user.pk, token)
    if stored:
        cache.set(key, stored, PENDING_TTL)
    else:
        cache.delete(key)
    return token, len(stored), errors


def pending_drop(*, namespace: str, user, token: str | None) -> None:
    if pending_token_valid(token):
        cache.delete(_pending_key(namespace, user.pk, token))
