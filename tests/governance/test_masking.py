"""Personal data (个人信息保护法): masked in lists, logs and the admin; full reads are audited."""

import logging

import pytest

from governance.masking import MaskPersonalDataFilter, mask_id_number, mask_phone, mask_text
from governance.models import AuditEntry
from governance.serializers import MeOutput, PersonListOutput


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


def test_no_api_list_shows_an_unmasked_phone(api_as, street_supervisor, grid_worker):
    for url in ("/api/v1/areas/", "/api/v1/departments/", "/api/v1/notifications/"):
        response = api_as(street_supervisor).get(url)
        assert response.status_code == 200
        assert b"13812345678" not in response.content


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
