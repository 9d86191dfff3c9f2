"""Hooks the core offers the apps, so that the core never imports an app.

**Object links.** Links one app adds to another app's object page, without the page's app importing it.

The arrows point one way (``mediation`` → ``grids`` → ``governance``), yet a grid event's page
should offer "转为调解案件". The page renders ``{% include "_object_links.html" with obj=event %}``;
the app that owns the action registers a provider for the object's model in ``AppConfig.ready``::

    extensions.register_object_links("grids.event", provider)   # provider(user, obj) -> [Link]

**Fields of ``GET /api/v1/me/``.** An app adds what the signed-in person is to it (partners: the
partner id, or null) in ``AppConfig.ready``::

    extensions.register_me_field(
        "partner", value=lambda user: ..., field=lambda **kw: serializers.IntegerField(allow_null=True, **kw)
    )

``value(user)`` gives the value; ``field(**kwargs)`` builds the serializer field that renders and
documents it (the OpenAPI schema shows its type). Without the app the field is simply absent.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Link:
    label: str
    url: str = ""  # empty: shown as text (e.g. a status the person may read but not open)
    note: str = ""


Provider = Callable[..., list[Link]]
_providers: dict[str, list[Provider]] = {}


def register_object_links(model_label: str, provider: Provider) -> Provider:
    providers = _providers.setdefault(model_label.lower(), [])
    if provider not in providers:
        providers.append(provider)
    return provider


def object_links(user, obj) -> list[Link]:
    links: list[Link] = []
    for provider in _providers.get(obj._meta.label_lower, []):
        links.extend(provider(user, obj))
    return links


# --- Extra fields of /api/v1/me/ -----------------------------------------------------------------


@dataclass(frozen=True)
class MeField:
    name: str
    value: Callable[[Any], Any]
    field: Callable[..., Any]  # field(**kwargs) -> a DRF serializer field


_me_fields: dict[str, MeField] = {}


def register_me_field(name: str, *, value: Callable[[Any], Any], field: Callable[..., Any]) -> MeField:
    """Add ``name`` to ``/api/v1/me/``. Registering the same name again replaces the entry (a reload
    of ``ready``); a name the core already uses is refused by the serializer that renders them."""
    entry = MeField(name=name, value=value, field=field)
    _me_fields[name] = entry
    return entry


def me_fields() -> list[MeField]:
    return list(_me_fields.values())


def me_values(user) -> dict[str, Any]:
    return {entry.name: entry.value(user) for entry in _me_fields.values()}
