"""Every write of the core, one module per job (keyword-only, each owning its transaction), re-exported here."""

# Services do not check permissions; callers reach objects through the selectors' scoped gates.

from governance.outbox import (  # re-exported: callers may keep importing them from here
    notification_deliver,
    notification_enqueue,
    notification_mark_all_read,
    notification_mark_read,
    notification_send,
    notifications_undelivered_ids,
    sms_backend,
)
from governance.services.areas import (
    area_check_placement,
    area_create,
    area_rename,
    department_create,
    department_update,
    party_organization_check,
    party_organization_create,
    party_organization_update,
)
from governance.services.audit import audit_record, person_contact_read
from governance.services.holidays import (
    calendar_adjustment_check,
    calendar_adjustment_delete,
    calendar_adjustment_save,
)
from governance.services.people import (
    PERSONAL_FIELDS,
    post_assign,
    post_check,
    post_end,
    post_update,
    user_create,
    user_language_set,
    user_set_permissions,
    user_update,
)

__all__ = [
    "PERSONAL_FIELDS",
    "area_check_placement",
    "area_create",
    "area_rename",
    "audit_record",
    "calendar_adjustment_check",
    "calendar_adjustment_delete",
    "calendar_adjustment_save",
    "department_create",
    "department_update",
    "notification_deliver",
    "notification_enqueue",
    "notification_mark_all_read",
    "notification_mark_read",
    "notification_send",
    "notifications_undelivered_ids",
    "party_organization_check",
    "party_organization_create",
    "party_organization_update",
    "person_contact_read",
    "post_assign",
    "post_check",
    "post_end",
    "post_update",
    "sms_backend",
    "user_create",
    "user_language_set",
    "user_set_permissions",
    "user_update",
]
