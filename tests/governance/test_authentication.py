"""API tokens: the token, its user and (on PostgreSQL) the person's active posts in one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import exceptions
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from governance import services
from governance.authentication import PortalTokenAuthentication
from governance.models import Role
from governance.selectors import user_post_rows
from tests.grids.conftest import handler, municipal  # noqa: F401


def test_the_posts_come_with_the_token_and_are_the_ones_the_database_holds(
    require_postgres,
    east_staff,
    handler,  # noqa: F811
    area_tree,
):
    services.post_assign(user=handler, role=Role.COMMUNITY_STAFF, area=area_tree["east"])
    ended = services.post_assign(user=handler, role=Role.GRID_WORKER, area=area_tree["east_compound"])
    services.post_end(post=ended)
    key = Token.objects.create(user=handler).key

    with CaptureQueriesContext(connection) as ctx:
        user, _token = PortalTokenAuthentication().authenticate_credentials(key)
        rows = user_post_rows(user=user)

    assert len(ctx.captured_queries) == 1
    assert sorted(rows) == [
        ("community_staff", "HD/HD-ZGC/HD-ZGC-DS/", None),
        ("department_handler", "HD/HD-ZGC/", handler.posts.get(role="department_handler").department_id),
    ]


def test_a_token_request_asks_the_database_for_posts_no_second_time(require_postgres, east_staff):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=east_staff).key}")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/events/")
    assert response.status_code == 200
    assert [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('SELECT "governance_post"')] == []
    assert ctx.captured_queries[0]["sql"].startswith('SELECT "authtoken_token"')


def test_an_unknown_token_is_refused(db):
    with pytest.raises(exceptions.AuthenticationFailed):
        PortalTokenAuthentication().authenticate_credentials("0" * 40)


def test_the_token_of_a_deactivated_person_is_refused(api_client, east_staff):
    key = Token.objects.create(user=east_staff).key
    east_staff.is_active = False
    east_staff.save(update_fields=["is_active"])
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get("/api/v1/me/").status_code == 401
