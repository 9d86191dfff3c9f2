"""The partners menu entries for the signed-in person (templates/base.html, through partners_tags)."""

from django.utils.translation import gettext as _

from partners import policies, selectors


def nav_links(user) -> list[tuple[str, str]]:
    from django.urls import reverse

    links = []
    partners = list(selectors.partners_of(user=user))
    if partners:
        links += [(reverse("partners:my_points"), _("我的积分")), (reverse("partners:rewards"), _("积分兑换"))]
        if any(p.sub_kind == "merchant" for p in partners) and not policies.is_staff_somewhere(user):
            links.append((reverse("partners:fulfil"), _("核销兑换券")))
    if policies.is_staff_somewhere(user):
        links += [
            (reverse("partners:applications"), _("合伙人审核")),
            (reverse("partners:records"), _("服务核实")),
            (reverse("partners:adjustments"), _("积分调整复核")),
            (reverse("partners:staff_rules"), _("积分规则")),
            (reverse("partners:staff_rewards"), _("兑换商品与库存")),
            (reverse("partners:staff_projects"), _("需求与项目")),
            (reverse("partners:fulfil"), _("核销兑换券")),
        ]
    return links
