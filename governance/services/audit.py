"""The audit trail: one entry per write worth recording, and the audited read of contact details."""

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from governance import throttles
from governance.models import AuditEntry, User


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: Any = None,
    changes: dict | None = None,
    request: HttpRequest | None = None,
    object_repr: str = "",
) -> AuditEntry:
    """Append one audit entry. Never updated, never deleted."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:200],
        changes=changes or {},
        ip_address=throttles.client_ip(request) if request is not None else None,
    )


@transaction.atomic
def person_contact_read(*, actor: User, person: User, request: HttpRequest | None = None) -> dict[str, str]:
    """Return a person's unmasked contact details and record that ``actor`` read them."""
    audit_record(
        actor=actor,
        action=AuditEntry.Action.READ_PERSONAL,
        obj=person,
        changes={"fields": ["phone", "id_number"]},
        request=request,
    )
    return {"phone": person.phone, "id_number": person.id_number}
