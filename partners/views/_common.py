"""What the partners pages share: the signed-in person's partner, if any."""

from django.http import HttpRequest

from partners import selectors


def _my_partner_or_none(request: HttpRequest):
    return selectors.my_partner(user=request.user)
