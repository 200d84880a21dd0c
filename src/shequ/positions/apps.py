from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PositionsConfig(AppConfig):
    name = "shequ.positions"
    label = "positions"
    verbose_name = _("Positions and funds")

    def ready(self) -> None:
        from . import wiring

        wiring.register_all()
