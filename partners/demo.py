"""Demo partners for 东升社区: a lawyer and a café (active, with a ledger history), a student
volunteer's pending application, earning rules, rewards, a pending voucher, a record to verify,
needs and projects (one being claimed, one closed with evaluations). Idempotent: a second run adds
nothing."""

from datetime import timedelta

from django.utils import timezone

from governance import services as core
from governance.models import Role, User
from partners import services
from partners.models import EarningRule, Partner, Reward

RULES = [
    ("法律咨询", 10, False, 50),
    ("物资捐赠", 20, False, None),
    ("义诊", 15, False, 60),
    ("课后辅导", 8, True, 80),
    ("社区巡逻", 5, True, None),
]


def _merchant_account(context: dict) -> User:
    user = User.objects.filter(username="merchant").first()
    if user is None:
        user = core.user_create(
            username="merchant",
            password=context["password"],
            full_name="陈咖啡",
            phone="13800000010",
            email="merchant@portal.local",
        )
    core.post_assign(user=user, role=Role.PARTNER, area=context["communities"]["XF-DS"])
    context["accounts"]["merchant"] = user
    return user


def _partner(*, user, community, name, kind, sub_kind, form, staff, phone, skills="", resources="", approve=True):
    partner = Partner.objects.filter(name=name, community=community).first()
    if partner is not None:
        return partner, False
    partner = services.partner_apply(
        applicant=user,
        community=community,
        name=name,
        kind=kind,
        sub_kind=sub_kind,
        form=form,
        contact_name=user.full_name,
        contact_phone=phone,
        skills=skills,
        resources=resources,
    )
    if approve:
        services.partner_decide(partner=partner, decision="approve", actor=staff)
    return partner, True


def seed(context: dict) -> None:
    community = context["communities"]["XF-DS"]
    staff = context["accounts"]["staff"]
    today = timezone.localdate()

    rules = {}
    for activity, points, per_hour, cap in RULES:
        rule = EarningRule.objects.filter(community=community, activity=activity).first()
        rules[activity] = rule or services.earning_rule_save(
            community=community, activity=activity, points=points, per_hour=per_hour, monthly_cap=cap, actor=staff
        )

    lawyer, new_lawyer = _partner(
        user=context["accounts"]["partner"],
        community=community,
        name="王合伙律师",
        kind=Partner.Kind.PROFESSIONAL,
        sub_kind=Partner.SubKind.LAWYER,
        form=Partner.Form.INDIVIDUAL,
        staff=staff,
        phone="13800000008",
        skills="婚姻家事、劳动争议法律咨询",
    )
    cafe, _new_cafe = _partner(
        user=_merchant_account(context),
        community=community,
        name="幸福咖啡馆",
        kind=Partner.Kind.RESOURCE,
        sub_kind=Partner.SubKind.MERCHANT,
        form=Partner.Form.ORGANISATION,
        staff=staff,
        phone="13800000010",
        resources="咖啡优惠券、周末活动场地",
    )
    _partner(
        user=context["accounts"]["resident"],
        community=community,
        name="冯同学（大学生志愿者）",
        kind=Partner.Kind.VOLUNTEER,
        sub_kind=Partner.SubKind.STUDENT,
        form=Partner.Form.INDIVIDUAL,
        staff=staff,
        phone="13800000009",
        skills="课后辅导",
        approve=False,
    )

    if not Reward.objects.filter(community=community).exists():
        services.reward_save(
            community=community,
            name="活动室优先使用",
            kind=Reward.Kind.SERVICE,
            cost=15,
            per_partner_limit=2,
            actor=staff,
        )
        services.reward_save(
            community=community, name="米面油礼包", kind=Reward.Kind.GOODS, cost=50, stock=20, actor=staff
        )
        services.reward_save(
            community=community,
            name="咖啡八折券",
            kind=Reward.Kind.COUPON,
            cost=10,
            stock=30,
            offered_by=cafe,
            actor=staff,
            description="幸福咖啡馆提供，到店出示兑换码",
        )

    if new_lawyer:
        user = context["accounts"]["partner"]
        history = [("法律咨询", 0, 20), ("法律咨询", 0, 12), ("物资捐赠", 0, 9), ("课后辅导", 2, 5)]
        for activity, hours, days_ago in history:
            record = services.service_record_submit(
                partner=lawyer,
                rule=rules[activity],
                served_on=today - timedelta(days=days_ago),
                hours=hours,
                beneficiaries=3,
                description=f"{activity}（演示）",
                actor=user,
            )
            services.service_record_verify(record=record, actor=staff)
        services.service_record_submit(
            partner=lawyer,
            rule=rules["法律咨询"],
            served_on=today - timedelta(days=1),
            beneficiaries=2,
            description="为两户居民解答物业纠纷（待核实）",
            actor=user,
        )
        coupon = Reward.objects.get(community=community, name="咖啡八折券")
        services.redemption_create(partner=lawyer, reward=coupon, quantity=1, actor=user, key="demo-coupon")
        _projects(context, community=community, staff=staff, lawyer=lawyer)


def _projects(context: dict, *, community, staff, lawyer) -> None:
    """A need still open, a project being claimed, and one closed with evaluations and points."""
    resident = context["accounts"]["resident"]
    services.need_submit(community=community, title="楼道声控灯更换", description="3号楼楼道灯常坏", actor=resident)
    phone_need = services.need_submit(community=community, title="老人智能手机课", actor=resident)
    services.need_support(need=phone_need, actor=context["accounts"]["worker"])
    services.project_publish(
        community=community,
        need=phone_need,
        title="老人智能手机课",
        slots=3,
        points_per_slot=15,
        skills="耐心、会用智能手机",
        actor=staff,
    )
    lecture = services.project_publish(
        community=community, title="周末法律讲堂", slots=2, points_per_slot=20, skills="法律", actor=staff
    )
    claim = services.project_claim(project=lecture, partner=lawyer, actor=context["accounts"]["partner"])
    services.claim_mark(claim=claim, outcome="done", actor=staff)
    services.project_close(project=lecture, actor=staff)
    services.evaluation_add(project=lecture, partner=lawyer, evaluator=resident, score=5, comment="讲得清楚")
    services.evaluation_add(project=lecture, partner=lawyer, evaluator=staff, score=4)
