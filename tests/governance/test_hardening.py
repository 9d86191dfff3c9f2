"""Hardening: root areas, crash-safe delivery, masked tracebacks, ended posts, audited sign-in."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from governance import selectors, services
from governance.masking import MaskingFormatter
from governance.models import Area, AuditEntry, Notification, Role

pytestmark = pytest.mark.django_db


def test_only_a_district_may_be_a_root_area():
    with pytest.raises(ValidationError, match="区/县"):
        services.area_create(name="孤立社区", code="LONE", level=Area.Level.COMMUNITY)
    assert not Area.objects.exists()


def test_a_claim_left_by_a_dead_worker_is_retried_after_the_timeout(make_user):
    user = make_user(email="a@example.org")
    notification = Notification.objects.create(recipient=user, idempotency_key="k", title="t", by_email=True)
    # A worker claimed it and died before sending: no delivered_at.
    Notification.objects.filter(pk=notification.pk).update(delivery_claimed_at=timezone.now())
    assert services.notification_deliver(notification_id=notification.pk) is False
    assert services.notifications_undelivered_ids(older_than_seconds=0) == []
    with time_machine.travel(timezone.now() + timedelta(seconds=170)):  # the timeout is 180 s
        assert services.notifications_undelivered_ids(older_than_seconds=0) == []
    with time_machine.travel(timezone.now() + timedelta(seconds=190)):
        assert services.notifications_undelivered_ids(older_than_seconds=0) == [notification.pk]
        assert services.notification_deliver(notification_id=notification.pk) is True
    notification.refresh_from_db()
    assert notification.delivered_at is not None
    assert len(mail.outbox) == 1


def test_masking_formatter_masks_phone_numbers_inside_tracebacks():
    formatter = MaskingFormatter("%(message)s")
    try:
        raise ValueError("bad phone 13812345678")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, exc_info=True)
        import sys

        record.exc_info = sys.exc_info()
    text = formatter.format(record)
    assert "138****5678" in text
    assert "13812345678" not in text


def test_people_whose_post_ended_are_no_longer_listed(make_user, area_tree, east_staff):
    worker = make_user(Role.GRID_WORKER, area_tree["east_compound"], username="leaver")
    assert worker in selectors.visible_users(user=east_staff)
    services.post_end(post=worker.posts.get(), actor=east_staff)
    assert worker not in selectors.visible_users(user=east_staff)


def test_failed_sign_in_and_logout_are_audited(client, grid_worker):
    client.post("/accounts/login/", {"username": "worker", "password": "wrong"})
    failed = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_FAILED)
    assert failed.changes == {"username": "worker"}
    assert failed.ip_address == "127.0.0.1"
    client.force_login(grid_worker)
    client.post("/accounts/logout/")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGOUT, actor=grid_worker).count() == 1


@override_settings(DEBUG=True)
def test_unknown_api_url_is_json_even_with_debug_on(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "未找到。"}


def _page_views(patterns, prefix=""):
    from django.urls import URLPattern, URLResolver

    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _page_views(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_every_page_states_its_access_rule():
    from django.urls import get_resolver

    from governance.permissions import page_rule

    machine = ("api/", "open311/", "admin/", "media/", "^media/")
    missing = [
        path
        for path, view in _page_views(get_resolver().url_patterns)
        if not path.startswith(machine) and page_rule(view) is None
    ]
    assert missing == []


def test_a_page_that_states_no_rule_is_closed_even_to_signed_in_users(client, grid_worker, settings):
    from django.http import HttpResponse
    from django.urls import include, path

    def forgotten(request):
        return HttpResponse("secret")

    patterns = [path("forgotten/", forgotten), path("", include("governance.urls"))]
    urls = type("Urls", (), {"urlpatterns": patterns, "handler403": "governance.views.error_403"})
    settings.ROOT_URLCONF = urls
    client.force_login(grid_worker)
    response = client.get("/forgotten/")
    assert response.status_code == 403
    assert b"secret" not in response.content
