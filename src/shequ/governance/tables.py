from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from shequ.core.tables import SelectableTable

from .models import AccessItem, AccessList, Decision, Disclosure, DisclosureRequirement, GovernanceRules, Handover


def _link(record: object) -> str:
    return record.get_absolute_url()  # type: ignore[attr-defined]


class DecisionTable(SelectableTable):
    title = tables.Column(verbose_name=_("Matter"), linkify=_link)
    node = tables.Column(verbose_name=_("Community"), order_by=("path",))
    kind = tables.Column(verbose_name=_("Kind"))
    amount = tables.Column(verbose_name=_("Amount (yuan)"), default="—")
    status = tables.Column(verbose_name=_("Status"))
    proposed_on = tables.DateColumn(verbose_name=_("Proposed on"), format="Y-m-d", default="—")
    decided_on = tables.DateColumn(verbose_name=_("Decided on"), format="Y-m-d", default="—")

    class Meta(SelectableTable.Meta):
        model = Decision
        fields = ("pk", "title", "node", "kind", "amount", "status", "proposed_on", "decided_on")


class DisclosureTable(SelectableTable):
    title = tables.Column(verbose_name=_("Title"), linkify=_link)
    node = tables.Column(verbose_name=_("Community"), order_by=("path",))
    kind = tables.Column(verbose_name=_("Kind"))
    published_on = tables.DateColumn(verbose_name=_("Published on"), format="Y-m-d")
    expires_on = tables.DateColumn(verbose_name=_("On the board until"), format="Y-m-d")
    on_time = tables.BooleanColumn(verbose_name=_("On time"), null=True)

    class Meta(SelectableTable.Meta):
        model = Disclosure
        fields = ("pk", "title", "node", "kind", "published_on", "expires_on", "on_time")


class RequirementTable(SelectableTable):
    node = tables.Column(verbose_name=_("Community"), order_by=("path",), linkify=_link)
    kind = tables.Column(verbose_name=_("Kind"))
    frequency = tables.Column(verbose_name=_("How often"))
    next_due = tables.DateColumn(verbose_name=_("Next due by"), format="Y-m-d")
    last_published_on = tables.DateColumn(verbose_name=_("Last published on"), format="Y-m-d", default="—")

    class Meta(SelectableTable.Meta):
        model = DisclosureRequirement
        fields = ("pk", "node", "kind", "frequency", "next_due", "last_published_on")


class RulesTable(SelectableTable):
    node = tables.Column(verbose_name=_("Community"), order_by=("path",), linkify=_link)
    review_quorum = tables.Column(verbose_name=_("Party members' meeting"))
    resolution_quorum = tables.Column(verbose_name=_("Residents' representatives' meeting"))
    publicity_days = tables.Column(verbose_name=_("Resolution public for (days)"))

    class Meta(SelectableTable.Meta):
        model = GovernanceRules
        fields = ("pk", "node", "review_quorum", "resolution_quorum", "publicity_days")


class AccessListTable(SelectableTable):
    reference = tables.Column(verbose_name=_("Reference"), linkify=_link)
    node = tables.Column(verbose_name=_("District"), order_by=("path",))
    version = tables.Column(verbose_name=_("Version"))
    status = tables.Column(verbose_name=_("Status"))
    in_force_from = tables.DateColumn(verbose_name=_("In force from"), format="Y-m-d", default="—")

    class Meta(SelectableTable.Meta):
        model = AccessList
        fields = ("pk", "reference", "node", "version", "status", "in_force_from")


class AccessItemTable(SelectableTable):
    matter = tables.Column(verbose_name=_("Matter"), linkify=_link)
    department = tables.Column(verbose_name=_("Department"))
    legal_basis = tables.Column(verbose_name=_("Legal basis"))
    funds_per_year = tables.Column(verbose_name=_("Funds per year (yuan)"))
    access_list = tables.Column(verbose_name=_("List"))

    class Meta(SelectableTable.Meta):
        model = AccessItem
        fields = ("pk", "matter", "department", "legal_basis", "funds_per_year", "access_list")


class HandoverTable(SelectableTable):
    item = tables.Column(verbose_name=_("Matter"), accessor="item__matter", linkify=_link)
    department = tables.Column(verbose_name=_("Department"), accessor="item__department")
    node = tables.Column(verbose_name=_("Community"), order_by=("path",))
    year = tables.Column(verbose_name=_("Year"))
    funds_amount = tables.Column(verbose_name=_("Funds transferred (yuan)"), default="—")
    funds_transferred_on = tables.DateColumn(verbose_name=_("Funds transferred on"), format="Y-m-d", default="—")

    class Meta(SelectableTable.Meta):
        model = Handover
        fields = ("pk", "item", "department", "node", "year", "funds_amount", "funds_transferred_on")
