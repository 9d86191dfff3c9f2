"""Every write of the core: one function per use case, keyword-only, each owning its transaction.

Services do not check permissions; callers reach objects through the selectors' scoped gates.
"""

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from governance.models import Area, AuditEntry, Department, PartyOrganization, Post, Role, User
from governance.selectors import forget_posts

logger = logging.getLogger(__name__)


# --- Audit ------------------------------------------------------------------------------------


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


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
        ip_address=client_ip(request),
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
def area_create(*, name: str, code: str, level: str, parent: Area | None = None, actor: User | None = None) -> Area:
    """Create an area under ``parent``; a child sits exactly one level below its parent."""
    area_check_placement(level=level, parent=parent)
    path = f"{parent.path if parent else ''}{code}/"
    area = Area(name=name, code=code, level=level, parent=parent, path=path, depth=parent.depth + 1 if parent else 0)
    area.full_clean()
    area.save()
    if actor is not None:
        audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=area, changes={"code": code, "level": level})
    return area


@transaction.atomic
def department_create(
    *, name: str, code: str, area: Area, kind: str = Department.Kind.OTHER, phone: str = ""
) -> Department:
    department = Department(name=name, code=code, area=area, kind=kind, phone=phone)
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
) -> PartyOrganization:
    if parent is not None:
        order = PartyOrganization.LEVEL_ORDER
        if order.index(level) != order.index(parent.level) + 1:
            raise ValidationError({"level": _("党组织层级必须紧接上级组织。")})
    org = PartyOrganization(name=name, level=level, area=area, parent=parent, secretary=secretary)
    org.full_clean()
    org.save()
    return org


# --- Notifications: the outbox lives in governance.outbox; these names stay importable here ---

from governance.outbox import (  # noqa: E402
    notification_deliver,
    notification_enqueue,
    notification_mark_all_read,
    notification_mark_read,
    notification_send,
    notifications_undelivered_ids,
    sms_backend,
)

__all__ = [
    "area_check_placement",
    "area_create",
    "audit_record",
    "client_ip",
    "department_create",
    "notification_deliver",
    "notification_enqueue",
    "notification_mark_all_read",
    "notification_mark_read",
    "notification_send",
    "notifications_undelivered_ids",
    "party_organization_create",
    "person_contact_read",
    "post_assign",
    "post_end",
    "sms_backend",
    "user_create",
]
