"""The agenda as read: the item gate, the outline in reading order and its numbers."""

from governance.consultation.models import AgendaItem, Meeting
from governance.consultation.selectors._common import _get_or_404
from governance.consultation.selectors.meetings import visible_meetings
from governance.models import User


def agenda_item_get_for_user(*, user: User, pk) -> AgendaItem:
    return _get_or_404(
        AgendaItem.objects.select_related("meeting"), pk=pk, meeting__in=visible_meetings(user=user).values("pk")
    )


def agenda_outline(*, meeting: Meeting) -> list[AgendaItem]:
    """The agenda in reading order — each top-level item followed by its sub-items — with
    ``number`` ("1", "1.1", "1.2", "2" …) and ``depth`` (0 or 1) set on every item. One query."""
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("suggestion", "responsible_department")
        .order_by("order", "id")
    )
    children: dict[int | None, list[AgendaItem]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)
    out: list[AgendaItem] = []

    def walk(parent_id: int | None, prefix: str, depth: int) -> None:
        siblings = children.get(parent_id, [])
        for n, item in enumerate(siblings, start=1):
            item.number = f"{prefix}{n}"
            item.depth = depth
            item.place, item.sibling_count = n, len(siblings)
            item.sub_count = len(children.get(item.pk, []))
            out.append(item)
            walk(item.pk, f"{item.number}.", depth + 1)

    walk(None, "", 0)
    return out


def agenda_numbers(*, meeting: Meeting) -> dict[int, str]:
    """``{item id: "1.2"}`` for every item of the meeting's agenda."""
    return {item.pk: item.number for item in agenda_outline(meeting=meeting)}
