"""Parties joining a case, and the relationships declared between them."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from governance.exceptions import Conflict
from governance.masking import mask_name
from governance.models import AuditEntry, User
from governance.services import audit_record
from mediation.models import Case, CaseTimelineEntry, Party, PartyRelation
from mediation.services._common import _clean_parties
from mediation.services.cases import timeline_add

# Parties join a case while it is being mediated; an agreement binds those who signed it.
PARTIES_OPEN = frozenset({Case.Status.REGISTERED, Case.Status.ACCEPTED, Case.Status.MEDIATING, Case.Status.REOPENED})


@transaction.atomic
def party_add(
    *, case: Case, actor: User, role: str, name: str, phone: str = "", id_number: str = "", address: str = ""
) -> Party:
    (cleaned,) = _clean_parties(
        [{"role": role, "name": name, "phone": phone, "id_number": id_number, "address": address}]
    )
    # Locked: an agreement recorded at the same moment waits, so it cannot take effect without
    # the party added just before it.
    current = Case.objects.select_for_update().get(pk=case.pk)
    if current.status not in PARTIES_OPEN:
        reason = (
            _("协议只约束已签名的当事人；如需增加当事人，请重新启动调解。")
            if current.status == Case.Status.AGREED
            else ""
        )
        raise Conflict(
            _("案件当前为“%(status)s”，不能再增加当事人。") % {"status": current.get_status_display()} + reason,
            code="parties_closed",
        )
    party = Party.objects.create(case=case, **cleaned)
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=party, object_repr=str(case))
    # On the case's timeline too, by role and masked name: the full name is on the parties list.
    timeline_add(
        case=current,
        kind=CaseTimelineEntry.Kind.PARTY,
        actor=actor,
        note=_("增加当事人（%(role)s）：%(name)s") % {"role": party.get_role_display(), "name": mask_name(party.name)},
    )
    return party


@transaction.atomic
def relation_declare(
    *, case: Case, actor: User, party: Party, relation: str, other_party=None, other_user=None
) -> PartyRelation:
    """Declare that ``party`` is related (亲属、同事 …) to another party or to a person with an
    account — a mediator, typically: the recusal check (:func:`recusal_reason`) reads these."""
    relation = (relation or "").strip()
    if party.case_id != case.pk or (other_party is not None and other_party.case_id != case.pk):
        raise ValidationError({"party": _("当事人不属于本案。")})
    if not relation:
        raise ValidationError({"relation": _("请填写关系（如：亲属、同事、邻居）。")})
    if (other_party is None) == (other_user is None):
        raise ValidationError({"relation": _("请指明一位关系人：本案另一位当事人，或一位调解员。")})
    if other_party is not None and other_party.pk == party.pk:
        raise ValidationError({"other_party": _("关系人不能是当事人本人。")})
    if PartyRelation.objects.filter(
        case=case, party=party, other_party=other_party, other_user=other_user, relation=relation[:40]
    ).exists():
        raise Conflict(_("该关系已申报。"), code="relation_exists")
    rel = PartyRelation.objects.create(
        case=case, party=party, other_party=other_party, other_user=other_user, relation=relation[:40]
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=rel,
        object_repr=case.number,
        changes={"party": party.pk, "other_party": getattr(other_party, "pk", None),
                 "other_user": getattr(other_user, "pk", None), "relation": rel.relation},
    )  # fmt: skip
    return rel


@transaction.atomic
def relation_remove(*, case: Case, actor: User, relation: PartyRelation) -> None:
    """Withdraw a declared relationship (declared in error); the audit keeps what it said."""
    if relation.case_id != case.pk:
        raise ValidationError({"relation": _("该关系不属于本案。")})
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        obj=relation,
        object_repr=case.number,
        changes={"party": relation.party_id, "other_party": relation.other_party_id,
                 "other_user": relation.other_user_id, "relation": relation.relation},
    )  # fmt: skip
    relation.delete()
