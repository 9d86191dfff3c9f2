"""Personal data (个人信息保护法): masked in lists, logs and the admin; full reads are audited."""

import logging

import pytest

from governance import services
from governance.masking import MaskPersonalDataFilter, mask_id_number, mask_phone, mask_text
from governance.models import AuditEntry, Department, Notification, Role
from governance.serializers import MeOutput, PersonListOutput
from grids.models import EventCategory
from grids.services import event_accept, event_dispatch, event_report, grid_save

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("13812345678", "138****5678"), ("", ""), (None, ""), ("12345", "***45"), ("1234567", "123****4567")],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("id_number", "masked"),
    [
        ("110101199003071234", "110***********1234"),
        ("11010119900307123X", "110***********123X"),
        ("", ""),
        ("12345", "*****"),
    ],
)
def test_mask_id_number(id_number, masked):
    assert mask_id_number(id_number) == masked


def test_mask_text_masks_phones_and_id_numbers_inside_free_text():
    text = "王五 13812345678，身份证 110101199003071234，工单 20250101123456789012"
    masked = mask_text(text)
    assert "13812345678" not in masked
    assert "110101199003071234" not in masked
    assert "138****5678" in masked
    assert "110***********1234" in masked
    assert "20250101123456789012" in masked  # a longer number is not a phone or an ID


def test_mask_text_leaves_a_landline_and_short_numbers_alone():
    assert mask_text("值班电话 010-62345678，3号楼") == "值班电话 010-62345678，3号楼"


def test_log_filter_masks_a_phone_inside_a_log_record(caplog):
    logger = logging.getLogger("tests.masking")
    caplog.handler.addFilter(MaskPersonalDataFilter())
    with caplog.at_level(logging.INFO, logger="tests.masking"):
        logger.info("短信发送给 %s，身份证 %s", "13812345678", "110101199003071234")
    assert caplog.records[0].getMessage() == "短信发送给 138****5678，身份证 110***********1234"
    assert "13812345678" not in caplog.text


def test_log_filter_passes_a_record_without_personal_data_unchanged():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "工单 %d 已派发", (42,), None)
    assert MaskPersonalDataFilter().filter(record) is True
    assert (record.msg, record.args) == ("工单 %d 已派发", (42,))


def test_every_configured_log_handler_masks_personal_data():
    handlers = logging.getLogger().handlers
    configured = [h for h in handlers if type(h) is logging.StreamHandler]
    assert configured, "settings.LOGGING should configure a console handler"
    for handler in configured:
        assert any(isinstance(f, MaskPersonalDataFilter) for f in handler.filters)


def test_person_list_output_masks_the_phone(grid_worker):
    data = PersonListOutput([grid_worker], many=True).data
    assert data[0]["phone"] == "138****5678"
    assert "13812345678" not in str(data)
    assert "id_number" not in data[0]


def test_me_output_shows_the_users_own_phone(api_as, grid_worker):
    body = api_as(grid_worker).get("/api/v1/me/").json()
    assert body["phone"] == "13812345678"
    assert "id_number" not in body
    assert set(MeOutput.Meta.fields) >= {"phone"}


# --- Lists and pages that show events or people never show a planted number ---------------------

REPORTER_PHONE = "13698765432"  # the reporter's contact field
TEXT_PHONE = "15511223344"  # typed into the description by a hotline caller
WORKER_PHONE = "13812345678"  # the grid worker's own account (see tests/conftest.py)
PLANTED = (REPORTER_PHONE, TEXT_PHONE, WORKER_PHONE)


@pytest.fixture
def planted(area_tree, grid_worker, east_staff, street_supervisor, make_user, django_capture_on_commit_callbacks):
    """Two events carrying a reporter phone and a phone in the text: one waiting in the queue,
    one dispatched to the handler; the grid worker who reported them has a phone too."""
    municipal = services.department_create(
        name="市政所", code="SZ", kind=Department.Kind.MUNICIPAL, area=area_tree["street"]
    )
    handler = make_user(Role.DEPARTMENT_HANDLER, department=municipal, username="handler", phone="13700000000")
    category = EventCategory.objects.create(service_code="manhole", name="井盖破损", department=municipal)
    grid, _warnings = grid_save(
        code="DS-G1",
        name="东升第一网格",
        area=area_tree["east"],
        boundary={
            "type": "Polygon",
            "coordinates": [[[116.30, 39.98], [116.31, 39.98], [116.31, 39.99], [116.30, 39.99], [116.30, 39.98]]],
        },
        households=400,
        workers=[grid_worker],
    )
    events = []
    for n in (1, 2):  # each report notifies east_staff (on commit), so the inboxes have rows too
        with django_capture_on_commit_callbacks(execute=True):
            event = event_report(
                reporter=grid_worker,
                description=f"{n}号楼井盖缺失，联系人 {TEXT_PHONE}",
                lon=116.305,
                lat=39.985,
                source="hotline",
                category=category,
                reporter_name="王先生",
                reporter_phone=REPORTER_PHONE,
            )
        events.append(event)
    assert Notification.objects.filter(recipient=east_staff).count() == 2
    accepted = event_accept(event=events[1], actor=east_staff)
    event_dispatch(event=accepted, actor=east_staff)
    return {"grid": grid, "handler": handler, "events": events}


def assert_no_planted_number(response) -> str:
    assert response.status_code == 200, response.content[:300]
    text = response.content.decode()
    leaked = [number for number in PLANTED if number in text]
    assert leaked == []
    return text


@pytest.mark.parametrize("who", ["east_staff", "street_supervisor"])
def test_the_event_list_api_never_carries_an_unmasked_phone(request, api_as, planted, who):
    user = request.getfixturevalue(who)
    text = assert_no_planted_number(api_as(user).get("/api/v1/events/"))
    assert "136****5432" in text  # the reporter phone is there, masked
    assert len(api_as(user).get("/api/v1/events/").json()["results"]) == 2


def test_the_core_api_lists_never_carry_an_unmasked_phone(api_as, planted, street_supervisor, grid_worker):
    for url in ("/api/v1/areas/", "/api/v1/departments/", "/api/v1/grids/", "/api/v1/notifications/"):
        assert_no_planted_number(api_as(street_supervisor).get(url))
    assert_no_planted_number(api_as(grid_worker).get("/api/v1/notifications/"))


def test_the_inbox_api_shows_no_unmasked_phone(api_as, planted, east_staff):
    text = assert_no_planted_number(api_as(east_staff).get("/api/v1/notifications/"))
    assert "155****3344" in text  # the body quotes the description, masked


def test_the_staff_queue_shows_both_events_and_no_unmasked_phone(client, planted, east_staff):
    client.force_login(east_staff, backend=MODEL_BACKEND)
    text = assert_no_planted_number(client.get("/queue/"))
    for event in planted["events"]:
        assert event.code in text


def test_the_handler_task_list_shows_the_dispatched_event_and_no_unmasked_phone(client, planted):
    client.force_login(planted["handler"], backend=MODEL_BACKEND)
    text = assert_no_planted_number(client.get("/tasks/"))
    assert planted["events"][1].code in text


def test_the_grid_workers_page_shows_no_unmasked_phone(client, planted, grid_worker):
    client.force_login(grid_worker, backend=MODEL_BACKEND)
    text = assert_no_planted_number(client.get("/grid/"))
    assert "东升第一网格" in text


def test_the_inbox_shows_no_unmasked_phone(client, planted, east_staff):
    client.force_login(east_staff, backend=MODEL_BACKEND)
    text = assert_no_planted_number(client.get("/inbox/"))
    assert "155****3344" in text


def test_the_open311_request_list_shows_no_unmasked_phone(client, planted):
    for fmt in ("json", "xml"):
        text = assert_no_planted_number(client.get(f"/open311/v2/requests.{fmt}"))
        assert "155****3344" in text  # the description is there, its number masked
    for event in planted["events"]:
        assert_no_planted_number(client.get(f"/open311/v2/requests/{event.code}.json"))


def test_the_public_tracking_page_shows_no_unmasked_phone(client, planted):
    for event in planted["events"]:
        text = assert_no_planted_number(client.get(f"/track/{event.code}/"))
        assert event.code in text


def test_admin_user_changelist_shows_only_masked_phones(admin_client, grid_worker):
    response = admin_client.get("/admin/governance/user/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "138****5678" in html
    assert "13812345678" not in html


def test_admin_user_changelist_is_not_an_audited_read(admin_client, grid_worker):
    admin_client.get("/admin/governance/user/")
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.READ_PERSONAL).exists()


def test_opening_a_users_admin_page_audits_the_read_of_personal_data(admin_client, admin_user, grid_worker):
    response = admin_client.get(f"/admin/governance/user/{grid_worker.pk}/change/")
    assert response.status_code == 200
    assert "13812345678" in response.content.decode()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.READ_PERSONAL)
    assert entry.actor == admin_user
    assert entry.object_type == "governance.user"
    assert entry.object_id == str(grid_worker.pk)
    assert entry.ip_address == "127.0.0.1"


def test_opening_a_user_without_contact_details_writes_no_audit_entry(admin_client, make_user):
    person = make_user()
    assert admin_client.get(f"/admin/governance/user/{person.pk}/change/").status_code == 200
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.READ_PERSONAL).exists()


def test_opening_a_missing_user_in_the_admin_writes_no_audit_entry(admin_client, db):
    response = admin_client.get("/admin/governance/user/424242/change/")
    assert response.status_code == 302  # the admin redirects to the index with a message
    assert not AuditEntry.objects.exists()
