"""Event photos: type and size checked, orientation applied, location (EXIF/GPS) metadata stripped."""

import io
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from governance.uploads import too_many_pixels_error, validate_image_upload

MAX_SIDE = 2048
_FORMATS = {"image/jpeg": ("JPEG", "jpg"), "image/png": ("PNG", "png"), "image/webp": ("WEBP", "webp")}


def photo_clean(upload: UploadedFile) -> ContentFile:
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
