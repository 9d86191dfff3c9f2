"""The holiday schedule (节假日安排): entering, correcting and deleting its lines, audited."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from governance.models import AuditEntry, CalendarAdjustment, User
from governance.services.audit import audit_record


def calendar_adjustment_check(
    *, name: str, kind: str, first_day, last_day, adjustment: CalendarAdjustment | None = None
) -> None:
    """Raise ``ValidationError`` unless the entry can be saved: a name, a known kind, a range in
    order and at most a month long, and no day already entered by another entry."""
    errors: dict[str, str] = {}
    if not (name or "").strip():
        errors["name"] = _("请填写名称，如“春节”。")
    if kind not in CalendarAdjustment.Kind.values:
        errors["kind"] = _("类型只能是“放假”或“调休上班”。")
    if first_day and last_day:
        if last_day < first_day:
            errors["last_day"] = _("结束日期不能早于起始日期。")
        elif (last_day - first_day).days + 1 > CalendarAdjustment.MAX_DAYS:
            errors["last_day"] = _("一条安排最长 %(n)d 天，请检查日期。") % {"n": CalendarAdjustment.MAX_DAYS}
        else:
            clash = CalendarAdjustment.objects.filter(first_day__lte=last_day, last_day__gte=first_day)
            if adjustment is not None and adjustment.pk:
                clash = clash.exclude(pk=adjustment.pk)
            other = clash.order_by("first_day").first()
            if other is not None:
                errors["first_day"] = _("与已录入的“%(other)s”日期重叠。") % {"other": other}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def calendar_adjustment_save(
    *,
    actor: User | None,
    name: str,
    kind: str,
    first_day,
    last_day,
    adjustment: CalendarAdjustment | None = None,
    request: HttpRequest | None = None,
) -> CalendarAdjustment:
    """Enter (or correct) one line of the holiday schedule; deadlines computed from now on count
    it. Deadlines already set are not moved."""
    name = (name or "").strip()
    calendar_adjustment_check(name=name, kind=kind, first_day=first_day, last_day=last_day, adjustment=adjustment)
    creating = adjustment is None
    row = adjustment or CalendarAdjustment()
    before = (
        {}
        if creating
        else {"name": row.name, "kind": row.kind, "first_day": str(row.first_day), "last_day": str(row.last_day)}
    )
    row.name, row.kind, row.first_day, row.last_day = name, kind, first_day, last_day
    row.full_clean()
    row.save()
    after = {"name": row.name, "kind": row.kind, "first_day": str(row.first_day), "last_day": str(row.last_day)}
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE,
        obj=row,
        changes=after if creating else {k: [before[k], v] for k, v in after.items() if before[k] != v},
        request=request,
    )
    return row


@transaction.atomic
def calendar_adjustment_delete(
    *, actor: User | None, adjustment: CalendarAdjustment, request: HttpRequest | None = None
) -> None:
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        obj=adjustment,
        changes={
            "name": adjustment.name,
            "kind": adjustment.kind,
            "first_day": str(adjustment.first_day),
            "last_day": str(adjustment.last_day),
        },
        request=request,
    )
    adjustment.delete()
