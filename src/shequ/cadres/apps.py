from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CadresConfig(AppConfig):
    name = "shequ.cadres"
    label = "cadres"
    verbose_name = _("Community workers")

    def ready(self) -> None:
        from . import wiring

        wiring.register_all()
