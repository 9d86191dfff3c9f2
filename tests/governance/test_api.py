"""The core API through the client: token auth, /me, the error envelope, areas, default deny."""

import re

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from governance import services
from governance.models import Area, AuditEntry, Role
from governance.urls import router
from tests.conftest import DEMO_PASSWORD

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"
AREAS_URL = "/api/v1/areas/"
CJK = re.compile(r"[\u4e00-\u9fff]")


def assert_envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


def post_token(client, username: str, password: str):
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json")


# --- Token auth and /me ------------------------------------------------------------------------


def test_token_is_issued_for_the_right_password_and_opens_me(api_client, east_staff):
    response = post_token(api_client, "east_staff", DEMO_PASSWORD)
    assert response.status_code == 200
    token = response.json()["token"]
    assert token == Token.objects.get(user=east_staff).key

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api_client.get(ME_URL)
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "east_staff"
    assert body["full_name"] == "李社区"
    assert body["roles"] == [Role.COMMUNITY_STAFF]
    assert [(p["role"], p["area"]["code"]) for p in body["posts"]] == [(Role.COMMUNITY_STAFF, "HD-ZGC-DS")]
    assert [a["code"] for a in body["areas"]] == ["HD-ZGC-DS"]
    assert body["language"] == "zh-hans"


def test_token_login_is_audited(api_client, east_staff):
    post_token(api_client, "east_staff", DEMO_PASSWORD)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN)
    assert entry.actor == east_staff
    assert entry.changes == {"via": "api_token"}


def test_second_token_request_returns_the_same_token(api_client, east_staff):
    first = post_token(api_client, "east_staff", DEMO_PASSWORD).json()["token"]
    second = post_token(api_client, "east_staff", DEMO_PASSWORD).json()["token"]
    assert first == second
    assert Token.objects.count() == 1


def test_me_lists_every_area_of_a_user_with_two_posts(api_as, make_user, area_tree):
    user = make_user(Role.COMMUNITY_STAFF, area_tree["east"])
    services.post_assign(user=user, role=Role.GRID_WORKER, area=area_tree["west_compound"])
    body = api_as(user).get(ME_URL).json()
    assert sorted(body["roles"]) == [Role.COMMUNITY_STAFF, Role.GRID_WORKER]
    assert sorted(a["code"] for a in body["areas"]) == ["HD-ZGC-DS", "HD-ZGC-XY-01"]


def test_me_of_a_superuser_shows_the_root_areas(api_as, make_user, area_tree):
    root = make_user(is_superuser=True, is_staff=True)
    body = api_as(root).get(ME_URL).json()
    assert [a["code"] for a in body["areas"]] == ["HD"]
    assert body["is_superuser"] is True


@pytest.mark.usefixtures("no_failed_logins")
def test_wrong_password_is_refused_in_chinese_without_a_token(api_client, east_staff):
    tokens, audits = Token.objects.count(), AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN).count()
    response = post_token(api_client, "east_staff", "wrong-password")
    body = assert_envelope(response, 400, "invalid_credentials")
    assert body["detail"] == "用户名或密码不正确。"
    assert Token.objects.count() == tokens
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN).count() == audits


@pytest.mark.usefixtures("no_failed_logins")
def test_unknown_username_is_refused_like_a_wrong_password(api_client, db):
    body = assert_envelope(post_token(api_client, "nobody", "whatever"), 400, "invalid_credentials")
    assert body["detail"] == "用户名或密码不正确。"
    assert not Token.objects.exists()


def test_inactive_user_gets_no_token(api_client, east_staff):
    east_staff.is_active = False
    east_staff.save()
    assert_envelope(post_token(api_client, "east_staff", DEMO_PASSWORD), 400, "invalid_credentials")
    assert not Token.objects.exists()


def test_token_request_without_password_lists_the_missing_field(api_client, db):
    response = api_client.post(TOKEN_URL, {"username": "east_staff"}, format="json")
    body = assert_envelope(response, 400, "invalid")
    assert list(body["fields"]) == ["password"]
    assert CJK.search(body["fields"]["password"][0])


@pytest.mark.usefixtures("no_failed_logins")
def test_five_failures_lock_the_account_even_for_the_right_password(api_client, east_staff):
    statuses = [post_token(api_client, "east_staff", f"wrong-{i}").status_code for i in range(5)]
    assert statuses == [400, 400, 400, 400, 429]  # the fifth failure is the one that locks

    response = post_token(api_client, "east_staff", DEMO_PASSWORD)
    body = assert_envelope(response, 429, "locked_out")
    assert CJK.search(body["detail"])
    assert not Token.objects.exists()


@pytest.mark.usefixtures("no_failed_logins")
def test_lockout_is_per_username(api_client, east_staff, street_supervisor):
    for i in range(5):
        post_token(api_client, "east_staff", f"wrong-{i}")
    assert post_token(api_client, "supervisor", DEMO_PASSWORD).status_code == 200


@pytest.mark.usefixtures("no_failed_logins")
def test_an_administrator_unlocks_a_locked_account(api_client, east_staff):
    for i in range(5):
        post_token(api_client, "east_staff", f"wrong-{i}")
    assert post_token(api_client, "east_staff", DEMO_PASSWORD).status_code == 429
    call_command("axes_reset_username", "east_staff", verbosity=0)
    assert not AccessAttempt.objects.filter(username="east_staff").exists()
    assert post_token(api_client, "east_staff", DEMO_PASSWORD).status_code == 200


@pytest.mark.usefixtures("no_failed_logins")
def test_a_success_before_the_limit_resets_the_failures(api_client, east_staff):
    for i in range(4):
        post_token(api_client, "east_staff", f"wrong-{i}")
    assert post_token(api_client, "east_staff", DEMO_PASSWORD).status_code == 200
    for i in range(4):
        post_token(api_client, "east_staff", f"wrong-again-{i}")
    assert post_token(api_client, "east_staff", DEMO_PASSWORD).status_code == 200


@pytest.mark.parametrize("header", [None, "Token not-a-real-token", "Bearer abc"])
def test_me_refuses_a_request_without_valid_credentials(api_client, db, header):
    if header:
        api_client.credentials(HTTP_AUTHORIZATION=header)
    response = api_client.get(ME_URL)
    assert response.status_code in (401, 403)
    body = response.json()
    assert body["code"] in ("not_authenticated", "authentication_failed")
    assert CJK.search(body["detail"])


def test_me_without_credentials_asks_for_a_token(api_client, db):
    response = api_client.get(ME_URL)
    assert_envelope(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


# --- Error envelope ------------------------------------------------------------------------------


def test_malformed_json_is_a_parse_error_and_writes_nothing(api_as, east_staff, area_tree):
    before = Area.objects.count(), AuditEntry.objects.count()
    response = api_as(east_staff).post(AREAS_URL, data='{"name": "坏', content_type="application/json")
    assert_envelope(response, 400, "parse_error")
    assert (Area.objects.count(), AuditEntry.objects.count()) == before


def test_malformed_json_on_the_token_endpoint_is_a_parse_error(api_client, east_staff):
    response = api_client.post(TOKEN_URL, data="{not json", content_type="application/json")
    assert_envelope(response, 400, "parse_error")
    assert not Token.objects.exists()


def test_unknown_url_under_api_is_a_json_404(api_client, db):
    assert_envelope(api_client.get("/api/v1/no-such-thing/"), 404, "not_found")
    assert_envelope(api_client.get("/api/nothing/here/"), 404, "not_found")


def test_unsupported_method_has_the_envelope(api_as, east_staff):
    assert_envelope(api_as(east_staff).delete(ME_URL), 405, "method_not_allowed")


def test_english_request_still_gets_the_envelope(api_client, east_staff):
    response = api_client.post(
        TOKEN_URL, {"username": "east_staff", "password": "nope"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert_envelope(response, 400, "invalid_credentials")
    assert response["Content-Language"] == "en"


def test_english_validation_error_still_has_fields(api_as, east_staff, area_tree):
    response = api_as(east_staff).post(AREAS_URL, {"name": "x"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    body = assert_envelope(response, 400, "invalid")
    assert {"code", "level", "parent"} <= set(body["fields"])


# --- Areas ------------------------------------------------------------------------------------


def area_payload(parent: Area, **overrides) -> dict:
    return {"name": "东升二区", "code": "HD-ZGC-DS-02", "level": Area.Level.COMPOUND, "parent": parent.pk, **overrides}


def test_area_list_is_scoped_to_jurisdiction(api_as, east_staff, area_tree):
    body = api_as(east_staff).get(AREAS_URL).json()
    assert {a["code"] for a in body["results"]} == {"HD-ZGC-DS", "HD-ZGC-DS-01", "HD-ZGC-DS-01-B1"}
    assert body["count"] == 3


def test_area_list_filters_by_level(api_as, street_supervisor):
    body = api_as(street_supervisor).get(AREAS_URL, {"level": "community"}).json()
    assert {a["code"] for a in body["results"]} == {"HD-ZGC-DS", "HD-ZGC-XY"}


def test_area_outside_jurisdiction_is_a_404_not_a_403(api_as, east_staff, area_tree):
    response = api_as(east_staff).get(f"{AREAS_URL}{area_tree['west'].pk}/")
    assert_envelope(response, 404, "not_found")
    assert api_as(east_staff).get(f"{AREAS_URL}{area_tree['east'].pk}/").json()["name"] == "东升社区"


def test_community_staff_creates_a_compound_in_their_community(api_as, east_staff, area_tree):
    response = api_as(east_staff).post(AREAS_URL, area_payload(area_tree["east"]), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["path"] == "HD/HD-ZGC/HD-ZGC-DS/HD-ZGC-DS-02/"
    assert body["level_display"] == "小区"
    area = Area.objects.get(code="HD-ZGC-DS-02")
    assert AuditEntry.objects.filter(
        actor=east_staff, action=AuditEntry.Action.CREATE, object_type="governance.area", object_id=str(area.pk)
    ).exists()


@pytest.mark.parametrize("parent", ["missing", "west"])
def test_area_create_refuses_a_parent_that_is_missing_or_outside_jurisdiction(api_as, east_staff, area_tree, parent):
    parent_id = 999_999 if parent == "missing" else area_tree["west"].pk
    before = Area.objects.count(), AuditEntry.objects.count()
    response = api_as(east_staff).post(
        AREAS_URL, {"name": "越界", "code": "X-1", "level": "compound", "parent": parent_id}, format="json"
    )
    body = assert_envelope(response, 400, "invalid")
    assert list(body["fields"]) == ["parent"]
    assert CJK.search(body["fields"]["parent"][0])
    assert (Area.objects.count(), AuditEntry.objects.count()) == before


def test_area_create_refuses_a_parent_seen_only_through_another_role(api_as, make_user, area_tree):
    # Staff in 东升 who is also a grid worker in 西苑小区 may not add areas in 西苑 as staff.
    user = make_user(Role.COMMUNITY_STAFF, area_tree["east"])
    services.post_assign(user=user, role=Role.GRID_WORKER, area=area_tree["west_compound"])
    before = Area.objects.count()
    response = api_as(user).post(
        AREAS_URL,
        {"name": "越权楼", "code": "XY-01-B9", "level": "building", "parent": area_tree["west_compound"].pk},
        format="json",
    )
    body = assert_envelope(response, 400, "invalid")
    assert "parent" in body["fields"]
    assert Area.objects.count() == before


def test_area_create_at_the_wrong_level_explains_in_chinese(api_as, street_supervisor, area_tree):
    before = Area.objects.count()
    response = api_as(street_supervisor).post(
        AREAS_URL, area_payload(area_tree["street"], level=Area.Level.BUILDING), format="json"
    )
    body = assert_envelope(response, 400, "invalid")
    assert body["fields"] == {"level": ["“中关村街道”的下级必须是社区/村。"]}
    assert Area.objects.count() == before


def test_area_create_with_a_taken_code_reports_the_code_field(api_as, east_staff, area_tree):
    before = Area.objects.count()
    response = api_as(east_staff).post(AREAS_URL, area_payload(area_tree["east"], code="HD-ZGC-XY-01"), format="json")
    body = assert_envelope(response, 400, "invalid")
    assert "code" in body["fields"]
    assert Area.objects.count() == before


def test_area_create_with_a_bad_code_reports_it_in_chinese(api_as, east_staff, area_tree):
    response = api_as(east_staff).post(AREAS_URL, area_payload(area_tree["east"], code="东升/02"), format="json")
    body = assert_envelope(response, 400, "invalid")
    assert body["fields"]["code"] == ["编码只能包含字母、数字、下划线和连字符。"]
    assert not Area.objects.filter(name="东升二区").exists()


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("anonymous", 401, "not_authenticated"),
        ("no_post", 403, "permission_denied"),
        ("grid_worker", 403, "permission_denied"),
        ("resident", 403, "permission_denied"),
        ("department_handler", 403, "permission_denied"),
    ],
)
def test_area_create_is_refused_to_roles_without_the_right(api_client, make_user, area_tree, who, status, code):
    if who == "resident":
        api_client.force_authenticate(make_user(Role.RESIDENT, area_tree["east"]))
    elif who == "grid_worker":
        api_client.force_authenticate(make_user(Role.GRID_WORKER, area_tree["east"]))
    elif who == "department_handler":
        dept = services.department_create(name="东升水务站", code="DS-WATER", area=area_tree["east"])
        api_client.force_authenticate(make_user(Role.DEPARTMENT_HANDLER, department=dept))
    elif who == "no_post":
        api_client.force_authenticate(make_user())
    before = Area.objects.count(), AuditEntry.objects.count()
    response = api_client.post(AREAS_URL, area_payload(area_tree["east"]), format="json")
    assert_envelope(response, status, code)
    assert (Area.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize("who", ["east_staff", "street_supervisor", "superuser"])
def test_area_create_is_allowed_to_staff_supervisors_and_superusers(api_as, make_user, area_tree, who, request):
    user = make_user(is_superuser=True, is_staff=True) if who == "superuser" else request.getfixturevalue(who)
    response = api_as(user).post(AREAS_URL, area_payload(area_tree["east"]), format="json")
    assert response.status_code == 201, response.content
    assert Area.objects.filter(code="HD-ZGC-DS-02").exists()


def test_departments_are_listed_within_jurisdiction(api_as, east_staff, area_tree):
    services.department_create(name="东升水务站", code="DS-WATER", area=area_tree["east"], kind="water")
    services.department_create(name="西苑水务站", code="XY-WATER", area=area_tree["west"], kind="water")
    body = api_as(east_staff).get("/api/v1/departments/").json()
    assert [d["code"] for d in body["results"]] == ["DS-WATER"]
    assert body["results"][0]["kind_display"] == "水务"


# --- Default deny -------------------------------------------------------------------------------


def _api_v1_routes() -> list[tuple[str, object]]:
    """Every URL pattern under /api/v1/ as (route, callback); the ``.json`` suffix twins are left out."""
    found: list[tuple[str, object]] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("api/v1/") and "format>" not in route:
                found.append((route, pattern.callback))

    walk(get_resolver().url_patterns, "")
    return found


def _example_path(route: str) -> str:
    """``api/v1/^areas/(?P<pk>[^/.]+)/$`` → ``/api/v1/areas/1/``."""
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    path = re.sub(r"<(?:\w+:)?\w+>", "1", path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


API_V1_PATHS = sorted({_example_path(route) for route, _cb in _api_v1_routes()})
OPEN_PATHS = {"/api/v1/auth/token/"}
# Device endpoints admit any caller past the permission layer and check the device token in the view
# (grids.api.sensors.SensorAlertView): a method they lack is a 405 there, never a 2xx.
SELF_CHECKED_PATHS = {"/api/v1/sensors/alerts/"}


def test_the_walk_finds_every_registered_viewset():
    assert len(API_V1_PATHS) >= 2 * len(router.registry) + 2
    for prefix, _viewset, _basename in router.registry:
        assert f"/api/v1/{prefix}/" in API_V1_PATHS
        assert f"/api/v1/{prefix}/1/" in API_V1_PATHS
    assert "/api/v1/me/" in API_V1_PATHS


# The API root is opened in governance/urls.py (router.APIRootView.permission_classes = []); known, reported.
@pytest.mark.parametrize(
    ("method", "path"),
    [
        (method, path)
        for path in API_V1_PATHS
        if path not in OPEN_PATHS
        for method in ("get", "post", "put", "patch", "delete")
    ],
)
def test_every_api_v1_endpoint_refuses_anonymous_requests(api_client, area_tree, path, method):
    before = Area.objects.count(), AuditEntry.objects.count(), Token.objects.count()
    response = getattr(api_client, method)(path, {}, format="json")
    # Permissions are checked before the method is looked up: even a 405 would mean the door was open.
    refusals = {401: "not_authenticated", 403: "permission_denied"}
    if path in SELF_CHECKED_PATHS:
        refusals[405] = "method_not_allowed"
    assert response.status_code in refusals, (path, method, response.status_code)
    assert response.json()["code"] in (refusals[response.status_code], "authentication_failed")
    assert (Area.objects.count(), AuditEntry.objects.count(), Token.objects.count()) == before


def test_the_token_endpoint_is_open_to_post_only(api_client, db):
    assert post_token(api_client, "nobody", "x").status_code == 400
    assert_envelope(api_client.get(TOKEN_URL), 405, "method_not_allowed")


def test_a_view_that_names_no_permission_is_closed():
    class Forgotten(APIView):
        authentication_classes: list = []

        def get(self, request):
            return Response({"secret": True})

    response = Forgotten.as_view()(APIRequestFactory().get("/x/"))
    assert response.status_code == 403
    assert response.data == {"code": "permission_denied", "detail": "此接口未开放。"}


def test_a_signed_in_user_is_still_refused_by_a_view_that_names_no_permission(make_user):
    from rest_framework.test import force_authenticate

    class Forgotten(APIView):
        def get(self, request):
            return Response({"secret": True})

    request = APIRequestFactory().get("/x/")
    force_authenticate(request, user=make_user(is_superuser=True))
    response = Forgotten.as_view()(request)
    assert response.status_code == 403
    assert "secret" not in response.data
