"""Personal data (个人信息保护法): masked in lists, logs and the admin; full reads are audited."""

import logging
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance import services
from governance.masking import MaskPersonalDataFilter, mask_id_number, mask_name, mask_phone, mask_text
from governance.models import AuditEntry, Department, Notification, Role
from governance.serializers import MeOutput
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


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("+8613812340002", "+86 138****0002"),
        ("008613812340005", "+86 138****0005"),
        ("138 1234 0003", "138****0003"),
        ("138-1234-0004", "138****0004"),
        ("１３８１２３４０００６", "１３８****０００６"),
        ("+86 138 1234 0007", "+86 138****0007"),
        ("家属电话13912345678。", "家属电话139****5678。"),
        ("010-62990007", "010-****0007"),
        ("0755-8888 1234", "0755-****1234"),
        ("(010)62990007", "(010)****0007"),
        ("（010）62990007", "（010）****0007"),
        ("110101199003071234", "110***********1234"),
        ("11010119900307123X", "110***********123X"),
        ("身份证110101900307123号", "身份证110********7123号"),
        ("wang.li@example.com", "w***@example.com"),
        ("邮箱a@b.cn。", "邮箱*@b.cn。"),
        ("13812345678@163.com", "1***@163.com"),
        ("卡号6222021234567890", "卡号**** **** **** 7890"),
        ("6222 0212 3456 7890 123", "**** **** **** 0123"),
        ("6222021234567890123", "**** **** **** 0123"),
    ],
)
def test_mask_text_masks_every_common_written_form(text, masked):
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "3号楼2单元501室，2025-01-01 12:00 发现",
        "工单 20250101123456789012",
        "邮编 100080，门牌 12-3",
        "共 1234567 元",
        "Task succeeded in 0.012345678901233365s: True",
        "经度 116.30123456789012，纬度 39.98123456789",
        # A Celery task id: "184-8156-4465" inside it reads like a mobile written 3-4-4.
        "Task grids.tasks.event_escalate_overdue_task[7925e184-8156-4465-be01-4120f1f3a1a0] received",
        "request 13912345-8156-4465-be01-4120f1f3a1a0 done",
        "sha256 0123456789abcdef13812345678abcdef0123456789abcdef0123456789abcd",
        "",
    ],
)
def test_mask_text_leaves_text_without_personal_data_alone(text):
    assert mask_text(text) == text


def test_a_phone_next_to_a_task_id_is_still_masked():
    text = "task 7925e184-8156-4465-be01-4120f1f3a1a0 回访 13812345678；(0c5e53a1-1381-2345-6780-0123456789ab)"
    assert mask_text(text) == (
        "task 7925e184-8156-4465-be01-4120f1f3a1a0 回访 138****5678；(0c5e53a1-1381-2345-6780-0123456789ab)"
    )


def test_a_phone_that_only_looks_like_part_of_a_task_id_is_masked():
    # Not a UUID (the last group has 11 characters): the mobile inside it is masked.
    assert mask_text("ab12cd34-1381-2345-6780-13812345678") == "ab12cd34-1381-2345-6780-138****5678"


def test_mask_text_of_none_is_empty():
    assert mask_text(None) == ""


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("王小明", "王*明"),
        ("王明", "王*"),
        ("欧阳小明", "欧**明"),
        ("王", "王"),
        ("Li Wang", "L* W***"),
        ("  John  ", "J***"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


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


# --- Property tests (Hypothesis): every written form inside random text ----------------------

DIGITS = "0123456789"
FULL_WIDTH = str.maketrans(DIGITS, "０１２３４５６７８９")
SEPARATORS = " -\u00a0\u3000－"
# Filler: Chinese, ASCII letters and punctuation; no digit and no "@".
_CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
_SAFE_FIRST = st.one_of(_CJK, st.sampled_from("abcXYZ，。、！？；：,.!?;:()（）+＋"))
_FILLER_CHAR = st.one_of(_SAFE_FIRST, st.sampled_from(SEPARATORS))
filler = st.text(alphabet=_FILLER_CHAR, max_size=30)


def digits(n: int):
    return st.text(alphabet=DIGITS, min_size=n, max_size=n)


@st.composite
def mobiles(draw):
    number = "1" + draw(st.sampled_from("3456789")) + draw(digits(9))
    form = draw(st.sampled_from(["plain", "+86", "0086", "+86 ", "spaces", "dashes", "full", "+86 spaces"]))
    spaced = f"{number[:3]} {number[3:7]} {number[7:]}"
    return {
        "plain": number,
        "+86": "+86" + number,
        "0086": "0086" + number,
        "+86 ": "+86 " + number,
        "spaces": spaced,
        "dashes": f"{number[:3]}-{number[3:7]}-{number[7:]}",
        "full": number.translate(FULL_WIDTH),
        "+86 spaces": "+86 " + spaced,
    }[form]


@st.composite
def landlines(draw):
    area = "0" + draw(digits(draw(st.sampled_from([2, 3]))))
    local = draw(digits(draw(st.sampled_from([7, 8]))))
    form = draw(st.sampled_from(["dash", "paren", "split", "full-paren"]))
    return {
        "dash": f"{area}-{local}",
        "paren": f"({area}){local}",
        "split": f"{area}-{local[:-4]} {local[-4:]}",
        "full-paren": f"（{area}）{local}",
    }[form]


@st.composite
def id_numbers(draw):
    if draw(st.booleans()):
        return draw(digits(15))
    return draw(digits(17)) + draw(st.sampled_from(DIGITS + "X"))


@st.composite
def bank_cards(draw):
    number = draw(digits(draw(st.integers(16, 19))))
    if draw(st.booleans()):
        return number
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def digit_runs(text: str) -> list[str]:
    """Runs of digits in ``text``, a single separator between two digits counting as joined."""
    text = unicodedata.normalize("NFKC", text)
    return [re.sub(r"\D", "", run) for run in re.findall(r"\d(?:[ \-\u00a0]?\d)*", text)]


def assert_no_seven_digits_survive(original: str, masked: str) -> None:
    source = re.sub(r"\D", "", unicodedata.normalize("NFKC", original))
    windows = {source[i : i + 7] for i in range(len(source) - 6)}
    assert windows, original
    for run in digit_runs(masked):
        leaked = [w for w in windows if w in run]
        assert not leaked, f"{original!r} → {masked!r} keeps {leaked}"


@settings(max_examples=300, deadline=None)
@given(before=filler, number=st.one_of(mobiles(), landlines(), id_numbers(), bank_cards()), after=filler)
def test_no_run_of_seven_original_digits_survives(before, number, after):
    masked = mask_text(before + number + after)
    assert_no_seven_digits_survive(number, masked)


@st.composite
def emails(draw):
    local = draw(st.from_regex(r"[a-z0-9][a-z0-9._]{0,15}", fullmatch=True))
    domain = draw(st.from_regex(r"[a-z0-9]{1,10}(\.[a-z0-9]{1,8})?\.(com|cn|org|net)", fullmatch=True))
    return local, domain


@settings(max_examples=200, deadline=None)
@given(before=filler, email=emails(), after=filler)
def test_the_local_part_of_an_email_address_is_gone(before, email, after):
    local, domain = email
    masked = mask_text(f"{before}{local}@{domain}{after}")
    assert f"{local}@" not in masked
    assert "@" in masked


@st.composite
def text_without_personal_data(draw):
    """Words and short digit runs (at most 6 digits); a run is never followed by a separator,
    so no two runs can be read as one number."""
    parts = []
    for _ in range(draw(st.integers(0, 8))):
        parts.append(draw(st.text(alphabet=DIGITS + "０１２３", min_size=1, max_size=6)))
        parts.append(draw(_SAFE_FIRST) + draw(filler))
    if draw(st.booleans()):
        parts.insert(0, draw(filler))
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(text=text_without_personal_data())
def test_text_without_personal_data_is_unchanged(text):
    assert mask_text(text) == text


# --- Display: the inbox and the template filters -------------------------------------------------


def test_the_inbox_masks_notification_title_and_body(client, grid_worker):
    from governance import services

    services.notification_send(
        recipient=grid_worker, key="mask:1", title="回电 13912345678", body="家属电话138-1234-0004，wang.li@example.com"
    )
    client.force_login(grid_worker, backend="django.contrib.auth.backends.ModelBackend")
    text = client.get("/inbox/").content.decode()
    for secret in ("13912345678", "138-1234-0004", "wang.li@example.com"):
        assert secret not in text
    assert "回电 139****5678" in text
    assert "家属电话138****0004，w***@example.com" in text


def test_the_mask_filters_mask_before_the_text_is_cut():
    from django.template import Context, Template

    rendered = Template(
        "{% load masking %}{{ text|mask|truncatechars:20 }}|{{ name|mask_name }}|{{ none|mask }}"
    ).render(Context({"text": "电话 13912345678 请尽快回电，谢谢", "name": "王小明", "none": None}))
    text, name, none = rendered.split("|")
    assert text.startswith("电话 139****5678 ")
    assert len(text) < len("电话 139****5678 请尽快回电，谢谢")
    assert (name, none) == ("王*明", "")
