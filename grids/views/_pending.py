"""Photos chosen on the report form, kept across a form error or the duplicate confirmation.

A browser never refills a file input, so a report sent back (a missing field, "an open event of the
same category is within 50 m") would lose the photos the person just took. The page keeps them with
the core's ``governance.uploads.pending_*`` (each photo re-encoded by the same cleaner the service
uses, stored in the cache for ``PENDING_TTL`` seconds under a random token bound to the user), and
the form carries the token in a hidden field.
"""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile

from governance import uploads
from governance.uploads import PENDING_TTL

NAMESPACE = "grids"

__all__ = ["PENDING_TTL", "pending_drop", "pending_keep", "pending_load"]


def pending_load(*, user, token: str | None) -> list[SimpleUploadedFile]:
    return uploads.pending_load(namespace=NAMESPACE, user=user, token=token)


def pending_keep(
    *, user, token: str | None, kept: list[UploadedFile], new: list[UploadedFile], limit: int
) -> tuple[str, int, list[ValidationError]]:
    return uploads.pending_keep(namespace=NAMESPACE, user=user, token=token, kept=kept, new=new, limit=limit)


def pending_drop(*, user, token: str | None) -> None:
    uploads.pending_drop(namespace=NAMESPACE, user=user, token=token)
