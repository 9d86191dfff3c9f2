"""Links one app adds to another app's object page, without the page's app importing it.

The arrows point one way (``mediation`` → ``grids`` → ``governance``), yet a grid event's page
should offer "转为调解案件". The page renders ``{% include "_object_links.html" with obj=event %}``;
the app that owns the action registers a provider for the object's model in ``AppConfig.ready``::

    extensions.register_object_links("grids.event", provider)   # provider(user, obj) -> [Link]
"""

from collections.abc import Callable
from dataclasses import dataclass


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
