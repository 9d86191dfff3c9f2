"""Home-page cards of the partners app: a partner's points, staff's applications and records."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from governance.home import Card
from partners import policies, selectors


def partner_cards(user, roles: set[str]) -> list[Card]:
    partner = selectors.my_partner(user=user)
    if partner is None:
        return []
    if not partner.is_active:
        return [
            Card(
                title=_("合伙人申请"), body=partner.get_status_display(), url=reverse("partners:my_points"), priority=30
            )
        ]
    summary = selectors.balance_summary(partner=partner)
    return [
        Card(
            title=_("我的积分"),
            body=_("可用 %(available)d 分，冻结 %(frozen)d 分。") % summary,
            url=reverse("partners:my_points"),
            action=_("查看明细"),
            priority=20,
        )
    ]


def staff_cards(user, roles: set[str]) -> list[Card]:
    if not policies.is_staff_somewhere(user):
        return []
    applications = selectors.applications_to_decide(user=user).count()
    records = selectors.records_to_verify(user=user).count()
    cards = []
    if applications:
        cards.append(
            Card(
                title=_("合伙人申请"),
                body=ngettext("%(n)d 份申请待审核。", "%(n)d 份申请待审核。", applications) % {"n": applications},
                url=reverse("partners:applications"),
                action=_("去审核"),
                count=applications,
                priority=35,
                tone="warn",
            )
        )
    if records:
        cards.append(
            Card(
                title=_("服务记录"),
                body=ngettext("%(n)d 条服务记录待核实。", "%(n)d 条服务记录待核实。", records) % {"n": records},
                url=reverse("partners:records"),
                action=_("去核实"),
                count=records,
                priority=36,
                tone="warn",
            )
        )
    return cards
