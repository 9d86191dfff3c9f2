"""Notifications: idempotent sending, once-only delivery, redelivery scan, SMS backends, inbox API."""

from datetime import timedelta

import pytest
import time_machine
from celery.exceptions import Retry
from django.core import mail
from django.utils import timezone

from governance import outbox, services
from governance.messages import message
from governance.models import Notification
from governance.outbox import recipient_language
from governance.sms import ConsoleSmsBackend, LocmemSmsBackend
from governance.tasks import notification_deliver_task, notification_redeliver_task


class FailingSmsBackend:
    """An SMS gateway that is down."""

    def send(self, *, phone: str, text: str) -> None:
        raise ConnectionError("短信网关无响应")


FAILING_SMS = "tests.governance.test_notifications.FailingSmsBackend"


@pytest.fixture
def reachable(make_user, area_tree):
    return make_user(email="wang@example.cn", phone="13812345678", full_name="王网格")


def send(recipient, key="event:1:dispatched", **kwargs):
    defaults = {"title": "新工单", "body": "东升花园3号楼漏水", "url": "/grids/events/1/", "email": True, "sms": True}
    return services.notification_send(recipient=recipient, key=key, **{**defaults, **kwargs})


# --- notification_send ----------------------------------------------------------------------------


def test_send_puts_the_message_in_the_inbox_and_delivers_email_and_sms_after_commit(
    reachable, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification, created = send(reachable)
        assert mail.outbox == []  # nothing leaves before the commit
    assert created
    assert len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [["wang@example.cn"]]
    assert mail.outbox[0].subject == "新工单"
    assert f"{settings.PORTAL_BASE_URL}/grids/events/1/" in mail.outbox[0].body
    assert LocmemSmsBackend.outbox == [("13812345678", "新工单 东升花园3号楼漏水")]
    notification.refresh_from_db()
    assert notification.delivered_at is not None
    assert notification.delivery_error == ""


def test_send_with_the_same_key_twice_creates_and_sends_once(reachable, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, created_first = send(reachable)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second, created_second = send(reachable, title="改过的标题")
    assert (created_first, created_second) == (True, False)
    assert second.pk == first.pk
    assert second.title == "新工单"
    assert callbacks == []
    assert len(mail.outbox) == 1
    assert len(LocmemSmsBackend.outbox) == 1
    assert Notification.objects.count() == 1


def test_the_same_key_for_another_person_is_another_notification(reachable, make_user):
    other = make_user(email="li@example.cn")
    _, created_a = send(reachable, email=False, sms=False)
    _, created_b = send(other, email=False, sms=False)
    assert created_a
    assert created_b
    assert Notification.objects.count() == 2


def test_inbox_only_notification_queues_nothing(reachable, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification, _ = send(reachable, email=False, sms=False)
    assert callbacks == []
    assert mail.outbox == []
    assert LocmemSmsBackend.outbox == []
    assert (notification.by_email, notification.by_sms) == (False, False)


def test_email_and_sms_are_skipped_for_a_person_without_address_or_phone(make_user, django_capture_on_commit_callbacks):
    person = make_user()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification, created = send(person)
    assert created
    assert (notification.by_email, notification.by_sms) == (False, False)
    assert callbacks == []
    assert mail.outbox == []


def test_a_long_title_is_cut_to_fit(reachable):
    notification, _ = send(reachable, title="长" * 300, email=False, sms=False)
    assert len(notification.title) == 200


# --- notification_deliver -----------------------------------------------------------------------


def test_deliver_runs_once_and_a_second_run_does_nothing(reachable):
    notification, _ = send(reachable)  # no on-commit capture: nothing was sent yet
    assert services.notification_deliver(notification_id=notification.pk) is True
    assert services.notification_deliver(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1
    assert len(LocmemSmsBackend.outbox) == 1


def test_deliver_task_is_idempotent(reachable):
    notification, _ = send(reachable)
    assert notification_deliver_task(notification_id=notification.pk) is True
    assert notification_deliver_task(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


def test_deliver_of_a_missing_notification_does_nothing(db):
    assert services.notification_deliver(notification_id=424242) is False


def test_a_failing_send_releases_the_claim_and_records_the_error(reachable, settings):
    settings.SMS_BACKEND = FAILING_SMS
    notification, _ = send(reachable)
    with pytest.raises(ConnectionError):
        services.notification_deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.delivered_at is None
    assert notification.delivery_error == "短信网关无响应"

    settings.SMS_BACKEND = "governance.sms.LocmemSmsBackend"
    assert services.notification_deliver(notification_id=notification.pk) is True
    notification.refresh_from_db()
    assert notification.delivered_at is not None
    assert notification.delivery_error == ""


def test_a_transient_failure_inside_the_task_leaves_the_notification_for_a_retry(reachable, settings):
    settings.SMS_BACKEND = FAILING_SMS
    notification, _ = send(reachable)
    with pytest.raises(Retry):  # eager mode propagates the retry request instead of scheduling it
        notification_deliver_task.apply(kwargs={"notification_id": notification.pk})
    notification.refresh_from_db()
    assert notification.delivered_at is None
    assert notification.delivery_error == "短信网关无响应"


# --- redelivery scan ------------------------------------------------------------------------------


def test_redeliver_picks_up_undelivered_notifications_older_than_a_minute(reachable):
    with time_machine.travel(timezone.now() - timedelta(minutes=5), tick=False):
        old, _ = send(reachable, key="old")
    fresh, _ = send(reachable, key="fresh")
    delivered, _ = send(reachable, key="delivered-already")
    Notification.objects.filter(pk=delivered.pk).update(
        created_at=timezone.now() - timedelta(minutes=5), delivered_at=timezone.now()
    )

    assert services.notifications_undelivered_ids() == [old.pk]
    assert notification_redeliver_task() == 1
    assert len(mail.outbox) == 1
    assert notification_redeliver_task() == 0

    with time_machine.travel(timezone.now() + timedelta(seconds=61), tick=False):
        assert notification_redeliver_task() == 1
    fresh.refresh_from_db()
    assert fresh.delivered_at is not None
    assert len(mail.outbox) == 2


def test_redeliver_ignores_inbox_only_notifications(reachable):
    with time_machine.travel(timezone.now() - timedelta(minutes=5), tick=False):
        send(reachable, email=False, sms=False)
    assert notification_redeliver_task() == 0


def test_redeliver_keeps_going_past_a_failing_notification(reachable, make_user, settings, caplog):
    no_phone = make_user(email="zhao@example.cn")
    with time_machine.travel(timezone.now() - timedelta(minutes=5), tick=False):
        failing, _ = send(reachable, key="a")  # wants SMS: the gateway is down
        email_only, _ = send(no_phone, key="b")
    settings.SMS_BACKEND = FAILING_SMS
    assert notification_redeliver_task() == 1
    failing.refresh_from_db()
    email_only.refresh_from_db()
    assert failing.delivered_at is None
    assert failing.delivery_error == "短信网关无响应"
    assert email_only.delivered_at is not None
    warnings = [r.getMessage() for r in caplog.records if r.name == "governance.outbox"]
    assert warnings == [f"Delivery of notification {failing.pk} failed (ConnectionError); left for the next scan."]


# --- SMS backends --------------------------------------------------------------------------------


def test_console_sms_backend_prints_a_masked_number(capsys):
    ConsoleSmsBackend().send(phone="13812345678", text="您有新工单")
    out = capsys.readouterr().out
    assert out == "[SMS to 138****5678] 您有新工单\n"
    assert "13812345678" not in out


def test_locmem_sms_backend_keeps_messages_in_memory():
    LocmemSmsBackend().send(phone="13812345678", text="测试")
    assert LocmemSmsBackend.outbox == [("13812345678", "测试")]


# --- Inbox API ----------------------------------------------------------------------------------


def test_inbox_api_lists_only_own_notifications(api_as, grid_worker, east_staff):
    send(grid_worker, key="mine", email=False, sms=False, title="我的")
    send(east_staff, key="theirs", email=False, sms=False, title="别人的")
    body = api_as(grid_worker).get("/api/v1/notifications/").json()
    assert [n["title"] for n in body["results"]] == ["我的"]
    assert body["results"][0]["is_read"] is False


def test_inbox_api_filters_unread(api_as, grid_worker):
    read, _ = send(grid_worker, key="read", email=False, sms=False, title="已读")
    send(grid_worker, key="unread", email=False, sms=False, title="未读")
    services.notification_mark_read(notification=read)
    body = api_as(grid_worker).get("/api/v1/notifications/", {"read_at__isnull": "true"}).json()
    assert [n["title"] for n in body["results"]] == ["未读"]


def test_marking_own_notification_read(api_as, grid_worker):
    notification, _ = send(grid_worker, email=False, sms=False)
    response = api_as(grid_worker).post(f"/api/v1/notifications/{notification.pk}/read/")
    assert response.status_code == 200
    assert response.json()["is_read"] is True
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_marking_someone_elses_notification_is_a_404_and_changes_nothing(api_as, grid_worker, east_staff):
    theirs, _ = send(east_staff, email=False, sms=False)
    response = api_as(grid_worker).post(f"/api/v1/notifications/{theirs.pk}/read/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_reading_someone_elses_notification_is_a_404(api_as, grid_worker, east_staff):
    theirs, _ = send(east_staff, email=False, sms=False)
    assert api_as(grid_worker).get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404


def test_read_all_marks_only_own_notifications(api_as, grid_worker, east_staff):
    send(grid_worker, key="a", email=False, sms=False)
    send(grid_worker, key="b", email=False, sms=False)
    theirs, _ = send(east_staff, key="a", email=False, sms=False)
    response = api_as(grid_worker).post("/api/v1/notifications/read-all/")
    assert response.json() == {"updated": 2}
    assert not Notification.objects.filter(recipient=grid_worker, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


# --- The redelivery query and reading, rule by rule ------------------------------------------------


def test_undelivered_ids_are_the_email_or_sms_rows_past_the_age_oldest_first_up_to_the_limit(reachable):
    start = timezone.now()
    with time_machine.travel(start - timedelta(minutes=9), tick=False):
        oldest, _ = send(reachable, key="sms-only", email=False)
    with time_machine.travel(start - timedelta(minutes=7), tick=False):
        middle, _ = send(reachable, key="email-only", sms=False)
    with time_machine.travel(start - timedelta(minutes=5), tick=False):
        newest, _ = send(reachable, key="both")
        send(reachable, key="inbox-only", email=False, sms=False)
    with time_machine.travel(start, tick=False):
        assert services.notifications_undelivered_ids() == [oldest.pk, middle.pk, newest.pk]
        assert services.notifications_undelivered_ids(limit=2) == [oldest.pk, middle.pk]
        assert services.notifications_undelivered_ids(older_than_seconds=6 * 60) == [oldest.pk, middle.pk]
        assert services.notifications_undelivered_ids(older_than_seconds=5 * 60) == [oldest.pk, middle.pk]
        assert services.notifications_undelivered_ids(older_than_seconds=5 * 60 - 1) == [
            oldest.pk,
            middle.pk,
            newest.pk,
        ]


def test_a_claim_younger_than_the_timeout_is_left_alone_and_an_older_one_is_retried(reachable):
    start = timezone.now()
    with time_machine.travel(start - timedelta(hours=1), tick=False):
        fresh_claim, _ = send(reachable, key="claimed-170-s-ago")
        stale_claim, _ = send(reachable, key="claimed-181-s-ago")
    # NOTIFICATION_CLAIM_TIMEOUT_SECONDS is 180 by default
    Notification.objects.filter(pk=fresh_claim.pk).update(delivery_claimed_at=start - timedelta(seconds=170))
    Notification.objects.filter(pk=stale_claim.pk).update(delivery_claimed_at=start - timedelta(seconds=181))
    with time_machine.travel(start, tick=False):
        assert services.notifications_undelivered_ids() == [stale_claim.pk]
        assert services.notification_deliver(notification_id=fresh_claim.pk) is False
        assert services.notification_deliver(notification_id=stale_claim.pk) is True
    assert len(mail.outbox) == 1


def test_marking_read_keeps_the_first_time_it_was_read(reachable):
    notification, _ = send(reachable, email=False, sms=False)
    stale = Notification.objects.get(pk=notification.pk)  # loaded before it was read, e.g. in another tab
    first = timezone.now()
    with time_machine.travel(first, tick=False):
        services.notification_mark_read(notification=notification)
    with time_machine.travel(first + timedelta(hours=1), tick=False):
        again = services.notification_mark_read(notification=Notification.objects.get(pk=notification.pk))
    assert again.read_at == first
    with time_machine.travel(first + timedelta(hours=2), tick=False):
        services.notification_mark_read(notification=stale)
    notification.refresh_from_db()
    assert notification.read_at == first


def test_mark_all_read_counts_and_marks_only_the_persons_unread(reachable, make_user):
    other = make_user()
    for key in ("a", "b", "c"):
        send(reachable, key=key, email=False, sms=False)
    services.notification_mark_read(notification=Notification.objects.get(recipient=reachable, idempotency_key="a"))
    send(other, key="a", email=False, sms=False)
    assert services.notification_mark_all_read(user=reachable) == 2
    assert not Notification.objects.filter(recipient=reachable, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 1
    assert services.notification_mark_all_read(user=reachable) == 0


# --- notification_enqueue_sms: people without an account ------------------------------------------


def test_an_sms_to_a_caller_is_an_outbox_row_delivered_after_commit_with_its_link(
    db, django_capture_on_commit_callbacks, settings
):
    text = "您反映的问题已受理，联系人 13912345678，" + "请耐心等待" * 50
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = outbox.notification_enqueue_sms(phone=" 13812340002 ", key="rate:7", text=text, url="/r/abcdef/")
        assert LocmemSmsBackend.outbox == []  # nothing leaves before the commit
    assert created is True
    assert len(callbacks) == 1
    row = Notification.objects.get(idempotency_key="rate:7")
    assert (row.recipient, row.to_phone, row.url, row.by_sms, row.by_email) == (
        None,
        "13812340002",
        "/r/abcdef/",
        True,
        False,
    )
    assert len(row.title) == 200
    assert row.title.startswith("您反映的问题已受理，联系人 139****5678，请耐心等待")
    row.refresh_from_db()
    assert row.delivered_at is not None
    [(phone, sent)] = LocmemSmsBackend.outbox
    assert phone == "13812340002"
    assert sent.endswith(f" {settings.PORTAL_BASE_URL}/r/abcdef/")  # the caller's own link, unmasked


def test_the_same_sms_key_twice_writes_one_row_and_says_so(db):
    assert outbox.notification_enqueue_sms(phone="13812340002", key="rate:8", text="已受理") is True
    assert outbox.notification_enqueue_sms(phone="13812340002", key="rate:8", text="改过") is False
    assert list(Notification.objects.filter(idempotency_key="rate:8").values_list("title", flat=True)) == ["已受理"]


@pytest.mark.parametrize("phone", ["", "   ", None])
def test_an_sms_without_a_phone_writes_nothing(db, phone, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert outbox.notification_enqueue_sms(phone=phone, key="rate:9", text="已受理") is False
    assert callbacks == []
    assert Notification.objects.count() == 0


def test_ids_for_a_key_are_its_rows_still_to_deliver(reachable, make_user):
    other = make_user(email="li@example.cn")
    first, _ = send(reachable, key="k:1")
    second, _ = send(other, key="k:1")
    send(reachable, key="k:2")
    Notification.objects.filter(pk=first.pk).update(delivered_at=timezone.now())
    assert outbox.notification_ids_for_key(key="k:1") == [second.pk]


def test_deliver_each_counts_what_it_sent(reachable, make_user):
    first, _ = send(reachable, key="k:1")
    second, _ = send(make_user(email="li@example.cn"), key="k:1")
    assert outbox.notifications_deliver_each(ids=[first.pk, second.pk, first.pk]) == 2


def test_recipient_language_is_the_persons_own_else_the_default(reachable):
    assert recipient_language(None) == "zh-hans"
    assert recipient_language(reachable) == "zh-hans"
    reachable.language = "en"
    assert recipient_language(reachable) == "en"


def test_a_notice_without_a_link_is_delivered_without_one(reachable, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(reachable, url="")
    assert mail.outbox[0].body == "东升花园3号楼漏水"
    assert LocmemSmsBackend.outbox == [("13812345678", "新工单 东升花园3号楼漏水")]


def test_an_sms_only_notice_sends_no_email_to_a_person_who_has_an_address(
    reachable, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(reachable, email=False)
    assert mail.outbox == []
    assert len(LocmemSmsBackend.outbox) == 1


class ClaimCheckingSmsBackend:
    """A gateway that, while sending, looks at the row: it must be claimed by then."""

    seen: list = []

    def send(self, *, phone: str, text: str) -> None:
        row = Notification.objects.get(by_sms=True)
        ClaimCheckingSmsBackend.seen.append((row.delivery_claimed_at is not None, row.delivered_at))


def test_a_notice_is_claimed_before_it_is_sent_and_marked_only_after(reachable, settings):
    settings.SMS_BACKEND = "tests.governance.test_notifications.ClaimCheckingSmsBackend"
    ClaimCheckingSmsBackend.seen = []
    notification, _ = send(reachable, email=False)
    assert outbox.notification_deliver(notification_id=notification.pk) is True
    assert ClaimCheckingSmsBackend.seen == [(True, None)]
    notification.refresh_from_db()
    assert notification.delivered_at is not None


def test_an_sms_key_is_per_phone_and_a_phone_takes_one_row_per_key(db):
    assert outbox.notification_enqueue_sms(phone="13812340002", key="rate:1", text="已受理") is True
    assert outbox.notification_enqueue_sms(phone="13812340003", key="rate:1", text="已受理") is True
    assert outbox.notification_enqueue_sms(phone="13812340002", key="rate:2", text="已办结") is True
    assert sorted(Notification.objects.values_list("to_phone", "idempotency_key")) == [
        ("13812340002", "rate:1"),
        ("13812340002", "rate:2"),
        ("13812340003", "rate:1"),
    ]


# --- notification_enqueue: the one way a notice is written ---------------------------------------

REMINDER_ZH = "【提醒】事件 K7QX2M9PLA 将于 12-01 10:00 超时"


def test_enqueue_writes_one_row_per_active_person_with_quiet_defaults(reachable, make_user):
    gone = make_user(email="gone@example.cn", phone="13900000000")
    gone.is_active = False

    asked = outbox.notification_enqueue(recipients=[reachable, gone, None, reachable], key="k:9", title="新工单")

    assert asked == 1
    row = Notification.objects.get()
    assert (row.recipient, row.title, row.body, row.url, row.by_email, row.by_sms) == (
        reachable,
        "新工单",
        "",
        "",
        False,
        False,
    )


def test_enqueue_to_nobody_writes_nothing(db):
    assert outbox.notification_enqueue(recipients=[], key="k:0", title="新工单") == 0
    assert Notification.objects.count() == 0


def test_a_keyed_notice_stores_its_key_its_parameters_and_the_chinese_text_as_fallback(reachable):
    params = {"code": "K7QX2M9PLA", "deadline": "12-01 10:00"}
    outbox.notification_enqueue(
        recipients=[reachable], key="k:10", title="", message_key="grids.event.reminder", params=params
    )
    row = Notification.objects.get()
    assert (row.title, row.message_key, row.params) == (REMINDER_ZH, "grids.event.reminder", params)


def test_explicit_parameters_win_over_those_a_title_carries(reachable):
    title = message("grids.event.reminder", code="AAAAAAAAAA", deadline="01-01 00:00")
    params = {"code": "K7QX2M9PLA", "deadline": "12-01 10:00"}
    outbox.notification_enqueue(recipients=[reachable], key="k:11", title=title, params=params)
    assert Notification.objects.get().params == params


def test_an_unknown_message_key_is_refused_by_name(reachable):
    with pytest.raises(ValueError, match=r"Unknown message key") as caught:
        outbox.notification_enqueue(recipients=[reachable], key="k:12", title="", message_key="no.such.key")
    assert str(caught.value) == "Unknown message key 'no.such.key': add it to governance.messages.MESSAGES"


def test_the_email_body_is_the_text_then_the_link(reachable, django_capture_on_commit_callbacks, settings):
    with django_capture_on_commit_callbacks(execute=True):
        send(reachable)
    assert mail.outbox[0].body == f"东升花园3号楼漏水\n\n{settings.PORTAL_BASE_URL}/grids/events/1/"


def test_an_email_only_notice_sends_no_sms_to_a_person_who_has_a_phone(reachable, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(reachable, sms=False)
    assert LocmemSmsBackend.outbox == []
    assert len(mail.outbox) == 1


class LongFailureSmsBackend:
    def send(self, *, phone: str, text: str) -> None:
        raise ConnectionError("网关" * 400)


def test_a_long_delivery_error_is_kept_to_300_characters(reachable, settings):
    settings.SMS_BACKEND = "tests.governance.test_notifications.LongFailureSmsBackend"
    notification, _ = send(reachable, email=False)
    with pytest.raises(ConnectionError):
        outbox.notification_deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.delivery_error == "网关" * 150
