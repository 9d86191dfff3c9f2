"""People and their posts: accounts, details and permissions; posts granted, changed, ended."""

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from governance.models import Area, AuditEntry, Department, Post, Role, User
from governance.selectors import forget_posts
from governance.services._common import _diff
from governance.services.audit import audit_record

# The checks are separate functions so the admin forms can report them as form errors; the
# services below call them too, so every door applies the same rule.


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
    post_check(role=role, area=area, department=department)
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
