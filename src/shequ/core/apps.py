from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shequ.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import signals  # noqa: F401
        from .indicators import refresh_due
        from .registry import PERIODIC

        PERIODIC["indicators"] = refresh_due
        from .maplayers import register_core_layers

        register_core_layers()
