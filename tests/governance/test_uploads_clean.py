"""The core's photo cleaner and the photos a page keeps across a form sent back (shared by grids
and partners): a clean copy carries no metadata, and kept photos belong to one user and one page."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from governance import uploads
from grids.services import photo_clean


def jpeg_with_gps() -> SimpleUploadedFile:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (39.0, 59.0, 0.0)}
    exif[0x010F] = "TestCamera"
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 200, 10)).save(buffer, format="JPEG", exif=exif.tobytes())
    return SimpleUploadedFile("gps.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_a_clean_copy_keeps_the_picture_and_drops_the_metadata():
    upload = jpeg_with_gps()
    with Image.open(upload) as original:
        assert original.getexif()  # the upload does carry a location
    clean = uploads.image_clean(upload)
    assert clean.name.endswith(".jpg")
    with Image.open(io.BytesIO(clean.read())) as img:
        assert img.size == (30, 20)
        assert dict(img.getexif()) == {}


def test_the_grids_name_is_the_core_cleaner():
    assert photo_clean is uploads.image_clean


@pytest.mark.django_db
def test_kept_photos_belong_to_one_user_and_one_page(make_user):
    alice, bob = make_user(username="alice"), make_user(username="bob")
    token, count, refused = uploads.pending_keep(
        namespace="partners-record",
        user=alice,
        token=None,
        kept=[],
        new=[jpeg_with_gps(), SimpleUploadedFile("x.jpg", b"not an image")],
        limit=6,
    )
    assert count == 1
    assert [e.code for e in refused] == ["invalid_image_type"]
    assert isinstance(refused[0], ValidationError)
    assert len(uploads.pending_load(namespace="partners-record", user=alice, token=token)) == 1
    assert uploads.pending_load(namespace="partners-record", user=bob, token=token) == []
    assert uploads.pending_load(namespace="grids", user=alice, token=token) == []
    uploads.pending_drop(namespace="partners-record", user=alice, token=token)
    assert uploads.pending_load(namespace="partners-record", user=alice, token=token) == []
