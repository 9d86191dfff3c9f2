"""Shared reads of the core, including the jurisdiction scoping every app reuses.

A user's jurisdiction is the set of area paths of their active posts (a department post counts
with its department's area). Anything whose area path starts with one of them is visible;
nothing else is. Superusers and active ``admin`` posts on a root area see the whole tree.
"""

from django.db.models import CharField, F, Q, QuerySet, Value
from django.http import Http404

from governance.models import Area, AuditEntry, Department, Notification, PartyOrganization, Post, Role, User
from governance.prepared import Prepared

_CACHE_ATTR = "_portal_post_rows"


def user_active_posts(*, user: User) -> QuerySet[Post]:
    return Post.objects.filter(user=user, is_active=True).select_related("area", "department__area")


def user_post_rows(*, user: User) -> list[tuple[str, str | None, int | None]]:
    """``(role, area path, department id)`` of the user's active posts, read once per request.

    A department post counts with its department's area path. Cached on the user object; the
    post services clear the cache of the user they change (``forget_posts``).
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = [
            (role, area_path or dept_area_path, department_id)
            for role, area_path, department_id, dept_area_path in Post.objects.filter(
                user=user, is_active=True
            ).values_list("role", "area__path", "department_id", "department__area__path")
        ]
        setattr(user, _CACHE_ATTR, cached)
    return cached


def remember_posts(*, user: User, rows: list[tuple[str, str | None, int | None]]) -> None:
    """Hand ``user_post_rows`` the rows another query already read (the API token lookup)."""
    setattr(user, _CACHE_ATTR, list(rows))


def forget_posts(*, user: User) -> None:
    """Drop the per-request caches after a user's posts changed."""
    for attr in (_CACHE_ATTR, "_portal_roles"):
        if hasattr(user, attr):
            delattr(user, attr)


def user_roles(*, user: User) -> set[str]:
    return {role for role, _path, _dept in user_post_rows(user=user)}


def user_has_role(*, user: User, roles: set[str] | frozenset[str] | list[str]) -> bool:
    return bool(user_roles(user=user) & set(roles))


def user_department_ids(*, user: User, roles: set[str] | frozenset[str] | None = None) -> list[int]:
    return sorted(
        {
            dept
            for role, _path, dept in user_post_rows(user=user)
            if dept is not None and (roles is None or role in roles)
        }
    )


def jurisdiction_paths(*, user: User, roles: set[str] | frozenset[str] | None = None) -> list[str] | None:
    """Area path prefixes the user may see; ``None`` means everything (superuser).

    With ``roles``, only posts holding one of them count. Nested prefixes are collapsed (a post
    on a street makes its communities' posts redundant).
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return None
    raw = {
        path for role, path, _dept in user_post_rows(user=user) if path is not None and (roles is None or role in roles)
    }
    return sorted(p for p in raw if not any(p != q and p.startswith(q) for q in raw))


def jurisdiction_q(*, user: User, path_field: str, roles: set[str] | None = None) -> Q:
    """A ``Q`` that keeps rows whose ``path_field`` lies under the user's jurisdiction."""
    paths = jurisdiction_paths(user=user, roles=roles)
    if paths is None:
        return Q()
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{path_field}__startswith": path})
    return q


def area_subtree(*, area: Area, include_self: bool = True) -> QuerySet[Area]:
    qs = Area.objects.filter(path__startswith=area.path)
    return qs if include_self else qs.exclude(pk=area.pk)


def area_ancestors(*, area: Area) -> QuerySet[Area]:
    """The chain from the root down to (and including) ``area``, in one query."""
    segments = area.path.strip("/").split("/")
    prefixes = ["/".join(segments[: i + 1]) + "/" for i in range(len(segments))]
    return Area.objects.filter(path__in=prefixes).order_by("depth")


def visible_areas(*, user: User, roles: set[str] | None = None) -> QuerySet[Area]:
    """Areas under the user's jurisdiction; with ``roles``, only under posts holding one of them."""
    return Area.objects.filter(jurisdiction_q(user=user, path_field="path", roles=roles))


def area_get_for_user(*, user: User, pk: int | str) -> Area:
    try:
        return visible_areas(user=user).get(pk=pk)
    except (Area.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def visible_departments(*, user: User) -> QuerySet[Department]:
    return Department.objects.filter(jurisdiction_q(user=user, path_field="area__path")).select_related("area")


def dispatchable_departments(*, user: User) -> QuerySet[Department]:
    """Active departments a person may send work to: those serving an area under their
    jurisdiction, or an area above it (a street's 市政所 serves its communities too)."""
    paths = jurisdiction_paths(user=user)
    qs = Department.objects.filter(is_active=True).select_related("area")
    if paths is None:
        return qs
    ancestor_paths = set()
    for path in paths:
        segments = path.strip("/").split("/")
        ancestor_paths.update("/".join(segments[: i + 1]) + "/" for i in range(len(segments)))
    return qs.filter(jurisdiction_q(user=user, path_field="area__path") | Q(area__path__in=ancestor_paths))


def visible_party_organizations(*, user: User) -> QuerySet[PartyOrganization]:
    return PartyOrganization.objects.filter(jurisdiction_q(user=user, path_field="area__path")).select_related("area")


def visible_users(*, user: User) -> QuerySet[User]:
    """People holding an active post somewhere in the user's jurisdiction."""
    scope = jurisdiction_q(user=user, path_field="posts__area__path") | jurisdiction_q(
        user=user, path_field="posts__department__area__path"
    )
    # One filter() call: the active-post condition and the place refer to the same post row.
    return User.objects.filter(scope & Q(posts__is_active=True)).distinct()


def _holders_over(*, role: str, path: str) -> QuerySet[User]:
    # A post covers the area when its area's path is a prefix of the area's own (paths end in
    # "/", so HD/ZGC/ is no prefix of HD/ZGC01/): the same SQL whatever the area's depth.
    return (
        User.objects.filter(is_active=True, posts__is_active=True, posts__role=role)
        .alias(_covered=Value(path, output_field=CharField()))
        .filter(_covered__startswith=F("posts__area__path"))
        .distinct()
    )


def users_with_role_in_area(*, role: str, area: Area) -> QuerySet[User]:
    """Holders of ``role`` whose post covers ``area`` (a post on the area or any ancestor)."""
    return _holders_over(role=role, path=area.path)


# Every report and move asks who must act next: compiled once (governance.prepared).
_holders_compiled = Prepared(
    lambda role, path: _holders_over(role=role, path=path), role="prepared-sample-role", path="prepared/sample/"
)


def users_with_role_over(*, role: str, area: Area) -> list[User]:
    """``users_with_role_in_area`` as a list, from a query compiled once per connection."""
    return _holders_compiled.fetch(role=str(role), path=area.path)


def notifications_for(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def notification_unread_count(*, user: User) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def audit_entries_for(*, obj) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


__all__ = [
    "Role",
    "area_ancestors",
    "area_get_for_user",
    "area_subtree",
    "audit_entries_for",
    "jurisdiction_paths",
    "jurisdiction_q",
    "notification_unread_count",
    "notifications_for",
    "user_active_posts",
    "user_has_role",
    "user_roles",
    "users_with_role_in_area",
    "users_with_role_over",
    "visible_areas",
    "visible_departments",
    "visible_party_organizations",
    "visible_users",
]
