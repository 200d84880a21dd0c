from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from shequ.core.tables import SelectableTable

from .models import CulturalBrand, CulturalEvent, Facility, FundAccount, LedgerEntry, StandardCheck, Statement


def _link(record):  # type: ignore[no-untyped-def]
    return record.get_absolute_url()


class FacilityTable(SelectableTable):
    name = tables.Column(verbose_name=_("Name"), linkify=_link)
    node = tables.Column(verbose_name=_("Community"), order_by=("path",))
    kind = tables.Column(verbose_name=_("Kind"))
    area = tables.Column(verbose_name=_("Area (m²)"))
    opening_hours = tables.Column(verbose_name=_("Opening hours"))

    class Meta(SelectableTable.Meta):
        model = Facility
        fields = ("pk", "name", "node", "kind", "area", "opening_hours")


class StandardCheckTable(SelectableTable):
    node = tables.Column(verbose_name=_("Community"), linkify=_link, order_by=("path",))
    year = tables.Column(verbose_name=_("Year"))
    checked_on = tables.DateColumn(verbose_name=_("Inspected on"), format="Y-m-d")
    compliant = tables.BooleanColumn(verbose_name=_("All six"), orderable=False)

    class Meta(SelectableTable.Meta):
        model = StandardCheck
        fields = ("pk", "node", "year", "checked_on", "compliant")


class BrandTable(SelectableTable):
    name = tables.Column(verbose_name=_("Name"), linkify=_link)
    node = tables.Column(verbose_name=_("Community"), order_by=("path",))
    since = tables.Column(verbose_name=_("Since (year)"))

    class Meta(SelectableTable.Meta):
        model = CulturalBrand
        fields = ("pk", "name", "node", "since")


class EventTable(SelectableTable):
    title = tables.Column(verbose_name=_("Title"), linkify=_link)
    node = tables.Column(verbose_name=_("Community"), order_by=("path",))
    brand = tables.Column(verbose_name=_("Cultural brand"))
    held_on = tables.DateColumn(verbose_name=_("Held on"), format="Y-m-d")
    participants = tables.Column(verbose_name=_("Participants"))

    class Meta(SelectableTable.Meta):
        model = CulturalEvent
        fields = ("pk", "title", "node", "brand", "held_on", "participants")


class AccountTable(SelectableTable):
    node = tables.Column(verbose_name=_("Community"), linkify=_link, order_by=("path",))
    bank = tables.Column(verbose_name=_("Bank"))
    masked_number = tables.Column(verbose_name=_("Account number"), orderable=False)
    work_balance = tables.Column(verbose_name=_("Work funds balance"))
    party_balance = tables.Column(verbose_name=_("Party-building funds balance"))
    upkeep_balance = tables.Column(verbose_name=_("Heating, utilities and maintenance balance"))

    class Meta(SelectableTable.Meta):
        model = FundAccount
        fields = ("pk", "node", "bank", "masked_number", "work_balance", "party_balance", "upkeep_balance")


class EntryTable(SelectableTable):
    occurred_on = tables.DateColumn(verbose_name=_("Date"), format="Y-m-d", linkify=_link)
    node = tables.Column(verbose_name=_("Community"), order_by=("path",))
    book = tables.Column(verbose_name=_("Book"))
    kind = tables.Column(verbose_name=_("Kind"))
    category = tables.Column(verbose_name=_("Category"))
    amount = tables.Column(verbose_name=_("Amount (yuan)"))
    voucher = tables.Column(verbose_name=_("Voucher number"))
    status = tables.Column(verbose_name=_("Status"))

    class Meta(SelectableTable.Meta):
        model = LedgerEntry
        fields = ("pk", "occurred_on", "node", "book", "kind", "category", "amount", "voucher", "status")


class StatementTable(SelectableTable):
    node = tables.Column(verbose_name=_("Community"), linkify=_link, order_by=("path",))
    year = tables.Column(verbose_name=_("Year"))
    quarter = tables.Column(verbose_name=_("Quarter"))
    published_at = tables.DateTimeColumn(verbose_name=_("Published at"), format="Y-m-d H:i")

    class Meta(SelectableTable.Meta):
        model = Statement
        fields = ("pk", "node", "year", "quarter", "published_at")
