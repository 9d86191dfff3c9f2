"""Needs → projects → claims → evaluations (需求征集 → 项目发布 → 认领 → 评估), and the credit profile.

A claim takes a slot with a conditional ``UPDATE project SET claimed = claimed + 1 WHERE claimed <
slots`` (a check constraint is the backstop), so a project never has more claims than slots, on any
database and under any concurrency. Points post when staff close the project, one ledger
transaction per completed claim (key ``project:<id>:claim:<claim id>``), so a second close posts
nothing.
"""

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, F, Q
from django.db.models import Sum as models_sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import status

from governance.exceptions import Conflict, DomainError
from governance.models import Area, AuditEntry, Role, User
from governance.outbox import notification_enqueue
from governance.selectors import jurisdiction_paths
from governance.services import audit_record
from governance.workflow import Workflow
from partners.models import (
    Account,
    Claim,
    Evaluation,
    EvaluationAppeal,
    LedgerEntry,
    LedgerTransaction,
    Need,
    NeedSupport,
    Partner,
    Project,
    ServiceRecord,
)
from partners.policies import is_staff_over
from partners.services.ledger import ledger_post
from partners.services.ledger_accounts import accounts_lock, book_lock
from partners.services.partners import PartnerNotActive

PS = Project.Status
C = Claim.Status


class SlotsFull(DomainError):
    code = "slots_full"
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("名额已满。")


def _record_project_move(*, obj: Project, frm: str, to: str, actor: User | None, note: str) -> None:
    audit_record(actor=actor, action=AuditEntry.Action.TRANSITION, obj=obj, changes={"from": frm, "to": to})


PROJECT_FLOW = Workflow(
    model=Project,
    moves={PS.PUBLISHED: {PS.CLOSED: {"closed_at"}}, PS.CLOSED: {}},
    record=_record_project_move,
    labels=dict(PS.choices),
    noun=gettext_lazy("项目"),
    stale_detail=gettext_lazy("该项目刚被其他工作人员处理过。"),
)

NS = Need.Status


def _record_need_move(*, obj: Need, frm: str, to: str, actor: User | None, note: str) -> None:
    """The need's timeline entry, and a word to the resident who raised it (never to the actor)."""
    audit_record(
        actor=actor, action=AuditEntry.Action.TRANSITION, obj=obj, changes={"from": frm, "to": to, "note": note}
    )
    if to == NS.ADOPTED and obj.submitted_by_id != getattr(actor, "pk", None):
        notification_enqueue(
            recipients=[obj.submitted_by],
            key=f"need:{obj.pk}:{to}",
            title=_("您提出的需求“%(title)s”已立项") % {"title": obj.title},
            body=note,
            url=reverse("partners:projects"),
        )


NEED_FLOW = Workflow(
    model=Need,
    moves={NS.OPEN: {NS.ADOPTED: set()}, NS.ADOPTED: {}},
    record=_record_need_move,
    labels=dict(NS.choices),
    noun=gettext_lazy("需求"),
    stale_detail=gettext_lazy("该需求刚被其他工作人员立项，请刷新后查看。"),
)

CLAIM_FLOW = Workflow(
    model=Claim,
    moves={C.CLAIMED: {C.DONE: set(), C.NO_SHOW: set()}, C.DONE: {}, C.NO_SHOW: {}},
    labels=dict(C.choices),
    noun=gettext_lazy("认领"),
    stale_detail=gettext_lazy("该认领刚被其他工作人员标记过。"),
)


# --- Needs --------------------------------------------------------------------------------------


@transaction.atomic
def need_submit(*, community: Area, title: str, actor: User, description: str = "") -> Need:
    if community.level != Area.Level.COMMUNITY:
        raise DomainError(_("请选择一个社区。"), code="not_a_community")
    if not title.strip():
        raise DomainError(_("请填写需求。"), code="title_required")
    need = Need.objects.create(community=community, title=title.strip(), description=description, submitted_by=actor)
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=need)
    return need


@transaction.atomic
def need_support(*, need: Need, actor: User) -> Need:
    """Support another resident's need, once."""
    if need.submitted_by_id == actor.pk:
        raise Conflict(_("不能支持自己提出的需求。"), code="own_need")
    try:
        with transaction.atomic():
            NeedSupport.objects.create(need=need, user=actor)
    except IntegrityError as exc:
        raise Conflict(_("您已经支持过这条需求。"), code="already_supported") from exc
    Need.objects.filter(pk=need.pk).update(supporters=F("supporters") + 1)
    need.refresh_from_db(fields=["supporters"])
    return need


# --- Projects -----------------------------------------------------------------------------------


@transaction.atomic
def project_publish(
    *,
    community: Area,
    title: str,
    slots: int,
    points_per_slot: int,
    actor: User,
    need: Need | None = None,
    description: str = "",
    skills: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Project:
    if slots is None or int(slots) <= 0:
        raise DomainError(_("名额必须大于零。"), code="invalid_slots")
    if points_per_slot is None or int(points_per_slot) <= 0:
        raise DomainError(_("每人积分必须大于零。"), code="invalid_points")
    if need is not None and need.community_id != community.pk:
        raise DomainError(_("该需求不属于本社区。"), code="other_community")
    if need is not None:
        # The need moves first (compare-and-set): two staff publishing from one need make one project.
        NEED_FLOW.transition(need, to=NS.ADOPTED, actor=actor, note=title.strip())
    project = Project.objects.create(
        community=community,
        need=need,
        title=title.strip(),
        description=description,
        skills=skills,
        slots=int(slots),
        points_per_slot=int(points_per_slot),
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=project, changes={"slots": project.slots})
    return project


@transaction.atomic
def project_claim(*, project: Project, partner: Partner, actor: User) -> Claim:
    if not partner.is_active:
        raise PartnerNotActive()
    if project.community_id != partner.community_id:
        raise DomainError(_("该项目不属于您所在的社区。"), code="other_community")
    if project.status != PS.PUBLISHED:
        raise Conflict(_("该项目已结项，不能再认领。"), code="project_closed")
    if Claim.objects.filter(project=project, partner=partner).exists():
        raise Conflict(_("您已经认领过这个项目。"), code="already_claimed")
    taken = Project.objects.filter(pk=project.pk, status=PS.PUBLISHED, claimed__lt=F("slots")).update(
        claimed=F("claimed") + 1
    )
    if not taken:
        raise SlotsFull()
    try:
        with transaction.atomic():
            claim = Claim.objects.create(project=project, partner=partner)
    except IntegrityError as exc:  # the same partner's concurrent twin won; its slot stays, this one's goes
        raise Conflict(_("您已经认领过这个项目。"), code="already_claimed") from exc
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=claim)
    return claim


@transaction.atomic
def claim_mark(*, claim: Claim, outcome: str, actor: User) -> Claim:
    """Staff mark attendance: done or no-show."""
    if outcome not in (C.DONE, C.NO_SHOW):
        raise DomainError(_("不支持的操作。"), code="unknown_action")
    if claim.project.status != PS.PUBLISHED:
        raise Conflict(_("该项目已结项。"), code="project_closed")
    CLAIM_FLOW.transition(claim, to=outcome, actor=actor)
    audit_record(actor=actor, action=AuditEntry.Action.TRANSITION, obj=claim, changes={"to": outcome})
    return claim


@transaction.atomic
def project_close(*, project: Project, actor: User) -> Project:
    """Close the project and post each completed claim's points (once)."""
    community = project.community
    book = book_lock(community=community)
    PROJECT_FLOW.transition(project, to=PS.CLOSED, actor=actor, changes={"closed_at": timezone.now()})
    claims = list(Claim.objects.filter(project=project, status=C.DONE).select_related("partner"))
    if claims:  # every account of the closing, locked and read in one statement
        accounts_lock(book=book, refs=[Account.Kind.ISSUED, *(claim.partner for claim in claims)])
    for claim in claims:
        ledger_post(
            community=community,
            kind=LedgerTransaction.Kind.EARN,
            key=f"project:{project.pk}:claim:{claim.pk}",
            lines=[(Account.Kind.ISSUED, -project.points_per_slot), (claim.partner, project.points_per_slot)],
            actor=actor,
            memo=project.title,
            book=book,
        )
        notification_enqueue(
            recipients=claim.partner.users.all(),
            key=f"project:{project.pk}:claim:{claim.pk}:posted",
            title=_("项目“%(title)s”已结项，获得 %(points)d 积分")
            % {"title": project.title, "points": project.points_per_slot},
        )
    return project


def evaluator_role(*, user: User, community: Area) -> str | None:
    """Staff over the community, or a resident living in it; None for anyone else."""

    if is_staff_over(user=user, community=community):
        return Evaluation.Role.STAFF
    paths = jurisdiction_paths(user=user, roles={Role.RESIDENT}) or []
    if any(path.startswith(community.path) for path in paths):
        return Evaluation.Role.RESIDENT
    return None


@transaction.atomic
def evaluation_add(*, project: Project, partner: Partner, evaluator: User, score: int, comment: str = "") -> Evaluation:
    if not 1 <= int(score) <= 5:
        raise DomainError(_("评分须为1到5分。"), code="invalid_score")
    role = evaluator_role(user=evaluator, community=project.community)
    if role is None:
        raise DomainError(_("只有本社区的居民代表和工作人员可以评价。"), code="not_evaluator")
    if not Claim.objects.filter(project=project, partner=partner).exists():
        raise DomainError(_("该合伙人没有参与这个项目。"), code="not_in_project")
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                project=project, partner=partner, evaluator=evaluator, role=role, score=int(score), comment=comment
            )
    except IntegrityError as exc:
        raise Conflict(_("您已经评价过该合伙人在这个项目中的表现。"), code="already_evaluated") from exc
    audit_record(actor=evaluator, action=AuditEntry.Action.CREATE, obj=evaluation, changes={"score": int(score)})
    return evaluation


# --- Appeals -------------------------------------------------------------------------------------

AP = EvaluationAppeal.Status


def _record_appeal_move(*, obj: EvaluationAppeal, frm: str, to: str, actor: User | None, note: str) -> None:
    audit_record(
        actor=actor, action=AuditEntry.Action.TRANSITION, obj=obj, changes={"from": frm, "to": to, "note": note}
    )
    if to == AP.UPHELD:
        Evaluation.objects.filter(pk=obj.evaluation_id).update(excluded=True)
    notification_enqueue(
        recipients=obj.evaluation.partner.users.all(),
        key=f"appeal:{obj.pk}:{to}",
        title=_("评价申诉已处理：%(result)s") % {"result": AP(to).label},
        body=note,
    )


APPEAL_FLOW = Workflow(
    model=EvaluationAppeal,
    moves={
        AP.PENDING: {AP.UPHELD: {"decided_by", "decision_note"}, AP.DISMISSED: {"decided_by", "decision_note"}},
        AP.UPHELD: {},
        AP.DISMISSED: {},
    },
    record=_record_appeal_move,
    labels=dict(AP.choices),
    noun=gettext_lazy("申诉"),
    stale_detail=gettext_lazy("该申诉刚被其他工作人员处理过。"),
)


@transaction.atomic
def evaluation_appeal(*, evaluation: Evaluation, actor: User, reason: str) -> EvaluationAppeal:
    """The evaluated partner contests an evaluation, once, with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("申诉必须填写理由。"), code="reason_required")
    try:
        with transaction.atomic():
            appeal = EvaluationAppeal.objects.create(evaluation=evaluation, reason=reason, appealed_by=actor)
    except IntegrityError as exc:
        raise Conflict(_("这条评价已经申诉过。"), code="already_appealed") from exc
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=appeal)
    return appeal


@transaction.atomic
def appeal_decide(*, appeal: EvaluationAppeal, uphold: bool, actor: User, note: str = "") -> EvaluationAppeal:
    return APPEAL_FLOW.transition(
        appeal,
        to=AP.UPHELD if uphold else AP.DISMISSED,
        actor=actor,
        note=note,
        changes={"decided_by": actor, "decision_note": note},
    )


def partner_ranking(*, community: Area, year: int, limit: int = 10) -> list[dict]:
    """The year's 优秀合伙人 of a community: points earned that year (services and projects), then credit."""

    rows = (
        LedgerEntry.objects.filter(
            account__partner__community=community,
            account__partner__status=Partner.Status.ACTIVE,
            amount__gt=0,
            transaction__kind=LedgerTransaction.Kind.EARN,
            transaction__created_at__year=year,
        )
        .values("account__partner_id", "account__partner__name")
        .annotate(points=models_sum("amount"))
        .order_by("-points", "account__partner_id")[:limit]
    )
    return [
        {"rank": i, "partner": r["account__partner_id"], "name": r["account__partner__name"], "points": r["points"]}
        for i, r in enumerate(rows, start=1)
    ]


# --- Credit profile (信用档案): derived, never typed in ----------------------------------------

CREDIT_FORMULA = gettext_lazy(
    "信用分 = 40 × 完成率 + 8 × 平均评价 + 已核实服务次数（最多20）− 5 × 未到场次数，取0到100之间；"
    "尚无认领时完成率按100%计，尚无评价时平均评价按3分计；申诉成立的评价不计入。"
)


@dataclass(frozen=True)
class CreditProfile:
    partner: int
    verified_contributions: int
    average_evaluation: float | None
    completed: int
    no_shows: int
    completion_rate: float | None
    score: int
    formula: str


def credit_profile(*, partner: Partner) -> CreditProfile:
    verified = ServiceRecord.objects.filter(partner=partner, status=ServiceRecord.Status.VERIFIED).count()
    claims = Claim.objects.filter(partner=partner).aggregate(
        done=Count("pk", filter=Q(status=C.DONE)), no_show=Count("pk", filter=Q(status=C.NO_SHOW))
    )
    done, no_show = claims["done"], claims["no_show"]
    average = Evaluation.objects.filter(partner=partner, excluded=False).aggregate(avg=Avg("score"))["avg"]
    rate = done / (done + no_show) if done + no_show else None
    raw = 40 * (1.0 if rate is None else rate) + 8 * (3.0 if average is None else float(average))
    raw += min(verified, 20) - 5 * no_show
    return CreditProfile(
        partner=partner.pk,
        verified_contributions=verified,
        average_evaluation=round(float(average), 2) if average is not None else None,
        completed=done,
        no_shows=no_show,
        completion_rate=round(rate, 4) if rate is not None else None,
        score=max(0, min(100, round(raw))),
        formula=str(CREDIT_FORMULA),
    )
