"""Audit of sign-in events, through Django's own auth signals (the only signals we use)."""

from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.dispatch import receiver

from governance.models import AuditEntry
from governance.services import audit_record


@receiver(user_login_failed, dispatch_uid="governance.audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        actor=None,
        action=AuditEntry.Action.LOGIN_FAILED,
        request=getattr(request, "_request", request),
        object_repr=username,
        changes={"username": username},
    )


@receiver(user_logged_out, dispatch_uid="governance.audit_logout")
def audit_logout(sender, request=None, user=None, **kwargs) -> None:
    if user is not None:
        audit_record(actor=user, action=AuditEntry.Action.LOGOUT, obj=user, request=request)
