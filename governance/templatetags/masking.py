"""``{% load masking %}``: the masking of governance.masking for templates (lists, inboxes, public pages)."""

from django import template

from governance.masking import mask_text

register = template.Library()


@register.filter
def masked(value) -> str:
    """``{{ event.description|masked }}``: phones and ID numbers inside free text masked."""
    return mask_text(value or "")
