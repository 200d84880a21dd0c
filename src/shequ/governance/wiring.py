"""What the governance app adds to the shared registries (``AppConfig.ready``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register_all() -> None:
    from auditlog.registry import auditlog

    from shequ.core.importing import register_command_name
    from shequ.core.menu import MenuItem, register_menu
    from shequ.core.registry import SEEDERS, TODO, register_portal_tab

    from . import indicators
    from .demo import seed_governance
    from .models import AccessItem, AccessList, Decision, Disclosure, DisclosureRequirement, GovernanceRules, Handover

    indicators.register_all()
    register_command_name("access-list", "governance.accessitem")
    if indicators.todo not in TODO:
        TODO.append(indicators.todo)
    register_portal_tab("disclosures", _("Public boards"), "governance:board_index")
    register_menu(
        _("Decisions and openness"),
        [
            MenuItem(_("Decisions"), "governance:decision_list", "governance.decision"),
            MenuItem(_("Disclosures"), "governance:disclosure_list", "governance.disclosure"),
            MenuItem(
                _("Disclosure duties"), "governance:disclosurerequirement_list", "governance.disclosurerequirement"
            ),
            MenuItem(_("Meeting rules"), "governance:governancerules_list", "governance.governancerules"),
            MenuItem(_("Work access lists"), "governance:accesslist_list", "governance.accesslist"),
            MenuItem(_("Matters handed to communities"), "governance:handover_list", "governance.handover"),
            MenuItem(_("Figures"), "governance:figures", "governance.decision"),
        ],
    )
    if seed_governance not in SEEDERS:
        SEEDERS.append(seed_governance)
    auditlog.register(Decision, include_fields=["status", "title", "kind", "amount", "resolution", "result"])
    auditlog.register(Disclosure)
    auditlog.register(DisclosureRequirement)
    auditlog.register(GovernanceRules)
    auditlog.register(AccessList)
    auditlog.register(AccessItem)
    auditlog.register(Handover)
