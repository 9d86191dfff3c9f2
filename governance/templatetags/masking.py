"""Template filters for personal data: ``{{ text|mask }}`` and ``{{ name|mask_name }}``.

Mask before any filter that cuts or marks up the text (``truncatechars``, ``linebreaksbr``): a
number cut in half is no longer recognised as one.
"""

from django import template

from governance import masking

register = template.Library()


@register.filter(name="mask")
def mask(value) -> str:
    return masking.mask_text("" if value is None else str(value))


@register.filter(name="mask_name")
def mask_name(value) -> str:
    return masking.mask_name("" if value is None else str(value))
