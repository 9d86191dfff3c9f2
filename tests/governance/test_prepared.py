"""governance.prepared: a queryset compiled once, run with new values, answering as the ORM would."""

import pytest
from django.db.models.sql.compiler import SQLCompiler
from rest_framework.authtoken.models import Token

from governance import selectors, services
from governance.models import Area, Role, User
from governance.prepared import Prepared
from grids.models import Grid
from grids.services import grid_save

pytestmark = pytest.mark.django_db


def _square(lon: float, lat: float, size: float) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def count_compiles(monkeypatch):
    calls = {"n": 0}
    original = SQLCompiler.as_sql

    def as_sql(self, *args, **kwargs):
        calls["n"] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", as_sql)
    return calls


def test_fetch_binds_new_values_and_fills_select_related_objects(make_user, area_tree):
    alice = make_user(Role.COMMUNITY_STAFF, area_tree["east"], username="alice", full_name="王丽")
    bob = make_user(Role.COMMUNITY_STAFF, area_tree["west"], username="bob", full_name="赵波")
    Token.objects.create(user=alice, key="a" * 40)
    Token.objects.create(user=bob, key="b" * 40)
    by_key = Prepared(lambda key: Token.objects.select_related("user").filter(key=key), key="sample-key")

    first = by_key.first(key="a" * 40)
    second = by_key.first(key="b" * 40)

    assert (first.key, first.user.username, first.user.full_name) == ("a" * 40, "alice", "王丽")
    assert (second.key, second.user.username, second.user.full_name) == ("b" * 40, "bob", "赵波")
    assert by_key.fetch(key="c" * 40) == []
    assert by_key.first(key="c" * 40) is None


def test_the_query_is_compiled_once_and_then_only_run(make_user, area_tree, count_compiles, django_assert_num_queries):
    user = make_user(Role.COMMUNITY_STAFF, area_tree["east"], username="alice")
    by_name = Prepared(lambda name: User.objects.filter(username=name), name="sample-name")
    count_compiles["n"] = 0
    assert by_name.first(name="alice") == user
    assert count_compiles["n"] == 1
    with django_assert_num_queries(2):
        assert by_name.first(name="alice") == user
        assert by_name.first(name="nobody") is None
    assert count_compiles["n"] == 1


def test_annotations_and_column_converters_apply_as_in_the_orm(area_tree):
    grid_save(code="G1", name="第一网格", area=area_tree["east"], boundary=_square(116.0, 39.9, 0.01))
    around = Prepared(
        lambda code: Grid.objects.select_related("area").filter(code=code).extra(select={"twice": "2"}),
        code="sample-code",
    )
    found = around.first(code="G1")
    assert found.boundary == _square(116.0, 39.9, 0.01)  # JSON decoded, not a string
    assert found.area.name == "东升社区"
    assert found.twice == 2


def test_a_sample_value_that_appears_twice_is_refused():
    twice = Prepared(lambda x: Grid.objects.filter(min_lon__lte=x, max_lon__gte=x), x=1.25)
    with pytest.raises(ValueError, match="appears 2 times"):
        twice.fetch(x=116.0)


def test_a_sample_value_the_orm_rewrites_is_refused():
    rewritten = Prepared(lambda name: User.objects.filter(username__icontains=name), name="sample")
    with pytest.raises(ValueError, match="appears 0 times"):
        rewritten.fetch(name="ali")


def test_fetch_takes_exactly_the_declared_values():
    by_name = Prepared(lambda name: User.objects.filter(username=name), name="sample-name")
    with pytest.raises(TypeError):
        by_name.fetch(username="alice")
    with pytest.raises(TypeError):
        by_name.fetch()


def test_role_holders_over_an_area_are_posts_on_it_or_above_it_never_on_a_look_alike_sibling(
    make_user, area_tree, street_supervisor
):
    """The prefix test must not read ``_`` as a wildcard nor ``HD-ZGC-DS`` as above ``HD-ZGC-DS2``."""
    street = area_tree["street"]
    a_b = services.area_create(name="甲乙社区", code="A_B", level=Area.Level.COMMUNITY, parent=street)
    axb = services.area_create(name="甲叉乙社区", code="AXB", level=Area.Level.COMMUNITY, parent=street)
    ds2 = services.area_create(name="东升二社区", code="HD-ZGC-DS2", level=Area.Level.COMMUNITY, parent=street)
    make_user(Role.COMMUNITY_STAFF, a_b, username="on_a_b")
    make_user(Role.COMMUNITY_STAFF, area_tree["east"], username="on_east")
    make_user(Role.COMMUNITY_STAFF, ds2, username="on_ds2")
    make_user(Role.GRID_WORKER, area_tree["east"], username="worker_east")

    expected = {
        ("east_building", Role.COMMUNITY_STAFF): {"on_east"},
        ("east", Role.COMMUNITY_STAFF): {"on_east"},
        ("street", Role.COMMUNITY_STAFF): set(),
        ("ds2", Role.COMMUNITY_STAFF): {"on_ds2"},
        ("a_b", Role.COMMUNITY_STAFF): {"on_a_b"},
        ("axb", Role.COMMUNITY_STAFF): set(),
        ("axb", Role.STREET_SUPERVISOR): {"supervisor"},
        ("east_building", Role.STREET_SUPERVISOR): {"supervisor"},
    }
    areas = {**area_tree, "a_b": a_b, "axb": axb, "ds2": ds2}
    for (area_name, role), usernames in expected.items():
        listed = {u.username for u in selectors.users_with_role_over(role=role, area=areas[area_name])}
        queried = {u.username for u in selectors.users_with_role_in_area(role=role, area=areas[area_name])}
        assert (area_name, role, listed) == (area_name, role, usernames)
        assert (area_name, role, queried) == (area_name, role, usernames)


def test_a_holder_with_two_posts_covering_the_area_is_listed_once(make_user, area_tree):
    both = make_user(Role.COMMUNITY_STAFF, area_tree["east"], username="both")
    services.post_assign(user=both, role=Role.COMMUNITY_STAFF, area=area_tree["east_compound"])
    assert [
        u.username for u in selectors.users_with_role_over(role=Role.COMMUNITY_STAFF, area=area_tree["east_building"])
    ] == ["both"]
