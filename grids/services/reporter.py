"""What belongs to the reporter: the rating and its secret link, and their contact details.

Rating belongs to the reporter: signed in (policy "rate"), or holding the secret rating link made
for them at report time. Staff record a return-visit (回访) rating as its own action.
"""

import hashlib
import secrets
import string

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.exceptions import DomainError, InvalidTransition
from governance.models import AuditEntry, User
from governance.outbox import notification_enqueue_sms
from governance.services import audit_record
from grids.models import Event
from grids.services.deadlines import clock_fields
from grids.services.events import event_transition

S = Event.Status

# Reports whose reporter rates through a secret link: a 12345 caller, an Open311 client's user.
RATED_BY_LINK_SOURCES = frozenset({Event.Source.HOTLINE, Event.Source.OPEN311})
RATING_SECRET_ALPHABET = string.ascii_letters  # letters only: no digit run a mask could touch
RATING_SECRET_LENGTH = 24


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def rating_link_issue(*, event: Event) -> str:
    """Make (or remake) the secret rating link of ``event``; returns the secret, shown once."""
    secret = "".join(secrets.choice(RATING_SECRET_ALPHABET) for _ in range(RATING_SECRET_LENGTH))
    Event.objects.filter(pk=event.pk).update(rate_secret_hash=_secret_hash(secret))
    event.rate_secret_hash = _secret_hash(secret)
    return secret


def rating_link_url(secret: str) -> str:
    return reverse("grids:rate_by_link", args=[secret])


def event_for_rating_secret(*, secret: str) -> Event | None:
    if not secret or len(secret) != RATING_SECRET_LENGTH or not secret.isascii() or not secret.isalpha():
        return None
    return Event.objects.select_related("category", "grid").filter(rate_secret_hash=_secret_hash(secret)).first()


@transaction.atomic
def event_rate(*, event: Event, rating: int, comment: str = "", actor: User | None = None, via: str = "") -> Event:
    """Record the reporter's rating of a resolved event: 3–5 closes it, 1–2 reopens it with a new
    response clock. ``via`` says how it came: the reporter signed in, the secret link, or a
    staff member's return visit (回访) on the reporter's behalf."""
    via = via or Event.RatedVia.REPORTER
    if event.status != S.RESOLVED:
        raise InvalidTransition(frm=event.status, to="rated", detail=_("只有已办结的事件才能评价。"))
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("评价须为 1 到 5 分。")})
    comment = (comment or "").strip()[:300]
    label = _("回访评价") if via == Event.RatedVia.RETURN_VISIT else _("评价")
    note = _("%(label)s %(n)d 分") % {"label": label, "n": rating} + (f"：{comment}" if comment else "")
    rated = {"rating": rating, "rating_comment": comment, "rated_via": via}
    if rating <= 2:
        return event_transition(
            event=event,
            to=S.REOPENED,
            actor=actor,
            note=note,
            changes=lambda row: {
                **rated,
                "responded_at": None,
                "resolved_at": None,
                "level": Event.Level.GRID,
                **clock_fields(category=row.category, start=timezone.now()),
            },
        )
    return event_transition(
        event=event, to=S.CLOSED, actor=actor, note=note, changes={**rated, "closed_at": timezone.now()}
    )


def event_return_visit(*, event: Event, actor: User, rating: int, comment: str = "") -> Event:
    """Staff record the reporter's rating taken on a return visit or call (回访), labelled so."""
    return event_rate(event=event, rating=rating, comment=comment, actor=actor, via=Event.RatedVia.RETURN_VISIT)


def event_rate_by_link(*, secret: str, rating: int, comment: str = "") -> Event:
    event = event_for_rating_secret(secret=secret)
    if event is None:
        raise DomainError(_("评价链接无效或已失效。"), code="invalid_rating_link")
    return event_rate(event=event, rating=rating, comment=comment, actor=None, via=Event.RatedVia.LINK)


def rating_link_send(*, event: Event, phone: str) -> str:
    """Issue the rating link and text it (with the tracking code) to a reporter without an
    account; through the outbox, so a broker outage delays the SMS and never loses it."""
    secret = rating_link_issue(event=event)
    notification_enqueue_sms(
        phone=phone,
        key=f"event:{event.pk}:rating-link",
        text=_(
            "您反映的问题已登记，查询编号 %(code)s，可凭编号在门户“查询进度”查看办理情况。办结后可通过以下链接评价："
        )
        % {"code": event.code},
        url=rating_link_url(secret),
    )
    return secret


def event_contact_read(*, event: Event, actor: User, request=None) -> dict[str, str]:
    """The reporter's unmasked contact details, for calling them back; the read is audited
    (个人信息保护法). Callers check that ``actor`` works on the event."""
    audit_record(
        actor=actor,
        action=AuditEntry.Action.READ_PERSONAL,
        obj=event,
        request=request,
        changes={"fields": ["reporter_name", "reporter_phone", "reporter_email"]},
    )
    return {"name": event.reporter_name, "phone": event.reporter_phone, "email": event.reporter_email}
