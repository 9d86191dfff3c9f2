"""Recusal: why a mediator must not mediate a case, and the conflict it raises."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.exceptions import Conflict
from governance.models import Area, Role, User
from mediation.models import Case


class ConflictOfInterest(Conflict):
    code = "conflict_of_interest"
    default_detail = gettext_lazy("该调解员与本案当事人存在利害关系，应当回避。")


def recusal_reason(*, case: Case, mediator: User) -> str:
    """Why ``mediator`` must not mediate ``case`` ("" when nothing is declared against it)."""
    parties = list(case.parties.all())
    for party in parties:
        same_id = bool(mediator.id_number) and party.id_number.upper() == mediator.id_number.upper()
        same_phone = bool(mediator.phone) and party.phone == mediator.phone
        if party.user_id == mediator.pk or same_id or same_phone:
            return _("调解员本人是本案当事人（%(role)s）。") % {"role": party.get_role_display()}
    relation = case.relations.filter(other_user=mediator).select_related("party").first()
    if relation is not None:
        return _("调解员与当事人 %(name)s 存在已申报的关系：%(relation)s。") % {
            "name": relation.party.name_masked,
            "relation": relation.relation,
        }
    homes = set(
        mediator.posts.filter(is_active=True, role=Role.RESIDENT, area__level=Area.Level.BUILDING).values_list(
            "area_id", flat=True
        )
    )
    for party in parties:
        if party.building_id and party.building_id in homes:
            return _("调解员与当事人 %(name)s 住在同一楼栋。") % {"name": party.name_masked}
    return ""
