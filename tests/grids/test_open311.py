"""Open311 GeoReport v2: the spec's shapes in JSON and XML, filing with a key, public reads without
personal data, and every refusal an error array with nothing written."""

import io
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from governance.models import IdempotencyRecord
from grids import services
from grids.models import Event, EventCategory, Open311Key, TimelineEntry
from grids.open311 import request_fields
from grids.services.open311 import open311_key_authenticate, open311_key_issue
from tests.grids.conftest import EAST_POINT, NOWHERE, image_bytes

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>'
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


@pytest.fixture
def api_key(db) -> str:
    _record, key = open311_key_issue(name="测试客户端")
    return key


@pytest.fixture
def form(api_key, east_grid, manhole) -> dict:
    return {
        "api_key": api_key,
        "service_code": "manhole",
        "lat": str(EAST_POINT[1]),
        "long": str(EAST_POINT[0]),
        "address_string": "东升花园北门",
        "description": "北门井盖缺失，夜里很危险",
        "first_name": "小明",
        "last_name": "王",
        "phone": "13812345678",
        "email": "xiaoming@example.org",
        "device_id": "device-1",
        "account_id": "account-1",
    }


@pytest.fixture
def filed(report, grid_worker):
    """Events filed the ordinary way, with personal data the 311 side must never show."""

    def _filed(**overrides):
        values = {"reporter_name": "赵居民", "reporter_phone": "13900001111", "reporter_email": "zhao@example.org"}
        values.update(overrides)
        return report(**values)

    return _filed


def xml_of(response) -> ET.Element:
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(DECLARATION)
    return ET.fromstring(response.content)  # noqa: S314 - our own response, in a test


def field_of(response, fmt: str, name: str):
    """One field of the single request in a GET requests/{id} answer, in either format."""
    if fmt == "json":
        return response.json()[0][name]
    return xml_of(response).findtext(f"request/{name}")


def errors_of(response, fmt: str) -> list[tuple[int, str]]:
    if fmt == "json":
        body = response.json()
        assert isinstance(body, list)
        assert all(set(e) == {"code", "description"} for e in body)
        return [(e["code"], e["description"]) for e in body]
    root = xml_of(response)
    assert root.tag == "errors"
    assert [child.tag for child in root] == ["error"] * len(root)
    return [(int(e.findtext("code")), e.findtext("description")) for e in root]


def assert_nothing_written(api_key: str | None = None) -> None:
    assert Event.objects.count() == 0
    assert TimelineEntry.objects.count() == 0
    if api_key:
        assert open311_key_authenticate(key=api_key).last_used_at is None


# --- Discovery and services -----------------------------------------------------------------


def test_discovery_json_points_to_this_v2_endpoint(client):
    response = client.get(f"{BASE}/discovery.json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["application/json", "text/xml"]
    assert endpoint["type"] in ("production", "test")


def test_discovery_xml_uses_the_spec_element_names(client):
    root = xml_of(client.get(f"{BASE}/discovery.xml"))

    assert root.tag == "discovery"
    assert [c.tag for c in root] == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = root.find("endpoints/endpoint")
    assert [c.tag for c in endpoint] == ["specification", "url", "changeset", "type", "formats"]
    assert [f.text for f in endpoint.findall("formats/format")] == ["application/json", "text/xml"]


def test_services_json_lists_active_categories_in_the_spec_shape(client, manhole, leak):
    EventCategory.objects.create(service_code="retired", name="已停用类别", is_active=False)

    body = client.get(f"{BASE}/services.json").json()

    assert [s["service_code"] for s in body] == ["manhole", "water_leak"]
    manhole_service = body[0]
    assert list(manhole_service) == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert manhole_service["service_name"] == "井盖破损"
    assert manhole_service["metadata"] is False
    assert manhole_service["type"] == "realtime"
    assert manhole_service["keywords"] == "井盖, 窨井, 下水道盖"
    assert manhole_service["description"] is None


def test_services_xml_wraps_each_service(client, manhole, leak):
    root = xml_of(client.get(f"{BASE}/services.xml"))

    assert root.tag == "services"
    assert [c.tag for c in root] == ["service", "service"]
    first = root[0]
    assert [c.tag for c in first] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert first.findtext("metadata") == "false"
    assert first.findtext("type") == "realtime"
    assert first.find("description").text is None


def test_services_follow_the_language_asked_for(client, manhole):
    body = client.get(f"{BASE}/services.json", headers={"accept-language": "en"}).json()

    assert body[0]["service_name"] == "Broken manhole cover"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_service_definition_has_the_code_and_no_attributes(client, manhole, fmt):
    response = client.get(f"{BASE}/services/manhole.{fmt}")

    assert response.status_code == 200
    if fmt == "json":
        assert response.json() == {"service_code": "manhole", "attributes": []}
    else:
        root = xml_of(response)
        assert root.tag == "service_definition"
        assert [c.tag for c in root] == ["service_code", "attributes"]
        assert root.findtext("service_code") == "manhole"
        assert len(root.find("attributes")) == 0


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_definition_is_404(client, manhole, fmt):
    response = client.get(f"{BASE}/services/nope.{fmt}")

    assert response.status_code == 404
    assert errors_of(response, fmt) == [(404, "未知的 service_code“nope”。")]


@pytest.mark.parametrize("path", ["discovery.csv", "services.html", "requests.csv", "requests/ABC.yaml"])
def test_unknown_format_extension_is_404(client, path):
    response = client.get(f"{BASE}/{path}")

    assert response.status_code == 404
    assert errors_of(response, "json")[0][0] == 404


@pytest.mark.parametrize(
    ("method", "path"), [("post", "services.json"), ("put", "requests.xml"), ("delete", "discovery.json")]
)
def test_wrong_method_is_405_in_the_error_shape(client, method, path):
    response = getattr(client, method)(f"{BASE}/{path}")

    assert response.status_code == 405
    fmt = path.rsplit(".", 1)[1]
    assert errors_of(response, fmt)[0][0] == 405
    assert "GET" in response["Allow"]


# --- Filing ---------------------------------------------------------------------------------


def test_post_with_key_in_body_files_an_open311_event(client, form, api_key):
    response = client.post(f"{BASE}/requests.json", form)

    assert response.status_code == 200
    (answer,) = response.json()
    assert list(answer) == ["service_request_id", "service_notice", "account_id"]
    assert answer["account_id"] is None
    assert answer["service_notice"].startswith("将于 ")
    event = Event.objects.get()
    assert answer["service_request_id"] == event.code
    assert event.source == Event.Source.OPEN311
    assert event.reporter is None
    assert event.category.service_code == "manhole"
    assert event.grid.code == "DS-G1"
    assert (event.lon, event.lat) == EAST_POINT
    assert event.description == "北门井盖缺失，夜里很危险"
    assert event.address == "东升花园北门"
    assert (event.reporter_name, event.reporter_phone, event.reporter_email) == (
        "王小明",
        "13812345678",
        "xiaoming@example.org",
    )
    assert event.timeline.filter(kind=TimelineEntry.Kind.NOTE, note="Open311 客户端：测试客户端").exists()
    assert open311_key_authenticate(key=api_key).last_used_at is not None


def test_post_with_key_in_query_string_and_urlencoded_body_answers_in_xml(client, form):
    key = form.pop("api_key")
    body = "&".join(f"{k}={v}" for k, v in form.items())

    response = client.post(
        f"{BASE}/requests.xml?api_key={key}", body.encode(), content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    root = xml_of(response)
    assert root.tag == "service_requests"
    (request,) = root
    assert request.tag == "request"
    assert [c.tag for c in request] == ["service_request_id", "service_notice", "account_id"]
    assert request.findtext("service_request_id") == Event.objects.get().code
    assert request.find("account_id").text is None


def test_post_keeps_attribute_values_in_the_description(client, form):
    form.update({"attribute[DEPTH]": "半米", "attribute[HAZARDS][]": ["有积水", "无护栏"]})

    assert client.post(f"{BASE}/requests.json", form).status_code == 200

    description = Event.objects.get().description
    assert description.startswith("北门井盖缺失，夜里很危险\n\n附加信息（Open311）：\n")
    assert "DEPTH：半米" in description
    assert "HAZARDS：有积水、无护栏" in description


def test_post_without_attributes_keeps_the_description_as_written(client, form):
    form["media_url"] = "https://img.example.org/a.jpg"

    client.post(f"{BASE}/requests.json", form)

    assert Event.objects.get().description.endswith("图片链接：https://img.example.org/a.jpg")


@pytest.mark.parametrize(
    ("given", "stored"),
    [("+86 138-1234-5678", "13812345678"), ("010-62345678", ""), ("12345", ""), ("", "")],
)
def test_post_keeps_only_a_mainland_mobile(client, form, given, stored):
    form["phone"] = given

    assert client.post(f"{BASE}/requests.json", form).status_code == 200

    assert Event.objects.get().reporter_phone == stored


@pytest.mark.parametrize("jurisdiction", ["", "portal.local"])
def test_post_accepts_an_empty_or_our_jurisdiction(client, form, jurisdiction):
    form["jurisdiction_id"] = jurisdiction

    assert client.post(f"{BASE}/requests.json", form).status_code == 200
    assert Event.objects.count() == 1


def test_post_with_a_media_file_becomes_the_events_photo_but_is_never_published(client, form):
    """A report photo may show a home, a face or a car plate: it is kept for staff, not linked."""
    form["media"] = SimpleUploadedFile("scene.jpg", image_bytes(exif_gps=True), content_type="image/jpeg")

    code = client.post(f"{BASE}/requests.json", form).json()[0]["service_request_id"]

    event = Event.objects.get(code=code)
    assert [p.kind for p in event.photos.all()] == ["report"]
    (request,) = client.get(f"{BASE}/requests/{code}.json").json()
    assert request["media_url"] is None
    assert client.get(f"{BASE}/requests/{code}.xml").content.count(b"<media_url />") == 1


def _resolved_with_photo(report, east_staff, handler, photo, **overrides):
    event = report(**overrides)
    services.event_accept(event=event, actor=east_staff)
    services.event_dispatch(event=event, actor=east_staff)
    services.event_start(event=event, actor=handler)
    return services.event_resolve(event=event, actor=handler, resolution="已更换井盖", photos=[photo])


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_media_url_is_the_after_photo_and_an_anonymous_client_fetches_it(
    client, report, east_staff, handler, photo, fmt
):
    event = _resolved_with_photo(report, east_staff, handler, photo)
    after = event.photos.get(kind="resolution")

    response = client.get(f"{BASE}/requests/{event.code}.{fmt}")
    url = field_of(response, fmt, "media_url")

    assert url == f"http://testserver/track/{event.code}/photos/{after.pk}/"
    client.logout()
    image = client.get(url)
    assert image.status_code == 200
    assert image["Content-Type"] == "image/jpeg"
    assert b"".join(image.streaming_content).startswith(b"\xff\xd8")  # a JPEG, not a sign-in page


def test_media_url_is_the_first_after_photo_in_the_list_too(client, report, east_staff, handler, photo):
    resolved = _resolved_with_photo(report, east_staff, handler, photo)
    other = report(description="另一处井盖松动")

    body = {r["service_request_id"]: r for r in client.get(f"{BASE}/requests.json").json()}

    first = resolved.photos.get(kind="resolution")
    assert body[resolved.code]["media_url"] == f"http://testserver/track/{resolved.code}/photos/{first.pk}/"
    assert body[other.code]["media_url"] is None
    assert client.get(body[resolved.code]["media_url"]).status_code == 200


def test_a_report_photo_is_not_served_by_the_public_photo_view(client, form):
    form["media"] = SimpleUploadedFile("scene.jpg", image_bytes(), content_type="image/jpeg")
    code = client.post(f"{BASE}/requests.json", form).json()[0]["service_request_id"]
    report_photo = Event.objects.get(code=code).photos.get()

    assert client.get(f"/track/{code}/photos/{report_photo.pk}/").status_code == 404


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("change", "status", "description"),
    [
        ({"api_key": None}, 403, "api_key 缺失或无效，不能提交。"),
        ({"api_key": "not-a-key"}, 403, "api_key 缺失或无效，不能提交。"),
        ({"service_code": "nope"}, 404, "未知的 service_code“nope”。"),
        ({"service_code": None}, 404, "未知的 service_code“”。"),
        ({"jurisdiction_id": "other.city"}, 404, "未知的 jurisdiction_id“other.city”。"),
        (
            {"lat": str(NOWHERE[1]), "long": str(NOWHERE[0])},
            400,
            "该位置不在任何网格内，请确认位置后重新上报。",
        ),
        ({"description": None}, 400, "请填写 description（发生了什么）。"),
        ({"description": "   "}, 400, "请填写 description（发生了什么）。"),
        ({"lat": None, "long": None}, 400, "仅凭地址无法确定事件所属网格：请同时提供 lat 和 long（经纬度）。"),
        (
            {"lat": None, "long": None, "address_string": None},
            400,
            "请提供事件位置：lat 和 long（经纬度）。",
        ),
        ({"long": None}, 400, "lat 和 long 须同时提供。"),
        ({"lat": "north"}, 400, "lat 和 long 须为十进制度数。"),
        ({"lat": "nan"}, 400, "lat/long 超出范围（纬度 -90～90，经度 -180～180）。"),
        ({"lat": "91"}, 400, "lat/long 超出范围（纬度 -90～90，经度 -180～180）。"),
        ({"email": "not-an-email"}, 400, "email 不是有效的邮箱地址。"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url 不是有效的 http(s) 链接。"),
    ],
)
def test_post_refusal_is_an_error_array_and_writes_nothing(client, form, api_key, fmt, change, status, description):
    for name, value in change.items():
        if value is None:
            form.pop(name)
        else:
            form[name] = value

    response = client.post(f"{BASE}/requests.{fmt}", form)

    assert response.status_code == status
    assert errors_of(response, fmt) == [(status, description)]
    assert_nothing_written(api_key)


def test_post_with_a_deactivated_key_is_refused(client, form, api_key):
    Open311Key.objects.update(is_active=False)

    response = client.post(f"{BASE}/requests.json", form)

    assert response.status_code == 403
    assert_nothing_written()


def test_post_to_an_inactive_service_is_404(client, form, manhole, api_key):
    EventCategory.objects.filter(pk=manhole.pk).update(is_active=False)

    response = client.post(f"{BASE}/requests.json", form)

    assert response.status_code == 404
    assert_nothing_written(api_key)


def test_post_with_a_bad_photo_is_refused_and_writes_nothing(client, form, api_key):
    form["media"] = SimpleUploadedFile("scene.jpg", b"not an image", content_type="image/jpeg")

    response = client.post(f"{BASE}/requests.json", form)

    assert response.status_code == 400
    assert_nothing_written(api_key)


def test_error_responses_carry_the_language_asked_for(client, manhole):
    response = client.get(f"{BASE}/services/nope.json", headers={"accept-language": "en"})

    assert response.status_code == 404
    assert response["Content-Language"] == "en"


# --- Reading --------------------------------------------------------------------------------


def test_get_lists_every_field_null_when_empty_with_string_ids_and_offsets(client, filed):
    event = filed()

    response = client.get(f"{BASE}/requests.json")

    assert response.status_code == 200
    (request,) = response.json()
    assert list(request) == REQUEST_FIELDS
    assert request["service_request_id"] == event.code
    assert isinstance(request["service_request_id"], str)
    assert request["status"] == "open"
    assert request["service_code"] == "manhole"
    assert request["service_name"] == "井盖破损"
    assert request["agency_responsible"] == "市政所"
    for empty in ("status_notes", "address_id", "zipcode", "media_url"):
        assert request[empty] is None
    assert request["address"] == "东升第一网格，东升社区"  # no address typed: the grid and community
    for when in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert request[when].endswith("+08:00")
    assert request["expected_datetime"] == timezone.localtime(event.respond_by).isoformat(timespec="seconds")
    assert (request["long"], request["lat"]) == EAST_POINT


def test_get_xml_has_every_field_as_an_element(client, filed):
    filed()

    root = xml_of(client.get(f"{BASE}/requests.xml"))

    assert root.tag == "service_requests"
    (request,) = root
    assert request.tag == "request"
    assert [c.tag for c in request] == REQUEST_FIELDS
    assert request.find("zipcode").text is None
    assert request.findtext("address") == "东升第一网格，东升社区"
    assert request.findtext("expected_datetime").endswith("+08:00")


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("", "东升第一网格，东升社区"),
        ("东升花园北门", "东升花园北门，东升第一网格，东升社区"),
        ("东升花园3号楼 电话13900001111", "东升花园3号楼 电话139****1111，东升第一网格，东升社区"),
        ("东升第一网格", "东升第一网格，东升社区"),
    ],
)
def test_address_is_always_the_location_in_words(client, filed, fmt, typed, words):
    event = filed(address=typed)

    response = client.get(f"{BASE}/requests/{event.code}.{fmt}")

    address = field_of(response, fmt, "address")
    assert isinstance(address, str)
    assert address == words


def test_every_listed_request_has_a_string_address(client, filed, form):
    filed()
    filed(address="东升花园北门")
    client.post(f"{BASE}/requests.json", {**form, "address_string": "", "lat": str(EAST_POINT[1] + 0.002)})

    body = client.get(f"{BASE}/requests.json").json()

    assert len(body) == 3
    assert all(isinstance(r["address"], str) and r["address"] for r in body)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_get_shows_no_personal_data_of_reporters(client, filed, grid_worker, fmt):
    filed(description="井盖缺失，请联系我 13900001111")

    content = client.get(f"{BASE}/requests.{fmt}").content.decode()

    for secret in ("赵居民", "13900001111", "zhao@example.org", grid_worker.full_name, grid_worker.username):
        assert secret not in content
    assert "139****1111" in content


def test_get_leaves_out_sensor_events(client, filed):
    filed(source=Event.Source.SENSOR, description="张大爷家手环告警")

    assert client.get(f"{BASE}/requests.json").json() == []


def test_get_filters_by_service_code_list(client, filed, leak):
    manhole_event = filed()
    leak_event = filed(category=leak, description="水管漏水")

    def codes(query: str) -> list[str]:
        return [r["service_request_id"] for r in client.get(f"{BASE}/requests.json?{query}").json()]

    assert codes("service_code=manhole") == [manhole_event.code]
    assert codes("service_code=water_leak") == [leak_event.code]
    assert codes("service_code=manhole,water_leak") == [leak_event.code, manhole_event.code]  # newest first
    assert codes("service_code=nope") == []


def test_get_maps_statuses_to_open_and_closed(client, filed, east_staff):
    open_event = filed()
    rejected = services.event_reject(event=filed(), actor=east_staff, reason="重复上报")

    body = {r["service_request_id"]: r for r in client.get(f"{BASE}/requests.json").json()}

    assert body[open_event.code]["status"] == "open"
    assert body[rejected.code]["status"] == "closed"
    assert body[rejected.code]["status_notes"] == "重复上报"
    assert body[rejected.code]["service_notice"] is None
    closed_only = client.get(f"{BASE}/requests.json?status=closed").json()
    assert [r["service_request_id"] for r in closed_only] == [rejected.code]
    open_only = client.get(f"{BASE}/requests.json?status=open").json()
    assert [r["service_request_id"] for r in open_only] == [open_event.code]
    assert len(client.get(f"{BASE}/requests.json?status=open,closed").json()) == 2


def test_get_with_an_unknown_status_is_400(client, filed):
    response = client.get(f"{BASE}/requests.json?status=pending")

    assert response.status_code == 400
    assert errors_of(response, "json")[0][0] == 400


def test_get_filters_by_dates_and_defaults_to_the_last_90_days(client, filed):
    now = timezone.now()
    recent, older, ancient = filed(), filed(), filed()
    Event.objects.filter(pk=older.pk).update(created_at=now - timedelta(days=10))
    Event.objects.filter(pk=ancient.pk).update(created_at=now - timedelta(days=100))

    def codes(params: dict | None = None) -> list[str]:
        return [r["service_request_id"] for r in client.get(f"{BASE}/requests.json", params or {}).json()]

    assert codes() == [recent.code, older.code]
    since = timezone.localtime(now - timedelta(days=200)).isoformat(timespec="seconds")
    until = timezone.localtime(now - timedelta(days=5)).isoformat(timespec="seconds")
    assert codes({"start_date": since}) == [recent.code, older.code, ancient.code]
    assert codes({"start_date": since, "end_date": until}) == [older.code, ancient.code]
    assert codes({"end_date": until}) == [older.code, ancient.code]
    assert codes({"start_date": (now - timedelta(days=5)).date().isoformat()}) == [recent.code]


def test_get_accepts_an_offset_whose_plus_was_not_url_encoded(client, filed):
    event = filed()
    since = timezone.localtime(timezone.now() - timedelta(days=1)).isoformat(timespec="seconds")

    body = client.get(f"{BASE}/requests.json?start_date={since}").json()  # "+08:00" arrives as " 08:00"

    assert [r["service_request_id"] for r in body] == [event.code]


@pytest.mark.parametrize(
    "query",
    [
        "start_date=yesterday",
        "end_date=2026-13-40",
        "start_date=2026-11-20&end_date=2026-11-01",
        "page=0",
        "page=two",
        "page=" + "9" * 30,
        "page_size=0",
        "page_size=201",
        "page_size=-5",
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_get_with_a_bad_date_or_page_is_400(client, query, fmt):
    response = client.get(f"{BASE}/requests.{fmt}?{query}")

    assert response.status_code == 400
    assert errors_of(response, fmt)[0][0] == 400


def test_get_pages_newest_first(client, filed):
    events = [filed() for _n in range(5)]
    newest_first = [e.code for e in reversed(events)]

    def codes(query: str) -> list[str]:
        return [r["service_request_id"] for r in client.get(f"{BASE}/requests.json?{query}").json()]

    assert codes("page_size=2") == newest_first[:2]
    assert codes("page_size=2&page=2") == newest_first[2:4]
    assert codes("page_size=2&page=3") == newest_first[4:]
    assert codes("page_size=2&page=4") == []
    assert codes("page_size=200") == newest_first


def test_get_by_service_request_id_list_overrides_other_filters(client, filed):
    first, _second, third = filed(), filed(), filed()
    Event.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=400))

    body = client.get(f"{BASE}/requests.json?service_request_id={first.code},{third.code.lower()}&status=closed")

    assert sorted(r["service_request_id"] for r in body.json()) == sorted([first.code, third.code])


def test_get_list_queries_do_not_grow_with_events(client, filed, django_assert_max_num_queries):
    for _n in range(6):
        filed()

    with django_assert_max_num_queries(4):
        assert len(client.get(f"{BASE}/requests.json").json()) == 6


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_get_one_request_is_an_array_of_one(client, filed, fmt):
    event = filed()

    response = client.get(f"{BASE}/requests/{event.code}.{fmt}")

    assert response.status_code == 200
    if fmt == "json":
        (request,) = response.json()
        assert request["service_request_id"] == event.code
    else:
        root = xml_of(response)
        assert [c.tag for c in root] == ["request"]
        assert root.findtext("request/service_request_id") == event.code


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_get_unknown_request_is_404(client, filed, fmt):
    event = filed()

    for missing in ("NOPE000000", str(event.pk)):  # the numeric id is not an Open311 id
        response = client.get(f"{BASE}/requests/{missing}.{fmt}")
        assert response.status_code == 404
        assert errors_of(response, fmt)[0][0] == 404


def test_get_with_a_foreign_jurisdiction_is_404(client, filed):
    filed()

    response = client.get(f"{BASE}/requests.json?jurisdiction_id=other.city")

    assert response.status_code == 404
    assert client.get(f"{BASE}/requests.json?jurisdiction_id=").status_code == 200


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_token_maps_to_the_service_request_id(client, form, fmt):
    code = client.post(f"{BASE}/requests.json", form).json()[0]["service_request_id"]

    response = client.get(f"{BASE}/tokens/{code}.{fmt}")

    assert response.status_code == 200
    if fmt == "json":
        assert response.json() == [{"service_request_id": code, "token": code}]
    else:
        root = xml_of(response)
        assert root.tag == "service_requests"
        assert [c.tag for c in root[0]] == ["service_request_id", "token"]
    assert client.get(f"{BASE}/tokens/NOPE000000.{fmt}").status_code == 404


def test_filed_request_reads_back_through_get(client, form):
    code = client.post(f"{BASE}/requests.json", form).json()[0]["service_request_id"]

    (request,) = client.get(f"{BASE}/requests/{code}.json").json()

    assert request["description"] == "北门井盖缺失，夜里很危险"
    assert request["address"] == "东升花园北门，东升第一网格，东升社区"
    assert "王小明" not in str(request)
    assert "13812345678" not in str(request)


def test_xml_drops_characters_xml_cannot_carry(client, filed, rf):
    event = filed(description="井盖\x0b缺失 <b>&</b>")

    root = xml_of(client.get(f"{BASE}/requests/{event.code}.xml"))

    assert root.findtext("request/description") == "井盖缺失 <b>&</b>"
    assert request_fields(event, rf.get("/"))["description"] == "井盖\x0b缺失 <b>&</b>"


# --- Keys -----------------------------------------------------------------------------------


def test_open311_key_command_prints_a_working_key_on_its_last_line(client, form):
    out = io.StringIO()

    call_command("open311_key", "测试客户端", stdout=out)

    key = out.getvalue().strip().splitlines()[-1]
    record = Open311Key.objects.get(name="测试客户端", prefix=key[:8])
    assert record.key_hash != key
    form["api_key"] = key
    assert client.post(f"{BASE}/requests.json", form).status_code == 200
    record.refresh_from_db()
    assert record.last_used_at is not None


def test_admin_add_shows_the_key_once_and_deactivate_stops_it(admin_client):
    response = admin_client.post("/admin/grids/open311key/add/", {"name": "市民通"}, follow=True)

    record = Open311Key.objects.get(name="市民通")
    (shown,) = [str(m) for m in response.context["messages"] if "只显示这一次" in str(m)]
    key = shown.rsplit("：", 1)[1]
    assert open311_key_authenticate(key=key) == record

    admin_client.post(
        "/admin/grids/open311key/", {"action": "deactivate_keys", "_selected_action": [record.pk]}, follow=True
    )

    assert open311_key_authenticate(key=key) is None


def test_private_categories_and_their_events_are_never_published(client, form, filed, alarm):
    """An elderly emergency alarm tells where a frail person lives: not for outside clients."""
    alarm.is_public = False
    alarm.save(update_fields=["is_public"])
    private = filed(category=alarm, description="独居老人手环呼叫")
    public = filed()
    codes = [s["service_code"] for s in client.get("/open311/v2/services.json").json()]
    assert "elderly_alarm" not in codes
    assert "manhole" in codes
    listed = [r["service_request_id"] for r in client.get("/open311/v2/requests.json").json()]
    assert listed == [public.code]
    assert client.get(f"/open311/v2/requests/{private.code}.json").status_code == 404
    before = Event.objects.count()
    response = client.post("/open311/v2/requests.json", {**form, "service_code": "elderly_alarm"})
    assert response.status_code == 404
    assert Event.objects.count() == before


# --- A repeated request never makes a second event ------------------------------------------


def test_a_request_within_50_m_of_an_open_one_returns_the_existing_request(client, form):
    first = client.post(f"{BASE}/requests.json", form).json()[0]

    near = {**form, "lat": str(EAST_POINT[1] + 0.0002), "description": "北门井盖还是没盖上"}  # ≈ 22 m north
    response = client.post(f"{BASE}/requests.json", near)

    assert response.status_code == 200
    (body,) = response.json()
    assert body["service_request_id"] == first["service_request_id"]
    assert body["service_notice"].startswith(
        f"附近 50 米内已有同类问题正在办理，本次提交已并入该请求（{first['service_request_id']}）"
    )
    assert Event.objects.count() == 1


def test_twenty_identical_requests_file_one_event(client, form):
    codes = {client.post(f"{BASE}/requests.json", form).json()[0]["service_request_id"] for _ in range(20)}

    assert len(codes) == 1
    assert Event.objects.count() == 1


def test_a_request_beyond_50_m_or_for_another_service_is_filed(client, form, leak):
    first = client.post(f"{BASE}/requests.json", form).json()[0]["service_request_id"]

    far = client.post(f"{BASE}/requests.json", {**form, "lat": str(EAST_POINT[1] + 0.0008)}).json()[0]  # ≈ 89 m
    other_service = client.post(f"{BASE}/requests.json", {**form, "service_code": "water_leak"}).json()[0]

    assert len({first, far["service_request_id"], other_service["service_request_id"]}) == 3
    assert Event.objects.count() == 3


def test_a_closed_request_nearby_does_not_absorb_a_new_one(client, form, east_staff):
    first = client.post(f"{BASE}/requests.json", form).json()[0]["service_request_id"]
    services.event_reject(event=Event.objects.get(code=first), actor=east_staff, reason="重复上报")

    again = client.post(f"{BASE}/requests.json", form).json()[0]["service_request_id"]

    assert again != first
    assert Event.objects.count() == 2


def test_a_nearby_sensor_event_is_not_revealed_to_an_open311_client(client, form, report):
    sensor_event = report(source=Event.Source.SENSOR, reporter=None)

    body = client.post(f"{BASE}/requests.json", form).json()[0]

    assert body["service_request_id"] != sensor_event.code
    assert Event.objects.count() == 2


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_retry_with_the_same_idempotency_key_returns_the_first_response_byte_for_byte(client, form, fmt):
    first = client.post(f"{BASE}/requests.{fmt}", form, HTTP_IDEMPOTENCY_KEY="311-retry-1")
    again = client.post(f"{BASE}/requests.{fmt}", form, HTTP_IDEMPOTENCY_KEY="311-retry-1")

    assert first.status_code == 200
    assert again.status_code == 200
    assert again.content == first.content  # not the "merged" answer a new request would get
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Idempotent-Replayed"] == "true"
    assert Event.objects.count() == 1


def test_the_same_idempotency_key_with_another_request_is_a_422_error_array(client, form):
    client.post(f"{BASE}/requests.json", form, HTTP_IDEMPOTENCY_KEY="311-retry-1")

    response = client.post(
        f"{BASE}/requests.json", {**form, "description": "另一件事"}, HTTP_IDEMPOTENCY_KEY="311-retry-1"
    )

    assert response.status_code == 422
    (error,) = response.json()
    assert error["code"] == 422
    assert "Idempotency-Key" in error["description"]
    assert Event.objects.count() == 1


def test_the_same_idempotency_key_from_another_client_key_is_another_request(client, form):
    first = client.post(f"{BASE}/requests.json", form, HTTP_IDEMPOTENCY_KEY="311-retry-1")
    _record, other_key = open311_key_issue(name="另一个客户端")

    theirs = client.post(f"{BASE}/requests.json", {**form, "api_key": other_key}, HTTP_IDEMPOTENCY_KEY="311-retry-1")

    assert theirs.status_code == 200
    assert "Idempotent-Replayed" not in theirs
    assert theirs.content != first.content  # the nearby rule answers it: merged, with its own notice
    assert theirs.json()[0]["service_notice"].startswith("附近 50 米内已有同类问题正在办理")


def test_a_refused_request_with_an_idempotency_key_stores_nothing(client, form):
    refused = client.post(f"{BASE}/requests.json", {**form, "description": ""}, HTTP_IDEMPOTENCY_KEY="k-1")
    filed = client.post(f"{BASE}/requests.json", form, HTTP_IDEMPOTENCY_KEY="k-1")

    assert refused.status_code == 400
    assert filed.status_code == 200
    assert "Idempotent-Replayed" not in filed
    assert Event.objects.count() == 1


def test_a_malformed_idempotency_key_is_400_and_files_nothing(client, form, api_key):
    response = client.post(f"{BASE}/requests.json", form, HTTP_IDEMPOTENCY_KEY="has space")

    assert response.status_code == 400
    assert response.json()[0]["code"] == 400
    assert_nothing_written(api_key)


def test_an_idempotency_key_older_than_a_day_names_a_new_request(client, form):
    first = client.post(f"{BASE}/requests.json", form, HTTP_IDEMPOTENCY_KEY="311-retry-1")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))

    later = client.post(f"{BASE}/requests.json", {**form, "description": "又坏了"}, HTTP_IDEMPOTENCY_KEY="311-retry-1")

    assert later.status_code == 200
    assert "Idempotent-Replayed" not in later
    assert later.content != first.content
    assert IdempotencyRecord.objects.count() == 1
    assert IdempotencyRecord.objects.get().created_at > timezone.now() - timedelta(minutes=1)


@pytest.mark.parametrize("field", ["description", "address_string", "first_name", "service_code", "attribute[note]"])
def test_a_nul_character_in_a_posted_field_is_a_400_and_files_nothing(client, form, api_key, field):
    response = client.post(f"{BASE}/requests.json", {**form, field: "北门\x00井盖"})

    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": "提交的内容中含有不允许的空字符（NUL）。"}]
    assert_nothing_written(api_key)
