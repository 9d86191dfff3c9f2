"""``{% object_links obj as links %}``: the links other apps registered for ``obj``'s page."""

from django import template

from governance.extensions import object_links as _object_links

register = template.Library()


@register.simple_tag(takes_context=True)
def object_links(context, obj):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return _object_links(user, obj) if user is not None and obj is not None else []
