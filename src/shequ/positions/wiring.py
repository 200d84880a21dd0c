"""What the positions app adds to the shared registries (called from ``AppConfig.ready``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register_all() -> None:
    from auditlog.registry import auditlog

    from shequ.core.maplayers import MapLayer, register_layer
    from shequ.core.menu import MenuItem, register_menu
    from shequ.core.registry import SEEDERS, TODO, register_portal_tab

    from . import indicators, maplayers
    from .demo import seed_positions
    from .models import CulturalBrand, CulturalEvent, Facility, FundAccount, LedgerEntry, StandardCheck, Statement

    indicators.register_all()
    if indicators.todo not in TODO:
        TODO.append(indicators.todo)
    register_portal_tab("funds", _("Funds disclosure"), "positions:portal")
    register_layer(
        MapLayer(
            "facilities",
            _("Positions and facilities"),
            "positions.facility",
            maplayers.facilities,
            color="#16a34a",
            order=40,
        )
    )
    register_layer(
        MapLayer(
            "facility_gaps",
            _("Communities without a square or path near"),
            "positions.facility",
            maplayers.gaps,
            color="#dc2626",
            order=41,
        )
    )
    register_menu(
        _("Positions and funds"),
        [
            MenuItem(_("Standards of positions"), "positions:standards", "positions.facility"),
            MenuItem(_("Facilities"), "positions:facility_list", "positions.facility"),
            MenuItem(_("Six-haves inspections"), "positions:standardcheck_list", "positions.standardcheck"),
            MenuItem(_("Cultural brands"), "positions:culturalbrand_list", "positions.culturalbrand"),
            MenuItem(_("Cultural events"), "positions:culturalevent_list", "positions.culturalevent"),
            MenuItem(_("Funds summary"), "positions:funds", "positions.ledgerentry"),
            MenuItem(_("Fund accounts"), "positions:fundaccount_list", "positions.fundaccount"),
            MenuItem(_("Ledger entries"), "positions:ledgerentry_list", "positions.ledgerentry"),
            MenuItem(_("Quarterly statements"), "positions:statement_list", "positions.statement"),
        ],
    )
    if seed_positions not in SEEDERS:
        SEEDERS.append(seed_positions)
    auditlog.register(Facility, exclude_fields=["path", "updated"])
    auditlog.register(StandardCheck, exclude_fields=["path", "updated"])
    auditlog.register(CulturalBrand, include_fields=["node", "name", "description", "since"])
    auditlog.register(CulturalEvent, exclude_fields=["path", "updated"])
    auditlog.register(FundAccount, include_fields=["node", "bank", "opened_on"])
    auditlog.register(
        LedgerEntry, include_fields=["book", "kind", "category", "amount", "occurred_on", "voucher", "status"]
    )
    auditlog.register(Statement, include_fields=["node", "year", "quarter", "published_at"])
