from django.conf import settings

from governance.selectors import notification_unread_count


def portal(request) -> dict:
    user = getattr(request, "user", None)
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "unread_count": (lambda: notification_unread_count(user=user)) if user is not None else 0,
    }
