"""The area scoping every door uses: rows whose area lies under, or covers, one of a person's posts."""

from django.db.models import Q

from governance.models import User
from governance.selectors import jurisdiction_paths


def _prefixes(paths: list[str]) -> set[str]:
    out: set[str] = set()
    for path in paths:
        segments = path.strip("/").split("/")
        out.update("/".join(segments[: i + 1]) + "/" for i in range(len(segments)))
    return out


def area_scope_q(*, user: User, path_field: str) -> Q:
    """Rows whose area lies under, or covers, one of the user's posts."""
    paths = jurisdiction_paths(user=user)
    if paths is None:  # everything; not Q(), which would vanish when OR-ed with another condition
        return Q(pk__isnull=False)
    if not paths:
        return Q(pk__in=[])
    q = Q(**{f"{path_field}__in": _prefixes(paths)})
    for path in paths:
        q |= Q(**{f"{path_field}__startswith": path})
    return q
