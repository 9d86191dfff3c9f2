"""Topics (议题征集): residents propose them and support others' (附议, once each)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from governance.consultation.models import (
    AgendaItem,
    Meeting,
    Suggestion,
    SuggestionSupport,
)
from governance.consultation.services.flows import (
    SUGGESTION_FLOW,
)
from governance.exceptions import Conflict, DomainError
from governance.models import Area, AuditEntry, User
from governance.services import audit_record

M = Meeting.Status
S = Suggestion.Status


@transaction.atomic
def suggestion_create(*, author: User, area: Area, title: str, body: str = "") -> Suggestion:
    if area.level not in (Area.Level.COMPOUND, Area.Level.COMMUNITY):
        raise ValidationError({"area": _("议题须提给小区或社区。")})
    suggestion = Suggestion(author=author, area=area, title=title.strip(), body=body.strip())
    suggestion.full_clean()
    suggestion.save()
    audit_record(actor=author, action=AuditEntry.Action.CREATE, obj=suggestion)
    return suggestion


@transaction.atomic
def suggestion_support(*, user: User, suggestion: Suggestion) -> SuggestionSupport:
    """Support someone else's topic (附议), once."""
    if suggestion.author_id == user.pk:
        raise DomainError(_("不能附议自己提出的议题。"), code="own_topic")
    try:
        with transaction.atomic():
            support = SuggestionSupport.objects.create(suggestion=suggestion, user=user)
    except IntegrityError as exc:
        raise Conflict(_("您已附议过该议题。"), code="already_supported") from exc
    audit_record(actor=user, action=AuditEntry.Action.CREATE, obj=support)
    return support


def _suggestions_back_to_open(*, meeting: Meeting, actor: User) -> None:
    """The topics of a cancelled meeting go back to open, unless another open meeting has them."""
    elsewhere = AgendaItem.objects.filter(meeting__status__in=[M.PLANNED, M.IN_SESSION]).exclude(meeting=meeting)
    topics = Suggestion.objects.filter(items__meeting=meeting, status=S.ON_AGENDA).exclude(
        pk__in=elsewhere.values("suggestion_id")
    )
    for suggestion in topics.distinct():
        SUGGESTION_FLOW.transition(suggestion, to=S.OPEN, actor=actor, note=_("会议取消：%(t)s") % {"t": meeting.title})
