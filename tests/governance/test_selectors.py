"""Jurisdiction scoping and the area tree: who sees which areas, departments, people."""

import pytest
from django.http import Http404

from governance import selectors, services
from governance.models import Area, Role

EAST = {"HD-ZGC-DS", "HD-ZGC-DS-01", "HD-ZGC-DS-01-B1"}
WEST = {"HD-ZGC-XY", "HD-ZGC-XY-01"}
ALL_CODES = {"HD", "HD-ZGC"} | EAST | WEST


def codes(qs) -> set[str]:
    return set(qs.values_list("code", flat=True))


def test_area_path_is_the_chain_of_codes_from_the_root(area_tree):
    assert area_tree["east_building"].path == "HD/HD-ZGC/HD-ZGC-DS/HD-ZGC-DS-01/HD-ZGC-DS-01-B1/"
    assert area_tree["east_building"].depth == 4
    assert area_tree["district"].depth == 0


def test_area_subtree_is_one_prefix_query(area_tree, django_assert_num_queries):
    with django_assert_num_queries(1) as captured:
        subtree = list(selectors.area_subtree(area=area_tree["east"]))
    assert {a.code for a in subtree} == EAST
    assert "LIKE" in captured.captured_queries[0]["sql"].upper()


def test_area_subtree_can_leave_out_the_area_itself(area_tree):
    assert codes(selectors.area_subtree(area=area_tree["east"], include_self=False)) == EAST - {"HD-ZGC-DS"}


def test_area_subtree_does_not_match_a_sibling_whose_code_shares_the_prefix(area_tree):
    # "HD-ZGC-DS" is a prefix of "HD-ZGC-DSX": the trailing "/" in the path keeps them apart.
    services.area_create(name="东升西社区", code="HD-ZGC-DSX", level=Area.Level.COMMUNITY, parent=area_tree["street"])
    assert "HD-ZGC-DSX" not in codes(selectors.area_subtree(area=area_tree["east"]))


def test_area_ancestors_run_from_the_root_down_in_one_query(area_tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        chain = [a.code for a in selectors.area_ancestors(area=area_tree["east_building"])]
    assert chain == ["HD", "HD-ZGC", "HD-ZGC-DS", "HD-ZGC-DS-01", "HD-ZGC-DS-01-B1"]


def test_area_ancestors_of_a_root_is_the_root_alone(area_tree):
    assert [a.code for a in selectors.area_ancestors(area=area_tree["district"])] == ["HD"]


def test_community_staff_sees_own_community_not_the_neighbours(east_staff):
    assert codes(selectors.visible_areas(user=east_staff)) == EAST


def test_street_supervisor_sees_both_communities(street_supervisor):
    assert codes(selectors.visible_areas(user=street_supervisor)) == {"HD-ZGC"} | EAST | WEST


def test_grid_worker_sees_their_compound_and_its_buildings(grid_worker):
    assert codes(selectors.visible_areas(user=grid_worker)) == {"HD-ZGC-DS-01", "HD-ZGC-DS-01-B1"}


def test_user_with_no_post_sees_nothing(make_user, area_tree):
    assert codes(selectors.visible_areas(user=make_user())) == set()


def test_user_whose_post_ended_sees_nothing(east_staff):
    services.post_end(post=east_staff.posts.get())
    east_staff.refresh_from_db()
    assert codes(selectors.visible_areas(user=east_staff)) == set()


def test_inactive_user_sees_nothing_despite_a_post(east_staff):
    east_staff.is_active = False
    east_staff.save()
    assert codes(selectors.visible_areas(user=east_staff)) == set()


def test_anonymous_user_sees_nothing(area_tree):
    from django.contrib.auth.models import AnonymousUser

    assert codes(selectors.visible_areas(user=AnonymousUser())) == set()


def test_department_handler_sees_through_their_departments_area(make_user, area_tree):
    water = services.department_create(name="东升水务站", code="DS-WATER", area=area_tree["east"], kind="water")
    handler = make_user(Role.DEPARTMENT_HANDLER, department=water)
    assert codes(selectors.visible_areas(user=handler)) == EAST
    assert list(selectors.visible_departments(user=handler)) == [water]


def test_superuser_sees_every_area(make_user, area_tree):
    root = make_user(is_superuser=True, is_staff=True)
    assert selectors.jurisdiction_paths(user=root) is None
    assert codes(selectors.visible_areas(user=root)) == ALL_CODES


def test_nested_posts_collapse_to_the_outermost_path(make_user, area_tree):
    user = make_user(Role.STREET_SUPERVISOR, area_tree["street"])
    services.post_assign(user=user, role=Role.COMMUNITY_STAFF, area=area_tree["east"])
    assert selectors.jurisdiction_paths(user=user) == [area_tree["street"].path]


def test_posts_in_two_communities_see_both(make_user, area_tree):
    user = make_user(Role.COMMUNITY_STAFF, area_tree["east"])
    services.post_assign(user=user, role=Role.GRID_WORKER, area=area_tree["west_compound"])
    assert codes(selectors.visible_areas(user=user)) == EAST | {"HD-ZGC-XY-01"}


def test_jurisdiction_can_be_limited_to_some_roles(make_user, area_tree):
    user = make_user(Role.COMMUNITY_STAFF, area_tree["east"])
    services.post_assign(user=user, role=Role.GRID_WORKER, area=area_tree["west_compound"])
    assert selectors.jurisdiction_paths(user=user, roles={Role.GRID_WORKER}) == [area_tree["west_compound"].path]
    assert codes(selectors.visible_areas(user=user, roles={Role.COMMUNITY_STAFF})) == EAST


def test_area_get_for_user_returns_an_area_inside_jurisdiction(east_staff, area_tree):
    assert selectors.area_get_for_user(user=east_staff, pk=area_tree["east_compound"].pk) == area_tree["east_compound"]


@pytest.mark.parametrize("pk", ["west", "missing", "garbage"])
def test_area_get_for_user_raises_404_outside_jurisdiction(east_staff, area_tree, pk):
    value = {"west": area_tree["west"].pk, "missing": 999_999, "garbage": "abc"}[pk]
    with pytest.raises(Http404):
        selectors.area_get_for_user(user=east_staff, pk=value)


def test_visible_departments_are_scoped_by_area(east_staff, street_supervisor, area_tree):
    east_water = services.department_create(name="东升水务站", code="DS-WATER", area=area_tree["east"])
    west_water = services.department_create(name="西苑水务站", code="XY-WATER", area=area_tree["west"])
    assert list(selectors.visible_departments(user=east_staff)) == [east_water]
    assert set(selectors.visible_departments(user=street_supervisor)) == {east_water, west_water}


def test_visible_party_organizations_are_scoped_by_area(east_staff, area_tree):
    east = services.party_organization_create(name="东升社区党委", level="committee", area=area_tree["east"])
    services.party_organization_create(name="西苑社区党委", level="committee", area=area_tree["west"])
    assert list(selectors.visible_party_organizations(user=east_staff)) == [east]


def test_visible_users_are_the_people_posted_inside_jurisdiction(east_staff, grid_worker, make_user, area_tree):
    west_worker = make_user(Role.GRID_WORKER, area_tree["west_compound"])
    visible = set(selectors.visible_users(user=east_staff))
    assert visible == {east_staff, grid_worker}
    assert west_worker not in visible


def test_users_with_role_in_area_includes_holders_of_posts_above_it(east_staff, street_supervisor, area_tree):
    found = set(selectors.users_with_role_in_area(role=Role.COMMUNITY_STAFF, area=area_tree["east_building"]))
    assert found == {east_staff}
    assert not selectors.users_with_role_in_area(role=Role.COMMUNITY_STAFF, area=area_tree["west_compound"]).exists()
    found = selectors.users_with_role_in_area(role=Role.STREET_SUPERVISOR, area=area_tree["west_compound"])
    assert list(found) == [street_supervisor]


def test_user_roles_lists_only_active_posts(east_staff, area_tree):
    post = services.post_assign(user=east_staff, role=Role.MEDIATOR, area=area_tree["east"])
    assert selectors.user_roles(user=east_staff) == {Role.COMMUNITY_STAFF, Role.MEDIATOR}
    services.post_end(post=post)
    assert selectors.user_roles(user=east_staff) == {Role.COMMUNITY_STAFF}
    assert selectors.user_has_role(user=east_staff, roles={Role.COMMUNITY_STAFF})
    assert not selectors.user_has_role(user=east_staff, roles=[Role.MEDIATOR])


def test_notification_unread_count_counts_only_own_unread(grid_worker, east_staff):
    first, _ = services.notification_send(recipient=grid_worker, key="a", title="一")
    services.notification_send(recipient=grid_worker, key="b", title="二")
    services.notification_send(recipient=east_staff, key="a", title="三")
    services.notification_mark_read(notification=first)
    assert selectors.notification_unread_count(user=grid_worker) == 1
