from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoryConfig(AppConfig):
    name = "shequ.territory"
    label = "territory"
    verbose_name = _("Territory")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from shequ.core.importing import register_command_name

        from .models import Node

        register_command_name("nodes", "territory.node")
        register_command_name("territory", "territory.node")

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
