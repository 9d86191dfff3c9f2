"""The API and the pages: masking in lists, unmasked parties on the case page only, an audit entry
per read, bad input refused with a clear error and nothing written, the grid event's conversion."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from governance.models import AuditEntry
from mediation import services
from mediation.models import Case, Party, Session

pytestmark = pytest.mark.django_db


def reads(case) -> list:
    return list(
        AuditEntry.objects.filter(object_type="mediation.case", object_id=str(case.pk), action="read_personal")
        .order_by("id")
        .values_list("actor__username", "changes")
    )


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_api_list_masks_parties(register, village_mediator, api_as):
    case = register()
    rows = api_as(village_mediator).get("/api/v1/mediation/cases/").json()["results"]
    assert [row["number"] for row in rows] == [case.number]
    masked = [{k: v for k, v in row.items() if k != "id"} for row in rows[0]["parties"]]
    assert masked == [
        {"role": "applicant", "name": "王*明", "phone": "138****5678", "id_number": "110***********1234"},
        {"role": "respondent", "name": "李*壮", "phone": "139****4321", "id_number": ""},
    ]
    assert reads(case) == []


def test_api_detail_is_masked_and_audited_parties_are_full_and_audited(register, village_mediator, api_as):
    case = register()
    client = api_as(village_mediator)
    detail = client.get(f"/api/v1/mediation/cases/{case.pk}/").json()
    assert [p["phone"] for p in detail["parties"]] == ["138****5678", "139****4321"]
    parties = client.get(f"/api/v1/mediation/cases/{case.pk}/parties/").json()
    assert [(p["name"], p["phone"], p["id_number"]) for p in parties] == [
        ("王小明", "13812345678", "110101199003071234"),
        ("李大壮", "13987654321", ""),
    ]
    client.get(f"/api/v1/mediation/cases/{case.pk}/timeline/")
    assert reads(case) == [
        ("village_mediator", {"part": "detail"}),
        ("village_mediator", {"part": "parties"}),
        ("village_mediator", {"part": "timeline"}),
    ]


def test_page_list_masks_and_case_page_shows_in_full_with_an_audit_entry(register, village_mediator):
    case = register()
    client = page_client(village_mediator)
    listing = client.get(reverse("mediation:cases")).content.decode()
    assert case.number in listing
    assert "138****5678" in listing
    assert "王*明" in listing
    assert "13812345678" not in listing
    assert "王小明" not in listing
    assert reads(case) == []
    page = client.get(reverse("mediation:case_detail", args=[case.pk])).content.decode()
    assert "13812345678" in page
    assert "110101199003071234" in page
    assert "王小明" in page
    assert reads(case) == [("village_mediator", {"part": "page"})]


def test_an_outsider_gets_404_and_no_audit_entry(register, east_staff, api_as):
    case = register()
    assert api_as(east_staff).get(f"/api/v1/mediation/cases/{case.pk}/").status_code == 404
    assert page_client(east_staff).get(reverse("mediation:case_detail", args=[case.pk])).status_code == 404
    assert reads(case) == []


def test_register_through_the_api(area_tree, village_mediator, api_as):
    response = api_as(village_mediator).post(
        "/api/v1/mediation/cases/",
        {
            "type": "homestead",
            "description": "宅基地边界纠纷",
            "area": area_tree["east_compound"].pk,
            "source": "walk_in",
            "risk_level": "medium",
            "risk_reason": "双方曾发生肢体冲突",
            "parties": [{"role": "applicant", "name": "王小明", "phone": "13812345678"}],
        },
        format="json",
    )
    assert response.status_code == 201
    case = Case.objects.get()
    assert response.json() == {"id": case.pk, "number": case.number, "status": "registered", "tier": "village"}


def test_unknown_party_role_is_a_clear_400_and_nothing_is_written(area_tree, village_mediator, api_as):
    response = api_as(village_mediator).post(
        "/api/v1/mediation/cases/",
        {
            "type": "neighbour",
            "description": "噪音",
            "area": area_tree["east_compound"].pk,
            "source": "walk_in",
            "parties": [{"role": "judge", "name": "张三"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"]["parties"] == ["第 1 位当事人的身份“judge”无效（应为申请人、被申请人或第三人）。"]
    assert (Case.objects.count(), Party.objects.count()) == (0, 0)


def test_resident_files_online_for_their_own_community_only(area_tree, east_resident, api_as):
    client = api_as(east_resident)
    body = {
        "type": "property",
        "description": "物业费纠纷",
        "source": "online",
        "parties": [{"role": "applicant", "name": "冯居民", "phone": "13700000000"}],
    }
    other = client.post("/api/v1/mediation/cases/", {**body, "area": area_tree["west_compound"].pk}, format="json")
    assert other.status_code == 403
    assert other.json() == {"code": "not_own_community", "detail": "只能为您所在的社区（村）申请调解。"}
    assert Case.objects.count() == 0
    walk_in = client.post(
        "/api/v1/mediation/cases/", {**body, "area": area_tree["east"].pk, "source": "walk_in"}, format="json"
    )
    assert walk_in.status_code == 403
    own = client.post("/api/v1/mediation/cases/", {**body, "area": area_tree["east_compound"].pk}, format="json")
    assert own.status_code == 201
    case = Case.objects.get()
    assert (case.status, case.source, case.parties.get().user) == ("registered", "online", east_resident)
    # The filer follows it on the list page (number and public-safe status), never the case page.
    client = page_client(east_resident)
    listing = client.get(reverse("mediation:cases")).content.decode()
    assert case.number in listing
    assert "已登记，等待受理" in listing
    assert client.get(reverse("mediation:case_detail", args=[case.pk])).status_code == 404


def test_assigning_a_recused_mediator_is_409_with_the_reason(register, co_mediator, street_supervisor, api_as):
    case = register(
        parties=[{"role": "applicant", "name": "钱协办", "user": co_mediator}, {"role": "respondent", "name": "李大壮"}]
    )
    response = api_as(street_supervisor).post(
        f"/api/v1/mediation/cases/{case.pk}/assign/", {"mediator": co_mediator.pk}, format="json"
    )
    assert response.status_code == 409
    assert response.json() == {"code": "conflict_of_interest", "detail": "调解员本人是本案当事人（申请人）。"}
    assert not case.assignments.filter(mediator=co_mediator).exists()


def test_session_hold_through_the_api_keeps_channel_notes(register, village_mediator, api_as):
    case = services.case_accept(case=register(), actor=village_mediator)
    client = api_as(village_mediator)
    created = client.post(
        f"/api/v1/mediation/cases/{case.pk}/sessions/",
        {"scheduled_at": (timezone.now() + timedelta(hours=2)).isoformat(), "mode": "video", "video_link": "https://meet.example/abc"},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201
    held = client.post(
        f"/api/v1/mediation/sessions/{created.json()['id']}/hold/",
        {
            "outcome": "同意赔偿",
            "notes": [{"channel": "joint", "text": "共同"}, {"channel": "respondent", "text": "背对背"}],
        },
        format="json",
    )
    assert held.status_code == 200
    assert [(n["channel"], n["text"]) for n in held.json()["notes"]] == [("joint", "共同"), ("respondent", "背对背")]
    assert Session.objects.get().status == "held"
    case.refresh_from_db()
    assert case.status == "mediating"


def test_channel_notes_are_shown_to_mediators_not_supervisors(register, village_mediator, street_supervisor):
    case = services.case_accept(case=register(), actor=village_mediator)
    session = services.session_schedule(case=case, actor=village_mediator, scheduled_at=timezone.now(), place="调解室")
    services.session_hold(
        session=session, actor=village_mediator, outcome="继续", notes=[{"channel": "applicant", "text": "底线八百元"}]
    )
    url = reverse("mediation:case_detail", args=[case.pk])
    assert "底线八百元" in page_client(village_mediator).get(url).content.decode()
    assert "底线八百元" not in page_client(street_supervisor).get(url).content.decode()


def test_agreement_in_the_future_is_a_clear_400(register, village_mediator, api_as):
    case = services.case_start(
        case=services.case_accept(case=register(), actor=village_mediator), actor=village_mediator
    )
    response = api_as(village_mediator).post(
        f"/api/v1/mediation/cases/{case.pk}/agreement/",
        {"terms": "x", "signed_on": (timezone.localdate() + timedelta(days=2)).isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"signed_on": ["签订日期不能晚于今天。"]}
    case.refresh_from_db()
    assert case.status == "mediating"


def test_event_to_case_through_the_api(boundary_event, village_mediator, grid_worker, api_as):
    refused = api_as(grid_worker).post(f"/api/v1/mediation/events/{boundary_event.pk}/to-case/", {}, format="json")
    assert refused.status_code == 403
    response = api_as(village_mediator).post(
        f"/api/v1/mediation/events/{boundary_event.pk}/to-case/", {"type": "homestead"}, format="json"
    )
    assert response.status_code == 201
    assert Case.objects.get().event == boundary_event


def test_staff_convert_an_event_on_the_page(boundary_event, east_staff):
    client = page_client(east_staff)
    url = reverse("mediation:case_new") + f"?event={boundary_event.pk}"
    assert "两户人家因宅基地边界争吵" in client.get(url).content.decode()
    response = client.post(url, {"type": "homestead", "description": "宅基地边界", "risk_level": "low"})
    case = Case.objects.get()
    # Staff cannot see the case they created: back to the event, which shows the number.
    assert response.status_code == 302
    assert response["Location"] == reverse("grids:event_detail", args=[boundary_event.pk])
    assert case.number in client.get(reverse("grids:event_detail", args=[boundary_event.pk])).content.decode()
    again = client.get(url).content.decode()
    assert f"该事件已转为调解案件 {case.number}" in again


def test_mediator_pages_schedule_hold_agree_and_follow_up(register, village_mediator):
    case = services.case_accept(case=register(), actor=village_mediator)
    client = page_client(village_mediator)
    when = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("mediation:session_new", args=[case.pk]), {"scheduled_at": when, "mode": "in_person", "place": "调解室"}
    )
    assert response.status_code == 302
    session = Session.objects.get()
    response = client.post(
        reverse("mediation:session_hold", args=[session.pk]), {"outcome": "达成一致", "joint": "双方同意"}
    )
    assert response.status_code == 302
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    bad = client.post(reverse("mediation:agreement", args=[case.pk]), {"terms": "赔偿", "signed_on": future})
    assert bad.status_code == 400
    assert "签订日期不能晚于今天。" in bad.content.decode()
    ok = client.post(
        reverse("mediation:agreement", args=[case.pk]), {"terms": "赔偿", "signed_on": timezone.localdate().isoformat()}
    )
    assert ok.status_code == 302
    week = case.follow_ups.get(kind="week")
    assert reverse("mediation:follow_up", args=[week.pk]) in client.get(reverse("mediation:cases")).content.decode()
    recorded = client.post(reverse("mediation:follow_up", args=[week.pk]), {"outcome": "performed", "note": "已履行"})
    assert recorded.status_code == 302
    week.refresh_from_db()
    assert week.outcome == "performed"


def test_home_card_for_the_mediator(register, village_mediator):
    register()
    home = page_client(village_mediator).get("/").content.decode()
    assert "矛盾纠纷调解" in home
    assert "未办结案件 1 件" in home


def test_the_event_page_offers_the_conversion_then_shows_the_number_only(boundary_event, east_staff, grid_worker):
    url = reverse("grids:event_detail", args=[boundary_event.pk])
    convert = reverse("mediation:case_new") + f"?event={boundary_event.pk}"
    assert convert in page_client(east_staff).get(url).content.decode()
    assert convert not in page_client(grid_worker).get(url).content.decode()  # the reporter may not convert
    case = services.case_from_event(event=boundary_event, actor=east_staff, type="homestead")
    for person in (east_staff, grid_worker):
        page = page_client(person).get(url).content.decode()
        assert f"已转为调解案件 {case.number}：已登记，等待受理" in page
        assert reverse("mediation:case_detail", args=[case.pk]) not in page  # neither may open the case


def test_resident_applies_on_the_phone_page(area_tree, east_resident, street_supervisor):
    client = page_client(east_resident)
    form = client.get(reverse("mediation:apply")).content.decode()
    assert "东升花园" in form
    assert "西苑小区" not in form
    other = client.post(
        reverse("mediation:apply"), {"type": "property", "description": "x", "area": area_tree["west_compound"].pk}
    )
    assert other.status_code == 400
    assert Case.objects.count() == 0
    response = client.post(
        reverse("mediation:apply"),
        {"type": "property", "description": "物业擅自占用绿地", "area": area_tree["east_compound"].pk,
         "respondent_name": "某物业公司"},
    )  # fmt: skip
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.source, case.status, case.tier) == ("online", "registered", "village")
    assert list(case.parties.values_list("role", "name", "user")) == [
        ("applicant", "冯居民", east_resident.pk),
        ("respondent", "某物业公司", None),
    ]
    assert case.number in client.get(reverse("mediation:cases")).content.decode()


def test_only_residents_apply(east_staff):
    assert page_client(east_staff).get(reverse("mediation:apply")).status_code == 403


def test_admin_is_read_only_and_reading_a_case_there_is_audited(register, make_user):
    case = register()
    admin = make_user(username="root", is_superuser=True, is_staff=True)
    client = page_client(admin)
    assert client.get(reverse("admin:mediation_case_changelist")).status_code == 200
    assert client.get(reverse("admin:mediation_case_change", args=[case.pk])).status_code == 200
    assert reads(case) == [("root", {"part": "admin"})]
    assert client.post(reverse("admin:mediation_case_delete", args=[case.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:mediation_casetimelineentry_add")).status_code == 403
    assert Case.objects.filter(pk=case.pk).exists()


def test_parties_and_relations_declared_through_the_api_feed_recusal(
    register, village_mediator, co_mediator, street_supervisor, api_as
):
    case = register()
    client = api_as(village_mediator)
    added = client.post(
        f"/api/v1/mediation/cases/{case.pk}/parties/", {"role": "third_party", "name": "王老汉"}, format="json"
    )
    assert added.status_code == 201
    bad = client.post(f"/api/v1/mediation/cases/{case.pk}/parties/", {"role": "uncle", "name": "x"}, format="json")
    assert bad.status_code == 400
    declared = client.post(
        f"/api/v1/mediation/cases/{case.pk}/relations/",
        {"party": added.json()["id"], "relation": "舅舅", "other_user": co_mediator.pk},
        format="json",
    )
    assert declared.status_code == 201
    refused = api_as(street_supervisor).post(
        f"/api/v1/mediation/cases/{case.pk}/assign/", {"mediator": co_mediator.pk}, format="json"
    )
    assert refused.status_code == 409
    assert refused.json() == {"code": "conflict_of_interest", "detail": "调解员与当事人 王*汉 存在已申报的关系：舅舅。"}
    assert case.parties.count() == 3


def test_the_tracking_page_shows_the_case_number_and_public_status_only(boundary_event, village_mediator):
    case = services.case_from_event(event=boundary_event, actor=village_mediator, type="homestead")
    services.case_accept(case=case, actor=village_mediator)
    page = Client().get(reverse("grids:track", args=[boundary_event.code])).content.decode()
    assert f"已转为调解案件 {case.number}：已受理" in page
    assert reverse("mediation:case_detail", args=[case.pk]) not in page
    assert "转为调解案件" not in page.replace("已转为调解案件", "")


@pytest.mark.parametrize(("language", "done"), [("en", "Accepted."), ("zh-hans", "已受理。")])
def test_a_move_on_the_case_page_is_confirmed_in_the_readers_language(register, village_mediator, language, done):
    case = register()
    client = page_client(village_mediator)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    page = client.post(reverse("mediation:case_move", args=[case.pk, "accept"]), follow=True)
    assert page.redirect_chain == [(reverse("mediation:case_detail", args=[case.pk]), 302)]
    assert done in page.content.decode()
    Case.objects.get(pk=case.pk, status="accepted")
