"""Resolutions tracked to done: progress (a parent's rolls up from its sub-tasks), sub-tasks, and the
overdue flag that reminds the responsible party and the convener."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.clock import claim, each
from governance.consultation.models import (
    Resolution,
    TimelineEntry,
)
from governance.consultation.services.flows import (
    BATCH,
    RESOLUTION_FLOW,
    timeline_add,
)
from governance.exceptions import Conflict
from governance.models import AuditEntry, Department, Role, User
from governance.outbox import notification_enqueue
from governance.services import audit_record

R = Resolution.Status


def _set_progress(*, resolution: Resolution, percent: int, actor: User | None, note: str) -> None:
    """Move or write one resolution's progress: 100 % is done, above 0 starts it."""
    if percent == resolution.progress and resolution.status != R.OPEN:
        return
    if percent == 100:
        RESOLUTION_FLOW.transition(
            resolution, to=R.DONE, actor=actor, note=note, changes={"progress": 100, "done_at": timezone.now()}
        )
        return
    if resolution.status == R.OPEN and percent > 0:
        RESOLUTION_FLOW.transition(resolution, to=R.IN_PROGRESS, actor=actor, note=note, changes={"progress": percent})
        return
    written = RESOLUTION_FLOW.clock_write(
        resolution,
        changes={"progress": percent, "updated_at": timezone.now()},
        where=Q(status=resolution.status),
    )
    if not written:
        raise Conflict(RESOLUTION_FLOW.stale_detail, code="stale_state")
    timeline_add(resolution=resolution, kind=TimelineEntry.Kind.PROGRESS, actor=actor, percent=percent, note=note)


def _roll_up(*, parent_id: int, actor: User | None) -> None:
    """A parent's progress is the average of its sub-tasks' (rounded down)."""
    parent = Resolution.objects.get(pk=parent_id)
    children = list(parent.children.values_list("progress", flat=True))
    if not children or parent.status == R.DONE:
        return
    percent = sum(children) // len(children)
    if percent != parent.progress:
        _set_progress(resolution=parent, percent=percent, actor=actor, note=_("由子任务进度汇总"))
    if parent.parent_id:
        _roll_up(parent_id=parent.parent_id, actor=actor)


@transaction.atomic
def resolution_progress(*, actor: User, resolution: Resolution, percent: int, note: str = "") -> Resolution:
    """A dated progress update; 100 % closes the resolution (done), anything above 0 starts it.
    A resolution split into sub-tasks takes its progress from them."""
    if not 0 <= percent <= 100:
        raise ValidationError({"percent": _("进度须在 0 到 100 之间。")})
    if resolution.status == R.DONE:
        raise Conflict(_("该决议已办结。"), code="resolution_done")
    if resolution.children.exists():
        raise Conflict(_("该决议已分解为子任务，进度由子任务汇总。"), code="has_subtasks")
    _set_progress(resolution=resolution, percent=percent, actor=actor, note=(note or "").strip())
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=resolution, changes={"progress": percent})
    if resolution.parent_id:
        _roll_up(parent_id=resolution.parent_id, actor=actor)
    resolution.refresh_from_db()
    return resolution


@transaction.atomic
def resolution_subtask_add(
    *,
    actor: User,
    parent: Resolution,
    title: str,
    due_date: date,
    responsible_department: Department | None = None,
) -> Resolution:
    """Split a resolution into a sub-task; the parent's progress is recomputed from its children."""
    if parent.status == R.DONE:
        raise Conflict(_("该决议已办结，不能再分解。"), code="resolution_done")
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("请填写子任务名称。")})
    child = Resolution.objects.create(
        parent=parent,
        meeting=parent.meeting,
        area=parent.area,
        title=title[:120],
        responsible_department=responsible_department or parent.responsible_department,
        due_date=due_date,
    )
    timeline_add(resolution=child, kind=TimelineEntry.Kind.TRANSITION, actor=actor, to_status=R.OPEN)
    timeline_add(resolution=parent, kind=TimelineEntry.Kind.SUBTASK, actor=actor, note=child.title)
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=child)
    _roll_up(parent_id=parent.pk, actor=actor)
    parent.refresh_from_db()
    return child


def _overdue_q(today: date) -> Q:
    return Q(overdue_flagged_at__isnull=True, status__in=[R.OPEN, R.IN_PROGRESS], due_date__lt=today)


def _responsible_people(resolution: Resolution) -> list[User]:
    people: dict[int, User] = {}
    if resolution.responsible_department_id:
        for user in User.objects.filter(
            is_active=True,
            posts__is_active=True,
            posts__role=Role.DEPARTMENT_HANDLER,
            posts__department_id=resolution.responsible_department_id,
        ).distinct():
            people[user.pk] = user
    secretary = resolution.meeting.organization.secretary
    if secretary is not None:
        people[secretary.pk] = secretary
    return list(people.values())


@transaction.atomic
def resolution_flag_overdue(*, resolution_id: int, today: date | None = None) -> bool:
    """Flag one resolution past its due date and remind the responsible party and the convener."""
    today = today or timezone.localdate()
    resolution = claim(Resolution.objects.filter(_overdue_q(today)), resolution_id)
    if resolution is None:
        return False
    if not RESOLUTION_FLOW.clock_write(
        resolution, changes={"overdue_flagged_at": timezone.now()}, where=_overdue_q(today)
    ):
        return False
    resolution = Resolution.objects.select_related("meeting__organization__secretary").get(pk=resolution.pk)
    timeline_add(
        resolution=resolution,
        kind=TimelineEntry.Kind.OVERDUE,
        note=_("已超过办结期限 %(due)s") % {"due": resolution.due_date.isoformat()},
    )
    notification_enqueue(
        recipients=_responsible_people(resolution),
        key=f"resolution:{resolution.pk}:overdue",
        title=_("【督办】决议“%(title)s”已逾期") % {"title": resolution.title},
        body=_("办结期限 %(due)s，当前进度 %(p)d%%")
        % {"due": resolution.due_date.isoformat(), "p": resolution.progress},
        url=reverse("consultation:resolutions"),
        email=True,
    )
    return True


def resolutions_flag_overdue(*, today: date | None = None, limit: int = BATCH) -> int:
    today = today or timezone.localdate()
    ids = list(Resolution.objects.filter(_overdue_q(today)).order_by("due_date").values_list("pk", flat=True)[:limit])
    return each(ids, lambda pk: resolution_flag_overdue(resolution_id=pk, today=today), "Overdue flag")
