"""Checks for uploaded files: size limit and real content type (not the name or the header)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

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
    """Refuse files that are too large or not a JPEG/PNG/WebP image; return the sniffed type."""
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
    return content_type
