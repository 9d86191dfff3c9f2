from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("基层治理核心")

    def ready(self) -> None:
        from governance import checks, signals  # noqa: F401 - registers the checks, connects the sign-in audit receivers

        # django-axes names its admin section "Axes" (its label, not translatable): say what it is.
        apps.get_app_config("axes").verbose_name = _("登录锁定")
