from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shequ.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import exports, signals  # noqa: F401  (exports: the background export's job handler)
        from .indicators import refresh_due
        from .jobs import reap
        from .maplayers import register_core_layers
        from .registry import PERIODIC

        PERIODIC["indicators"] = refresh_due
        PERIODIC["jobs"] = reap  # running jobs whose process is gone: interrupted; the worker's rows settled
        register_core_layers()
