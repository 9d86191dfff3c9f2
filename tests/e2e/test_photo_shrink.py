"""A 20 MB phone photo is shrunk in the browser before upload and survives the duplicate check.

A grid worker on a 360×740 phone reports a broken manhole cover 10 m from an open report of the same
category and chooses a 20+ MB JPEG (generated here with Pillow). The page shrinks it to at most
1600 px before anything is sent; the first submit is sent back with "附近已有同类事件", the photo is
kept; confirming files the event with that photo. Screenshots: var/screenshots/photo-shrink-*.png.
"""

import io
import os
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image

from grids.models import Event
from tests.grids import conftest as grids_fixtures
from tests.grids.conftest import EAST_POINT

east_grid = grids_fixtures.east_grid
manhole = grids_fixtures.manhole
municipal = grids_fixtures.municipal
report = grids_fixtures.report

pytestmark = pytest.mark.e2e

PHONE_360 = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}


def big_jpeg(path) -> int:
    """A 5200×3900 photo of noise at quality 95: over 20 MB, as a phone's full-resolution shot can be."""
    width, height = 5200, 3900
    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95)
    path.write_bytes(buffer.getvalue())
    return len(buffer.getvalue())


def signed_in_context(browser, live_server, user, options):
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(20_000)
    host = urlsplit(live_server.url).hostname
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "domain": host,
                "path": "/",
            }
        ]
    )
    return context


def test_a_20_mb_photo_is_shrunk_before_upload_and_survives_the_duplicate_check(
    browser, live_server, browser_log, screenshots, tmp_path, grid_worker, east_grid, manhole, report
):
    existing = report(description="北门井盖松动")  # open, same category, at EAST_POINT
    photo = tmp_path / "IMG_0001.jpg"
    original = big_jpeg(photo)
    assert original > 20 * 1024 * 1024

    context = signed_in_context(browser, live_server, grid_worker, PHONE_360)
    page = context.new_page()
    page.on("console", browser_log.on_console)
    page.on("pageerror", browser_log.on_page_error)
    uploads: list[int] = []
    page.on(
        "request",
        lambda r: (
            uploads.append(len(r.post_data_buffer or b"")) if r.method == "POST" and "/events/new" in r.url else None
        ),
    )

    page.goto("/events/new/")
    page.select_option("#id_category", str(manhole.pk))
    page.fill("#id_description", "北门井盖缺失，夜间很危险")
    page.fill("#id_lon", f"{EAST_POINT[0] + 0.0001:.6f}")
    page.fill("#id_lat", f"{EAST_POINT[1]:.6f}")
    page.set_input_files("#id_photos", str(photo))
    status = page.locator("[data-photo-status]")
    status.filter(has_text="照片已压缩").wait_for()
    shrunk = page.evaluate("document.querySelector('#id_photos').files[0].size")
    dims = page.evaluate(
        """() => createImageBitmap(document.querySelector('#id_photos').files[0]).then(b => [b.width, b.height])"""
    )
    assert shrunk < 1024 * 1024, shrunk
    assert max(dims) == 1600
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshots / "photo-shrink-1-chosen.png", full_page=True)

    page.get_by_role("button", name="提交上报").click()
    page.locator("#nearby-title").wait_for()
    assert len(uploads) == 1
    assert uploads[0] < 2 * 1024 * 1024, uploads  # the small file went up, not 20 MB
    kept = page.locator("[data-pending-photos]")
    assert "已保留刚才选择的 1 张照片" in kept.inner_text()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshots / "photo-shrink-2-duplicate.png", full_page=True)

    page.locator("input[name=confirm_new]").check()
    page.get_by_role("button", name="继续上报").click()
    page.wait_for_url("**/events/*/")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshots / "photo-shrink-3-filed.png", full_page=True)
    context.close()

    created = Event.objects.exclude(pk=existing.pk).get()
    photos = list(created.photos.all())
    assert len(photos) == 1
    with Image.open(photos[0].image.path) as stored:
        assert max(stored.size) == 1600
    assert browser_log.csp == []
    assert browser_log.errors == []
