"""Writes of the core: areas, people, posts, party organisations, audit."""

import pytest
from django.core.exceptions import ValidationError

from governance import services
from governance.models import Area, AuditEntry, PartyOrganization, Post, Role


def test_area_create_sets_path_and_depth_under_its_parent(area_tree):
    building = services.area_create(
        name="2号楼", code="HD-ZGC-DS-01-B2", level=Area.Level.BUILDING, parent=area_tree["east_compound"]
    )
    assert building.path == f"{area_tree['east_compound'].path}HD-ZGC-DS-01-B2/"
    assert building.depth == 4
    assert building.parent == area_tree["east_compound"]


def test_area_create_refuses_a_community_directly_under_a_district(area_tree):
    before = Area.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.area_create(name="跳级社区", code="HD-BAD", level=Area.Level.COMMUNITY, parent=area_tree["district"])
    assert excinfo.value.message_dict == {"level": ["“海淀区”的下级必须是街道/乡镇。"]}
    assert Area.objects.count() == before


@pytest.mark.parametrize(
    ("parent", "level"),
    [
        ("street", Area.Level.STREET),  # same level as the parent
        ("east", Area.Level.STREET),  # above the parent
        ("east", Area.Level.BUILDING),  # skips the compound
        ("east_building", Area.Level.BUILDING),  # nothing sits under a building
    ],
)
def test_area_create_refuses_any_level_but_the_next_one_down(area_tree, parent, level):
    before = Area.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.area_create(name="错层", code="HD-WRONG", level=level, parent=area_tree[parent])
    assert "level" in excinfo.value.message_dict
    assert Area.objects.count() == before


def test_area_create_refuses_a_second_root_that_is_not_a_district_when_staff_create_it(area_tree, east_staff):
    before = Area.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.area_create(name="孤立街道", code="ORPHAN", level=Area.Level.STREET, actor=east_staff)
    assert excinfo.value.message_dict == {"parent": ["只有区/县可以没有上级区域。"]}
    assert Area.objects.count() == before


def test_area_create_refuses_a_duplicate_code(area_tree):
    before = Area.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.area_create(name="重复", code="HD-ZGC-XY", level=Area.Level.COMMUNITY, parent=area_tree["street"])
    assert "code" in excinfo.value.message_dict
    assert Area.objects.count() == before


def test_area_create_refuses_a_code_with_a_slash(area_tree):
    # A "/" in a code would break the materialised path.
    with pytest.raises(ValidationError) as excinfo:
        services.area_create(name="斜杠", code="HD/X", level=Area.Level.COMMUNITY, parent=area_tree["street"])
    assert "code" in excinfo.value.message_dict


def test_area_create_by_an_actor_is_audited(area_tree, east_staff):
    area = services.area_create(
        name="东升二区", code="HD-ZGC-DS-02", level=Area.Level.COMPOUND, parent=area_tree["east"], actor=east_staff
    )
    entry = AuditEntry.objects.get(object_type="governance.area", object_id=str(area.pk))
    assert entry.actor == east_staff
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.changes == {"code": "HD-ZGC-DS-02", "level": "compound"}


def test_user_create_hashes_the_password_and_validates_the_phone(db):
    user = services.user_create(username="li", password="Secret-123", phone="13812345678")
    assert user.check_password("Secret-123")
    assert user.password != "Secret-123"
    with pytest.raises(ValidationError) as excinfo:
        services.user_create(username="bad", password=None, phone="12345")
    assert "phone" in excinfo.value.message_dict


def test_user_create_without_password_cannot_sign_in(db):
    user = services.user_create(username="nopass", password=None)
    assert not user.has_usable_password()


def test_post_assign_is_idempotent_and_reactivates_an_ended_post(make_user, area_tree):
    user = make_user()
    post = services.post_assign(user=user, role=Role.GRID_WORKER, area=area_tree["east_compound"])
    services.post_end(post=post)
    again = services.post_assign(user=user, role=Role.GRID_WORKER, area=area_tree["east_compound"])
    assert again.pk == post.pk
    assert again.is_active
    assert Post.objects.filter(user=user).count() == 1


def test_post_assign_refuses_a_post_without_a_place(make_user):
    user = make_user()
    with pytest.raises(ValidationError):
        services.post_assign(user=user, role=Role.GRID_WORKER)
    assert not Post.objects.filter(user=user).exists()


def test_post_assign_refuses_a_department_handler_without_a_department(make_user, area_tree):
    user = make_user()
    with pytest.raises(ValidationError) as excinfo:
        services.post_assign(user=user, role=Role.DEPARTMENT_HANDLER, area=area_tree["east"])
    assert "department" in excinfo.value.message_dict
    assert not Post.objects.filter(user=user).exists()


def test_post_end_is_audited(east_staff, street_supervisor):
    post = east_staff.posts.get()
    services.post_end(post=post, actor=street_supervisor)
    post.refresh_from_db()
    assert not post.is_active
    assert AuditEntry.objects.filter(
        actor=street_supervisor, action=AuditEntry.Action.UPDATE, object_id=str(post.pk)
    ).exists()


def test_party_organization_levels_must_follow_the_parent(area_tree):
    committee = services.party_organization_create(name="东升社区党委", level="committee", area=area_tree["east"])
    branch = services.party_organization_create(
        name="东升花园党支部", level="branch", area=area_tree["east_compound"], parent=committee
    )
    assert branch.parent == committee
    before = PartyOrganization.objects.count()
    with pytest.raises(ValidationError) as skipped:
        services.party_organization_create(name="跳级", level="household", area=area_tree["east"], parent=committee)
    assert skipped.value.message_dict == {"level": ["“东升社区党委”的下级组织必须是小区党支部。"]}
    # an unknown level under a parent is a field error too, never a ValueError from the level order
    with pytest.raises(ValidationError) as unknown:
        services.party_organization_create(name="未知", level="cell", area=area_tree["east"], parent=committee)
    assert unknown.value.message_dict == {"level": ["请选择党组织层级。"]}
    assert PartyOrganization.objects.count() == before


def test_person_contact_read_returns_the_details_and_is_audited(east_staff, grid_worker, rf):
    request = rf.get("/", REMOTE_ADDR="10.0.0.8")
    contact = services.person_contact_read(actor=east_staff, person=grid_worker, request=request)
    assert contact == {"phone": "13812345678", "id_number": ""}
    entry = AuditEntry.objects.get(action=AuditEntry.Action.READ_PERSONAL)
    assert entry.actor == east_staff
    assert entry.object_id == str(grid_worker.pk)
    assert entry.ip_address == "10.0.0.8"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "recorded"),
    [
        (0, "203.0.113.9", "10.0.0.8"),  # no proxy configured: a client's header is not believed
        (1, "203.0.113.9", "203.0.113.9"),  # one proxy in front: the address it saw
        (1, "1.2.3.4, 203.0.113.9", "203.0.113.9"),  # a forged first hop changes nothing
        (2, "1.2.3.4, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
    ],
)
def test_the_audit_log_records_the_address_the_rate_limits_see(
    east_staff, grid_worker, rf, settings, proxies, forwarded, recorded
):
    settings.AXES_IPWARE_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.8", HTTP_X_FORWARDED_FOR=forwarded)
    services.person_contact_read(actor=east_staff, person=grid_worker, request=request)
    assert AuditEntry.objects.get(action=AuditEntry.Action.READ_PERSONAL).ip_address == recorded


def test_audit_record_drops_an_anonymous_actor(db):
    from django.contrib.auth.models import AnonymousUser

    entry = services.audit_record(actor=AnonymousUser(), action=AuditEntry.Action.LOGIN_FAILED, object_repr="x" * 300)
    assert entry.actor is None
    assert len(entry.object_repr) == 200
