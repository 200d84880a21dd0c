"""What the visits app adds to the shared registries and to the requests' workflow (``AppConfig.ready``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register_all() -> None:
    from auditlog.registry import auditlog

    from shequ.core.importing import register_command_name
    from shequ.core.menu import MenuItem, register_menu
    from shequ.core.registry import SEEDERS, TODO
    from shequ.services.actions.requests import WORKFLOW as REQUESTS

    from . import indicators
    from .actions import on_request_created, on_request_rated
    from .demo import seed_visits
    from .models import HouseholdLink, MustArriveTask, Visit, VisitRule

    indicators.register_all()
    if indicators.todo not in TODO:
        TODO.append(indicators.todo)
    if on_request_rated not in REQUESTS.listeners.get("rate", []):
        REQUESTS.on("rate", on_request_rated)
    if on_request_created not in REQUESTS.listeners.get("created", []):
        REQUESTS.on("created", on_request_created)
    register_command_name("household-links", "visits.householdlink")
    register_menu(
        _("Home visits"),
        [
            MenuItem(_("Log a visit"), "visits:visit_add"),
            MenuItem(_("Due for a visit"), "visits:due"),
            MenuItem(_("Visits"), "visits:visit_list"),
            MenuItem(_("Must-arrive tasks"), "visits:mustarrivetask_list"),
            MenuItem(_("Household links"), "visits:householdlink_list"),
            MenuItem(_("Link coverage"), "visits:links"),
            MenuItem(_("Visit intervals"), "visits:visitrule_list"),
        ],
    )
    if seed_visits not in SEEDERS:
        SEEDERS.append(seed_visits)
    auditlog.register(VisitRule)
    auditlog.register(HouseholdLink, include_fields=["household", "member", "community", "started_on", "ended_on"])
    auditlog.register(Visit, include_fields=["household", "member", "kind", "visited_at", "task", "request"])
    auditlog.register(
        MustArriveTask, include_fields=["status", "reason", "household", "member", "deadline", "arrived_at", "request"]
    )
