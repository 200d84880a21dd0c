"""What the volunteers app adds to the shared registries (called from ``AppConfig.ready``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register_all() -> None:
    from auditlog.registry import auditlog

    from shequ.core.importing import register_command_name
    from shequ.core.menu import MenuItem, register_menu
    from shequ.core.registry import DEMO_LOGINS, SEEDERS, TODO, register_portal_tab

    from . import indicators
    from .demo import demo_logins, seed_volunteers
    from .models import Activity, ServiceHours, SignUp, Skill, TeamMembership, Volunteer

    indicators.register_all()
    if indicators.todo not in TODO:
        TODO.append(indicators.todo)
    register_portal_tab("volunteers", _("Volunteer service"), "volunteers:portal")
    register_command_name("volunteers", "volunteers.volunteer")
    register_command_name("team-members", "volunteers.teammembership")
    register_command_name("service-hours", "volunteers.servicehours")
    register_menu(
        _("Volunteers"),
        [
            MenuItem(_("Volunteers"), "volunteers:volunteer_list"),
            MenuItem(_("Volunteer teams"), "volunteers:team_list"),
            MenuItem(_("Team members"), "volunteers:teammembership_list"),
            MenuItem(_("Who must join a team"), "volunteers:missing"),
            MenuItem(_("Activities"), "volunteers:activity_list"),
            MenuItem(_("Service hours"), "volunteers:servicehours_list"),
            MenuItem(_("Skills"), "volunteers:skill_list"),
        ],
    )
    if seed_volunteers not in SEEDERS:
        SEEDERS.append(seed_volunteers)
    if demo_logins not in DEMO_LOGINS:
        DEMO_LOGINS.append(demo_logins)
    auditlog.register(Skill)
    auditlog.register(
        Volunteer,
        include_fields=[
            "resident",
            "node",
            "phone",
            "user",
            "weekdays",
            "evenings",
            "weekends",
            "consent_on",
            "registered_on",
            "status",
            "left_on",
        ],
    )
    auditlog.register(TeamMembership, include_fields=["volunteer", "team", "started_on", "ended_on"])
    auditlog.register(
        Activity,
        include_fields=["team", "title", "place", "starts_at", "ends_at", "places", "hours", "status", "public"],
    )
    auditlog.register(SignUp, include_fields=["activity", "volunteer", "status"])
    auditlog.register(ServiceHours, include_fields=["volunteer", "team", "served_on", "hours", "status", "reason"])
