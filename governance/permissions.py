"""DRF permission layer shared by every app. Denied by default: each endpoint names its rule.

Row-level scoping is not done here but in the selectors (``visible_*``), so a row outside the
user's jurisdiction is a 404, never a 403 that would confirm it exists.
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from governance.selectors import user_roles


class DenyAll(BasePermission):
    """The default: an endpoint that forgot to state a rule is closed."""

    message = "此接口未开放。"

    def has_permission(self, request, view) -> bool:
        return False


class IsPortalUser(BasePermission):
    """Any signed-in, active user; what they see is then scoped by the selectors."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active)


def has_any_role(user, roles) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        cached = user_roles(user=user)
        user._portal_roles = cached
    return bool(cached & set(roles))


def HasRole(*roles: str, read_roles: tuple[str, ...] = ()) -> type[BasePermission]:  # a class factory, hence the name
    """Permission class admitting holders of ``roles`` (and ``read_roles`` for safe methods)."""

    class _HasRole(BasePermission):
        def has_permission(self, request, view) -> bool:
            allowed = set(roles) | (set(read_roles) if request.method in SAFE_METHODS else set())
            return has_any_role(request.user, allowed)

    _HasRole.__name__ = f"HasRole_{'_'.join(roles)}"
    return _HasRole
