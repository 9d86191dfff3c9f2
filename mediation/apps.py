from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "mediation"
    verbose_name = _("矛盾纠纷调解")

    def ready(self) -> None:
        from governance import extensions, home
        from mediation import views

        home.register(views.mediator_cards)
        extensions.register_object_links("grids.event", views.event_links)
