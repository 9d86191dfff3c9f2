from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("基层治理核心")

    def ready(self) -> None:
        from governance import checks, signals  # noqa: F401 - registers the checks, connects the sign-in audit receivers
