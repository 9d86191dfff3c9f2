"""The mediation clock: remind the mediators and the parties 24 hours before a session, remind
the mediators the day before a follow-up visit is due, and tell the supervising centre once when
a visit is overdue.

Like the grid clocks (``grids/services/escalation.py``): a scan reads due ids from an indexed
column (partial indexes ``mediation_session_remind_idx``, ``mediation_followup_remind_idx`` and
``mediation_followup_overdue_idx``),
then claims and stamps each row in its own short transaction — ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, and everywhere the workflow kit's compare-and-set on ``version`` — together with its
timeline entry and its outbox rows. A second run, or a concurrent scanner, notifies nobody twice;
a row that fails is logged and skipped.

The notification keys carry the visit's due date (and the warning's, the day the agreement took
effect): a visit moved when the agreement took effect later (``agreements.agreement_settle``) has
its stamps cleared and is told about once more, for its new date — still once per date.
"""

import logging
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.clock import claim, due_ids, each
from governance.models import User
from governance.outbox import notification_enqueue, notification_enqueue_sms
from mediation import stats
from mediation.models import Agreement, Case, CaseTimelineEntry, FollowUp, Session
from mediation.selectors import acting_mediators, case_supervisors
from mediation.services.agreements import (
    AGREEMENT_CLOCK,
    CONFIRMATION_WARN_DAY,
    CONFIRMATION_WINDOW_DAYS,
    FOLLOW_UP_FLOW,
)
from mediation.services.cases import timeline_add
from mediation.services.confirmation import confirmation_deadline
from mediation.services.work import SESSION_FLOW

logger = logging.getLogger(__name__)
BATCH = 500


def _today(now: datetime | None) -> date:
    return timezone.localdate(now or timezone.now())


def _remind_q(today: date) -> Q:
    return Q(status=FollowUp.Status.PENDING, reminded_at__isnull=True, remind_on__lte=today)


def _overdue_q(today: date) -> Q:
    return Q(status=FollowUp.Status.PENDING, overdue_reported_at__isnull=True, due_on__lt=today)


def _due_follow_ups(q: Q) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(q).select_related("case__handling_area")


def _mediators(follow_up: FollowUp) -> QuerySet[User]:
    return acting_mediators(case_id=follow_up.case_id)


def _url(follow_up: FollowUp) -> str:
    return reverse("mediation:case_detail", args=[follow_up.case_id])


@transaction.atomic
def follow_up_remind(*, follow_up_id: int, now: datetime | None = None) -> bool:
    today = _today(now)
    follow_up = claim(_due_follow_ups(_remind_q(today)), follow_up_id)
    if follow_up is None:
        return False
    if not FOLLOW_UP_FLOW.clock_write(
        follow_up, changes={"reminded_at": now or timezone.now()}, where=_remind_q(today)
    ):
        return False
    case = follow_up.case
    timeline_add(
        case=case,
        kind=CaseTimelineEntry.Kind.REMINDER,
        note=_("提醒调解员：%(kind)s应于 %(date)s 完成")
        % {"kind": follow_up.get_kind_display(), "date": follow_up.due_on.isoformat()},
    )
    notification_enqueue(
        recipients=_mediators(follow_up),
        key=f"mediation:follow_up:{follow_up.pk}:remind:{follow_up.due_on.isoformat()}",
        title=_("【回访提醒】案件 %(number)s 的%(kind)s应于 %(date)s 完成")
        % {"number": case.number, "kind": follow_up.get_kind_display(), "date": follow_up.due_on.isoformat()},
        url=_url(follow_up),
    )
    return True


@transaction.atomic
def follow_up_report_overdue(*, follow_up_id: int, now: datetime | None = None) -> bool:
    today = _today(now)
    follow_up = claim(_due_follow_ups(_overdue_q(today)), follow_up_id)
    if follow_up is None:
        return False
    if not FOLLOW_UP_FLOW.clock_write(
        follow_up, changes={"overdue_reported_at": now or timezone.now()}, where=_overdue_q(today)
    ):
        return False
    case = follow_up.case
    timeline_add(
        case=case,
        kind=CaseTimelineEntry.Kind.REMINDER,
        note=_("%(kind)s已逾期（应于 %(date)s 完成），已报告调解中心")
        % {"kind": follow_up.get_kind_display(), "date": follow_up.due_on.isoformat()},
    )
    notification_enqueue(
        recipients=case_supervisors(case=case),
        key=f"mediation:follow_up:{follow_up.pk}:overdue:{follow_up.due_on.isoformat()}",
        title=_("【回访逾期】案件 %(number)s 的%(kind)s已逾期")
        % {"number": case.number, "kind": follow_up.get_kind_display()},
        body=_("应于 %(date)s 完成回访。") % {"date": follow_up.due_on.isoformat()},
        url=_url(follow_up),
        email=True,
    )
    return True


def follow_ups_remind_due(*, now: datetime | None = None, limit: int = BATCH) -> int:
    today = _today(now)
    ids = due_ids(FollowUp.objects.filter(_remind_q(today)), "remind_on", limit)
    return each(ids, lambda pk: follow_up_remind(follow_up_id=pk, now=now), "Follow-up reminder")


def follow_ups_report_overdue(*, now: datetime | None = None, limit: int = BATCH) -> int:
    today = _today(now)
    ids = due_ids(FollowUp.objects.filter(_overdue_q(today)), "due_on", limit)
    return each(ids, lambda pk: follow_up_report_overdue(follow_up_id=pk, now=now), "Follow-up overdue report")


# --- Sessions: 24 hours before -------------------------------------------------------------


def _session_q(now: datetime) -> Q:
    return Q(status=Session.Status.SCHEDULED, reminded_at__isnull=True, remind_at__lte=now, scheduled_at__gt=now)


@transaction.atomic
def session_remind(*, session_id: int, now: datetime | None = None) -> bool:
    """Remind the case's mediators (inbox) and the parties (SMS) of a session 24 hours ahead, once.
    The parties' text names the time and place only: nothing about the dispute."""
    now = now or timezone.now()
    session = claim(Session.objects.filter(_session_q(now)).select_related("case"), session_id)
    if session is None or not SESSION_FLOW.clock_write(session, changes={"reminded_at": now}, where=_session_q(now)):
        return False
    case = session.case
    when = timezone.localtime(session.scheduled_at).strftime("%Y-%m-%d %H:%M")
    where = session.place if session.mode == Session.Mode.IN_PERSON else _("视频（链接见调解员通知）")
    notification_enqueue(
        recipients=acting_mediators(case_id=case.pk),
        key=f"mediation:session:{session.pk}:remind",
        title=_("【调解会提醒】案件 %(number)s 的调解会将于 %(when)s 召开") % {"number": case.number, "when": when},
        body=session.place or session.video_link,
        url=reverse("mediation:case_detail", args=[case.pk]),
    )
    for phone in set(case.parties.exclude(phone="").values_list("phone", flat=True)):
        notification_enqueue_sms(
            phone=phone,
            key=f"mediation:session:{session.pk}:remind",
            text=_("【调解会提醒】您参加的调解会将于 %(when)s 召开，地点：%(where)s。")
            % {"when": when, "where": where},
        )
    timeline_add(case=case, kind=CaseTimelineEntry.Kind.REMINDER, note=_("已提醒调解会（%(when)s）") % {"when": when})
    return True


def sessions_remind_due(*, now: datetime | None = None, limit: int = BATCH) -> int:
    now = now or timezone.now()
    ids = due_ids(Session.objects.filter(_session_q(now)), "remind_at", limit)
    return each(ids, lambda pk: session_remind(session_id=pk, now=now), "Session reminder")


# --- Judicial confirmation: day 20 of 30 ----------------------------------------------------


def _warn_q(today: date) -> Q:
    return Q(
        confirmation_warned_at__isnull=True,
        superseded_at__isnull=True,
        confirmation__isnull=True,
        case__status=Case.Status.AGREED,
        effective_on__lte=today - timedelta(days=CONFIRMATION_WARN_DAY),
        effective_on__gte=today - timedelta(days=CONFIRMATION_WINDOW_DAYS),
    )


@transaction.atomic
def confirmation_warn(*, agreement_id: int, now: datetime | None = None) -> bool:
    """Tell the mediators, once per effective day, that the window to apply for judicial
    confirmation closes soon (counted from the day the agreement took effect)."""
    now = now or timezone.now()
    today = _today(now)
    agreement = claim(Agreement.objects.filter(_warn_q(today)).select_related("case"), agreement_id)
    if agreement is None or not AGREEMENT_CLOCK.clock_write(
        agreement, changes={"confirmation_warned_at": now}, where=_warn_q(today)
    ):
        return False
    case = agreement.case
    deadline = confirmation_deadline(agreement).isoformat()
    notification_enqueue(
        recipients=acting_mediators(case_id=case.pk),
        key=f"mediation:agreement:{agreement.pk}:confirmation-warn:{agreement.effective_on.isoformat()}",
        title=_("【司法确认】案件 %(number)s 的协议如需司法确认，请于 %(date)s 前申请")
        % {"number": case.number, "date": deadline},
        url=reverse("mediation:case_detail", args=[case.pk]),
    )
    timeline_add(
        case=case,
        kind=CaseTimelineEntry.Kind.REMINDER,
        note=_("提醒：申请司法确认的期限为 %(date)s") % {"date": deadline},
    )
    return True


def confirmations_warn_due(*, now: datetime | None = None, limit: int = BATCH) -> int:
    today = _today(now)
    ids = due_ids(Agreement.objects.filter(_warn_q(today)), "effective_on", limit)
    return each(ids, lambda pk: confirmation_warn(agreement_id=pk, now=now), "Confirmation warning")


def follow_up_clock(*, now: datetime | None = None) -> dict[str, int]:
    """One tick of the clock: session reminders, follow-up reminders, overdue reports, and the
    judicial-confirmation warning at day 20."""
    return {
        "confirmations": confirmations_warn_due(now=now),
        "sessions": sessions_remind_due(now=now),
        "reminded": follow_ups_remind_due(now=now),
        "overdue": follow_ups_report_overdue(now=now),
    }


# --- Weekly early-warning digest -------------------------------------------------------------


DIGEST_BODY = gettext_lazy(
    "超期案件 %(overdue)d 件，重大风险临近期限 %(risky)d 件，纠纷高发 %(hotspots)d 处，反复纠纷 %(repeats)d 起，"
    "易引发纠纷的未办结网格事件 %(events)d 件。"
)


def warning_digest(*, now: datetime | None = None) -> int:
    """Monday morning: each supervisor gets this week's counts for their own centres — overdue,
    high risk near the deadline, hotspots, repeated disputes, open events of dispute-prone grid
    categories — once per ISO week (the key).
    Returns how many supervisors were asked (a rerun adds no row)."""
    now = now or timezone.now()
    year, week, _day = timezone.localtime(now).isocalendar()
    sent = 0
    for supervisor in stats.supervisors():
        counts = {
            "overdue": stats.overdue_cases(user=supervisor).count(),
            "risky": stats.high_risk_near_deadline(user=supervisor).count(),
            "hotspots": len(stats.hotspots(user=supervisor, now=now)),
            "repeats": len(stats.repeated_disputes(user=supervisor)),
            "events": stats.dispute_prone_events(user=supervisor).count(),
        }
        with transaction.atomic():
            sent += notification_enqueue(
                recipients=[supervisor],
                key=f"mediation:digest:{year}-W{week:02d}",
                title=_("【调解预警】%(year)d年第%(week)d周") % {"year": year, "week": week},
                body=DIGEST_BODY % counts,
                url=reverse("mediation:overview"),
                email=True,
            )
    return sent
