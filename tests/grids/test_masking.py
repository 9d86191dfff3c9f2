"""Personal data in free text is masked wherever it leaves the page entitled to it: the public
tracking page, the event lists (queue, my grid, my tasks) and the API list rows. One event's own
page and API detail, for the people who work on it, keep the full text."""

import html as html_lib

import pytest
from django.test import Client
from django.urls import reverse

from grids import services

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
DESCRIPTION = "北门井盖缺失，家属电话138-1234-0004，邮箱wang.li@example.com，身份证110101199003071234"
PLAIN_SECRETS = ("138-1234-0004", "wang.li@example.com", "110101199003071234")
MASKED = ("138****0004", "w***@example.com", "110***********1234")


def page(user, url: str, **params) -> str:
    client = Client()
    if user is not None:
        client.force_login(user, backend=MODEL_BACKEND)
    response = client.get(url, params)
    assert response.status_code == 200
    return html_lib.unescape(response.content.decode())


def assert_masked(text: str) -> None:
    for secret in PLAIN_SECRETS:
        assert secret not in text
    for masked in MASKED:
        assert masked in text


@pytest.fixture
def event(report):
    return report(description=DESCRIPTION, reporter_name="王小明", reporter_phone="13912345678")


def test_the_public_tracking_page_masks_the_description(event):
    assert_masked(page(None, reverse("grids:track", args=[event.code])))


def test_the_public_tracking_page_masks_the_rating_comment(event, east_staff, handler):
    services.event_accept(event=event, actor=east_staff)
    services.event_dispatch(event=event, actor=east_staff)
    services.event_start(event=event, actor=handler)
    services.event_resolve(event=event, actor=handler, resolution="已修好")
    services.event_rate(event=event, rating=4, comment="谢谢，有事打13912345678")
    text = page(None, reverse("grids:track", args=[event.code]))
    assert "13912345678" not in text
    assert "谢谢，有事打139****5678" in text


def test_the_queue_masks_descriptions(event, east_staff):
    text = page(east_staff, reverse("grids:queue"))
    for secret in PLAIN_SECRETS:
        assert secret not in text
    assert "北门井盖缺失，家属电话138****0004，邮箱w***@example.com，身份证" in text  # cut at 60, after masking


def test_my_grid_masks_descriptions(event, grid_worker):
    text = page(grid_worker, reverse("grids:grid"))
    assert "138-1234-0004" not in text
    assert "北门井盖缺失，家属电话138****0004" in text  # the row is cut at 60 characters, after masking


def test_a_handlers_task_list_masks_descriptions(event, east_staff, handler):
    services.event_dispatch(event=services.event_accept(event=event, actor=east_staff), actor=east_staff)
    text = page(handler, reverse("grids:tasks"))
    assert "138-1234-0004" not in text
    assert "138****0004" in text


def test_the_event_page_for_the_staff_handling_it_keeps_the_full_description(event, east_staff):
    text = page(east_staff, reverse("grids:event_detail", args=[event.pk]))
    assert "家属电话138-1234-0004" in text


def test_api_list_rows_mask_description_and_reporter_name(api_as, event, east_staff):
    body = api_as(east_staff).get("/api/v1/events/").json()
    row = next(r for r in body["results"] if r["id"] == event.pk)
    assert row["description"] == ("北门井盖缺失，家属电话138****0004，邮箱w***@example.com，身份证110***********1234")
    assert row["reporter_name"] == "王*明"
    assert row["reporter_phone"] == "139****5678"


def test_api_detail_for_people_on_the_event_keeps_description_and_name(api_as, event, east_staff):
    body = api_as(east_staff).get(f"/api/v1/events/{event.pk}/").json()
    assert body["description"] == DESCRIPTION
    assert body["reporter_name"] == "王小明"
    assert body["reporter_phone"] == "139****5678"


def test_possible_duplicates_shown_to_a_reporter_are_masked(api_as, event, grid_worker, manhole):
    lon, lat = event.lon, event.lat
    found = api_as(grid_worker).get(
        "/api/v1/events/nearby/", {"category": manhole.service_code, "lon": lon, "lat": lat}
    )
    assert found.status_code == 200
    assert [r["description"] for r in found.json()] == [
        "北门井盖缺失，家属电话138****0004，邮箱w***@example.com，身份证110***********1234"
    ]
