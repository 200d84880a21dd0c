from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shequ.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import pre_save

        from . import exports, signals  # noqa: F401  (exports: the background export's job handler)
        from .bounds import guard_save
        from .indicators import refresh_due
        from .jobs import reap
        from .maplayers import register_core_layers
        from .registry import PERIODIC, remember_personal_links

        PERIODIC["indicators"] = refresh_due
        PERIODIC["jobs"] = reap  # running jobs whose process is gone: interrupted; the worker's rows settled
        register_core_layers()
        user_logged_in.connect(remember_personal_links, dispatch_uid="shequ.core.personal_links")
        pre_save.connect(guard_save, dispatch_uid="shequ.core.bounds")  # nothing out of bounds is ever saved
