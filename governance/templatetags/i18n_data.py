"""Named data and stored messages in the reader's language.

``{% load i18n_data %}`` then ``{{ category|localized_name }}`` (anything with ``name`` / ``name_en``)
and ``{{ entry|timeline_note }}`` (a timeline entry, a model or a ``.values()`` dict: its system note
rendered from ``note_key`` + ``note_params``, else the note as written).
"""

from django import template
from django.utils.translation import get_language

from governance.messages import render

register = template.Library()


def _get(obj, name: str, default=None):
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


@register.filter
def localized_name(obj) -> str:
    if obj is None:
        return ""
    name = _get(obj, "name", "") or ""
    english = _get(obj, "name_en", "") or ""
    language = get_language() or ""
    return english if english and language.startswith("en") else name


@register.filter
def timeline_note(entry) -> str:
    if entry is None:
        return ""
    note = _get(entry, "note", "") or ""
    key = _get(entry, "note_key", "") or ""
    return render(key, _get(entry, "note_params") or {}, fallback=note) if key else note
