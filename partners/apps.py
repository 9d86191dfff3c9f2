from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("社区合伙人")

    def ready(self) -> None:
        from rest_framework import serializers

        from governance import extensions, home
        from partners import cards, links, selectors

        home.register(cards.partner_cards)
        home.register(cards.staff_cards)
        extensions.register_object_links("consultation.volunteer", links.volunteer_partner_links)
        extensions.register_me_field(
            "partner",
            value=selectors.my_partner_id,
            field=lambda **kwargs: serializers.IntegerField(
                allow_null=True, help_text="The signed-in user's partner (the active one first), or null.", **kwargs
            ),
        )
