from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationConfig(AppConfig):
    name = "governance.consultation"
    label = "consultation"
    verbose_name = _("红色议事厅")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from governance import home
        from governance.consultation import views

        home.register(views.consultation_cards)
