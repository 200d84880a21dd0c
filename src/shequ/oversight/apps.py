from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "shequ.oversight"
    label = "oversight"
    verbose_name = _("Oversight and co-construction")

    def ready(self) -> None:
        from . import wiring

        wiring.register_all()
