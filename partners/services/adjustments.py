"""Manual adjustments: a reason always; above ``POINTS_APPROVAL_THRESHOLD`` (default 200) a second,
different staff member approves before anything posts (two-person rule)."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.exceptions import DomainError
from governance.models import AuditEntry, Role, User
from governance.outbox import notification_enqueue
from governance.selectors import users_with_role_in_area
from governance.services import audit_record
from governance.workflow import Workflow
from partners.models import Account, LedgerBook, LedgerTransaction, Partner, PointsAdjustment
from partners.services.ledger import ledger_post
from partners.services.ledger_accounts import book_lock
from partners.services.partners import PartnerNotActive, ReasonRequired

A = PointsAdjustment.Status


def approval_threshold() -> int:
    return int(getattr(settings, "POINTS_APPROVAL_THRESHOLD", 200))


def _record_adjustment_move(*, obj: PointsAdjustment, frm: str, to: str, actor: User | None, note: str) -> None:
    audit_record(actor=actor, action=AuditEntry.Action.TRANSITION, obj=obj, changes={"from": frm, "to": to})


ADJUSTMENT_FLOW = Workflow(
    model=PointsAdjustment,
    moves={A.PENDING_APPROVAL: {A.POSTED: {"approved_by"}, A.REJECTED: {"approved_by"}}, A.POSTED: {}, A.REJECTED: {}},
    record=_record_adjustment_move,
    labels=dict(A.choices),
    noun=gettext_lazy("积分调整"),
    stale_detail=gettext_lazy("该调整刚被其他工作人员复核过。"),
)


class OwnAdjustment(DomainError):
    code = "own_adjustment"
    status_code = 403
    default_detail = gettext_lazy("不能复核自己提出的调整，请由另一位工作人员复核。")


def _post(adjustment: PointsAdjustment, actor: User, book: LedgerBook | None = None) -> None:
    ledger_post(
        community=adjustment.partner.community,
        kind=LedgerTransaction.Kind.ADJUST,
        key=adjustment.ledger_key,
        lines=[(Account.Kind.ISSUED, -adjustment.points), (adjustment.partner, adjustment.points)],
        actor=actor,
        memo=adjustment.reason,
        book=book,
    )


@transaction.atomic
def adjustment_request(*, partner: Partner, points: int, reason: str, actor: User) -> PointsAdjustment:
    """Post at once when ``|points|`` is within the threshold, else wait for a second approver."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(_("人工调整必须填写原因。"))
    if not points:
        raise DomainError(_("调整积分不能为零。"), code="invalid_points")
    if not partner.is_active:
        raise PartnerNotActive()
    needs_approval = abs(int(points)) > approval_threshold()
    adjustment = PointsAdjustment.objects.create(
        partner=partner,
        points=int(points),
        reason=reason,
        requested_by=actor,
        status=A.PENDING_APPROVAL if needs_approval else A.POSTED,
    )
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=adjustment, changes={"points": int(points)})
    if needs_approval:
        others = users_with_role_in_area(role=Role.COMMUNITY_STAFF, area=partner.community).exclude(pk=actor.pk)
        notification_enqueue(
            recipients=others,
            key=f"adjustment:{adjustment.pk}:requested",
            title=_("积分调整待复核：%(name)s %(points)+d") % {"name": partner.name, "points": int(points)},
            body=reason,
            url=reverse("partners:adjustments"),
        )
    else:
        _post(adjustment, actor)  # the book is locked only now; an overdraft raises and nothing is written
    return adjustment


@transaction.atomic
def adjustment_approve(*, adjustment: PointsAdjustment, actor: User) -> PointsAdjustment:
    if adjustment.requested_by_id == actor.pk:
        raise OwnAdjustment()
    book = book_lock(community=adjustment.partner.community)
    ADJUSTMENT_FLOW.transition(adjustment, to=A.POSTED, actor=actor, changes={"approved_by": actor})
    _post(adjustment, actor, book)
    return adjustment
