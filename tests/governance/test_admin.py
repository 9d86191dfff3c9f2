"""The admin, in Chinese: every core model's pages load; saves and actions go through the services;
the audit log and notifications are read-only."""

from datetime import date

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.admin.sites import site
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse

from governance import services
from governance.exceptions import Conflict
from governance.models import (
    Area,
    AuditEntry,
    CalendarAdjustment,
    Department,
    Notification,
    PartyOrganization,
    Post,
    Role,
    User,
)
from tests.factories import (
    CommunityFactory,
    CompoundFactory,
    DepartmentFactory,
    PartyOrganizationFactory,
    PostFactory,
    UserFactory,
)

CORE_MODELS = [User, Area, Department, Post, PartyOrganization, CalendarAdjustment, Notification, AuditEntry]


@pytest.fixture
def populated(area_tree, grid_worker, east_staff):
    """One row of every core model, so changelists render real rows."""
    department = services.department_create(name="东升水务站", code="DS-WATER", area=area_tree["east"], kind="water")
    services.party_organization_create(
        name="东升社区党委", level="committee", area=area_tree["east"], secretary=east_staff
    )
    services.notification_send(recipient=grid_worker, key="k", title="新工单")
    services.area_create(
        name="东升二区", code="HD-ZGC-DS-02", level="compound", parent=area_tree["east"], actor=east_staff
    )
    services.calendar_adjustment_save(
        actor=None, name="东升社区庆典", kind="holiday", first_day=date(2026, 12, 7), last_day=date(2026, 12, 7)
    )
    return {"department": department}


def test_admin_index_loads_in_chinese(admin_client, db):
    response = admin_client.get(reverse("admin:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "社区治理门户 · 后台管理" in html
    assert "区域" in html
    assert "处置单位" in html
    assert 'lang="zh-hans"' in html


def test_every_core_model_is_registered():
    assert all(site.is_registered(model) for model in CORE_MODELS)


@pytest.mark.parametrize("model", CORE_MODELS, ids=lambda m: m._meta.model_name)
def test_each_core_changelist_loads_for_a_superuser(admin_client, populated, model):
    response = admin_client.get(reverse(f"admin:governance_{model._meta.model_name}_changelist"))
    assert response.status_code == 200
    assert str(model._meta.verbose_name_plural) in response.content.decode()


@pytest.mark.parametrize("model", CORE_MODELS, ids=lambda m: m._meta.model_name)
def test_each_core_changelist_search_works(admin_client, populated, model):
    response = admin_client.get(reverse(f"admin:governance_{model._meta.model_name}_changelist"), {"q": "东升"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "model", [User, Area, Department, Post, PartyOrganization, CalendarAdjustment], ids=lambda m: m._meta.model_name
)
def test_each_editable_core_model_add_page_loads(admin_client, db, model):
    assert admin_client.get(reverse(f"admin:governance_{model._meta.model_name}_add")).status_code == 200


@pytest.mark.parametrize(
    "model",
    [User, Area, Department, Post, PartyOrganization, CalendarAdjustment, Notification, AuditEntry],
    ids=lambda m: m._meta.model_name,
)
def test_each_core_change_page_loads(admin_client, populated, model):
    obj = model.objects.first()
    url = reverse(f"admin:governance_{model._meta.model_name}_change", args=[obj.pk])
    assert admin_client.get(url).status_code == 200


def test_audit_entries_cannot_be_added_changed_or_deleted(admin_client, populated):
    entry = AuditEntry.objects.first()
    before = AuditEntry.objects.count()
    assert admin_client.get(reverse("admin:governance_auditentry_add")).status_code == 403
    assert admin_client.post(reverse("admin:governance_auditentry_add"), {"action": "login"}).status_code == 403
    assert (
        admin_client.post(reverse("admin:governance_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    change_url = reverse("admin:governance_auditentry_change", args=[entry.pk])
    assert admin_client.post(change_url, {"action": "delete", "object_repr": "篡改"}).status_code == 403
    entry.refresh_from_db()
    assert entry.object_repr != "篡改"
    # The bulk "delete selected" action is not offered either.
    response = admin_client.post(
        reverse("admin:governance_auditentry_changelist"), {"action": "delete_selected", "_selected_action": [entry.pk]}
    )
    assert response.status_code in (200, 302)
    assert AuditEntry.objects.count() == before


def test_audit_change_page_is_read_only(admin_client, populated):
    entry = AuditEntry.objects.first()
    html = admin_client.get(reverse("admin:governance_auditentry_change", args=[entry.pk])).content.decode()
    assert 'name="_save"' not in html


def test_notifications_cannot_be_added_in_the_admin(admin_client, db):
    assert admin_client.get(reverse("admin:governance_notification_add")).status_code == 403


def _area_form(parent: Area | None, **overrides) -> dict:
    return {
        "name": "东升二区",
        "code": "HD-ZGC-DS-02",
        "level": "compound",
        "parent": parent.pk if parent else "",
        **overrides,
    }


def test_admin_adds_an_area_through_the_service(admin_client, admin_user, area_tree):
    response = admin_client.post(reverse("admin:governance_area_add"), _area_form(area_tree["east"]))
    assert response.status_code == 302, response.content.decode()[:2000]
    area = Area.objects.get(code="HD-ZGC-DS-02")
    assert area.path == "HD/HD-ZGC/HD-ZGC-DS/HD-ZGC-DS-02/"
    assert area.depth == 3
    assert AuditEntry.objects.filter(actor=admin_user, object_id=str(area.pk), action="create").exists()


def test_admin_refuses_an_area_at_the_wrong_level_with_a_form_error(admin_client, area_tree):
    before = Area.objects.count(), AuditEntry.objects.count()
    response = admin_client.post(
        reverse("admin:governance_area_add"), _area_form(area_tree["district"], level="community", code="HD-BAD")
    )
    assert response.status_code == 200
    assert "“海淀区”的下级必须是街道/乡镇。" in response.content.decode()
    assert (Area.objects.count(), AuditEntry.objects.count()) == before


def test_admin_cannot_move_an_area_once_created(admin_client, area_tree):
    east = area_tree["east"]
    url = reverse("admin:governance_area_change", args=[east.pk])
    admin_client.post(url, {"name": "东升社区（新）", "code": "CHANGED", "level": "street", "parent": ""})
    east.refresh_from_db()
    assert east.name == "东升社区（新）"
    assert (east.code, east.level, east.parent_id, east.path) == (
        "HD-ZGC-DS",
        "community",
        area_tree["street"].pk,
        "HD/HD-ZGC/HD-ZGC-DS/",
    )


# --- Saves and actions go through the services --------------------------------------------


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _post_form(user: User, **overrides) -> dict:
    return {"user": user.pk, "role": "", "area": "", "department": "", "title": "", **overrides}


def test_admin_refuses_a_handler_post_without_a_department_with_a_form_error(admin_client, db):
    person = UserFactory()
    community = CommunityFactory()
    response = admin_client.post(
        reverse("admin:governance_post_add"),
        _post_form(person, role=Role.DEPARTMENT_HANDLER, area=community.pk),
    )
    assert response.status_code == 200
    assert "处置单位人员必须指定处置单位。" in response.content.decode()
    assert not Post.objects.filter(user=person).exists()


def test_a_post_granted_in_the_admin_writes_an_audit_entry(admin_client, admin_user, db):
    person = UserFactory()
    compound = CompoundFactory()
    response = admin_client.post(
        reverse("admin:governance_post_add"),
        _post_form(person, role=Role.GRID_WORKER, area=compound.pk, title="网格长"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get(user=person)
    assert (post.role, post.area_id, post.title, post.is_active) == ("grid_worker", compound.pk, "网格长", True)
    entry = AuditEntry.objects.get(object_type="governance.post", object_id=str(post.pk))
    assert (entry.actor, entry.action, entry.changes) == (admin_user, "create", {"role": "grid_worker"})


def test_a_post_changed_in_the_admin_keeps_its_role_and_place_and_is_audited(admin_client, admin_user, db):
    post = PostFactory(role=Role.COMMUNITY_STAFF)
    other = CommunityFactory()
    response = admin_client.post(
        reverse("admin:governance_post_change", args=[post.pk]),
        # role, area and department are read-only on a post that exists: only title and duty change.
        {"role": Role.ADMIN, "area": other.pk, "title": "副主任", "is_active": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    post.refresh_from_db()
    assert (post.role, post.area_id, post.title, post.is_active) == ("community_staff", post.area_id, "副主任", False)
    assert post.area_id != other.pk
    entry = AuditEntry.objects.get(object_type="governance.post", object_id=str(post.pk), action="update")
    assert entry.actor == admin_user
    assert entry.changes == {"title": {"from": "", "to": "副主任"}, "is_active": {"from": True, "to": False}}


def test_the_end_posts_action_ends_each_post_through_the_service(admin_client, admin_user, db):
    post = PostFactory()
    response = admin_client.post(
        reverse("admin:governance_post_changelist"),
        {"action": "end_posts", "_selected_action": [post.pk], "index": 0},
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.is_active is False
    assert AuditEntry.objects.filter(
        actor=admin_user, action="update", object_id=str(post.pk), changes={"is_active": False}
    ).exists()
    assert any("已结束：1 条岗位" in m for m in _messages(response))


def test_posts_cannot_be_deleted_in_the_admin(admin_client, db):
    post = PostFactory()
    response = admin_client.post(reverse("admin:governance_post_delete", args=[post.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Post.objects.filter(pk=post.pk).exists()


def _user_change_form(person: User, **posts) -> dict:
    """The user change page's POST: the person unchanged, plus new rows of the posts inline."""
    data = {
        "username": person.username,
        "full_name": person.full_name,
        "email": person.email,
        "phone": person.phone,
        "id_number": person.id_number,
        "is_active": "on",
        "posts-INITIAL_FORMS": str(person.posts.count()),
        "posts-MIN_NUM_FORMS": "0",
        "posts-MAX_NUM_FORMS": "1000",
    }
    data.update(posts.get("fields", {}))
    for pk_index, existing in enumerate(person.posts.order_by("pk")):
        data[f"posts-{pk_index}-id"] = existing.pk
        data[f"posts-{pk_index}-user"] = person.pk
    rows = posts.get("rows", [])
    start = person.posts.count()
    for offset, row in enumerate(rows):
        index = start + offset
        data[f"posts-{index}-user"] = person.pk
        for field in ("role", "area", "department", "title"):
            data[f"posts-{index}-{field}"] = row.get(field, "")
    data["posts-TOTAL_FORMS"] = str(start + len(rows))
    return data


def test_a_post_granted_on_the_user_page_goes_through_the_service_and_is_audited(admin_client, admin_user, db):
    existing = PostFactory()
    person = existing.user
    compound = CompoundFactory()
    url = reverse("admin:governance_user_change", args=[person.pk])
    response = admin_client.post(url, _user_change_form(person, rows=[{"role": Role.GRID_WORKER, "area": compound.pk}]))
    assert response.status_code == 302, response.content.decode()[:3000]
    granted = Post.objects.get(user=person, role=Role.GRID_WORKER)
    assert granted.area == compound
    assert AuditEntry.objects.filter(actor=admin_user, action="create", object_id=str(granted.pk)).exists()
    existing.refresh_from_db()
    assert existing.is_active is True


def test_a_handler_post_without_a_department_is_refused_on_the_user_page(admin_client, db):
    person = UserFactory()
    community = CommunityFactory()
    url = reverse("admin:governance_user_change", args=[person.pk])
    response = admin_client.post(
        url, _user_change_form(person, rows=[{"role": Role.DEPARTMENT_HANDLER, "area": community.pk}])
    )
    assert response.status_code == 200
    assert "处置单位人员必须指定处置单位。" in response.content.decode()
    assert not Post.objects.filter(user=person).exists()


def _party_form(**values) -> dict:
    return {"name": "东升花园党支部", "level": "", "area": "", "parent": "", "secretary": "", **values}


def test_admin_refuses_a_party_organisation_out_of_level_order_with_a_form_error(admin_client, db):
    committee = PartyOrganizationFactory(name="东升社区党委")
    before = PartyOrganization.objects.count()
    response = admin_client.post(
        reverse("admin:governance_partyorganization_add"),
        # a building group straight under the community committee skips the compound branch
        _party_form(name="1号楼党小组", level="group", area=committee.area.pk, parent=committee.pk),
    )
    assert response.status_code == 200
    assert "“东升社区党委”的下级组织必须是小区党支部。" in response.content.decode()
    assert PartyOrganization.objects.count() == before


def test_admin_adds_a_party_organisation_one_level_below_its_parent(admin_client, db):
    committee = PartyOrganizationFactory()
    response = admin_client.post(
        reverse("admin:governance_partyorganization_add"),
        _party_form(level="branch", area=committee.area.pk, parent=committee.pk),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PartyOrganization.objects.get(name="东升花园党支部").parent == committee


def test_a_party_organisation_added_in_the_admin_is_audited(admin_client, admin_user, db):
    committee = PartyOrganizationFactory()
    response = admin_client.post(
        reverse("admin:governance_partyorganization_add"),
        _party_form(level="branch", area=committee.area.pk, parent=committee.pk),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    branch = PartyOrganization.objects.get(name="东升花园党支部")
    entry = AuditEntry.objects.get(object_type="governance.partyorganization", object_id=str(branch.pk))
    assert (entry.actor, entry.action, entry.changes) == (
        admin_user,
        "create",
        {"level": "branch", "parent": committee.pk},
    )


def test_a_department_added_in_the_admin_is_audited(admin_client, admin_user, area_tree):
    response = admin_client.post(
        reverse("admin:governance_department_add"),
        {"name": "东升水务站", "code": "DS-WATER", "kind": "water", "area": area_tree["east"].pk, "phone": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    department = Department.objects.get(code="DS-WATER")
    entry = AuditEntry.objects.get(object_type="governance.department", object_id=str(department.pk))
    assert (entry.actor, entry.action, entry.changes) == (
        admin_user,
        "create",
        {"code": "DS-WATER", "area": area_tree["east"].code},
    )


def test_admin_refuses_a_level_change_that_breaks_a_party_organisations_children(admin_client, admin_user, db):
    committee = PartyOrganizationFactory(name="东升社区党委")
    PartyOrganizationFactory(parent=committee)  # a branch under it
    url = reverse("admin:governance_partyorganization_change", args=[committee.pk])
    response = admin_client.post(url, _party_form(name="东升社区党委", level="branch", area=committee.area.pk))
    assert response.status_code == 200
    assert "该组织已有下级组织，层级须正好比下级组织高一级。" in response.content.decode()
    committee.refresh_from_db()
    assert committee.level == "committee"
    assert not AuditEntry.objects.filter(object_type="governance.partyorganization", action="update").exists()


def test_a_party_organisation_renamed_in_the_admin_is_audited(admin_client, admin_user, db):
    committee = PartyOrganizationFactory(name="东升社区党委")
    url = reverse("admin:governance_partyorganization_change", args=[committee.pk])
    response = admin_client.post(url, _party_form(name="东升社区党总支", level="committee", area=committee.area.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(object_type="governance.partyorganization", object_id=str(committee.pk))
    assert (entry.actor, entry.changes) == (admin_user, {"name": {"from": "东升社区党委", "to": "东升社区党总支"}})


def test_a_department_changed_in_the_admin_is_audited(admin_client, admin_user, db):
    department = DepartmentFactory(name="东升水务站", phone="")
    url = reverse("admin:governance_department_change", args=[department.pk])
    response = admin_client.post(
        url,
        {
            "name": "东升水务站",
            "code": department.code,
            "kind": department.kind,
            "area": department.area.pk,
            "phone": "010-62345678",
            "is_active": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    department.refresh_from_db()
    assert (department.phone, department.is_active) == ("010-62345678", False)
    entry = AuditEntry.objects.get(object_type="governance.department", object_id=str(department.pk))
    assert entry.changes == {
        "phone": {"from": "", "to": "010-62345678"},
        "is_active": {"from": True, "to": False},
    }


def test_a_domain_error_escaping_an_admin_save_is_a_message_not_a_500(admin_client, db, monkeypatch):
    """The last line behind the form checks: whatever a service still refuses (a concurrent
    change, a rule only it knows) comes back as a message, and the save is rolled back."""
    department = DepartmentFactory(name="东升水务站")

    def refuse(**kwargs):
        raise Conflict("数据已被他人修改，请刷新后重试。")

    monkeypatch.setattr(services, "department_update", refuse)
    url = reverse("admin:governance_department_change", args=[department.pk])
    form = {"name": "改名", "code": department.code, "kind": department.kind, "area": department.area.pk}
    response = admin_client.post(url, {**form, "is_active": "on"})
    assert response.status_code == 302
    assert response["Location"] == url
    assert "数据已被他人修改，请刷新后重试。" in _messages(response)
    department.refresh_from_db()
    assert department.name == "东升水务站"
    assert not LogEntry.objects.filter(object_id=str(department.pk)).exists()


def test_an_area_renamed_in_the_admin_is_audited(admin_client, admin_user, area_tree):
    east = area_tree["east"]
    admin_client.post(reverse("admin:governance_area_change", args=[east.pk]), {"name": "东升社区（新）"})
    entry = AuditEntry.objects.get(object_type="governance.area", object_id=str(east.pk), action="update")
    assert (entry.actor, entry.changes) == (admin_user, {"name": {"from": "东升社区", "to": "东升社区（新）"}})


def test_notifications_cannot_be_changed_or_deleted_in_the_admin(admin_client, db):
    notification, _created = services.notification_send(recipient=UserFactory(), key="k1", title="新工单")
    change_url = reverse("admin:governance_notification_change", args=[notification.pk])
    assert admin_client.post(change_url, {"title": "篡改"}).status_code == 403
    delete_url = reverse("admin:governance_notification_delete", args=[notification.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    notification.refresh_from_db()
    assert notification.title == "新工单"
    assert admin_client.get(change_url).status_code == 200  # still readable


def test_granting_superuser_rights_in_the_admin_is_audited(admin_client, admin_user, db):
    person = UserFactory(phone="13812345678")
    url = reverse("admin:governance_user_change", args=[person.pk])
    response = admin_client.post(
        url, _user_change_form(person, fields={"is_staff": "on", "is_superuser": "on", "phone": "13900001111"})
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert (person.is_staff, person.is_superuser, person.phone) == (True, True, "13900001111")
    entry = AuditEntry.objects.get(object_type="governance.user", object_id=str(person.pk), action="update")
    assert entry.actor == admin_user
    # The new rights are recorded; the phone number is recorded as changed, never copied.
    assert entry.changes == {
        "phone": {"changed": True},
        "is_staff": {"from": False, "to": True},
        "is_superuser": {"from": False, "to": True},
    }


def test_adding_a_person_to_a_group_in_the_admin_is_audited(admin_client, admin_user, db):
    person = UserFactory()
    group = Group.objects.create(name="街道督办组")
    url = reverse("admin:governance_user_change", args=[person.pk])
    response = admin_client.post(url, _user_change_form(person, fields={"groups": [group.pk]}))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(person.groups.all()) == [group]
    entry = AuditEntry.objects.get(object_type="governance.user", object_id=str(person.pk), action="update")
    assert entry.changes == {"groups": {"added": ["街道督办组"], "removed": []}}


def test_a_person_added_in_the_admin_is_created_through_the_service(admin_client, db):
    response = admin_client.post(
        reverse("admin:governance_user_add"),
        {
            "username": "newcomer",
            "full_name": "新同事",
            "phone": "13700001234",
            "password1": "Portal-test-2026",
            "password2": "Portal-test-2026",
            "posts-TOTAL_FORMS": "0",
            "posts-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    person = User.objects.get(username="newcomer")
    assert (person.full_name, person.phone) == ("新同事", "13700001234")
    assert person.check_password("Portal-test-2026")
