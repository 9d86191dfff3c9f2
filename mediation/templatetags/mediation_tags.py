"""Template tags of the mediation pages: menu entries and status labels."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def mediation_nav_links(context) -> list[tuple[str, str]]:
    from mediation.views import nav_links

    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return nav_links(user) if user is not None else []


@register.filter
def case_status_label(value) -> str:
    from mediation.models import Case

    try:
        return Case.Status(value).label
    except ValueError:
        return "" if value in (None, "") else str(value)


@register.filter
def tier_label(value) -> str:
    from mediation.models import Tier

    try:
        return Tier(value).label
    except ValueError:
        return "" if value in (None, "") else str(value)
