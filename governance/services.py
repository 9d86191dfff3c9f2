"""Every write of the core: one function per use case, keyword-only, each owning its transaction.

Services do not check permissions; callers reach objects through the selectors' scoped gates.
"""

import logging
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from governance import throttles
from governance.models import (
    Area,
    AuditEntry,
    CalendarAdjustment,
    Department,
    PartyOrganization,
    Post,
    Role,
    User,
)
from governance.outbox import (  # re-exported: callers may keep importing them from here
    notification_deliver,
    notification_enqueue,
    notification_mark_all_read,
    notification_mark_read,
    notification_send,
    notifications_undelivered_ids,
    sms_backend,
)
from governance.selectors import forget_posts

logger = logging.getLogger(__name__)


# --- Audit ------------------------------------------------------------------------------------


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: Any = None,
    changes: dict | None = None,
    request: HttpRequest | None = None,
    object_repr: str = "",
) -> AuditEntry:
    """Append one audit entry. Never updated, never deleted."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:200],
        changes=changes or {},
        ip_address=throttles.client_ip(request) if request is not None else None,
    )


@transaction.atomic
def person_contact_read(*, actor: User, person: User, request: HttpRequest | None = None) -> dict[str, str]:
    """Return a person's unmasked contact details and record that ``actor`` read them."""
    audit_record(
        actor=actor,
        action=AuditEntry.Action.READ_PERSONAL,
        obj=person,
        changes={"fields": ["phone", "id_number"]},
        request=request,
    )
    return {"phone": person.phone, "id_number": person.id_number}


# --- Areas, departments, people -------------------------------------------------------------


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
    *, name: str, code: str, area: Area, kind: str = Department.Kind.OTHER, phone: str = "", name_en: str = ""
) -> Department:
    department = Department(name=name, name_en=name_en, code=code, area=area, kind=kind, phone=phone)
    department.full_clean()
    department.save()
    return department


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    full_name: str = "",
    phone: str = "",
    id_number: str = "",
    email: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    user = User(
        username=username,
        full_name=full_name,
        phone=phone,
        id_number=id_number,
        email=email,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def post_assign(
    *,
    user: User,
    role: str,
    area: Area | None = None,
    department: Department | None = None,
    title: str = "",
    actor: User | None = None,
) -> Post:
    """Give ``user`` a role in an area or department (idempotent: an existing post is reactivated)."""
    if area is None and department is None:
        raise ValidationError({"area": _("岗位必须属于一个区域或处置单位。")})
    if role == Role.DEPARTMENT_HANDLER and department is None:
        raise ValidationError({"department": _("处置单位人员必须指定处置单位。")})
    post, created = Post.objects.get_or_create(
        user=user, role=role, area=area, department=department, defaults={"title": title}
    )
    if not created and not post.is_active:
        post.is_active = True
        post.save(update_fields=["is_active"])
    if actor is not None:
        audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=post, changes={"role": role})
    forget_posts(user=user)
    return post


@transaction.atomic
def post_end(*, post: Post, actor: User | None = None) -> Post:
    Post.objects.filter(pk=post.pk).update(is_active=False)
    post.is_active = False
    forget_posts(user=post.user)
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=post, changes={"is_active": False})
    return post


@transaction.atomic
def party_organization_create(
    *,
    name: str,
    level: str,
    area: Area,
    parent: PartyOrganization | None = None,
    secretary: User | None = None,
    name_en: str = "",
) -> PartyOrganization:
    if parent is not None:
        order = PartyOrganization.LEVEL_ORDER
        if order.index(level) != order.index(parent.level) + 1:
            raise ValidationError({"level": _("党组织层级必须紧接上级组织。")})
    org = PartyOrganization(name=name, name_en=name_en, level=level, area=area, parent=parent, secretary=secretary)
    org.full_clean()
    org.save()
    return org


# --- Holiday schedule (节假日安排) ------------------------------------------------------------


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


# --- Edits the admin offers -----------------------------------------------------------------
# The checks are separate functions so the admin forms can report them as form errors; the
# services below call them too, so every door applies the same rule.


def _diff(obj: Any, values: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``values`` that differ from ``obj``, as JSON-safe audit changes."""
    changes = {}
    for field, value in values.items():
        old = getattr(obj, field)
        if old != value:
            changes[field] = {"from": _plain(old), "to": _plain(value)}
    return changes


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return value.pk if hasattr(value, "pk") else str(value)


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


def post_check(*, role: str, area: Area | None, department: Department | None) -> None:
    """Raise ``ValidationError`` unless a post of ``role`` may sit in this area/department."""
    if area is None and department is None:
        raise ValidationError({"area": _("岗位必须属于一个区域或处置单位。")})
    if role == Role.DEPARTMENT_HANDLER and department is None:
        raise ValidationError({"department": _("处置单位人员必须指定处置单位。")})


@transaction.atomic
def post_update(*, post: Post, title: str, is_active: bool, actor: User | None = None) -> Post:
    """Change a post's title or put it on/off duty. Who, which role and where are fixed: to move
    someone, end the post and assign a new one, so the audit trail says what was granted."""
    post_check(role=post.role, area=post.area, department=post.department)
    changes = _diff(post, {"title": title, "is_active": is_active})
    if not changes:
        return post
    Post.objects.filter(pk=post.pk).update(title=title, is_active=is_active)
    post.title, post.is_active = title, is_active
    forget_posts(user=post.user)
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=post, changes=changes)
    return post


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


# Personal details are audited by name only: the audit log must not become a copy of them.
PERSONAL_FIELDS = frozenset({"phone", "id_number", "email"})


@transaction.atomic
def user_update(
    *,
    user: User,
    username: str,
    full_name: str = "",
    email: str = "",
    phone: str = "",
    id_number: str = "",
    is_active: bool = True,
    is_staff: bool = False,
    is_superuser: bool = False,
    language: str | None = None,
    actor: User | None = None,
) -> User:
    """Change a person's details and account flags; granting staff or superuser rights is audited.
    ``language`` None leaves the notification language as it is."""
    values = {
        "username": username,
        "full_name": full_name,
        "email": email,
        "phone": phone,
        "id_number": id_number,
        "is_active": is_active,
        "is_staff": is_staff,
        "is_superuser": is_superuser,
    }
    if language is not None:
        values["language"] = language
    changes = {
        field: ({"changed": True} if field in PERSONAL_FIELDS else change)
        for field, change in _diff(user, values).items()
    }
    if not changes:
        return user
    for field, value in values.items():
        setattr(user, field, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(values))
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=user, changes=changes)
    return user


def user_language_set(*, user: User, language: str) -> bool:
    """Remember the language a signed-in person chose for their email and SMS; True if it changed.
    A language the portal does not offer is refused (nothing stored)."""
    if language not in {code for code, _name in User._meta.get_field("language").choices}:
        raise ValidationError({"language": _("不支持的语言。")})
    if user.language == language:
        return False
    user.language = language
    user.save(update_fields=["language"])
    return True


@transaction.atomic
def user_set_permissions(
    *, user: User, groups: Iterable[Group], permissions: Iterable[Permission], actor: User | None = None
) -> User:
    """Set a person's groups and individual permissions; what was added or removed is audited."""
    groups, permissions = list(groups), list(permissions)

    def names(items) -> set[str]:
        return {str(item) for item in items}

    before_groups, before_perms = names(user.groups.all()), names(user.user_permissions.all())
    user.groups.set(groups)
    user.user_permissions.set(permissions)
    changes = {}
    for field, before, after in (
        ("groups", before_groups, names(groups)),
        ("user_permissions", before_perms, names(permissions)),
    ):
        if before != after:
            changes[field] = {"added": sorted(after - before), "removed": sorted(before - after)}
    if changes:
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=user, changes=changes)
    return user


__all__ = [
    "area_check_placement",
    "area_create",
    "area_rename",
    "audit_record",
    "department_create",
    "department_update",
    "notification_deliver",
    "notification_enqueue",
    "notification_mark_all_read",
    "notification_mark_read",
    "notification_send",
    "notifications_undelivered_ids",
    "party_organization_check",
    "party_organization_create",
    "party_organization_update",
    "person_contact_read",
    "post_assign",
    "post_check",
    "post_end",
    "post_update",
    "sms_backend",
    "user_create",
    "user_set_permissions",
    "user_update",
]
