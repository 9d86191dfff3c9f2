"""Uploaded images: judged by their content, not their name, and never larger than the limit."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from governance.uploads import validate_image_upload


def image_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("fmt", "name", "content_type"),
    [
        ("PNG", "photo.png", "image/png"),
        ("JPEG", "photo.jpg", "image/jpeg"),
        ("WEBP", "photo.webp", "image/webp"),
    ],
)
def test_a_real_small_image_is_accepted(settings, fmt, name, content_type):
    upload = SimpleUploadedFile(name, image_bytes(fmt), content_type="application/octet-stream")
    assert validate_image_upload(upload) == content_type


def test_the_type_comes_from_the_content_not_the_name():
    upload = SimpleUploadedFile("photo.jpg", image_bytes("PNG"), content_type="image/jpeg")
    assert validate_image_upload(upload) == "image/png"


def test_validation_leaves_the_file_position_where_it_was():
    upload = SimpleUploadedFile("photo.png", image_bytes("PNG"))
    upload.seek(3)
    validate_image_upload(upload)
    assert upload.tell() == 3


@pytest.mark.parametrize("content", [b"just some text, not a picture\n", b"", b"%PDF-1.7\n..."])
def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(content):
    upload = SimpleUploadedFile("photo.jpg", content, content_type="image/jpeg")
    with pytest.raises(ValidationError) as excinfo:
        validate_image_upload(upload)
    assert excinfo.value.code == "invalid_image_type"
    assert excinfo.value.messages == ["只能上传 JPEG、PNG 或 WebP 格式的图片。"]


def test_a_file_over_the_limit_is_refused_with_both_sizes(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    upload = SimpleUploadedFile("big.png", image_bytes("PNG") + b"\0" * 2048)
    with pytest.raises(ValidationError) as excinfo:
        validate_image_upload(upload)
    assert excinfo.value.code == "file_too_large"
    message = excinfo.value.messages[0]
    assert message.startswith("文件过大")
    assert "上限为 1.0\xa0KB" in message


def test_the_limit_can_be_set_per_call():
    upload = SimpleUploadedFile("photo.png", image_bytes("PNG"))
    with pytest.raises(ValidationError):
        validate_image_upload(upload, max_bytes=10)
    assert validate_image_upload(upload, max_bytes=upload.size) == "image/png"
