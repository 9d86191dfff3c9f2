"""The OpenAPI schema documents the error responses every API door really gives.

Every error is the envelope of ``governance.exceptions.api_exception_handler``:
``{"code", "detail"}`` plus ``fields`` for validation errors. ``PortalAutoSchema`` adds, per
operation, the statuses it can answer with, from what the view declares:

- 400: a request body, or query parameters (filters, pagination, the operation's own);
- 401 and 403: any permission other than ``AllowAny`` (no credentials; a role or rule refuses);
- 404: a path parameter (the object does not exist or is outside the caller's jurisdiction),
  or a paginated list (a page past the end);
- 409: a request body behind a permission (a move no longer allowed, a likely duplicate, the same
  idempotency key still in progress);
- 413 and 415: a request body (over ``DATA_UPLOAD_MAX_MEMORY_SIZE``; an unsupported content type);
- 422: an idempotent create (``governance.idempotency``): the key was used for another request;
- 429: throttled views.

An idempotent create also documents its optional ``Idempotency-Key`` header.

A status an operation declares itself (``extend_schema(responses=...)``) is kept as declared.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorOutput(serializers.Serializer):
    """The error envelope: a machine ``code``, a translated ``detail``, field errors for ``invalid``."""

    code = serializers.CharField(help_text="machine-readable code, e.g. invalid, not_found, invalid_transition")
    detail = serializers.CharField(help_text="human-readable message in the request's language")
    fields = serializers.DictField(
        required=False,
        child=serializers.JSONField(),
        help_text="per field: a list of messages (or, for nested input, an object of the same shape)",
    )

    class Meta:
        ref_name = "Error"


ERROR_DESCRIPTIONS = {
    "400": _("请求参数或提交的数据有误（code: invalid、parse_error …）"),
    "401": _("未登录或令牌无效（code: not_authenticated、authentication_failed）"),
    "403": _("没有权限（code: permission_denied …）"),
    "404": _("不存在，或不在您的管辖范围内（code: not_found）"),
    "409": _("与当前状态冲突（code: invalid_transition、possible_duplicate、in_progress …）"),
    "413": _("请求体过大（code: request_too_large）"),
    "415": _("不支持的 Content-Type（code: unsupported_media_type）"),
    "422": _("Idempotency-Key 已用于另一个不同的请求（code: idempotency_key_reused）"),
    "429": _("请求过于频繁（code: throttled、locked_out）"),
}


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=_("可选。重试时带上相同的键：24 小时内返回首次的响应，不会重复创建。"),
)


class PortalAutoSchema(AutoSchema):
    def _is_idempotent(self) -> bool:
        handler = getattr(self.view, getattr(self.view, "action", None) or self.method.lower(), None)
        return bool(getattr(handler, "idempotent", False))

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        return [*parameters, IDEMPOTENCY_KEY] if self._is_idempotent() else parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction=direction)
        for code in self._error_statuses():
            if code not in responses:
                response = self._get_response_for_code(ErrorOutput, code, direction=direction)
                response["description"] = str(ERROR_DESCRIPTIONS[code])
                responses[code] = response
        return responses

    def _error_statuses(self) -> list[str]:
        has_body = self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None
        query_params = [
            p for p in self.get_override_parameters() if isinstance(p, OpenApiParameter) and p.location == "query"
        ]
        is_list = self.method == "GET" and self._is_list_view()
        paginated = is_list and self._get_paginator() is not None
        codes = set()
        if has_body or query_params or (is_list and self._get_filter_parameters()) or paginated:
            codes.add("400")
        signed_in = not all(isinstance(p, AllowAny) for p in self.view.get_permissions())
        if signed_in:
            codes |= {"401", "403"}
        # A view that answers "not found" beyond its path (no account of yours, an id in the body
        # outside your jurisdiction) says so with ``schema_may_404 = True``.
        if "{" in self.path or paginated or getattr(self.view, "schema_may_404", False):
            codes.add("404")
        if has_body:
            codes |= {"413", "415"}
        if has_body and signed_in:
            codes.add("409")
        if self._is_idempotent():
            codes.add("422")
        if any(getattr(t, "throttles_method", lambda m: True)(self.method) for t in self.view.get_throttles()):
            codes.add("429")
        return sorted(codes)
