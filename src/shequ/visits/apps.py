from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "shequ.visits"
    label = "visits"
    verbose_name = _("Home visits")

    def ready(self) -> None:
        from . import wiring

        wiring.register_all()
