"""Ledger-like rows (notifications, audit entries): read here, never added, changed or deleted."""

from django.contrib import admin

from governance.admin.base import ViewOnlyAdmin
from governance.models import AuditEntry, Notification


@admin.register(Notification)
class NotificationAdmin(ViewOnlyAdmin):
    """Sent is sent: the inbox and the outbox are read here, never edited."""

    list_display = ["title", "recipient", "created_at", "read_at", "delivered_at"]
    list_filter = ["by_email", "by_sms"]
    search_fields = ["title", "recipient__username", "idempotency_key"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ViewOnlyAdmin):
    """Append-only: nothing here can be added, changed or deleted."""

    list_display = ["created_at", "actor", "action", "object_type", "object_repr", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "actor__username", "object_id"]
    date_hierarchy = "created_at"
