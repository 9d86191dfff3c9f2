"""The policy helpers every app's ``policies.py`` is written with.

A policy answers "may this user do this to this object?" with a :class:`Decision`: allowed, or
refused with a machine ``code``, a translated ``detail`` and the HTTP status the refusal is shown
with (403, or 404 where the object must stay invisible). Every door asks the same policy and
renders the same refusal: the API through the one exception handler, pages through the 403/404
pages, the admin as a message, tasks by skipping the row.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy
from rest_framework import status

from governance.exceptions import DomainError


class Forbidden(DomainError):
    """A policy refused the action (403), with the policy's own code."""

    code = "permission_denied"
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = gettext_lazy("您没有执行此操作的权限。")


class PageForbidden(PermissionDenied):
    """The page door's form of a refusal: the 403 page shows the policy's reason and code."""

    def __init__(self, code: str, detail: str):
        self.code, self.detail = code, detail
        super().__init__(detail)


class Hidden(DomainError):
    """A policy refused and the object must stay invisible: rendered exactly as "not found"."""

    code = "not_found"
    status_code = status.HTTP_404_NOT_FOUND
    default_detail = gettext_lazy("未找到，或不在您的管辖范围内。")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    code: str = ""
    detail: str = ""
    status_code: int = status.HTTP_403_FORBIDDEN

    def __bool__(self) -> bool:
        return self.allowed

    def raise_if_denied(self) -> None:
        if self.allowed:
            return
        if self.status_code == status.HTTP_404_NOT_FOUND:
            raise Hidden(self.detail or None)
        raise Forbidden(self.detail or None, code=self.code or None)

    def raise_for_page(self) -> None:
        """The same refusal for an HTML page: the 403 page with the reason, or the 404 page."""
        if self.allowed:
            return
        if self.status_code == status.HTTP_404_NOT_FOUND:
            raise Http404(self.detail)
        raise PageForbidden(self.code, self.detail)


ALLOWED = Decision(True)


def allow() -> Decision:
    return ALLOWED


def deny(code: str, detail: str, *, hidden: bool = False) -> Decision:
    """A refusal; ``hidden`` renders it as 404 so the object's existence is not confirmed."""
    return Decision(False, code, str(detail), status.HTTP_404_NOT_FOUND if hidden else status.HTTP_403_FORBIDDEN)
