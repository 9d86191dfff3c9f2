"""The notification outbox every app writes to.

A service that must tell people something writes the ``Notification`` rows in its own
transaction (:func:`notification_enqueue`): the inbox entry *is* the outbox row. Email and SMS
are then delivered from the table — after commit, a delivery task is asked for by name
(best-effort: a dead broker is logged, never raised, and never turns a committed write into an
error), and the periodic scan delivers whatever the broker or a dead worker missed. So a message
is delayed by an outage, never lost; the unique ``(recipient, idempotency_key)`` makes a rerun
add nothing, and the delivery claim makes a redelivered task send nothing twice.
"""

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from governance.dispatch import enqueue_on_commit
from governance.masking import mask_text
from governance.messages import MESSAGES, key_and_params, render
from governance.models import Notification, User

logger = logging.getLogger(__name__)

DELIVER_TASK = "governance.tasks.notification_deliver_task"
DELIVER_KEY_TASK = "governance.tasks.notification_deliver_key_task"


def notification_enqueue(
    *,
    recipients: Iterable[User],
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    email: bool = False,
    sms: bool = False,
    message_key: str = "",
    params: dict | None = None,
) -> int:
    """Write one inbox row per recipient in the caller's transaction (one INSERT); rows whose
    ``(recipient, key)`` exists already are skipped. Email/SMS go out after commit.

    With ``message_key`` (a key of ``governance.messages.MESSAGES``) and ``params`` the title is
    rendered in each reader's language when shown or delivered; ``title`` (or, if empty, the key
    rendered in Chinese) is kept as the fallback. A ``title`` made with ``governance.messages.message``
    carries its key and parameters by itself.

    Free text is masked on the way in: a notice is read in inboxes, mails and SMS by people who
    are not entitled to a reporter's number, which stays on the page that audits its reveal.
    Returns the number of recipients asked for (rows that already existed included).
    """
    people = {user.pk: user for user in recipients if user is not None and user.is_active}
    if not people:
        return 0
    message_key, params = _message_of(title, message_key, params)
    title, body = (
        mask_text(title or render(message_key, params, language=settings.LANGUAGE_CODE))[:200],
        mask_text(body),
    )
    rows = [
        Notification(
            recipient=user,
            idempotency_key=key,
            title=title,
            message_key=message_key,
            params=params,
            body=body,
            url=url,
            by_email=email and bool(user.email),
            by_sms=sms and bool(user.phone),
        )
        for user in people.values()
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if any(row.by_email or row.by_sms for row in rows):
        enqueue_on_commit(DELIVER_KEY_TASK, key=key)
    return len(rows)


def _message_of(title: str, message_key: str, params: dict | None) -> tuple[str, dict]:
    if not message_key:
        message_key, carried = key_and_params(title)
        params = carried if params is None else params
    if message_key and message_key not in MESSAGES:
        raise ValueError(f"Unknown message key {message_key!r}: add it to governance.messages.MESSAGES")
    return message_key, dict(params or {})


def recipient_language(user: User | None) -> str:
    """The language a notice is delivered in: the person's own (``User.language``) if set, else the default."""
    return (user.language if user is not None else "") or settings.LANGUAGE_CODE


def notification_send(
    *,
    recipient: User,
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    email: bool = False,
    sms: bool = False,
    message_key: str = "",
    params: dict | None = None,
) -> tuple[Notification | None, bool]:
    """One notice to one person: :func:`notification_enqueue` with one recipient, answering
    ``(notification, created)`` (``(None, False)`` for an inactive account, who is told nothing).
    Idempotent by ``key``: a second call returns the first row unchanged."""
    existing = Notification.objects.filter(recipient=recipient, idempotency_key=key).first()
    if existing is not None:
        return existing, False
    notification_enqueue(
        recipients=[recipient],
        key=key,
        title=title,
        body=body,
        url=url,
        email=email,
        sms=sms,
        message_key=message_key,
        params=params,
    )
    notification = Notification.objects.filter(recipient=recipient, idempotency_key=key).first()
    return notification, notification is not None


def notification_enqueue_sms(*, phone: str, key: str, text: str, url: str = "") -> bool:
    """An SMS to someone without an account (a hotline caller, an Open311 reporter), from the
    outbox like every other notice. ``text`` is masked; ``url`` (a link made for this person,
    e.g. their rating link) is appended unmasked. Idempotent by ``(phone, key)``: True when this
    call wrote the row, False when it was there already (or there is no phone)."""
    phone = (phone or "").strip()
    if not phone:
        return False
    if Notification.objects.filter(recipient__isnull=True, to_phone=phone, idempotency_key=key).exists():
        return False
    Notification.objects.bulk_create(  # ignore_conflicts: a concurrent caller may have written it
        [Notification(to_phone=phone, idempotency_key=key, title=mask_text(text)[:200], url=url, by_sms=True)],
        ignore_conflicts=True,
    )
    enqueue_on_commit(DELIVER_KEY_TASK, key=key)
    return True


def _claim_timeout() -> timedelta:
    """A claim older than this is taken to be from a worker that died mid-send, and is retried."""
    return timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS)


def _deliverable(now) -> Q:
    return (
        (Q(by_email=True) | Q(by_sms=True))
        & Q(delivered_at__isnull=True)
        & (Q(delivery_claimed_at__isnull=True) | Q(delivery_claimed_at__lt=now - _claim_timeout()))
    )


def notification_deliver(*, notification_id: int) -> bool:
    """Send a notification's email and SMS once. Returns False when there was nothing to do.

    The row is claimed with a compare-and-set update on ``delivery_claimed_at``; a second run, or
    a concurrent one, finds it claimed and does nothing. ``delivered_at`` is written only after
    the send succeeded. A failed send releases the claim at once; a claim left by a worker that
    died mid-send expires after ``NOTIFICATION_CLAIM_TIMEOUT_SECONDS``; either way the retry or the periodic
    redelivery scan tries again.
    """
    now = timezone.now()
    claimed = Notification.objects.filter(_deliverable(now), pk=notification_id).update(delivery_claimed_at=now)
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    recipient = notification.recipient
    link = f"{settings.PORTAL_BASE_URL}{notification.url}" if notification.url else ""
    email = recipient.email if recipient is not None else ""
    phone = recipient.phone if recipient is not None else notification.to_phone
    title = mask_text(notification.title_in(recipient_language(recipient)))
    try:
        if notification.by_email and email:
            send_mail(title, "\n\n".join(p for p in (notification.body, link) if p), None, [email])
        if notification.by_sms and phone:
            # A person without an account gets the link (their rating link); staff open the portal.
            extra = link if recipient is None else ""
            text = " ".join(p for p in (title, notification.body, extra) if p)
            sms_backend().send(phone=phone, text=text)
    except Exception as exc:
        Notification.objects.filter(pk=notification_id).update(delivery_claimed_at=None, delivery_error=str(exc)[:300])
        raise
    Notification.objects.filter(pk=notification_id).update(delivered_at=timezone.now(), delivery_error="")
    return True


def notification_ids_for_key(*, key: str) -> list[int]:
    now = timezone.now()
    return list(Notification.objects.filter(_deliverable(now), idempotency_key=key).values_list("pk", flat=True))


def notifications_undelivered_ids(*, older_than_seconds: int | None = None, limit: int = 500) -> list[int]:
    """Notifications due an email or SMS that none was sent for (served by a partial index)."""
    if older_than_seconds is None:
        older_than_seconds = settings.NOTIFICATION_SCAN_MIN_AGE_SECONDS
    now = timezone.now()
    cutoff = now - timedelta(seconds=older_than_seconds)
    return list(
        Notification.objects.filter(_deliverable(now), created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


def notifications_deliver_each(*, ids: Iterable[int]) -> int:
    """Deliver each notification in turn; one failing send is logged and left for the next scan."""
    sent = 0
    for pk in ids:
        try:
            sent += notification_deliver(notification_id=pk)
        except Exception as exc:  # the error is stored on the row; the scan retries it
            logger.warning("Delivery of notification %s failed (%s); left for the next scan.", pk, type(exc).__name__)
    return sent


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notification_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def sms_backend():
    return import_string(settings.SMS_BACKEND)()
