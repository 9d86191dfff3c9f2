"""Areas, departments and party organisations: created, and the edits the admin offers."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from governance.models import Area, AuditEntry, Department, PartyOrganization, User
from governance.services._common import _diff
from governance.services.audit import audit_record

# The checks are separate functions so the admin forms can report them as form errors; the
# services below call them too, so every door applies the same rule.


def area_check_placement(*, level: str, parent: Area | None) -> None:
    """Raise ``ValidationError`` unless an area of ``level`` may sit under ``parent``.

    Shared by ``area_create`` and the admin form, which must report it as a form error.
    """
    if parent is None and level != Area.Level.DISTRICT:
        raise ValidationError({"parent": _("只有区/县可以没有上级区域。")})
    if parent is not None:
        order = Area.LEVEL_ORDER
        if level not in order or order.index(level) != parent.level_index() + 1:
            raise ValidationError(
                {
                    "level": _("“%(parent)s”的下级必须是%(level)s。")
                    % {
                        "parent": parent.name,
                        "level": Area.Level(order[min(parent.level_index() + 1, len(order) - 1)]).label,
                    }
                }
            )


@transaction.atomic
def area_create(
    *, name: str, code: str, level: str, parent: Area | None = None, name_en: str = "", actor: User | None = None
) -> Area:
    """Create an area under ``parent``; a child sits exactly one level below its parent."""
    area_check_placement(level=level, parent=parent)
    path = f"{parent.path if parent else ''}{code}/"
    area = Area(
        name=name,
        name_en=name_en,
        code=code,
        level=level,
        parent=parent,
        path=path,
        depth=parent.depth + 1 if parent else 0,
    )
    area.full_clean()
    area.save()
    if actor is not None:
        audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=area, changes={"code": code, "level": level})
    return area


@transaction.atomic
def department_create(
    *,
    name: str,
    code: str,
    area: Area,
    kind: str = Department.Kind.OTHER,
    phone: str = "",
    name_en: str = "",
    actor: User | None = None,
) -> Department:
    department = Department(name=name, name_en=name_en, code=code, area=area, kind=kind, phone=phone)
    department.full_clean()
    department.save()
    if actor is not None:
        audit_record(
            actor=actor, action=AuditEntry.Action.CREATE, obj=department, changes={"code": code, "area": area.code}
        )
    return department


@transaction.atomic
def party_organization_create(
    *,
    name: str,
    level: str,
    area: Area,
    parent: PartyOrganization | None = None,
    secretary: User | None = None,
    name_en: str = "",
    actor: User | None = None,
) -> PartyOrganization:
    party_organization_check(level=level, parent=parent)
    org = PartyOrganization(name=name, name_en=name_en, level=level, area=area, parent=parent, secretary=secretary)
    org.full_clean()
    org.save()
    if actor is not None:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            obj=org,
            changes={"level": level, "parent": parent.pk if parent else None},
        )
    return org


@transaction.atomic
def area_rename(*, area: Area, name: str, name_en: str | None = None, actor: User | None = None) -> Area:
    """Rename an area (``name_en``: ``None`` keeps the English name). Its code, level and parent
    make up every descendant's path and stay fixed."""
    values = {"name": name} if name_en is None else {"name": name, "name_en": name_en}
    changes = _diff(area, values)
    if not changes:
        return area
    for field, value in values.items():
        setattr(area, field, value)
    area.full_clean()
    area.save(update_fields=list(values))
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=area, changes=changes)
    return area


@transaction.atomic
def department_update(
    *,
    department: Department,
    name: str,
    code: str,
    kind: str,
    area: Area,
    phone: str = "",
    is_active: bool = True,
    name_en: str | None = None,
    actor: User | None = None,
) -> Department:
    values = {"name": name, "code": code, "kind": kind, "area": area, "phone": phone, "is_active": is_active}
    if name_en is not None:  # None keeps the English name
        values["name_en"] = name_en
    changes = _diff(department, values)
    if not changes:
        return department
    for field, value in values.items():
        setattr(department, field, value)
    department.full_clean()
    department.save()
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=department, changes=changes)
    return department


def party_organization_check(
    *, level: str, parent: PartyOrganization | None, org: PartyOrganization | None = None
) -> None:
    """Raise ``ValidationError`` unless ``level`` sits exactly one level below ``parent`` (and, for
    an existing organisation, exactly one level above each of its children)."""
    order = PartyOrganization.LEVEL_ORDER
    if level not in order:
        raise ValidationError({"level": _("请选择党组织层级。")})
    index = order.index(level)
    if parent is not None:
        if org is not None and parent.pk == org.pk:
            raise ValidationError({"parent": _("党组织不能以自身为上级组织。")})
        below = order.index(parent.level) + 1
        if below == len(order):
            raise ValidationError({"parent": _("“%(parent)s”已是最低一级，不能再有下级组织。") % {"parent": parent}})
        if index != below:
            raise ValidationError(
                {
                    "level": _("“%(parent)s”的下级组织必须是%(level)s。")
                    % {"parent": parent, "level": order[below].label}
                }
            )
    if org is not None and org.pk is not None:
        child_levels = set(PartyOrganization.objects.filter(parent=org).values_list("level", flat=True))
        if child_levels and (index + 1 == len(order) or child_levels != {order[index + 1]}):
            raise ValidationError({"level": _("该组织已有下级组织，层级须正好比下级组织高一级。")})


@transaction.atomic
def party_organization_update(
    *,
    org: PartyOrganization,
    name: str,
    level: str,
    area: Area,
    parent: PartyOrganization | None = None,
    secretary: User | None = None,
    name_en: str | None = None,
    actor: User | None = None,
) -> PartyOrganization:
    party_organization_check(level=level, parent=parent, org=org)
    values = {"name": name, "level": level, "area": area, "parent": parent, "secretary": secretary}
    if name_en is not None:  # None keeps the English name
        values["name_en"] = name_en
    changes = _diff(org, values)
    if not changes:
        return org
    for field, value in values.items():
        setattr(org, field, value)
    org.full_clean()
    org.save()
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=org, changes=changes)
    return org
