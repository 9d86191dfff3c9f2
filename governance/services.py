"""Every write of the core: one function per use case, keyword-only, each owning its transaction.

Services do not check permissions; callers reach objects through the selectors' scoped gates.
"""

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from governance.models import Area, AuditEntry, Department, Notification, PartyOrganization, Post, Role, User
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


# --- Notifications --------------------------------------------------------------------------


def notification_send(
    *,
    recipient: User,
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    email: bool = False,
    sms: bool = False,
) -> tuple[Notification, bool]:
    """Put a message in ``recipient``'s inbox, and queue email/SMS after commit.

    ``key`` makes the call idempotent: sending the same key to the same person again returns the
    existing notification and ``created=False``, and nothing is sent twice.
    """
    existing = Notification.objects.filter(recipient=recipient, idempotency_key=key).first()
    if existing is not None:
        return existing, False
    wants_email = email and bool(recipient.email)
    wants_sms = sms and bool(recipient.phone)
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                idempotency_key=key,
                title=title[:200],
                body=body,
                url=url,
                by_email=wants_email,
                by_sms=wants_sms,
            )
    except IntegrityError:  # a concurrent sender won the race on the unique key
        return Notification.objects.get(recipient=recipient, idempotency_key=key), False
    if wants_email or wants_sms:
        from governance.tasks import notification_deliver_task

        transaction.on_commit(lambda: notification_deliver_task.delay(notification_id=notification.pk))
    return notification, True


# A claim older than this is taken to be from a worker that died mid-send, and is retried.
DELIVERY_CLAIM_TIMEOUT = timedelta(minutes=10)


def _deliverable(now) -> Q:
    return Q(delivered_at__isnull=True) & (
        Q(delivery_claimed_at__isnull=True) | Q(delivery_claimed_at__lt=now - DELIVERY_CLAIM_TIMEOUT)
    )


def notification_deliver(*, notification_id: int) -> bool:
    """Send a notification's email and SMS once. Returns False when there was nothing to do.

    The row is claimed with a compare-and-set update on ``delivery_claimed_at``; a second run, or
    a concurrent one, finds it claimed and does nothing. ``delivered_at`` is written only after
    the send succeeded. A failed send releases the claim at once; a claim left by a worker that
    died mid-send expires after ``DELIVERY_CLAIM_TIMEOUT``; either way the retry or the periodic
    redelivery scan tries again.
    """
    now = timezone.now()
    claimed = Notification.objects.filter(_deliverable(now), pk=notification_id).update(delivery_claimed_at=now)
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    recipient = notification.recipient
    try:
        if notification.by_email and recipient.email:
            text = notification.body
            if notification.url:
                text = f"{text}\n\n{settings.PORTAL_BASE_URL}{notification.url}"
            send_mail(notification.title, text, None, [recipient.email])
        if notification.by_sms and recipient.phone:
            sms_backend().send(phone=recipient.phone, text=f"{notification.title} {notification.body}".strip())
    except Exception as exc:
        Notification.objects.filter(pk=notification_id).update(delivery_claimed_at=None, delivery_error=str(exc)[:300])
        raise
    Notification.objects.filter(pk=notification_id).update(delivered_at=timezone.now(), delivery_error="")
    return True


def notifications_undelivered_ids(*, older_than_seconds: int = 60, limit: int = 500) -> list[int]:
    """Notifications due an email or SMS that none was sent for (served by a partial index)."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=older_than_seconds)
    return list(
        Notification.objects.filter(Q(by_email=True) | Q(by_sms=True), _deliverable(now), created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notification_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def sms_backend():
    return import_string(settings.SMS_BACKEND)()


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
def area_rename(*, area: Area, name: str, actor: User | None = None) -> Area:
    """Rename an area. Its code, level and parent make up every descendant's path and stay fixed."""
    changes = _diff(area, {"name": name})
    if not changes:
        return area
    area.name = name
    area.full_clean()
    area.save(update_fields=["name"])
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
    actor: User | None = None,
) -> Department:
    values = {"name": name, "code": code, "kind": kind, "area": area, "phone": phone, "is_active": is_active}
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
    actor: User | None = None,
) -> PartyOrganization:
    party_organization_check(level=level, parent=parent, org=org)
    values = {"name": name, "level": level, "area": area, "parent": parent, "secretary": secretary}
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
    actor: User | None = None,
) -> User:
    """Change a person's details and account flags; granting staff or superuser rights is audited."""
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
