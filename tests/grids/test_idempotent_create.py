"""POST /api/v1/events/ with ``Idempotency-Key``: a retry returns the first response and files nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from governance.models import IdempotencyRecord
from grids.models import Event
from tests.grids.conftest import EAST_POINT, image_bytes

pytestmark = pytest.mark.django_db

REPORT = {"description": "路口井盖缺失", "category": "manhole", "lon": EAST_POINT[0], "lat": EAST_POINT[1]}


def _post(client, payload, key=None, fmt="json"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post("/api/v1/events/", payload, format=fmt, **headers)


def test_a_retry_with_the_same_key_returns_the_first_response_and_no_second_event(
    api_as, grid_worker, east_grid, manhole
):
    client = api_as(grid_worker)

    first = _post(client, REPORT, key="report-0001")
    again = _post(client, REPORT, key="report-0001")

    assert first.status_code == 201
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Event.objects.count() == 1
    assert IdempotencyRecord.objects.get().response_status == 201


def test_a_retry_without_a_key_meets_the_duplicate_rule_instead(api_as, grid_worker, east_grid, manhole):
    client = api_as(grid_worker)
    _post(client, REPORT, key="report-0001")

    again = _post(client, REPORT)

    assert again.status_code == 409
    assert again.json()["code"] == "possible_duplicate"
    assert Event.objects.count() == 1


def test_the_same_key_with_a_different_body_is_422_and_files_nothing(api_as, grid_worker, east_grid, manhole):
    client = api_as(grid_worker)
    _post(client, REPORT, key="report-0001")

    other = _post(client, {**REPORT, "description": "另一处井盖缺失", "confirm_new": True}, key="report-0001")

    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Event.objects.count() == 1


def test_the_same_key_from_another_user_is_another_request(api_as, grid_worker, east_staff, east_grid, manhole):
    _post(api_as(grid_worker), REPORT, key="report-0001")

    theirs = _post(api_as(east_staff), {**REPORT, "confirm_new": True}, key="report-0001")

    assert theirs.status_code == 201
    assert Event.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 2


def test_a_refused_request_stores_nothing_so_the_corrected_retry_runs(api_as, grid_worker, east_grid, manhole):
    client = api_as(grid_worker)

    refused = _post(client, {**REPORT, "category": "no_such_thing"}, key="report-0001")
    corrected = _post(client, REPORT, key="report-0001")

    assert refused.status_code == 400
    assert corrected.status_code == 201
    assert Event.objects.count() == 1


def test_a_multipart_retry_with_the_same_photo_is_replayed(api_as, grid_worker, east_grid, manhole):
    client = api_as(grid_worker)

    def send(pixels):
        photo = SimpleUploadedFile("p.jpg", image_bytes(size=pixels), content_type="image/jpeg")
        return _post(client, {**REPORT, "photos": [photo]}, key="with-photo", fmt="multipart")

    first, again, other_photo = send((64, 48)), send((64, 48)), send((32, 32))

    assert first.status_code == 201
    assert again.status_code == 201
    assert again.json() == first.json()
    assert other_photo.status_code == 422
    assert Event.objects.count() == 1


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "中文键"])
def test_a_malformed_key_is_400(api_as, grid_worker, east_grid, manhole, key):
    response = _post(api_as(grid_worker), REPORT, key=key)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
    assert Event.objects.count() == 0
