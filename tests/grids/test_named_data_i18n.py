"""Named data in both languages: areas, grids, departments and party organisations carry an optional
English name, shown to English readers on pages, in the API, in notices, timeline notes, Open311
and the admin; where there is none, the Chinese name is shown."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from governance import services as core
from governance.models import Area, Department, Notification, PartyOrganization
from grids.models import Grid, TimelineEntry
from grids.services import event_accept, event_dispatch, event_redispatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def english_names(area_tree, east_grid, municipal, water):
    """The fixtures' areas, grid and departments given English names (the water station keeps none)."""
    for key, name_en in {
        "district": "Haidian District",
        "street": "Zhongguancun Street",
        "east": "Dongsheng Community",
        "east_compound": "Dongsheng Garden",
    }.items():
        core.area_rename(area=area_tree[key], name=area_tree[key].name, name_en=name_en)
    Grid.objects.filter(pk=east_grid.pk).update(name_en="Dongsheng Grid 1")
    core.department_update(
        department=municipal,
        name=municipal.name,
        name_en="Municipal Works Office",
        code=municipal.code,
        kind=municipal.kind,
        area=municipal.area,
    )
    east_grid.refresh_from_db()
    return area_tree


def as_user(user, language: str) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["portal_language"] = language
    return client


# --- The models ---------------------------------------------------------------------------------


def test_a_name_without_english_falls_back_to_chinese(area_tree, municipal, east_grid):
    org = core.party_organization_create(name="东升社区党委", level="committee", area=area_tree["east"])
    for named in (area_tree["east"], municipal, east_grid, org):
        assert named.name_en == ""
        assert named.display_name("en") == named.name
    assert area_tree["east"].localized_names() == {"zh-hans": "东升社区", "en": "东升社区"}
    with translation.override("en"):
        assert area_tree["east"].localized_name == "东升社区"
        assert str(municipal) == "市政所"
        assert str(east_grid) == "东升第一网格（DS-G1）"


def test_a_name_with_english_follows_the_language(area_tree):
    org = core.party_organization_create(
        name="东升社区党委", name_en="Dongsheng Community Party Committee", level="committee", area=area_tree["east"]
    )
    area = core.area_rename(area=area_tree["east"], name="东升社区", name_en="Dongsheng Community")
    assert Area.objects.get(pk=area.pk).name_en == "Dongsheng Community"
    assert area.localized_names() == {"zh-hans": "东升社区", "en": "Dongsheng Community"}
    assert area.display_name("en-us") == "Dongsheng Community"
    assert area.display_name("zh-hans") == "东升社区"
    with translation.override("en"):
        assert str(area) == "Dongsheng Community"
        assert str(org) == "Dongsheng Community Party Committee"
    with translation.override("zh-hans"):
        assert str(area) == "东升社区"
        assert str(org) == "东升社区党委"


def test_renaming_an_area_keeps_its_english_name_unless_one_is_given(area_tree):
    area = core.area_rename(area=area_tree["east"], name="东升社区", name_en="Dongsheng Community")
    area = core.area_rename(area=area, name="东升新社区")
    assert (area.name, area.name_en) == ("东升新社区", "Dongsheng Community")


# --- The API ------------------------------------------------------------------------------------


def test_the_api_gives_an_events_grid_community_and_department_in_english(
    english_names, report, east_staff, municipal, api_as
):
    event = event_dispatch(event=event_accept(event=report(), actor=east_staff), actor=east_staff)
    client = api_as(east_staff)

    detail = client.get(f"/api/v1/events/{event.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert detail["grid"] == {
        "id": event.grid_id,
        "code": "DS-G1",
        "name": "Dongsheng Grid 1",
        "community": "Dongsheng Community",
    }
    assert detail["department"] == {"id": municipal.pk, "name": "Municipal Works Office"}

    row = client.get("/api/v1/events/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    assert row["grid"]["name"] == "Dongsheng Grid 1"
    assert row["grid"]["community"] == "Dongsheng Community"
    assert row["department"]["name"] == "Municipal Works Office"

    chinese = client.get(f"/api/v1/events/{event.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert (chinese["grid"]["name"], chinese["grid"]["community"]) == ("东升第一网格", "东升社区")
    assert chinese["department"]["name"] == "市政所"


def test_the_grid_and_department_lists_give_name_in_the_readers_language_and_name_en_as_stored(
    english_names, east_staff, api_as
):
    client = api_as(east_staff)
    grid = client.get("/api/v1/grids/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    assert (grid["name"], grid["name_en"], grid["community"]) == (
        "Dongsheng Grid 1",
        "Dongsheng Grid 1",
        "Dongsheng Community",
    )
    grid = client.get("/api/v1/grids/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"][0]
    assert (grid["name"], grid["name_en"], grid["community"]) == ("东升第一网格", "Dongsheng Grid 1", "东升社区")
    feature = client.get("/api/v1/grids/geojson/", HTTP_ACCEPT_LANGUAGE="en").json()["features"][0]
    assert feature["properties"]["name"] == "Dongsheng Grid 1"
    assert feature["properties"]["community"] == "Dongsheng Community"


# --- Notices and timeline notes -----------------------------------------------------------------


def test_a_dispatch_notice_and_note_read_the_department_in_the_readers_language(
    english_names, report, east_staff, handler
):
    event = event_dispatch(event=event_accept(event=report(), actor=east_staff), actor=east_staff)
    notice = Notification.objects.get(recipient=handler, message_key="grids.event.dispatched")
    assert notice.title == f"事件 {event.code} 已派至市政所，请处置：井盖破损"
    assert notice.title_in("en") == (
        f"Event {event.code} dispatched to Municipal Works Office; please handle it: Broken manhole cover"
    )
    entry = TimelineEntry.objects.get(event=event, to_status="dispatched")
    assert entry.note == "派往市政所（按派单规则）"
    assert entry.note_params["dept"] == {"zh-hans": "市政所", "en": "Municipal Works Office"}

    page = as_user(handler, "en").get(reverse("inbox")).content.decode()
    assert f"Event {event.code} dispatched to Municipal Works Office; please handle it: Broken manhole cover" in page
    detail = as_user(east_staff, "en").get(reverse("grids:event_detail", args=[event.pk])).content.decode()
    assert "Dispatched to Municipal Works Office (by dispatch rule)" in detail
    assert "Dongsheng Grid 1 (Dongsheng Community)" in detail


def test_a_redispatch_note_names_both_units_each_in_english_or_chinese_where_it_has_none(
    english_names, report, east_staff, water
):
    event = event_dispatch(event=event_accept(event=report(), actor=east_staff), actor=east_staff)
    event = event_redispatch(event=event, actor=east_staff, department=water, reason="漏水")
    entry = TimelineEntry.objects.get(event=event, note_key="grids.note.redispatched")
    detail = as_user(east_staff, "en").get(reverse("grids:event_detail", args=[event.pk])).content.decode()
    assert entry.note == "改派：市政所 → 水务站。原因：漏水"
    assert "Reassigned: Municipal Works Office → 水务站. Reason: 漏水" in detail


# --- Open311, the admin -------------------------------------------------------------------------


def test_open311_gives_the_address_and_agency_in_the_requests_language(english_names, report, east_staff, client):
    event = event_dispatch(event=event_accept(event=report(address="东升花园北门"), actor=east_staff), actor=east_staff)
    url = f"/open311/v2/requests/{event.code}.json"
    (english,) = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["address"] == "东升花园北门, Dongsheng Grid 1, Dongsheng Community"
    assert english["agency_responsible"] == "Municipal Works Office"
    (chinese,) = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert chinese["address"] == "东升花园北门，东升第一网格，东升社区"
    assert chinese["agency_responsible"] == "市政所"


@pytest.mark.parametrize(
    ("model", "url"),
    [
        (Area, "admin:governance_area_change"),
        (Department, "admin:governance_department_change"),
        (PartyOrganization, "admin:governance_partyorganization_change"),
        (Grid, "admin:grids_grid_change"),
    ],
)
def test_the_admin_form_edits_the_english_name(admin_client, area_tree, municipal, east_grid, model, url):
    core.party_organization_create(name="东升社区党委", level="committee", area=area_tree["east"])
    obj = model.objects.order_by("pk").first()
    page = admin_client.get(reverse(url, args=[obj.pk])).content.decode()
    assert 'name="name_en"' in page


def test_renaming_a_department_in_the_admin_saves_its_english_name(admin_client, municipal):
    url = reverse("admin:governance_department_change", args=[municipal.pk])
    response = admin_client.post(
        url,
        {
            "name": "市政所",
            "name_en": "Municipal Works Office",
            "code": "SZ",
            "kind": "municipal",
            "area": municipal.area_id,
            "phone": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    municipal.refresh_from_db()
    assert municipal.name_en == "Municipal Works Office"
