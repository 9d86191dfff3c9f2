"""Demo mediation: mediators of several kinds and tiers, and the demo mediator's cases in every
state — one from a grid worker's event, one in mediation with a session held and one scheduled,
agreements with a follow-up due tomorrow and one already overdue (the running beat reports it to
the supervisor), closed, referred and declined cases. Idempotent: a case is made once, by its
description."""

from datetime import timedelta

from django.utils import timezone

from governance import services as core
from governance.models import Area, Role, User
from grids.models import Event
from grids.services import event_report
from mediation import services
from mediation.models import Case, MediatorProfile, Tier

# username, full name, phone, kind, tier, area code
MEDIATORS = [
    ("mediator_ds", "陈调解", "13800000011", MediatorProfile.Kind.PEOPLE, Tier.VILLAGE, "XF-DS"),
    ("elder_xy", "胡乡贤", "13800000012", MediatorProfile.Kind.ELDER, Tier.VILLAGE, "XF-XY"),
    ("lawyer", "林律师", "13800000013", MediatorProfile.Kind.LAWYER, Tier.TOWNSHIP, "XF"),
    ("counsellor", "何心理", "13800000014", MediatorProfile.Kind.PSYCHOLOGIST, Tier.TOWNSHIP, "XF"),
]

PARTIES = [
    {"role": "applicant", "name": "王建国", "phone": "13911112222", "id_number": "110101196505051234",
     "address": "东升花园3号楼301"},
    {"role": "respondent", "name": "钱海涛", "phone": "13933334444", "address": "东升花园3号楼302"},
]  # fmt: skip


def _mediator(context, username, full_name, phone, kind, tier, code) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = core.user_create(
            username=username, password=context["password"], full_name=full_name, phone=phone,
            email=f"{username}@portal.local",
        )  # fmt: skip
    core.post_assign(user=user, role=Role.MEDIATOR, area=Area.objects.get(code=code))
    MediatorProfile.objects.get_or_create(user=user, defaults={"kind": kind, "tier": tier})
    context["accounts"][username] = user
    return user


# Each case its own two parties (names and phones made up); two cases share a pair on purpose,
# so the supervisor's page shows a repeated dispute.
NAMES = [
    ("孙志强", "13911110001", "周桂兰", "13911110002"),
    ("吴国平", "13911110003", "郑淑芬", "13911110004"),
    ("冯海燕", "13911110005", "陈立新", "13911110006"),
    ("褚建华", "13911110007", "卫东升", "13911110008"),
    ("蒋文静", "13911110009", "沈宏伟", "13911110010"),
    ("韩秀英", "13911110011", "杨振国", "13911110012"),
    ("朱德胜", "13911110013", "秦玉梅", "13911110014"),
]


def _parties(index: int) -> list[dict]:
    applicant, a_phone, respondent, r_phone = NAMES[index % len(NAMES)]
    return [
        {"role": "applicant", "name": applicant, "phone": a_phone, "address": "东升花园"},
        {"role": "respondent", "name": respondent, "phone": r_phone, "address": "东升花园"},
    ]


def _case(mediator, description, *, type="neighbour", steps=(), risk="low", reason="", signed_days_ago=None, pair=0):
    if Case.objects.filter(description=description).exists():
        return None
    case = services.case_register(
        actor=mediator,
        type=type,
        description=description,
        area=Area.objects.get(code="XF-DS-01"),
        source=Case.Source.WALK_IN,
        risk_level=risk,
        risk_reason=reason,
        parties=_parties(pair),
        lead=mediator,
    )
    now = timezone.now()
    for step in steps:
        case = Case.objects.get(pk=case.pk)
        if step == "accept":
            services.case_accept(case=case, actor=mediator)
        elif step == "decline":
            services.case_decline(case=case, actor=mediator, reason="属于劳动仲裁受理范围，不适合人民调解")
        elif step == "held":
            session = services.session_schedule(
                case=case, actor=mediator, scheduled_at=now - timedelta(days=2), place="东升社区调解室",
                attendees="双方当事人",
            )  # fmt: skip
            services.session_hold(
                session=session,
                actor=mediator,
                outcome="双方同意由物业出具漏水检测报告后再谈赔偿",
                notes=[
                    {"channel": "joint", "text": "双方陈述漏水经过，情绪较激动。"},
                    {"channel": "applicant", "text": "申请人希望赔偿2000元，可接受1500元。"},
                    {"channel": "respondent", "text": "被申请人承认防水层老化，愿意维修。"},
                ],
            )
        elif step == "scheduled":
            services.session_schedule(
                case=case, actor=mediator, scheduled_at=now + timedelta(days=1), mode="video",
                video_link="https://meeting.portal.local/room/ds-0101", attendees="双方当事人、物业经理",
            )  # fmt: skip
        elif step == "start":
            services.case_start(case=case, actor=mediator)
        elif step == "agree":
            services.agreement_record(
                case=case,
                actor=mediator,
                terms="一、被申请人于15日内修复卫生间防水层；二、被申请人赔偿申请人装修损失1500元；三、双方互谅互让，不再追究。",
                signed_on=timezone.localdate() - timedelta(days=signed_days_ago or 0),
                performance_due=timezone.localdate() + timedelta(days=15),
            )
        elif step in ("sign", "sign_one"):
            # Signed on the day of the agreement, recorded by the mediator from the paper.
            agreement = case.agreement
            parties = list(case.parties.order_by("role", "id"))
            for party in parties[:1] if step == "sign_one" else parties:
                services.signature_record(
                    case=case, actor=mediator, party=party, signed_on=agreement.signed_on,
                    method="in_person" if agreement.signed_on == timezone.localdate() else "after_the_fact",
                )  # fmt: skip
        elif step == "recur":
            # The one-week visit finds the dispute back: the case reopens, round one is history.
            week = case.follow_ups.get(agreement=case.agreement, kind="week")
            services.follow_up_record(follow_up=week, actor=mediator, outcome="recurred", note="双方又因同一问题争吵")
        elif step == "agree_again":
            services.agreement_record(
                case=case, actor=mediator, signed_on=timezone.localdate(),
                terms="一、被申请人另行请专业公司彻底整改；二、整改期间每周向申请人通报进度。",
            )  # fmt: skip
        elif step == "visits":
            for follow_up in case.follow_ups.filter(status="pending"):
                services.follow_up_record(follow_up=follow_up, actor=mediator, outcome="performed", note="已按协议履行")
        elif step == "close":
            services.case_close(case=case, actor=mediator, note="协议已履行完毕")
        elif step == "fail":
            services.case_fail(case=case, actor=mediator, reason="双方对补偿金额分歧过大")
        elif step == "refer":
            services.case_refer(case=case, actor=mediator, to=Case.ReferredTo.COURT, note="引导当事人诉讼")
    return case


def seed(context: dict) -> None:
    accounts = context["accounts"]
    mediator = accounts["mediator"]
    MediatorProfile.objects.get_or_create(
        user=mediator, defaults={"kind": MediatorProfile.Kind.PEOPLE, "tier": Tier.TOWNSHIP}
    )
    for row in MEDIATORS:
        _mediator(context, *row)

    # From the grid: the worker reports two households arguing; the mediator converts it.
    description = "东升花园3号楼两户因楼道堆放杂物发生争吵，网格员到场劝开"
    if not Event.objects.filter(description=description).exists():
        event = event_report(
            reporter=accounts["worker"], description=description, lon=116.3021, lat=39.9818,
            source=Event.Source.PATROL, address="东升花园3号楼",
        )  # fmt: skip
        services.case_from_event(event=event, actor=mediator, type="neighbour", parties=PARTIES)

    _case(mediator, "宅基地边界围墙纠纷，双方对界址有争议", type="homestead", steps=("accept",),
          risk="medium", reason="双方曾发生推搡", pair=0)  # fmt: skip
    _case(mediator, "楼上卫生间漏水损坏楼下吊顶，双方就赔偿协商未果", steps=("accept", "held", "scheduled"), pair=1)
    _case(mediator, "物业费与停车位使用纠纷", type="property", steps=("accept", "start", "agree", "sign_one"),
          signed_days_ago=6, pair=2)  # fmt: skip
    _case(mediator, "装修噪音扰民引发邻里矛盾", steps=("accept", "start", "agree", "sign"), signed_days_ago=8,
          pair=3)  # fmt: skip
    _case(mediator, "赡养老人费用分担的家庭纠纷", type="family",
          steps=("accept", "start", "agree", "sign", "visits", "close"), signed_days_ago=40, pair=4)  # fmt: skip
    _case(mediator, "拆迁补偿款分配纠纷", type="family", steps=("accept", "start", "fail", "refer"),
          risk="high", reason="涉及金额大、人数多", pair=5)  # fmt: skip
    _case(mediator, "拖欠装修工人工资纠纷", type="labour", steps=("decline",), pair=6)
    _case(mediator, "围墙重砌后又因排水沟走向再起争执", type="homestead", steps=("accept",), pair=0)
    _case(mediator, "空调外机噪音扰民，协议履行后再起纠纷", type="neighbour",
          steps=("accept", "start", "agree", "sign", "close", "recur", "start", "agree_again"), signed_days_ago=9,
          pair=1)  # fmt: skip
