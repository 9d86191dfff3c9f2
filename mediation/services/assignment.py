"""Putting a qualified mediator on a case (lead or co-mediator)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from governance.exceptions import Conflict
from governance.models import Role, User
from governance.selectors import area_ancestors
from mediation.models import Case, CaseMediator
from mediation.services._common import _assign

S = Case.Status


@transaction.atomic
def case_assign(*, case: Case, mediator: User, actor: User, lead: bool = False) -> CaseMediator:
    """Put ``mediator`` on the case (lead or co-mediator); refused with ``409 conflict_of_interest``
    when they must recuse, or ``400`` when they hold no mediator post over the case's area."""
    ancestors = {a.pk for a in area_ancestors(area=case.area)}
    qualified = (
        mediator.is_active and mediator.posts.filter(is_active=True, role=Role.MEDIATOR, area_id__in=ancestors).exists()
    )
    if not qualified:
        raise ValidationError({"mediator": _("该用户不是本案所在区域的调解员。")})
    if not case.is_open and case.status != S.AGREED:
        raise Conflict(_("案件已结束，不能再指派调解员。"), code="case_finished")
    if lead is False and not case.assignments.filter(is_lead=True).exists():
        lead = True  # the first mediator on a case leads it
    return _assign(case=case, mediator=mediator, lead=lead, actor=actor)
