"""The personal calendar at a secret URL: its signed token and the meetings it lists."""

from django.core import signing
from django.db.models import QuerySet

from governance.consultation.models import Meeting
from governance.models import User

CALENDAR_SALT = "consultation.personal-calendar"


def personal_calendar_token(*, user: User) -> str:
    """A stable, unguessable token naming ``user`` (signed with SECRET_KEY; rotating the key revokes it)."""
    return signing.Signer(salt=CALENDAR_SALT).sign_object({"u": user.pk})


def personal_calendar_user(*, token: str) -> User | None:
    try:
        data = signing.Signer(salt=CALENDAR_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return User.objects.filter(pk=data.get("u"), is_active=True).first() if isinstance(data, dict) else None


def personal_meetings(*, user: User) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(participants__user=user)
        .select_related("organization", "area")
        .order_by("starts_at", "id")
        .distinct()
    )
