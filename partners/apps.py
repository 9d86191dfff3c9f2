from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("社区合伙人")

    def ready(self) -> None:
        from governance import home
        from partners import cards

        home.register(cards.partner_cards)
        home.register(cards.staff_cards)
