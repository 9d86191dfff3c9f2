"""The permission layer: closed by default, HasRole per role, IsPortalUser for signed-in users."""

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from governance import services
from governance.models import Role
from governance.permissions import DenyAll, HasRole, IsPortalUser, has_any_role

factory = APIRequestFactory()


def drf_request(user, method: str = "get"):
    """A DRF request as a view sees it, with ``user`` signed in."""
    request = getattr(factory, method)("/x/")
    force_authenticate(request, user=user)
    view = APIView()
    return view.initialize_request(request)


def test_deny_all_refuses_even_a_superuser(make_user):
    request = drf_request(make_user(is_superuser=True))
    assert DenyAll().has_permission(request, None) is False


def test_is_portal_user_admits_active_users_only(make_user):
    user = make_user()
    assert IsPortalUser().has_permission(drf_request(user), None) is True
    user.is_active = False
    assert IsPortalUser().has_permission(drf_request(user), None) is False
    assert IsPortalUser().has_permission(drf_request(AnonymousUser()), None) is False


ROLE_MATRIX = [
    (Role.GRID_WORKER, False),
    (Role.COMMUNITY_STAFF, True),
    (Role.STREET_SUPERVISOR, True),
    (Role.DEPARTMENT_HANDLER, False),
    (Role.MEDIATOR, False),
    (Role.PARTNER, False),
    (Role.RESIDENT, False),
    (Role.ADMIN, False),
]


@pytest.mark.parametrize(("role", "allowed"), ROLE_MATRIX)
def test_has_role_admits_exactly_the_named_roles(make_user, area_tree, role, allowed):
    department = services.department_create(name="东升水务站", code="DS-WATER", area=area_tree["east"])
    user = make_user(role, area_tree["east"], department=department if role == Role.DEPARTMENT_HANDLER else None)
    permission = HasRole(Role.COMMUNITY_STAFF, Role.STREET_SUPERVISOR)()
    assert permission.has_permission(drf_request(user, "post"), None) is allowed


@pytest.mark.parametrize(("method", "allowed"), [("get", True), ("head", True), ("post", False), ("delete", False)])
def test_has_role_read_roles_may_only_read(make_user, area_tree, method, allowed):
    resident = make_user(Role.RESIDENT, area_tree["east"])
    permission = HasRole(Role.COMMUNITY_STAFF, read_roles=(Role.RESIDENT,))()
    assert permission.has_permission(drf_request(resident, method), None) is allowed


def test_has_role_admits_a_superuser_without_posts(make_user):
    assert HasRole(Role.COMMUNITY_STAFF)().has_permission(drf_request(make_user(is_superuser=True), "post"), None)


def test_has_role_refuses_a_user_whose_post_ended(east_staff):
    services.post_end(post=east_staff.posts.get())
    assert not HasRole(Role.COMMUNITY_STAFF)().has_permission(drf_request(east_staff, "post"), None)


def test_has_role_refuses_an_inactive_holder(east_staff):
    east_staff.is_active = False
    assert not has_any_role(east_staff, {Role.COMMUNITY_STAFF})


def test_has_role_refuses_anonymous(db):
    assert not has_any_role(AnonymousUser(), {Role.COMMUNITY_STAFF})


def test_has_role_classes_are_named_after_their_roles():
    assert HasRole(Role.COMMUNITY_STAFF, Role.ADMIN).__name__ == "HasRole_community_staff_admin"
