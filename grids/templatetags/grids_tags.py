"""Template tags of the grid pages: the role-dependent menu entries shown in templates/base.html."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def grids_nav_links(context) -> list[tuple[str, str]]:
    """``{% grids_nav_links as links %}``: (url, label) pairs for the signed-in person's roles."""
    from grids.views import nav_links

    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return nav_links(user) if user is not None else []


def _label(choices, value) -> str:
    try:
        return choices(value).label
    except ValueError:
        return "" if value in (None, "") else str(value)


@register.filter
def status_label(value) -> str:
    """``{{ entry.to_status|status_label }}`` → 已派单."""
    from grids.models import Event

    return _label(Event.Status, value)


@register.filter
def timeline_kind_label(value) -> str:
    from grids.models import TimelineEntry

    return _label(TimelineEntry.Kind, value)


@register.filter
def level_label(value) -> str:
    from grids.models import Event

    return "" if value is None else _label(Event.Level, value)
