"""What the oversight app adds to the shared registries (``AppConfig.ready``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


def register_all() -> None:
    from auditlog.registry import auditlog

    from shequ.core.menu import MenuItem, register_menu
    from shequ.core.registry import PERIODIC, SEEDERS, TODO, register_portal_tab

    from . import indicators, indicators_meetings, opinions  # noqa: F401 - opinions: its workflow joins the deadline watch
    from .demo import seed_oversight
    from .demo_meetings import seed_meetings
    from .models import Agreement, Campaign, Commitment, ConsentRequest, EntryApplication, Hearing, TerminationCase
    from .models_meetings import ActionItem, JointActivity, JointMeeting, SupervisionNote
    from .results import refresh_all

    indicators.register_all()
    indicators_meetings.register_all()
    PERIODIC["oversight"] = refresh_all
    if indicators.todo not in TODO:
        TODO.append(indicators.todo)
    if indicators_meetings.todo not in TODO:
        TODO.append(indicators_meetings.todo)
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
            MenuItem(_("Supervision notes"), "oversight:supervisionnote_list", "oversight.supervisionnote"),
            MenuItem(_("Joint meetings"), "oversight:jointmeeting_list", "oversight.jointmeeting"),
            MenuItem(_("Action items"), "oversight:actionitem_list", "oversight.actionitem"),
            MenuItem(_("Part-time committee members from units"), "oversight:part_time_members", "orgs.post"),
            MenuItem(_("Alliances' joint activities"), "oversight:jointactivity_list", "oversight.jointactivity"),
            MenuItem(_("Promotion opinions"), "oversight:promotionopinion_list", "oversight.promotionopinion"),
        ],
    )
    if seed_oversight not in SEEDERS:
        SEEDERS.append(seed_oversight)
    if seed_meetings not in SEEDERS:
        SEEDERS.append(seed_meetings)
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
    records: tuple[Any, ...] = (SupervisionNote, JointMeeting, ActionItem, JointActivity)
    for model in records:
        auditlog.register(model, include_fields=[f.name for f in model._meta.concrete_fields])
