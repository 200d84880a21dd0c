from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "shequ.services"
    label = "services"
    verbose_name = _("Residents' requests")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from shequ.core.maplayers import MapLayer, register_layer
        from shequ.core.menu import MenuItem, register_menu
        from shequ.core.registry import PERIODIC, SEEDERS, TODO, register_portal_tab

        from .demo import seed_services
        from .indicators import register_all, todo
        from .maplayers import open_requests
        from .models import DeadlineTier, RoutingRule, ServiceAttribute, ServiceCategory, ServiceRequest, SubTask
        from .tasks import warn_subtasks

        register_all()
        TODO.append(todo)
        PERIODIC["subtask_reminders"] = warn_subtasks  # reminders before the sub-tasks' due times
        register_layer(
            MapLayer(
                "requests", _("Open requests"), "services.servicerequest", open_requests, color="#f59e0b", order=20
            )
        )
        register_portal_tab("submit", _("Raise a matter"), "services:portal")
        register_portal_tab("track", _("Follow a request"), "services:portal_track")
        register_portal_tab("stats", _("Figures per community"), "services:portal_statistics")
        auditlog.register(DeadlineTier)
        auditlog.register(ServiceCategory)
        auditlog.register(ServiceAttribute)
        auditlog.register(RoutingRule)
        # Contact details are not copied into the audit log: the case file keeps who did what.
        auditlog.register(
            ServiceRequest,
            include_fields=[
                "status",
                "category",
                "node",
                "organization",
                "post",
                "handler",
                "accepted_at",
                "deadline",
                "resolved_at",
                "closed_at",
                "rating",
                "duplicate_of",
            ],
        )
        auditlog.register(SubTask, include_fields=["organization", "status", "instruction", "result"])
        register_menu(
            _("Residents' requests"),
            [
                MenuItem(_("Intake"), "services:intake"),
                MenuItem(_("Requests"), "services:servicerequest_list"),
                MenuItem(_("Sub-tasks"), "services:subtask_list"),
                MenuItem(_("Dashboard"), "services:dashboard"),
                MenuItem(_("Service catalogue"), "services:servicecategory_list"),
                MenuItem(_("Deadline tiers"), "services:deadlinetier_list"),
                MenuItem(_("Routing rules"), "services:routingrule_list"),
            ],
        )
        if seed_services not in SEEDERS:
            SEEDERS.append(seed_services)
