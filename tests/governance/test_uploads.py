"""Uploaded images: judged by their content, not their name, and never larger than the limit."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from governance.uploads import check_image_pixels, validate_image_upload


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


# --- Pixel limit: refused from the header, before anything is decoded ------------------------------


def blank_png(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of ``width``×``height`` written row by row through zlib: a 13000×13000
    image is a few tens of KB on disk and never exists decoded in memory here."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    row = b"\0" + b"\0" * ((width + 7) // 8)  # filter byte + one row of black pixels
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def huge_png() -> bytes:
    return blank_png(13000, 13000)


def test_the_generated_png_is_small_on_disk_and_declares_169_megapixels(huge_png, monkeypatch):
    assert len(huge_png) < 500 * 1024
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    with Image.open(io.BytesIO(huge_png)) as img:  # lazy: the header only
        assert img.size == (13000, 13000)


def test_an_image_over_the_pixel_limit_is_refused_before_decoding(settings, huge_png, monkeypatch):
    settings.UPLOAD_MAX_PIXELS = 40_000_000
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda self: decoded.append(self) or None)
    upload = SimpleUploadedFile("huge.png", huge_png, content_type="image/png")
    with pytest.raises(ValidationError) as excinfo:
        validate_image_upload(upload)
    assert excinfo.value.code == "image_too_large"
    assert excinfo.value.messages == ["图片尺寸过大，上限为 4000 万像素，请缩小后重新上传。"]
    assert decoded == []


def test_the_pixel_limit_comes_from_the_setting(settings):
    settings.UPLOAD_MAX_PIXELS = 60
    upload = SimpleUploadedFile("photo.png", image_bytes("PNG"))  # 8×8 = 64 pixels
    with pytest.raises(ValidationError) as excinfo:
        validate_image_upload(upload)
    assert excinfo.value.code == "image_too_large"
    assert excinfo.value.messages == ["图片尺寸过大（8×8 像素），上限为 0.006 万像素，请缩小后重新上传。"]
    settings.UPLOAD_MAX_PIXELS = 64
    assert validate_image_upload(upload) == "image/png"


def test_pillows_own_bomb_guard_follows_the_limit_and_becomes_a_validation_error(settings):
    settings.UPLOAD_MAX_PIXELS = 20  # 8×8 = 64 > 2 × 20: Pillow raises DecompressionBombError itself
    upload = SimpleUploadedFile("photo.png", image_bytes("PNG"))
    with pytest.raises(ValidationError) as excinfo:
        check_image_pixels(upload)
    assert Image.MAX_IMAGE_PIXELS == 20
    assert excinfo.value.code == "image_too_large"
    assert excinfo.value.messages == ["图片尺寸过大，上限为 0.002 万像素，请缩小后重新上传。"]


def test_a_default_sized_photo_is_accepted(settings):
    assert settings.UPLOAD_MAX_PIXELS == 40_000_000
    upload = SimpleUploadedFile("photo.png", image_bytes("PNG"))
    assert check_image_pixels(upload) == (8, 8)


def test_photo_clean_refuses_the_huge_png_with_the_code(huge_png):
    from grids.services import photo_clean

    with pytest.raises(ValidationError) as excinfo:
        photo_clean(SimpleUploadedFile("huge.png", huge_png, content_type="image/png"))
    assert excinfo.value.code == "image_too_large"
