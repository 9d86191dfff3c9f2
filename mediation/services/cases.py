"""Cases: the transition table and its moves, and the case's append-only timeline.

Every status move goes through ``CASE_FLOW`` (the core's workflow kit). Escalation is in the same
table as a move from each open state to itself that may write only the tier columns: the row keeps
its status, the compare-and-set on status and version still guards it, and the hand-over is
appended to the timeline in the same transaction. Services are permission-free: callers ask
``mediation.policies`` first.
"""

from collections.abc import Mapping
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.exceptions import Conflict, InvalidTransition
from governance.models import AuditEntry, User
from governance.services import audit_record
from governance.workflow import Workflow
from mediation.models import Case, CaseTimelineEntry
from mediation.selectors import unsigned_parties

S = Case.Status
ESCALATE = ("tier", "handling_area", "deadline")


def deadline_days() -> int:
    return int(getattr(settings, "MEDIATION_DEADLINE_DAYS", 30))


def timeline_add(
    *,
    case: Case,
    kind: str,
    actor: User | None = None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    tier: str = "",
    handover: Mapping | None = None,
) -> CaseTimelineEntry:
    return CaseTimelineEntry.objects.create(
        case=case,
        kind=kind,
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        from_status=from_status,
        to_status=to_status,
        note=note,
        tier=tier,
        handover=dict(handover or {}),
    )


def _record_move(*, obj: Case, frm: str, to: str, actor: User | None, note: str) -> None:
    """Every status move: one append-only timeline entry and one audit entry (escalation, a move
    to the same status, writes its own entry with the hand-over)."""
    if frm == to:
        return
    timeline_add(
        case=obj, kind=CaseTimelineEntry.Kind.TRANSITION, actor=actor, from_status=frm, to_status=to, note=note
    )
    audit_record(actor=actor, action=AuditEntry.Action.TRANSITION, obj=obj, changes={"from": frm, "to": to})


# from → {to: the columns that move may write, besides status, version and the timestamps}
CASE_FLOW = Workflow(
    model=Case,
    moves={
        S.REGISTERED: {
            S.ACCEPTED: {"accepted_at", "deadline"},
            S.DECLINED: {"decline_reason", "closed_at"},
            S.REGISTERED: set(ESCALATE),
        },
        S.ACCEPTED: {S.MEDIATING: set(), S.ACCEPTED: set(ESCALATE)},
        S.MEDIATING: {S.AGREED: set(), S.FAILED: {"fail_reason"}, S.MEDIATING: set(ESCALATE)},
        S.AGREED: {S.CLOSED: {"closed_at"}},
        S.FAILED: {S.REFERRED: {"referred_to", "closed_at"}, S.CLOSED: {"closed_at"}, S.FAILED: set(ESCALATE)},
        S.CLOSED: {S.REOPENED: {"closed_at", "deadline"}},
        S.REOPENED: {S.MEDIATING: set(), S.REOPENED: set(ESCALATE)},
        S.DECLINED: {},
        S.REFERRED: {},
    },
    record=_record_move,
    labels=dict(S.choices),
    noun=gettext_lazy("案件"),
    stale_detail=gettext_lazy("该案件刚被其他人处理过，请刷新后查看最新状态。"),
)
CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    frm: frozenset(to for to in targets if to != frm) for frm, targets in CASE_FLOW.table().items()
}


def case_transition(*, case: Case, to: str, actor: User | None, note: str = "", changes=None) -> Case:
    """A status move (409 ``invalid_transition`` when the table has none). A move to the status the
    case already holds is refused here: in the table that entry is escalation's, not a move's."""
    if to == case.status:
        raise InvalidTransition(
            frm=case.status,
            to=to,
            detail=_("案件当前已是“%(status)s”。") % {"status": case.get_status_display()},
        )
    return CASE_FLOW.transition(case, to=to, actor=actor, note=note, changes=changes)


# --- Moves ----------------------------------------------------------------------------------


def case_accept(*, case: Case, actor: User, note: str = "") -> Case:
    now = timezone.now()
    due = timezone.localdate(now) + timedelta(days=deadline_days())
    return case_transition(
        case=case, to=S.ACCEPTED, actor=actor, note=note, changes={"accepted_at": now, "deadline": due}
    )


def case_decline(*, case: Case, actor: User, reason: str) -> Case:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请说明不予受理的原因（如：不属于调解范围）。")})
    return case_transition(
        case=case,
        to=S.DECLINED,
        actor=actor,
        note=reason,
        changes={"decline_reason": reason[:300], "closed_at": timezone.now()},
    )


def case_start(*, case: Case, actor: User, note: str = "") -> Case:
    return case_transition(case=case, to=S.MEDIATING, actor=actor, note=note)


def case_fail(*, case: Case, actor: User, reason: str = "") -> Case:
    return case_transition(
        case=case, to=S.FAILED, actor=actor, note=reason, changes={"fail_reason": (reason or "")[:300]}
    )


def case_refer(*, case: Case, actor: User, to: str, note: str = "") -> Case:
    if to not in Case.ReferredTo.values:
        raise ValidationError({"to": _("请选择移交去向：人民法院、仲裁机构或行政机关。")})
    label = Case.ReferredTo(to).label
    return case_transition(
        case=case,
        to=S.REFERRED,
        actor=actor,
        note=_("移交%(to)s。%(note)s") % {"to": label, "note": note},
        changes={"referred_to": to, "closed_at": timezone.now()},
    )


def case_close(*, case: Case, actor: User | None, note: str = "", agreement_failed: bool = False) -> Case:
    """Close the case. An agreed case closes only once every party has signed the agreement
    (409 ``unsigned_parties`` naming who has not) — unless the agreement has failed anyway
    (``agreement_failed``: a follow-up found the dispute back and the case is to be reopened)."""
    if case.status == S.AGREED and not agreement_failed:
        unsigned = unsigned_parties(case=case)
        if unsigned:
            raise Conflict(
                _("以下当事人尚未在调解协议上签字，不能结案：%(names)s。请先登记签字。")
                % {"names": "、".join(f"{p.get_role_display()} {p.name_masked}" for p in unsigned)},
                code="unsigned_parties",
            )
    return case_transition(case=case, to=S.CLOSED, actor=actor, note=note, changes={"closed_at": timezone.now()})
