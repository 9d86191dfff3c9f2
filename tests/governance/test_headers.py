"""Response headers: Permissions-Policy everywhere, no-store on full contact details, and /media/
never served directly (DEBUG on or off)."""

import pytest
from django.test import override_settings
from django.urls import clear_url_caches

from governance.models import Role

EXPECTED_POLICY = (
    "camera=(self), geolocation=(self), accelerometer=(), autoplay=(), display-capture=(), "
    "encrypted-media=(), gyroscope=(), hid=(), idle-detection=(), magnetometer=(), microphone=(), midi=(), "
    "payment=(), picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), serial=(), usb=(), "
    "xr-spatial-tracking=()"
)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/accounts/login/", 200),
        ("/healthz", 200),
        ("/api/v1/me/", 401),
        ("/open311/v2/services.json", 200),
        ("/no-such-page/", 404),
    ],
)
def test_every_response_carries_the_permissions_policy(client, db, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert response["Permissions-Policy"] == EXPECTED_POLICY


def test_the_policy_allows_camera_and_geolocation_for_the_portal_only_and_nothing_else(client, db):
    features = dict(item.split("=") for item in client.get("/accounts/login/")["Permissions-Policy"].split(", "))
    assert features.pop("camera") == "(self)"
    assert features.pop("geolocation") == "(self)"
    assert {"microphone", "payment", "usb"} <= set(features)
    assert set(features.values()) == {"()"}


def test_the_users_own_contact_details_are_not_stored(api_as, grid_worker):
    response = api_as(grid_worker).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["phone"] == "13812345678"
    assert "no-store" in response["Cache-Control"]


def test_a_persons_record_in_the_admin_is_not_stored(admin_client, grid_worker):
    response = admin_client.get(f"/admin/governance/user/{grid_worker.pk}/change/")
    assert response.status_code == 200
    assert "13812345678" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_an_ordinary_list_is_not_marked_no_store(api_as, street_supervisor):
    response = api_as(street_supervisor).get("/api/v1/areas/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.fixture
def stored_photo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "events").mkdir()
    (tmp_path / "events" / "secret.jpg").write_bytes(b"\xff\xd8\xff not really a photo")
    return "/media/events/secret.jpg"


@pytest.mark.parametrize("debug", [False, True])
def test_media_is_never_served_directly(client, make_user, area_tree, stored_photo, debug):
    import importlib

    from governance import urls

    staff = make_user(Role.COMMUNITY_STAFF, area_tree["east"], username="media_staff")
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    with override_settings(DEBUG=debug):
        importlib.reload(urls)  # the URLconf reads DEBUG when it is imported
        clear_url_caches()
        try:
            response = client.get(stored_photo)
        finally:
            importlib.reload(urls)
            clear_url_caches()
    assert response.status_code == 404
    assert b"not really a photo" not in response.content


# --- HTTPS settings: production by default, plain http for make run --------------------------------

_PRINT_SECURITY = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
)


def _security_settings(**env) -> str:
    import os
    import subprocess
    import sys

    from django.conf import settings

    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "-c", _PRINT_SECURITY],
        cwd=settings.BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "governance.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_with_debug_off_https_is_on_by_default():
    env = {"DJANGO_DEBUG": "False", "DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "portal.example.org"}
    assert _security_settings(**env) == "False True True True 31536000"


def test_make_runs_local_settings_serve_plain_http_with_debug_off():
    env = {
        "DJANGO_DEBUG": "False",
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "False",
        "DJANGO_SECURE_COOKIES": "False",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
    }
    assert _security_settings(**env) == "False False False False 0"


def test_the_embedded_default_has_debug_on_and_no_https():
    assert _security_settings() == "True False False False 0"
