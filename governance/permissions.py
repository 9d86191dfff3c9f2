"""DRF permission layer shared by every app. Denied by default: each endpoint names its rule.

Row-level scoping is not done here but in the selectors (``visible_*``), so a row outside the
user's jurisdiction is a 404, never a 403 that would confirm it exists.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from governance.selectors import user_roles


class DenyAll(BasePermission):
    """The default: an endpoint that forgot to state a rule is closed."""

    message = _("此接口未开放。")

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
    return bool(user_roles(user=user) & set(roles))


def HasRole(*roles: str, read_roles: tuple[str, ...] = ()) -> type[BasePermission]:  # a class factory, hence the name
    """Permission class admitting holders of ``roles`` (and ``read_roles`` for safe methods)."""

    class _HasRole(BasePermission):
        def has_permission(self, request, view) -> bool:
            allowed = set(roles) | (set(read_roles) if request.method in SAFE_METHODS else set())
            return has_any_role(request.user, allowed)

    _HasRole.__name__ = f"HasRole_{'_'.join(roles)}"
    return _HasRole


# --- Pages ----------------------------------------------------------------------------------
# A page states its rule with one of these (or Django's ``@login_not_required`` for public
# pages). ``PortalLoginRequiredMiddleware`` refuses, with 403, any page that states none.

RULE_ATTR = "portal_access_rule"


def any_portal_user(view):
    """Rule: any signed-in, active user (what they then see is scoped by the selectors)."""
    setattr(view, RULE_ATTR, "signed_in")
    return view


def require_roles(*roles: str):
    """Rule: holders of one of ``roles`` (superusers always); others get the 403 page."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_any_role(request.user, roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        setattr(wrapped, RULE_ATTR, frozenset(roles))
        return wrapped

    return decorator


def page_rule(view_func) -> object | None:
    """The rule a page view declared, or None. ``False`` login_required counts as public."""
    if getattr(view_func, "login_required", True) is False:
        return "public"
    return getattr(view_func, RULE_ATTR, None)
