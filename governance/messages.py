"""Messages stored as a key and parameters, rendered in the reader's language.

A notice or a system note written by a service is read later, by people who may read another
language than the one active when it was written. So the row keeps a ``message_key`` and its
``params`` (JSON); the text is made when it is shown (in the page's language) or delivered (in the
recipient's), and the stored Chinese text stays as the fallback for keys this code no longer knows.

A parameter is either plain (a code, a time: the same in every language) or localised: a
``{language: text}`` mapping, made with :func:`localized` from a lazy translation (a status or level
label) or given directly for named data (a category's ``name`` / ``name_en``).

``message(key, **params)`` returns a :class:`KeyedText`: a ``str`` (the Chinese text, so it can go
anywhere a note or title goes) that also carries its key and parameters, which
``notification_enqueue`` and the grid timeline store.
"""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MESSAGES: dict[str, Promise] = {
    # Notices (Notification.title)
    # Kept for notices written before each move had its own words.
    "grids.event.moved": _("事件 %(code)s %(status)s：%(category)s"),
    # One per move of the grid event flow (grids.services.notify.move_notices).
    "grids.event.reported": _("新事件 %(code)s 待受理：%(category)s"),
    "grids.event.accepted": _("事件 %(code)s 已受理，待派单：%(category)s"),
    "grids.event.rejected": _("您上报的事件 %(code)s 不予受理：%(reason)s"),
    "grids.event.dispatched": _("事件 %(code)s 已派至%(department)s，请处置：%(category)s"),
    "grids.event.dispatched_cc": _("【抄送】事件 %(code)s 已派至%(department)s：%(category)s"),
    "grids.event.redispatched_to": _("事件 %(code)s 由%(before)s改派至%(department)s，请处置。原因：%(reason)s"),
    "grids.event.returned": _("事件 %(code)s 被%(department)s退回，请重新派单。原因：%(reason)s"),
    "grids.event.resolved": _("您上报的事件 %(code)s 已办结，请查看结果并评价：%(category)s"),
    "grids.event.reopened": _("事件 %(code)s 评价不满意（%(rating)s 分），已重新打开，请再次处置：%(category)s"),
    "grids.event.withdrawn": _("事件 %(code)s 已撤销：%(reason)s"),
    "grids.event.escalated": _("【督办】事件 %(code)s 已超时，升级至%(level)s"),
    "grids.event.reminder": _("【提醒】事件 %(code)s 将于 %(deadline)s 超时"),
    "grids.event.redispatched_away": _("事件 %(code)s 已改派至%(department)s，本单位无需再办理：%(category)s"),
    "grids.event.urged": _("【催办】事件 %(code)s 请尽快处置"),
    # System notes on an event's timeline (TimelineEntry.note)
    "grids.note.source": _("来源：%(source)s"),
    "grids.note.escalated": _("超过响应期限未响应，升级至%(level)s督办，新期限 %(deadline)s"),
    "grids.note.reminder": _("即将超时，响应期限 %(deadline)s"),
    "grids.note.sensor_accepted": _("设备告警自动受理"),
    "grids.note.sensor_repeat": _("设备再次告警：%(fault)s"),
    "grids.note.open311_client": _("Open311 客户端：%(name)s"),
    "grids.note.dispatched": _("派往%(dept)s（%(how)s）"),
    "grids.note.returned": _("退回（原派往%(dept)s）：%(reason)s"),
    "grids.note.redispatched": _("改派：%(before)s → %(after)s。原因：%(reason)s"),
    "grids.note.urged": _("催办%(dept)s"),
    "grids.note.urged_with_note": _("催办%(dept)s：%(note)s"),
}


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def localized(value: Any) -> dict[str, str]:
    """A lazy translation (or anything str() renders per language) as ``{language: text}``."""
    texts = {}
    for code in language_codes():
        with translation.override(code):
            texts[code] = str(value)
    return texts


def _pick(value: Any, language: str) -> Any:
    if isinstance(value, Mapping):
        for code in (language, language.split("-")[0], settings.LANGUAGE_CODE):
            if value.get(code):
                return value[code]
        return next((v for v in value.values() if v), "")
    return value


def _storable(value: Any) -> Any:
    if isinstance(value, Promise):
        return localized(value)
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    if isinstance(value, int | float | bool) or value is None:
        return value
    return str(value)


def render(
    key: str, params: Mapping[str, Any] | None = None, *, fallback: str = "", language: str | None = None
) -> str:
    """The text of ``key`` with ``params`` in ``language`` (default: the active one); ``fallback``
    when the key is unknown or the parameters no longer fit its template."""
    template = MESSAGES.get(key or "")
    if template is None:
        return fallback
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        text = str(template)
        values = {name: _pick(value, language) for name, value in (params or {}).items()}
        try:
            return text % values if values else text
        except (KeyError, TypeError, ValueError):
            return fallback or text


class KeyedText(str):
    """A rendered message (Chinese, the default language) that remembers its key and parameters."""

    key: str
    params: dict[str, Any]

    def __new__(cls, key: str, params: dict[str, Any]):
        if key not in MESSAGES:
            raise KeyError(f"Unknown message key {key!r}: add it to governance.messages.MESSAGES")
        obj = super().__new__(cls, render(key, params, language=settings.LANGUAGE_CODE))
        obj.key = key
        obj.params = params
        return obj


def message(key: str, **params: Any) -> KeyedText:
    """``message("grids.note.reminder", deadline="2026-05-01 09:00")`` — see the module docstring."""
    return KeyedText(key, {name: _storable(value) for name, value in params.items()})


def key_and_params(text: Any) -> tuple[str, dict[str, Any]]:
    """``(key, params)`` of a :class:`KeyedText`, ``("", {})`` for plain text."""
    if isinstance(text, KeyedText):
        return text.key, text.params
    return "", {}
