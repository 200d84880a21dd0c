from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from shequ.core.tables import SelectableTable

from .models import HouseholdLink, MustArriveTask, Visit, VisitRule


class VisitRuleTable(SelectableTable):
    tag = tables.Column(verbose_name=_("Special-care tag"), linkify=lambda record: record.get_absolute_url())
    node = tables.Column(verbose_name=_("Community"), order_by=("path",))
    interval_days = tables.Column(verbose_name=_("Visit at least every (days)"))
    active = tables.BooleanColumn(verbose_name=_("Must be visited"))

    class Meta(SelectableTable.Meta):
        model = VisitRule
        fields = ("pk", "tag", "node", "interval_days", "active")


class HouseholdLinkTable(SelectableTable):
    member = tables.Column(
        verbose_name=_("Committee member"), accessor="member__name", linkify=lambda record: record.get_absolute_url()
    )
    household = tables.Column(verbose_name=_("Household"))
    started_on = tables.DateColumn(verbose_name=_("From"), format="Y-m-d")
    ended_on = tables.DateColumn(verbose_name=_("To"), format="Y-m-d")

    class Meta(SelectableTable.Meta):
        model = HouseholdLink
        fields = ("pk", "member", "household", "started_on", "ended_on")


class MustArriveTaskTable(SelectableTable):
    reason = tables.Column(verbose_name=_("Reason"), linkify=lambda record: record.get_absolute_url())
    household = tables.Column(verbose_name=_("Household"), default="—")
    member = tables.Column(verbose_name=_("Committee member"), accessor="member__name", default="—")
    status = tables.Column(verbose_name=_("Status"))
    deadline = tables.DateTimeColumn(verbose_name=_("Deadline"), format="Y-m-d H:i")
    created = tables.DateTimeColumn(verbose_name=_("Created"), format="Y-m-d H:i")

    class Meta(SelectableTable.Meta):
        model = MustArriveTask
        fields = ("pk", "reason", "household", "member", "status", "deadline", "created")


class VisitTable(SelectableTable):
    visited_at = tables.DateTimeColumn(
        verbose_name=_("Visited at"), format="Y-m-d H:i", linkify=lambda record: record.get_absolute_url()
    )
    household = tables.Column(verbose_name=_("Household"))
    member = tables.Column(verbose_name=_("Committee member"), accessor="member__name", default="—")
    kind = tables.Column(verbose_name=_("Kind"))
    findings = tables.Column(verbose_name=_("Findings"), orderable=False)

    class Meta(SelectableTable.Meta):
        model = Visit
        fields = ("pk", "visited_at", "household", "member", "kind", "findings")

    def render_findings(self, value: str) -> str:
        return value if len(value) <= 40 else value[:40] + "…"
