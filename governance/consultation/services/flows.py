"""The consultation app's state machines and the helpers every use case shares.

Services do not check permissions (callers ask ``consultation.policies``). Status moves go through
the core's workflow kit: ``MEETING_FLOW``, ``RESOLUTION_FLOW`` and ``SUGGESTION_FLOW`` below are the
whole state machines; each move names the columns it may write and appends its timeline entry in
the same transaction. Writes that move no status (minutes, progress, the clocks) are
compare-and-set ``clock_write``s on the row's version, so nothing overwrites a move made meanwhile.
"""

import logging

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.consultation.models import (
    Meeting,
    Resolution,
    Suggestion,
    TimelineEntry,
)
from governance.models import AuditEntry, User
from governance.outbox import notification_enqueue
from governance.services import audit_record
from governance.workflow import Workflow

M = Meeting.Status
R = Resolution.Status
S = Suggestion.Status

logger = logging.getLogger(__name__)

BATCH = 500


def timeline_add(
    *,
    kind: str,
    meeting: Meeting | None = None,
    resolution: Resolution | None = None,
    suggestion: Suggestion | None = None,
    actor: User | None = None,
    from_status: str = "",
    to_status: str = "",
    percent: int | None = None,
    note: str = "",
) -> TimelineEntry:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return TimelineEntry.objects.create(
        meeting=meeting,
        resolution=resolution,
        suggestion=suggestion,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        percent=percent,
        note=note,
    )


def _invitees(meeting: Meeting) -> list[User]:
    return [p.user for p in meeting.participants.select_related("user")]


def _meeting_url(meeting: Meeting) -> str:
    return reverse("consultation:meeting_detail", args=[meeting.pk])


def _conveners(meeting: Meeting) -> list[User]:
    people = {u.pk: u for u in (meeting.organization.secretary, meeting.created_by) if u is not None}
    return list(people.values())


def _record_move(*, obj, frm: str, to: str, actor: User | None, note: str, **timeline) -> None:
    """A status move's timeline entry (on the meeting, resolution or topic named in ``timeline``)
    and its audit entry, in the move's transaction."""
    timeline_add(kind=TimelineEntry.Kind.TRANSITION, actor=actor, from_status=frm, to_status=to, note=note, **timeline)
    audit_record(actor=actor, action=AuditEntry.Action.TRANSITION, obj=obj, changes={"from": frm, "to": to})


def _record_meeting_move(*, obj: Meeting, frm: str, to: str, actor: User | None, note: str) -> None:
    _record_move(obj=obj, frm=frm, to=to, actor=actor, note=note, meeting=obj)
    if to == M.CANCELLED:
        notification_enqueue(
            recipients=_invitees(obj),
            key=f"meeting:{obj.pk}:cancelled",
            title=_("【会议取消】%(title)s") % {"title": obj.title},
            body=_("原因：%(reason)s") % {"reason": obj.cancel_reason},
            url=_meeting_url(obj),
            email=True,
        )


def _record_resolution_move(*, obj: Resolution, frm: str, to: str, actor: User | None, note: str) -> None:
    _record_move(obj=obj, frm=frm, to=to, actor=actor, note=note, resolution=obj, percent=obj.progress)


def _record_suggestion_move(*, obj: Suggestion, frm: str, to: str, actor: User | None, note: str) -> None:
    _record_move(obj=obj, frm=frm, to=to, actor=actor, note=note, suggestion=obj)


# from → {to: the columns that move may write, besides status, version and the timestamps}
MEETING_FLOW = Workflow(
    model=Meeting,
    moves={
        M.PLANNED: {M.IN_SESSION: {"sign_in_code", "opened_at"}, M.CANCELLED: {"cancel_reason"}},
        M.IN_SESSION: {M.CONCLUDED: {"concluded_at", "sign_in_code", "minutes_nudge_at"}},
        M.CONCLUDED: {},
        M.CANCELLED: {},
    },
    record=_record_meeting_move,
    labels=dict(M.choices),
    noun=gettext_lazy("会议"),
    stale_detail=gettext_lazy("该会议刚被其他人更新过，请刷新后查看最新状态。"),
)

RESOLUTION_FLOW = Workflow(
    model=Resolution,
    moves={
        R.OPEN: {R.IN_PROGRESS: {"progress"}, R.DONE: {"progress", "done_at"}},
        R.IN_PROGRESS: {R.DONE: {"progress", "done_at"}},
        R.DONE: {},
    },
    record=_record_resolution_move,
    labels=dict(R.choices),
    noun=gettext_lazy("决议"),
    stale_detail=gettext_lazy("该决议刚被其他人更新过，请刷新后查看最新进度。"),
)

# A topic goes on an agenda when staff turn it into an item, and back to open when the meeting
# it was put on is cancelled (so it can be put on the next one).
SUGGESTION_FLOW = Workflow(
    model=Suggestion,
    moves={
        S.OPEN: {S.ON_AGENDA: set()},
        S.ON_AGENDA: {S.OPEN: set()},
    },
    record=_record_suggestion_move,
    labels=dict(S.choices),
    noun=gettext_lazy("议题"),
    stale_detail=gettext_lazy("该议题刚被其他人列入议程，请刷新后查看。"),
)


# --- Clocks: each due row claimed and written in its own transaction ---------------------------
