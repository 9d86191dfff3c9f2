"""Demo 红色议事厅 in 东升花园: the property company's head, an owners' committee member and a
residents' representative; topics; last month's meeting concluded with published minutes and
resolutions in progress; next week's meeting planned with its agenda. Idempotent."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from governance.consultation import services
from governance.consultation.models import (
    CouncilRule,
    FeePlan,
    Group,
    Meeting,
    Resolution,
    Seat,
    ServiceItem,
    Suggestion,
)
from governance.demo import _account
from governance.models import Area, PartyOrganization, Post, Role
from governance.services import post_assign

PAST_TITLE = "东升花园红色议事厅（上月例会）"
NEXT_TITLE = "东升花园红色议事厅（本月例会）"


def _person(context: dict, username: str, full_name: str, phone: str, role: str, **where):
    user = _account(username, context["password"], full_name, phone, f"{username}@portal.local")
    if not Post.objects.filter(user=user, role=role, is_active=True).exists():
        post_assign(user=user, role=role, **where)
    context["accounts"][username] = user
    return user


def seed(context: dict) -> None:
    compound = Area.objects.get(code="XF-DS-01")
    committee = PartyOrganization.objects.get(name="东升社区党委", area=compound.parent)
    property_company = context["departments"]["DEPT-WY"]
    staff = context["accounts"]["staff"]
    resident = context["accounts"]["resident"]
    wuye = _person(context, "wuye", "陈经理", "13800000010", Role.DEPARTMENT_HANDLER, department=property_company)
    rep = _person(context, "rep", "林代表", "13800000011", Role.RESIDENT, area=Area.objects.get(code="XF-DS-01-B2"))
    owner = _person(context, "yeweihui", "何委员", "13800000012", Role.RESIDENT, area=compound)
    CouncilRule.objects.get_or_create(area=compound, defaults={"resident_rep_percent": 50, "property_required": True})

    if not Suggestion.objects.filter(area=compound).exists():
        services.suggestion_create(author=resident, area=compound, title="一号楼加装电梯", body="老人多，上下楼困难。")
        services.suggestion_create(author=rep, area=compound, title="规划停车位", body="晚上车辆乱停，消防通道被占。")
        services.suggestion_create(author=resident, area=compound, title="非机动车棚加装充电桩")

    now = timezone.now()
    if not Meeting.objects.filter(title=PAST_TITLE).exists():
        start = (now - timedelta(days=30)).replace(hour=19, minute=0, second=0, microsecond=0)
        past = services.meeting_create(
            actor=staff,
            title=PAST_TITLE,
            organization=committee,
            area=compound,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            place="东升花园党群服务站",
        )
        people = [(resident, Group.RESIDENT_REP), (rep, Group.RESIDENT_REP), (owner, Group.OWNERS_COMMITTEE)]
        participants = [
            services.participant_add(actor=staff, meeting=past, user=user, group=group) for user, group in people
        ]
        participants.append(services.participant_add(actor=staff, meeting=past, user=wuye, group=Group.PROPERTY))
        topics = {s.title: s for s in Suggestion.objects.filter(area=compound)}
        elevator = services.agenda_item_add(
            actor=staff,
            meeting=past,
            title="",
            suggestion=topics["一号楼加装电梯"],
            is_major=True,
            responsible_department=property_company,
            due_date=timezone.localdate() + timedelta(days=60),
        )
        parking = services.agenda_item_add(
            actor=staff,
            meeting=past,
            title="",
            suggestion=topics["规划停车位"],
            responsible_department=property_company,
            due_date=timezone.localdate() - timedelta(days=3),
        )
        services.meeting_open(actor=staff, meeting=past)
        for participant in participants:
            services.participant_sign_in_by_staff(actor=staff, participant=participant)
        services.agenda_item_vote(
            actor=staff, item=elevator, votes_for=4, votes_against=0, abstentions=0, notes="物业公司牵头征求意见。"
        )
        services.agenda_item_vote(
            actor=staff, item=parking, votes_for=3, votes_against=1, abstentions=0, notes="划线停车，夜间巡查。"
        )
        services.meeting_conclude(actor=staff, meeting=past)
        services.meeting_minutes_save(
            actor=staff,
            meeting=past,
            text="会议议定：一、一号楼加装电梯由物业公司牵头征求住户意见并报方案；二、小区内规划停车位，"
            "物业公司负责划线和夜间巡查。",
        )
        services.meeting_minutes_send(actor=staff, meeting=past)
        for user in (resident, rep, owner):
            services.meeting_minutes_reply(user=user, meeting=past)
        services.meeting_minutes_reply(user=wuye, meeting=past, objection="建议写明划线完成时间。")
        services.meeting_minutes_publish(actor=staff, meeting=past)
        elevator_resolution = Resolution.objects.get(item=elevator)
        services.resolution_progress(actor=wuye, resolution=elevator_resolution, percent=40, note="已完成意见征集")

    if not Meeting.objects.filter(title=NEXT_TITLE).exists():
        start = (now + timedelta(days=7)).replace(hour=19, minute=0, second=0, microsecond=0)
        upcoming = services.meeting_create(
            actor=staff,
            title=NEXT_TITLE,
            organization=committee,
            area=compound,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            place="东升花园党群服务站",
        )
        for user, group in [
            (resident, Group.RESIDENT_REP),
            (rep, Group.RESIDENT_REP),
            (owner, Group.OWNERS_COMMITTEE),
            (wuye, Group.PROPERTY),
        ]:
            services.participant_add(actor=staff, meeting=upcoming, user=user, group=group)
        topic = Suggestion.objects.filter(area=compound, title="非机动车棚加装充电桩").first()
        services.agenda_item_add(actor=staff, meeting=upcoming, title="", suggestion=topic)
        parking = services.agenda_item_add(actor=staff, meeting=upcoming, title="小区停车管理")
        for title in ("地面停车位划线方案", "夜间巡查与违停劝导"):  # sub-items: 2.1, 2.2
            services.agenda_item_add(actor=staff, meeting=upcoming, title=title, parent=parking)
    _red_property(context, compound=compound, committee=committee, wuye=wuye, owner=owner, resident=resident)
    context.setdefault("notes", []).append(
        "红色议事厅: 东升花园 — a concluded meeting with published minutes, resolutions in progress "
        "(one overdue for the beat to flag), a planned meeting next week, a service list, fee plans and 交叉任职."
    )


SERVICES = [
    (ServiceItem.Kind.BASIC, "保洁", "楼道每日清扫，垃圾日产日清", "每日"),
    (ServiceItem.Kind.BASIC, "安保", "门岗24小时值守，夜间巡逻两次", "每日"),
    (ServiceItem.Kind.BASIC, "维修", "报修30分钟内响应，小修当日完成", "随报随修"),
    (ServiceItem.Kind.BASIC, "绿化", "草木修剪、病虫害防治", "每月"),
    (ServiceItem.Kind.FEATURED, "代收快递", "门岗代收，短信通知", "每日"),
    (ServiceItem.Kind.FEATURED, "关爱老人", "独居老人每周上门探访", "每周"),
]


def _red_property(context: dict, *, compound: Area, committee: PartyOrganization, wuye, owner, resident) -> None:
    staff = context["accounts"]["staff"]
    provider = context["departments"]["DEPT-WY"]
    if not ServiceItem.objects.filter(compound=compound).exists():
        for kind, name, standard, frequency in SERVICES:
            services.service_item_create(
                actor=staff, compound=compound, provider=provider, kind=kind, name=name, standard=standard,
                frequency=frequency,
            )  # fmt: skip
        parking = Resolution.objects.filter(area=compound, title="规划停车位").first()
        services.service_item_create(
            actor=staff, compound=compound, provider=provider, kind=ServiceItem.Kind.BASIC, name="停车秩序管理",
            standard="划线停车，夜间巡查消防通道", frequency="每日", resolution=parking,
        )  # fmt: skip
        for item in ServiceItem.objects.filter(compound=compound, name__in=["保洁", "安保"]):
            services.service_item_rate(resident=resident, item=item, score=4 if item.name == "保洁" else 5)
    year = timezone.localdate().year
    for start, subsidy, fees, income in ((year - 1, "60000", "90000", "30000"), (year, "50000", "100000", "40000")):
        if not FeePlan.objects.filter(compound=compound, period_start=date(start, 1, 1)).exists():
            services.fee_plan_create(
                actor=staff, compound=compound, period_start=date(start, 1, 1), period_end=date(start, 12, 31),
                subsidy=Decimal(subsidy), resident_fees=Decimal(fees), public_income=Decimal(income),
                total=Decimal(subsidy) + Decimal(fees) + Decimal(income), note="政府补贴 + 居民缴费 + 公共收益",
            )  # fmt: skip
    if not Seat.objects.filter(person__in=[wuye, owner]).exists():
        branch = PartyOrganization.objects.get(name=f"{compound.name}党支部", area=compound)
        B, P = Seat.Body, Seat.Position
        services.seat_assign(
            actor=staff, person=wuye, body=B.PARTY, position=P.COMMITTEE_MEMBER, organization=committee
        )
        services.seat_assign(actor=staff, person=wuye, body=B.PROPERTY, position=P.MANAGER, department=provider)
        services.seat_assign(actor=staff, person=owner, body=B.OWNERS_COMMITTEE, position=P.DIRECTOR, compound=compound)
        services.seat_assign(actor=staff, person=owner, body=B.PARTY, position=P.PARTY_MEMBER, organization=branch)
