"""Helpers shared by the services' edit functions: what changed, as JSON-safe audit changes."""

from typing import Any


def _diff(obj: Any, values: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``values`` that differ from ``obj``, as JSON-safe audit changes."""
    changes = {}
    for field, value in values.items():
        old = getattr(obj, field)
        if old != value:
            changes[field] = {"from": _plain(old), "to": _plain(value)}
    return changes


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return value.pk if hasattr(value, "pk") else str(value)
