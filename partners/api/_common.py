"""What the partners API views share: the caller's partner, the community of a staff write."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import status

from governance.exceptions import DomainError
from governance.models import Area
from governance.policy import Forbidden
from partners import policies, selectors
from partners.models import Partner


class NotAPartner(DomainError):
    code = "not_partner"
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = gettext_lazy("您还不是社区合伙人。")  # read per request, in its language


def _my_partner(user) -> Partner:
    partner = selectors.my_partner(user=user)
    if partner is None:
        raise NotAPartner(_("您还不是社区合伙人，不能执行此操作。"))
    return partner


def _staff_community(user, pk: int | None) -> Area:
    """The community a staff write is for: the one named (if they are staff over it) or their own."""
    communities = selectors.staff_communities(user=user)
    if pk is not None:
        community = Area.objects.filter(pk=pk, level=Area.Level.COMMUNITY).first()
        if community is None:
            raise DomainError(_("社区不存在。"), code="not_a_community")
        policies.community_manage_can(user=user, community=community).raise_if_denied()
        return community
    if not policies.is_staff_somewhere(user):
        raise Forbidden(_("只有社区工作人员可以执行此操作。"), code="not_staff_here")
    found = list(communities.order_by("path")[:2])
    if len(found) != 1:
        raise DomainError(_("请指定社区（community）。"), code="community_required")
    return found[0]
