"""What the oversight app adds to the shared registries (``AppConfig.ready``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register_all() -> None:
    from auditlog.registry import auditlog

    from shequ.core.menu import MenuItem, register_menu
    from shequ.core.registry import PERIODIC, SEEDERS, TODO, register_portal_tab

    from . import indicators, opinions  # noqa: F401 - opinions: its workflow joins the deadline watch
    from .demo import seed_oversight
    from .models import Agreement, Campaign, Commitment, ConsentRequest, EntryApplication, Hearing, TerminationCase
    from .results import refresh_all

    indicators.register_all()
    PERIODIC["oversight"] = refresh_all
    if indicators.todo not in TODO:
        TODO.append(indicators.todo)
    register_portal_tab("survey", _("Evaluations"), "oversight:portal_surveys")
    register_menu(
        _("Oversight"),
        [
            MenuItem(_("Entry applications"), "oversight:entryapplication_list", "oversight.entryapplication"),
            MenuItem(_("Evaluations"), "oversight:campaign_list", "oversight.campaign"),
            MenuItem(_("Complaints about property companies"), "oversight:complaints", "oversight.entryapplication"),
            MenuItem(_("Contract terminations"), "oversight:terminationcase_list", "oversight.terminationcase"),
            MenuItem(_("Co-construction agreements"), "oversight:agreement_list", "oversight.agreement"),
            MenuItem(_("Commitments"), "oversight:commitment_list", "oversight.commitment"),
            MenuItem(_("Units without an agreement"), "oversight:missing_agreements", "oversight.agreement"),
            MenuItem(_("Public-policy hearings"), "oversight:hearing_list", "oversight.hearing"),
            MenuItem(_("Consent requests"), "oversight:consentrequest_list", "oversight.consentrequest"),
            MenuItem(_("Promotion opinions"), "oversight:promotionopinion_list", "oversight.promotionopinion"),
        ],
    )
    if seed_oversight not in SEEDERS:
        SEEDERS.append(seed_oversight)
    from .models_opinions import PromotionOpinion

    for model in (
        EntryApplication,
        Campaign,
        TerminationCase,
        Agreement,
        Commitment,
        Hearing,
        ConsentRequest,
        PromotionOpinion,
    ):
        auditlog.register(model, include_fields=[f.name for f in model._meta.concrete_fields])
