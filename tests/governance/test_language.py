"""A person's language: chosen on any page, remembered on the account when signed in, and used
for the email and SMS the outbox delivers to them."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from governance import services
from governance.models import User
from governance.sms import LocmemSmsBackend

REMINDER = {"message_key": "grids.event.reminder", "params": {"code": "K7QX2M9PLA", "deadline": "12-01 10:00"}}


def test_switching_language_signed_in_is_remembered_on_the_account(client, grid_worker):
    client.force_login(grid_worker)

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response.cookies["portal_language"].value == "en"
    assert User.objects.get(pk=grid_worker.pk).language == "en"
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert User.objects.get(pk=grid_worker.pk).language == "zh-hans"


def test_switching_language_signed_out_sets_only_the_cookie(client, grid_worker):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/track/"})

    assert response.status_code == 302
    assert response.cookies["portal_language"].value == "en"
    assert User.objects.get(pk=grid_worker.pk).language == ""


def test_a_language_the_portal_does_not_offer_changes_nothing(client, grid_worker):
    client.force_login(grid_worker)

    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})

    assert User.objects.get(pk=grid_worker.pk).language == ""


def test_the_service_refuses_a_language_it_does_not_offer(grid_worker):
    with pytest.raises(ValidationError) as caught:
        services.user_language_set(user=grid_worker, language="fr")
    assert caught.value.message_dict == {"language": ["不支持的语言。"]}


@pytest.mark.parametrize(
    ("language", "subject", "sms"),
    [
        ("en", "[Reminder] Event K7QX2M9PLA becomes overdue at 12-01 10:00", "[Reminder] Event K7QX2M9PLA"),
        ("", "【提醒】事件 K7QX2M9PLA 将于 12-01 10:00 超时", "【提醒】事件 K7QX2M9PLA"),
    ],
)
def test_email_and_sms_are_delivered_in_the_recipients_language(
    make_user, django_capture_on_commit_callbacks, language, subject, sms
):
    person = make_user(email="li@example.cn", phone="13912345678")
    person.language = language
    person.save(update_fields=["language"])

    with django_capture_on_commit_callbacks(execute=True):
        services.notification_send(recipient=person, key="reminder:1", title="", email=True, sms=True, **REMINDER)

    assert [m.subject for m in mail.outbox] == [subject]
    assert LocmemSmsBackend.outbox[0][1].startswith(sms)
