"""A photo over the pixel limit is refused through the API with a 400, before it is decoded."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from grids.models import Event, EventPhoto
from tests.governance.test_uploads import blank_png
from tests.grids.conftest import EAST_POINT


@pytest.fixture(scope="module")
def huge_png() -> bytes:
    return blank_png(13000, 13000)


def test_a_huge_png_through_the_api_is_a_400_naming_the_limit_and_nothing_is_written(
    api_as, grid_worker, east_grid, manhole, huge_png
):
    upload = SimpleUploadedFile("huge.png", huge_png, content_type="image/png")
    response = api_as(grid_worker).post(
        "/api/v1/events/",
        {
            "description": "井盖缺失",
            "category": "manhole",
            "lon": EAST_POINT[0],
            "lat": EAST_POINT[1],
            "photos": [upload],
        },
        format="multipart",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    messages = [m for field_messages in body["fields"].values() for m in field_messages]
    assert messages == ["图片尺寸过大，上限为 4000 万像素，请缩小后重新上传。"]
    assert Event.objects.count() == 0
    assert EventPhoto.objects.count() == 0
