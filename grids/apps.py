from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    name = "grids"
    verbose_name = _("网格化管理")

    def ready(self) -> None:
        from governance import home
        from grids import views

        for provider in (
            views.grid_worker_cards,
            views.staff_cards,
            views.escalation_cards,
            views.handler_cards,
            views.resident_cards,
        ):
            home.register(provider)
