"""Request body parsers for the API: bounded in size and depth, and a JSON body is always an object.

DRF's own parsers read a JSON or url-encoded body whole, whatever ``DATA_UPLOAD_MAX_MEMORY_SIZE``
says (only Django's ``request.body`` and multipart check it), let ``json`` recurse until Python's
stack runs out, and hand a list, a string or a number to code that expects a mapping. These refuse
each of those with a 4xx in the error envelope, in one place for every serializer-backed endpoint.
"""

import codecs
from typing import Any

from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.settings import api_settings
from rest_framework.utils import json

MAX_JSON_DEPTH = 32


class RequestTooLarge(APIException):
    """The body is larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``; rendered by the API's error handler."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("请求体过大，请缩小后重试。")
    default_code = "request_too_large"


def read_bounded(stream) -> bytes:
    """The body, at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes; more is ``RequestTooLarge`` (413)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if stream is None:
        return b""
    if limit is None:
        return stream.read()
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise RequestTooLarge()
    return raw


def json_depth(value: Any) -> int:
    """How deeply arrays and objects nest in ``value`` (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


class JSONObjectParser(parsers.JSONParser):
    """A JSON object, nested at most ``MAX_JSON_DEPTH`` levels, within the upload size limit."""

    def parse(self, stream, media_type=None, parser_context=None) -> dict:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = read_bounded(stream)
        try:
            text = codecs.decode(raw, encoding)
            parse_constant = json.strict_constant if api_settings.STRICT_JSON else None
            data = json.loads(text, parse_constant=parse_constant)
        except RecursionError:
            raise ParseError(_("JSON 嵌套层数过多（最多 %(n)d 层）。") % {"n": MAX_JSON_DEPTH}) from None
        except (ValueError, LookupError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            raise ParseError(_("JSON 格式错误：%(error)s") % {"error": exc}) from None
        if not isinstance(data, dict):
            raise ParseError(_("请求体须为 JSON 对象（{…}），不能是数组、字符串或数字。"))
        if json_depth(data) > MAX_JSON_DEPTH:
            raise ParseError(_("JSON 嵌套层数过多（最多 %(n)d 层）。") % {"n": MAX_JSON_DEPTH})
        return data


class FormParser(parsers.FormParser):
    """A url-encoded form within the upload size limit (Django's field-count limit applies too)."""

    def parse(self, stream, media_type=None, parser_context=None) -> QueryDict:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        return QueryDict(read_bounded(stream), encoding=encoding)
