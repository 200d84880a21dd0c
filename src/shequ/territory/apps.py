from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoryConfig(AppConfig):
    name = "shequ.territory"
    label = "territory"
    verbose_name = _("Territory")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Node

        auditlog.register(
            Node,
            include_fields=[
                "name",
                "kind",
                "code",
                "parent",
                "latitude",
                "longitude",
                "boundary",
                "retired",
                "retired_reason",
            ],
        )
