"""System checks (``manage.py check``, run by ``migrate``, ``runserver`` and gunicorn's first
request): settings that would otherwise fail only when a request first needs them."""

from django.conf import settings
from django.core.checks import Error, register

from governance.throttles import parse_rate


@register()
def rate_limits_check(app_configs, **kwargs) -> list[Error]:
    """Every ``RATE_LIMITS`` entry parses (``"10/min"``): a typo is an error at start-up, not a 500
    on the first request the limit applies to."""
    errors = []
    for scope, text in sorted(getattr(settings, "RATE_LIMITS", {}).items()):
        try:
            parse_rate(text)
        except ValueError as exc:
            errors.append(Error(str(exc), hint=f"Set RATE_LIMIT_{scope.upper()} to e.g. 30/min.", id="governance.E001"))
    return errors
