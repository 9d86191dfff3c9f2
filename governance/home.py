"""What each person should do next: the home page is built from cards that apps register.

``governance`` imports no domain app; each app registers its providers in ``AppConfig.ready``::

    home.register(my_provider)   # my_provider(user, roles) -> list[Card]
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from governance.models import Role
from governance.selectors import notification_unread_count


@dataclass(frozen=True)
class Card:
    title: str
    body: str = ""
    url: str = ""
    action: str = ""
    count: int | None = None
    priority: int = 50  # lower comes first
    tone: str = "normal"  # normal | warn | danger
    roles: frozenset[str] = field(default_factory=frozenset)
    # Secondary entries under the body: (url, label), e.g. one per 督办 level with its count.
    links: tuple[tuple[str, str], ...] = ()


Provider = Callable[..., list[Card]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def cards_for(user, roles: set[str]) -> list[Card]:
    cards: list[Card] = []
    for provider in _providers:
        cards.extend(provider(user, roles))
    return sorted(cards, key=lambda c: c.priority)


@register
def core_cards(user, roles: set[str]) -> list[Card]:
    unread = notification_unread_count(user=user)
    cards = [
        Card(
            title=_("消息通知"),
            body=ngettext("您有 %(n)d 条未读消息。", "您有 %(n)d 条未读消息。", unread) % {"n": unread}
            if unread
            else _("没有未读消息。"),
            url=reverse("inbox"),
            action=_("查看消息"),
            count=unread,
            priority=10 if unread else 80,
            tone="warn" if unread else "normal",
        ),
    ]
    if Role.ADMIN in roles or user.is_staff:
        cards.append(
            Card(
                title=_("后台管理"),
                body=_("维护区域、处置单位、岗位和党组织。"),
                url=reverse("admin:index"),
                action=_("进入后台"),
                priority=70,
            )
        )
    if not roles and not user.is_superuser:
        cards.append(
            Card(title=_("尚未分配岗位"), body=_("请联系社区工作人员为您分配岗位和所在区域。"), priority=5, tone="warn")
        )
    return cards
