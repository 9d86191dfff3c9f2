"""Template tags of the partners pages: the menu entries shown in templates/base.html."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def partners_nav_links(context) -> list[tuple[str, str]]:
    """``{% partners_nav_links as links %}``: (url, label) pairs for the signed-in person."""
    from partners.views import nav_links

    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return nav_links(user) if user is not None and user.is_authenticated else []
