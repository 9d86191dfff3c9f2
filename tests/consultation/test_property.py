"""Red property: the fee plan adds up (a check constraint), one rating per resident per item and
month, the scorecard, seats and 交叉任职."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from governance.consultation import policies, selectors, services
from governance.consultation.models import FeePlan, Resolution, Seat, ServiceItem, ServiceRating
from governance.exceptions import Conflict

pytestmark = pytest.mark.django_db


@pytest.fixture
def cleaning(east_staff, area_tree, property_company):
    return services.service_item_create(
        actor=east_staff,
        compound=area_tree["east_compound"],
        provider=property_company,
        name="保洁",
        standard="楼道每日清扫，垃圾日产日清",
        frequency="每日",
    )


def _plan(east_staff, area_tree, **money):
    values = {"subsidy": "30000.00", "resident_fees": "50000.00", "public_income": "20000.00", "total": "100000.00"}
    values.update(money)
    return services.fee_plan_create(
        actor=east_staff,
        compound=area_tree["east_compound"],
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        **{k: Decimal(v) for k, v in values.items()},
    )


def test_fee_plan_that_adds_up_is_stored(east_staff, area_tree):
    plan = _plan(east_staff, area_tree)
    assert plan.total == Decimal("100000.00")


def test_fee_plan_that_does_not_add_up_is_refused_in_chinese(east_staff, area_tree):
    with pytest.raises(ValidationError) as exc:
        _plan(east_staff, area_tree, total="90000.00")
    assert exc.value.message_dict["total"] == [
        "政府补贴 30000.00 + 居民缴费 50000.00 + 公共收益 20000.00 = 100000.00 元，与总额 90000.00 元不符。"
    ]
    assert FeePlan.objects.count() == 0


def test_the_database_itself_refuses_a_fee_plan_that_does_not_add_up(area_tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        FeePlan.objects.create(
            compound=area_tree["east_compound"],
            period_start=date(2026, 1, 1),
            period_end=date(2026, 12, 31),
            subsidy=Decimal(1),
            resident_fees=Decimal(1),
            public_income=Decimal(1),
            total=Decimal(4),
        )
    assert FeePlan.objects.count() == 0


def test_fee_plans_show_the_previous_period_beside_the_current(east_staff, area_tree):
    _plan(east_staff, area_tree)
    services.fee_plan_create(
        actor=east_staff,
        compound=area_tree["east_compound"],
        period_start=date(2027, 1, 1),
        period_end=date(2027, 12, 31),
        subsidy=Decimal("20000"),
        resident_fees=Decimal("60000"),
        public_income=Decimal("25000"),
        total=Decimal("105000"),
    )
    current, previous = selectors.fee_plans_for(compound=area_tree["east_compound"])
    assert (current.period_start, previous.period_start) == (date(2027, 1, 1), date(2026, 1, 1))


def test_one_rating_per_resident_per_item_and_month(cleaning, rep):
    services.service_item_rate(resident=rep, item=cleaning, score=4, comment="干净", today=date(2026, 3, 5))
    with pytest.raises(Conflict) as exc:
        services.service_item_rate(resident=rep, item=cleaning, score=1, today=date(2026, 3, 28))
    assert exc.value.code == "already_rated"
    assert exc.value.detail == "您本月已评价过“保洁”，下月可再次评价。"
    services.service_item_rate(resident=rep, item=cleaning, score=5, today=date(2026, 4, 1))
    assert list(ServiceRating.objects.order_by("month").values_list("month", "score")) == [
        (date(2026, 3, 1), 4),
        (date(2026, 4, 1), 5),
    ]


@pytest.mark.parametrize("score", [0, 6])
def test_a_score_outside_1_to_5_is_refused(cleaning, rep, score):
    with pytest.raises(ValidationError):
        services.service_item_rate(resident=rep, item=cleaning, score=score)
    assert ServiceRating.objects.count() == 0


def test_scorecard_per_item_and_month_with_the_response_count(cleaning, rep, rep2, owner_member):
    march = date(2026, 3, 10)
    for resident, score in ((rep, 5), (rep2, 4), (owner_member, 2)):
        services.service_item_rate(resident=resident, item=cleaning, score=score, today=march)
    services.service_item_rate(resident=rep, item=cleaning, score=1, today=date(2026, 4, 2))
    [row] = selectors.scorecard(items=[cleaning], month=date(2026, 3, 1))
    assert (row.average, row.responses) == (3.67, 3)
    [april] = selectors.scorecard(items=[cleaning], month=date(2026, 4, 1))
    assert (april.average, april.responses) == (1.0, 1)
    [may] = selectors.scorecard(items=[cleaning], month=date(2026, 5, 1))
    assert (may.average, may.responses) == (None, 0)


def test_a_resolution_may_add_a_service_item(quorate, east_staff, property_company, area_tree):
    item = services.agenda_item_add(actor=east_staff, meeting=quorate, title="增设代收快递")
    services.agenda_item_vote(actor=east_staff, item=item, votes_for=3, votes_against=0, abstentions=0)
    resolution = Resolution.objects.get(item=item)
    service = services.service_item_create(
        actor=east_staff,
        compound=area_tree["east_compound"],
        provider=property_company,
        kind=ServiceItem.Kind.FEATURED,
        name="代收快递",
        standard="门岗代收，短信通知",
        frequency="每日",
        resolution=resolution,
    )
    assert list(resolution.service_items.all()) == [service]


def test_who_may_rate_and_see_the_scorecard(cleaning, rep, west_resident, property_head, east_staff, area_tree):
    compound = area_tree["east_compound"]
    assert policies.service_item_rate_can(user=rep, item=cleaning)
    assert not policies.service_item_rate_can(user=west_resident, item=cleaning)
    assert not policies.service_item_rate_can(user=east_staff, item=cleaning)
    assert policies.compound_can(user=property_head, action="scorecard", compound=compound)
    assert policies.compound_can(user=east_staff, action="scorecard", compound=compound)
    assert not policies.compound_can(user=rep, action="scorecard", compound=compound)
    assert not policies.compound_can(user=property_head, action="manage", compound=compound)


def test_cross_holding_is_seen_on_the_person_and_the_compound(
    east_staff, property_head, owner_member, committee, area_tree, property_company, cleaning
):
    services.seat_assign(
        actor=east_staff,
        person=property_head,
        body=Seat.Body.PARTY,
        position=Seat.Position.COMMITTEE_MEMBER,
        organization=committee,
    )
    services.seat_assign(
        actor=east_staff,
        person=property_head,
        body=Seat.Body.PROPERTY,
        position=Seat.Position.MANAGER,
        department=property_company,
    )
    services.seat_assign(
        actor=east_staff, person=owner_member, body=Seat.Body.OWNERS_COMMITTEE, position=Seat.Position.DIRECTOR,
        compound=area_tree["east_compound"],
    )  # fmt: skip
    assert selectors.is_cross_holding(selectors.seats_of(person=property_head)) is True
    assert selectors.is_cross_holding(selectors.seats_of(person=owner_member)) is False
    seats = selectors.compound_seats(compound=area_tree["east_compound"])
    assert len(seats) == 3
    assert selectors.cross_holders(seats) == {property_head.pk}


@pytest.mark.parametrize(
    ("body", "position", "field"),
    [
        (Seat.Body.PARTY, Seat.Position.DIRECTOR, "position"),  # 主任 is not a party position
        (Seat.Body.OWNERS_COMMITTEE, Seat.Position.DIRECTOR, "body"),  # no compound named
    ],
)
def test_a_seat_must_fit_its_body(body, position, field, east_staff, rep, committee):
    with pytest.raises(ValidationError) as exc:
        services.seat_assign(actor=east_staff, person=rep, body=body, position=position, organization=committee)
    assert field in exc.value.message_dict
    assert Seat.objects.count() == 0


def test_an_ended_seat_no_longer_counts(east_staff, rep, committee):
    seat = services.seat_assign(
        actor=east_staff, person=rep, body=Seat.Body.PARTY, position=Seat.Position.PARTY_MEMBER, organization=committee
    )
    services.seat_end(actor=east_staff, seat=seat, ended_on=timezone.localdate() + timedelta(days=0))
    assert selectors.seats_of(person=rep) == []
