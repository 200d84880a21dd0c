"""What the mediation app adds to the shared registries, to the requests' workflow (a "go to mediation" step)
and to its own workflow's events (the request follows the case) — from ``AppConfig.ready``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register_all() -> None:
    from auditlog.registry import auditlog

    from shequ.core.menu import MenuItem, register_menu
    from shequ.core.registry import DEMO_LOGINS, SEEDERS, TODO
    from shequ.services.actions.requests import WORKFLOW as REQUESTS

    from . import indicators, requests
    from .actions import WORKFLOW
    from .demo import demo_logins, seed_mediation
    from .models import MediationCase, Mediator

    indicators.register_all()
    if indicators.todo not in TODO:
        TODO.append(indicators.todo)
    if "mediate" not in REQUESTS.steps:
        REQUESTS.add_step(requests.mediate_step())
    for event, listener in (
        ("accept", requests.on_case_accepted),
        ("extend", requests.on_case_extended),
        ("decline", requests.on_case_declined),
        ("agree", requests.on_case_concluded),
        ("fail", requests.on_case_concluded),
        ("withdraw", requests.on_case_concluded),
    ):
        if listener not in WORKFLOW.listeners.get(event, []):
            WORKFLOW.on(event, listener)
    register_menu(
        _("People's mediation"),
        [
            MenuItem(_("Register a case"), "mediation:mediationcase_add", "mediation.mediationcase"),
            MenuItem(_("Mediation cases"), "mediation:mediationcase_list", "mediation.mediationcase"),
            MenuItem(_("Mediators"), "mediation:mediator_list", "mediation.mediator"),
            MenuItem(_("Mediation figures"), "mediation:figures", "mediation.mediationcase"),
        ],
    )
    if seed_mediation not in SEEDERS:
        SEEDERS.append(seed_mediation)
    if demo_logins not in DEMO_LOGINS:
        DEMO_LOGINS.append(demo_logins)
    auditlog.register(Mediator, include_fields=["committee", "name", "background", "training_hours", "available"])
    auditlog.register(
        MediationCase, include_fields=["status", "committee", "category", "risk", "deadline", "result", "honoured"]
    )
