"""The admin, in Chinese: every core model's pages load; the audit log is read-only."""

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse

from governance import services
from governance.models import Area, AuditEntry, Department, Notification, PartyOrganization, Post, User

CORE_MODELS = [User, Area, Department, Post, PartyOrganization, Notification, AuditEntry]


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


@pytest.mark.parametrize("model", [User, Area, Department, Post, PartyOrganization], ids=lambda m: m._meta.model_name)
def test_each_editable_core_model_add_page_loads(admin_client, db, model):
    assert admin_client.get(reverse(f"admin:governance_{model._meta.model_name}_add")).status_code == 200


@pytest.mark.parametrize("model", [Area, Department, PartyOrganization, Notification], ids=lambda m: m._meta.model_name)
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
