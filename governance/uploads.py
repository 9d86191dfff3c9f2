"""Checks for uploaded files: size limit, real content type (not the name or the header) and, for
images, a pixel limit read from the header before anything is decoded."""

import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

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
