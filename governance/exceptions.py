"""Domain errors and the one JSON error envelope: ``{"code", "detail"}`` (+ ``fields``)."""

import math
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from governance.parsers import RequestTooLarge
from governance.throttles import retry_message


class DomainError(Exception):
    """A business rule refused the request. Services raise subclasses; every door renders them."""

    code = "domain_error"
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = gettext_lazy("请求无法完成。")

    def __init__(self, detail: str | None = None, *, code: str | None = None, fields: dict | None = None):
        self.detail = str(detail or self.default_detail)
        if code:
            self.code = code
        self.fields = fields or {}
        super().__init__(self.detail)


class NotFound(DomainError):
    code = "not_found"
    status_code = status.HTTP_404_NOT_FOUND
    default_detail = gettext_lazy("未找到。")


class Conflict(DomainError):
    code = "conflict"
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("数据已被他人修改，请刷新后重试。")


class InvalidTransition(Conflict):
    code = "invalid_transition"

    def __init__(self, *, frm: str, to: str, detail: str | None = None):
        self.frm, self.to = frm, to
        super().__init__(detail or _("不能从“%(frm)s”变更为“%(to)s”。") % {"frm": frm, "to": to})


class StaleState(Conflict):
    code = "stale_state"


class TooManyFields(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = gettext_lazy("提交的字段过多。")
    default_code = "too_many_fields"


def _fields_from(detail: Any) -> dict:
    if isinstance(detail, dict):
        return {
            key: _fields_from(value) if isinstance(value, dict) else [str(v) for v in _as_list(value)]
            for key, value in detail.items()
        }
    return {"non_field_errors": [str(v) for v in _as_list(detail)]}


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


_CODES = {
    exceptions.ParseError: "parse_error",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    RequestTooLarge: "request_too_large",
    TooManyFields: "too_many_fields",
}


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Render every API error as ``{"code", "detail"}``; validation errors add ``fields``."""
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": exc.detail}
        if exc.fields:
            body["fields"] = exc.fields
        return Response(body, status=exc.status_code)
    # Django's own size checks (request.body, multipart) raise SuspiciousOperation subclasses that
    # would otherwise become its HTML 400 page.
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, TooManyFieldsSent):
        exc = TooManyFields()
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("未找到，或不在您的管辖范围内。"))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "invalid",
            "detail": _("提交的数据有误，请检查后重试。"),
            "fields": _fields_from(exc.detail),
        }
        return response
    if isinstance(exc, exceptions.Throttled):  # DRF has set Retry-After; the detail says the same wait
        response.data = {"code": "throttled", "detail": retry_message(math.ceil(exc.wait or 1))}
        return response
    code = next((c for cls, c in _CODES.items() if isinstance(exc, cls)), None)
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    if isinstance(detail, dict | list):
        detail = _("请求无法完成。")
    response.data = {"code": code or getattr(detail, "code", None) or "error", "detail": str(detail)}
    return response
