"""The agreement of each round of mediation, the parties' signatures on it, the day it takes
effect, its follow-up visits and its judicial confirmation. Permission-free: callers ask
``mediation.policies`` first.

Rounds. A case has at most one *current* agreement (``Agreement.superseded_at`` empty). When the
case is reopened (a follow-up found the dispute back, or a mediator reopened it) the round is
over: :func:`case_reopen` supersedes the current agreement and cancels its pending visits, each
through the workflow kit with its timeline entry. The case mediates again and may record a new
agreement (round 2, …); the earlier ones stay, with their signatures, confirmation and visits, as
history.

The day the agreement takes effect (``Agreement.effective_on``) is the date of the last party
signature, once every party of the case has signed (the case cannot be closed before). The
follow-ups (+7 and +30 days) and the judicial-confirmation window (30 days, warned at day 20)
count from it:

- The visits are created with the agreement, provisionally due from its own date (``signed_on``:
  when the parties sign at the table, as they mostly do, that *is* the day it takes effect), so the
  mediator's list shows them from the start.
- Whenever the effective day is settled or changes — the last signature recorded (in person or
  after the fact), or a withdrawal followed by a new signature — :func:`agreement_settle` writes
  ``effective_on`` and moves the *pending* visits to count from it. Each visit moves with the kit's
  clock write (compare-and-set on ``version``, like the reminder clock in ``clock.py``), its
  reminder and overdue stamps cleared so the clock tells about the new date (the notification keys
  carry the due date); one timeline entry says when the agreement took effect and the new dates.
  Visits already made stay as they are.
- A withdrawal that leaves a party unsigned takes the effective day away (``effective_on`` empty:
  not in force, no confirmation window) and leaves the visits where they were until it takes
  effect again.
- Judicial confirmation may be applied for only while the agreement is in force, no earlier than
  the day it took effect and no later than 30 days after it.

A signature recorded wrongly is withdrawn (:func:`signature_withdraw`), with a reason, by the
case's mediators: never once the confirmation has been applied for (the court has the agreement
as signed) nor once the case is closed.

This module keeps the agreement, the day it takes effect, the visits' table and dates, and the end
of a round; the signatures are in ``signatures.py``, the record of a visit in ``follow_ups.py`` and
the judicial confirmation in ``confirmation.py``.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.exceptions import Conflict, StaleState
from governance.models import AuditEntry, User
from governance.services import audit_record
from governance.workflow import Workflow
from mediation.models import Agreement, AgreementSignature, Case, CaseTimelineEntry, FollowUp, Party
from mediation.services.cases import case_transition, deadline_days, timeline_add

S = Case.Status
CONFIRMATION_WINDOW_DAYS = 30
CONFIRMATION_WARN_DAY = 20
FOLLOW_UPS = ((FollowUp.Kind.WEEK, 7), (FollowUp.Kind.MONTH, 30))
FOLLOW_UP_DAYS = dict(FOLLOW_UPS)

# The agreement's own columns (effective_on, superseded_at, confirmation_warned_at) have no status
# to move: every write of them is a clock write of the kit, a compare-and-set on ``version``.
AGREEMENT_CLOCK = Workflow(model=Agreement, moves={})


def _stale() -> StaleState:
    return StaleState(_("调解协议刚被其他人更新，请刷新后重试。"))


def current_agreement(*, case: Case, lock: bool = False) -> Agreement | None:
    """The case's current agreement (the latest round not superseded), locked on PostgreSQL."""
    qs = Agreement.objects.filter(case=case, superseded_at__isnull=True)
    if lock and connection.features.has_select_for_update:
        qs = qs.select_for_update()
    return qs.order_by("-round").first()


def live_signatures(agreement: Agreement):
    return AgreementSignature.objects.filter(agreement=agreement, withdrawn_at__isnull=True)


def effective_date(*, agreement: Agreement) -> date | None:
    """The day the agreement takes effect: the last signature's date once every party of the case
    has signed (None while anyone has not)."""
    parties = set(Party.objects.filter(case_id=agreement.case_id).values_list("pk", flat=True))
    signed = dict(live_signatures(agreement).values_list("party_id", "signed_on"))
    if not parties or not parties <= set(signed):
        return None
    return max(signed[pk] for pk in parties)


def follow_up_base(agreement: Agreement) -> date:
    """What the visits count from: the day it took effect, provisionally its own date."""
    return agreement.effective_on or agreement.signed_on


# --- Follow-up visits: their table ------------------------------------------------------------


def _record_follow_up(*, obj: FollowUp, frm: str, to: str, actor, note: str) -> None:
    if to == FollowUp.Status.CANCELLED:
        text = _("%(kind)s（%(date)s）已取消：%(note)s") % {
            "kind": obj.get_kind_display(),
            "date": obj.due_on.isoformat(),
            "note": note,
        }
    else:
        text = _("%(kind)s：%(outcome)s。%(note)s") % {
            "kind": obj.get_kind_display(),
            "outcome": obj.get_outcome_display(),
            "note": note,
        }
    timeline_add(case=obj.case, kind=CaseTimelineEntry.Kind.FOLLOW_UP, actor=actor, note=text)


FOLLOW_UP_FLOW = Workflow(
    model=FollowUp,
    moves={
        FollowUp.Status.PENDING: {
            FollowUp.Status.DONE: {"outcome", "note", "done_at", "done_by"},
            FollowUp.Status.CANCELLED: {"note", "done_at"},
        },
        FollowUp.Status.DONE: {},
        FollowUp.Status.CANCELLED: {},
    },
    record=_record_follow_up,
    labels=dict(FollowUp.Status.choices),
    noun=gettext_lazy("回访"),
)


def _schedule(base: date, days: int) -> dict:
    due = base + timedelta(days=days)
    return {"due_on": due, "remind_on": due - timedelta(days=1)}


def _follow_ups_move(*, agreement: Agreement, base: date) -> list[str]:
    """Move the agreement's pending visits to count from ``base`` (the kit's clock write, retried
    on a fresh row when the reminder clock ticked in between). Returns the new dates."""
    moved = []
    for follow_up in FollowUp.objects.filter(agreement=agreement, status=FollowUp.Status.PENDING):
        for _attempt in range(3):
            changes = _schedule(base, FOLLOW_UP_DAYS[follow_up.kind])
            if follow_up.due_on == changes["due_on"]:
                break
            changes.update(reminded_at=None, overdue_reported_at=None)
            if FOLLOW_UP_FLOW.clock_write(follow_up, changes=changes, where=Q(status=FollowUp.Status.PENDING)):
                moved.append(
                    _("%(kind)s改为 %(date)s") % {"kind": follow_up.get_kind_display(), "date": changes["due_on"]}
                )
                break
            follow_up.refresh_from_db()
            if follow_up.status != FollowUp.Status.PENDING:
                break
        else:
            raise _stale()
    return moved


# --- The agreement ----------------------------------------------------------------------------


@transaction.atomic
def agreement_record(
    *, case: Case, actor: User, terms: str, signed_on: date, performance_due: date | None = None
) -> Agreement:
    """Record this round's agreement (never dated in the future): the case becomes ``agreed`` and
    its follow-ups are scheduled 7 and 30 days on, provisionally from the agreement's date until it
    takes effect (:func:`agreement_settle`). A case reopened after an earlier agreement records a
    new one here (the next round); the earlier one stays as history."""
    terms = (terms or "").strip()
    today = timezone.localdate()
    errors = {}
    if not terms:
        errors["terms"] = [_("请填写协议内容。")]
    if signed_on is None:
        errors["signed_on"] = [_("请填写签订日期。")]
    elif signed_on > today:
        errors["signed_on"] = [_("签订日期不能晚于今天。")]
    if performance_due is not None and signed_on is not None and performance_due < signed_on:
        errors["performance_due"] = [_("履行期限不能早于签订日期。")]
    if errors:
        raise ValidationError(errors)
    if current_agreement(case=case) is not None:
        raise Conflict(_("本案已有调解协议。"), code="agreement_exists")
    case_transition(
        case=case, to=S.AGREED, actor=actor, note=_("签订调解协议（%(date)s）") % {"date": signed_on.isoformat()}
    )
    last = Agreement.objects.filter(case=case).aggregate(last=Max("round"))["last"] or 0
    agreement = Agreement.objects.create(
        case=case,
        round=last + 1,
        terms=terms,
        signed_on=signed_on,
        performance_due=performance_due,
        recorded_by=actor,
    )
    for kind, days in FOLLOW_UPS:
        FollowUp.objects.create(case=case, agreement=agreement, kind=kind, **_schedule(signed_on, days))
    timeline_add(
        case=case,
        kind=CaseTimelineEntry.Kind.AGREEMENT,
        actor=actor,
        note=(_("第%(round)d轮调解协议。") % {"round": agreement.round} if agreement.round > 1 else "")
        + _("回访安排：%(week)s、%(month)s")
        % {"week": (signed_on + timedelta(days=7)).isoformat(), "month": (signed_on + timedelta(days=30)).isoformat()},
    )
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=agreement, object_repr=case.number)
    return agreement


def agreement_settle(*, agreement: Agreement, actor: User | None) -> Agreement:
    """Re-evaluate the day the agreement takes effect after its signatures changed; when it
    changed, write it (and clear the day-20 warning stamp: the window moved) and move the pending
    visits to count from it. Runs inside the caller's transaction."""
    effective = effective_date(agreement=agreement)
    for _attempt in range(3):
        if effective == agreement.effective_on:
            return agreement
        if AGREEMENT_CLOCK.clock_write(
            agreement,
            changes={"effective_on": effective, "confirmation_warned_at": None},
            where=Q(superseded_at__isnull=True),
        ):
            break
        agreement.refresh_from_db()  # the day-20 clock stamped it since it was read
        if agreement.superseded_at is not None:
            raise _stale()
    else:
        raise _stale()
    case = agreement.case
    if effective is None:
        note = _("有当事人签字被撤回，协议尚未生效；回访日期暂不变动。")
    else:
        moved = _follow_ups_move(agreement=agreement, base=effective)
        note = _("协议自 %(date)s 起生效（最后一位当事人签字之日）；申请司法确认的截止日期为 %(deadline)s。") % {
            "date": effective.isoformat(),
            "deadline": (effective + timedelta(days=CONFIRMATION_WINDOW_DAYS)).isoformat(),
        }
        if moved:
            note += _("回访改期：%(dates)s。") % {"dates": "、".join(moved)}
    timeline_add(case=case, kind=CaseTimelineEntry.Kind.AGREEMENT, actor=actor, note=note)
    return agreement


# --- Reopening: the round is over -------------------------------------------------------------


@transaction.atomic
def case_reopen(*, case: Case, actor: User | None, note: str = "") -> Case:
    """Reopen a closed case (the dispute is back): a new mediation round. The current agreement,
    if any, is superseded — kept with its signatures, confirmation and visits as an earlier round —
    and its pending visits are cancelled, each through the kit with its timeline entry."""
    due = timezone.localdate() + timedelta(days=deadline_days())
    case = case_transition(
        case=case, to=S.REOPENED, actor=actor, note=note, changes={"closed_at": None, "deadline": due}
    )
    agreement = current_agreement(case=case, lock=True)
    if agreement is None:
        return case
    now = timezone.now()
    for follow_up in FollowUp.objects.filter(agreement=agreement, status=FollowUp.Status.PENDING):
        FOLLOW_UP_FLOW.transition(
            follow_up,
            to=FollowUp.Status.CANCELLED,
            actor=actor,
            note=_("案件重新启动，本次回访取消"),
            changes={"note": _("案件重新启动，本次回访取消"), "done_at": now},
        )
    if not AGREEMENT_CLOCK.clock_write(agreement, changes={"superseded_at": now}, where=Q(superseded_at__isnull=True)):
        raise _stale()
    timeline_add(
        case=case,
        kind=CaseTimelineEntry.Kind.AGREEMENT,
        actor=actor,
        note=_("第%(round)d轮调解协议（%(date)s）因案件重新启动而失效，作为历史保留。")
        % {"round": agreement.round, "date": agreement.signed_on.isoformat()},
    )
    audit_record(
        actor=actor, action=AuditEntry.Action.UPDATE, obj=agreement, object_repr=case.number,
        changes={"superseded": True},
    )  # fmt: skip
    return case
