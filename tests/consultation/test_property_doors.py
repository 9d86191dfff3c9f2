"""Red property through the API and the pages: ratings once a month, fee plans that add up,
the compound page (service list, scorecard, fee plan beside the previous one, 交叉任职)."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from governance.consultation import services
from governance.consultation.models import FeePlan, Seat, ServiceRating

pytestmark = pytest.mark.django_db
BASE = "/api/v1/consultation"


@pytest.fixture
def cleaning(east_staff, area_tree, property_company):
    return services.service_item_create(
        actor=east_staff,
        compound=area_tree["east_compound"],
        provider=property_company,
        name="保洁",
        standard="楼道每日清扫",
        frequency="每日",
    )


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_second_rating_in_the_month_is_409_in_chinese_and_nothing_written(api_as, cleaning, rep):
    api = api_as(rep)
    first = api.post(f"{BASE}/service-items/{cleaning.pk}/ratings/", {"score": 4, "comment": "不错"})
    assert first.status_code == 201
    second = api.post(f"{BASE}/service-items/{cleaning.pk}/ratings/", {"score": 1})
    assert second.status_code == 409
    assert second.json() == {"code": "already_rated", "detail": "您本月已评价过“保洁”，下月可再次评价。"}
    assert list(ServiceRating.objects.values_list("score", flat=True)) == [4]


def test_resident_of_another_compound_cannot_rate_or_see_the_item(api_as, cleaning, west_resident):
    api = api_as(west_resident)
    assert api.get(f"{BASE}/service-items/").json()["results"] == []
    assert api.post(f"{BASE}/service-items/{cleaning.pk}/ratings/", {"score": 5}).status_code == 404
    assert ServiceRating.objects.count() == 0


def test_fee_plan_that_does_not_add_up_is_400_in_chinese(api_as, east_staff, area_tree):
    response = api_as(east_staff).post(
        f"{BASE}/fee-plans/",
        {
            "compound": area_tree["east_compound"].pk,
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "subsidy": "100.00",
            "resident_fees": "200.00",
            "public_income": "50.00",
            "total": "400.00",
        },
    )
    assert response.status_code == 400
    assert response.json()["fields"]["total"] == [
        "政府补贴 100.00 + 居民缴费 200.00 + 公共收益 50.00 = 350.00 元，与总额 400.00 元不符。"
    ]
    assert FeePlan.objects.count() == 0


def test_only_staff_add_fee_plans_and_service_items(api_as, rep, area_tree, property_company):
    api = api_as(rep)
    plan = api.post(
        f"{BASE}/fee-plans/",
        {
            "compound": area_tree["east_compound"].pk,
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "subsidy": "1",
            "resident_fees": "1",
            "public_income": "1",
            "total": "3",
        },
    )
    assert plan.status_code == 403
    item = api.post(
        f"{BASE}/service-items/",
        {
            "compound": area_tree["east_compound"].pk,
            "provider": property_company.pk,
            "name": "绿化",
            "standard": "每月修剪",
            "frequency": "每月",
        },
    )
    assert item.status_code == 403
    assert item.json()["code"] == "not_convener"


def test_compound_page_for_a_resident_rates_this_month(cleaning, rep, area_tree):
    client = _client(rep)
    url = reverse("consultation:compound", args=["HD-ZGC-DS-01"])
    page = client.get(url).content.decode()
    assert "保洁" in page
    assert "提交评价" in page
    assert page.count('id="vol-title"') == 1  # each section once, and none inside <head>
    assert "<section" not in page.split("</head>")[0]
    assert "服务评分" not in page  # the scorecard is for staff, the party organisation and the company
    response = client.post(reverse("consultation:service_rate", args=[cleaning.pk]), {"score": "5"}, follow=True)
    assert "感谢您的评价" in response.content.decode()
    again = client.post(reverse("consultation:service_rate", args=[cleaning.pk]), {"score": "1"}, follow=True)
    assert "您本月已评价过“保洁”" in again.content.decode()
    assert list(ServiceRating.objects.values_list("score", flat=True)) == [5]


def test_property_company_sees_its_scorecard_and_the_fee_plans(cleaning, rep, property_head, east_staff, area_tree):
    services.service_item_rate(resident=rep, item=cleaning, score=4)
    for year, total in ((2025, "90000"), (2026, "100000")):
        services.fee_plan_create(
            actor=east_staff,
            compound=area_tree["east_compound"],
            period_start=date(year, 1, 1),
            period_end=date(year, 12, 31),
            subsidy=Decimal("30000"),
            resident_fees=Decimal(total) - Decimal("40000"),
            public_income=Decimal("10000"),
            total=Decimal(total),
        )
    page = _client(property_head).get(reverse("consultation:compound", args=["HD-ZGC-DS-01"])).content.decode()
    assert "服务评分" in page
    assert "<td>保洁</td><td>4.0</td><td>1</td>" in page
    assert "100000.00" in page
    assert "上一期 2025-01" in page


def test_cross_holding_shows_on_the_person_page_and_the_compound_page(
    east_staff, property_head, committee, property_company, cleaning
):
    services.seat_assign(
        actor=east_staff,
        person=property_head,
        body=Seat.Body.PARTY,
        position=Seat.Position.COMMITTEE_MEMBER,
        organization=committee,
    )
    services.seat_assign(
        actor=east_staff, person=property_head, body=Seat.Body.PROPERTY, position=Seat.Position.MANAGER,
        department=property_company,
    )  # fmt: skip
    person_page = _client(east_staff).get(reverse("consultation:person", args=[property_head.pk])).content.decode()
    assert "交叉任职" in person_page
    assert "东升社区党委 · 委员" in person_page
    compound_page = _client(east_staff).get(reverse("consultation:compound", args=["HD-ZGC-DS-01"])).content.decode()
    assert compound_page.count("交叉任职") == 3  # the heading and both of the head's seats


def test_volunteers_show_on_the_compound_page(east_staff, rep, area_tree, cleaning):
    services.volunteer_assign(actor=east_staff, person=rep, building=area_tree["east_building"])
    page = _client(east_staff).get(reverse("consultation:compound", args=["HD-ZGC-DS-01"])).content.decode()
    assert "孙代表 · 1号楼 · 巡查、调解、政策宣传" in page


def test_someone_elses_seats_are_hidden_from_residents(rep, property_head):
    assert _client(rep).get(reverse("consultation:person", args=[property_head.pk])).status_code == 404
    assert _client(rep).get(reverse("consultation:person", args=[rep.pk])).status_code == 200


def test_compound_page_of_another_compound_is_404(west_resident, cleaning):
    assert _client(west_resident).get(reverse("consultation:compound", args=["HD-ZGC-DS-01"])).status_code == 404


def test_staff_add_a_service_item_and_a_fee_plan_on_the_compound_page(east_staff, property_company, rep):
    client = _client(east_staff)
    page = client.get(reverse("consultation:compound", args=["HD-ZGC-DS-01"])).content.decode()
    assert "新增服务项目" in page
    added = client.post(
        reverse("consultation:compound_service_add", args=["HD-ZGC-DS-01"]),
        {
            "kind": "featured",
            "name": "关爱老人",
            "standard": "每周上门探访",
            "frequency": "每周",
            "provider": property_company.pk,
        },
        follow=True,
    )
    assert "服务项目已加入清单" in added.content.decode()
    bad = client.post(
        reverse("consultation:compound_fee_plan_add", args=["HD-ZGC-DS-01"]),
        {
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "subsidy": "10",
            "resident_fees": "10",
            "public_income": "10",
            "total": "31",
        },
        follow=True,
    )
    assert "= 30.00 元，与总额 31.00 元不符" in bad.content.decode()
    assert FeePlan.objects.count() == 0
    assert (
        "新增服务项目" not in _client(rep).get(reverse("consultation:compound", args=["HD-ZGC-DS-01"])).content.decode()
    )
    refused = _client(rep).post(reverse("consultation:compound_fee_plan_add", args=["HD-ZGC-DS-01"]), {})
    assert refused.status_code == 403
