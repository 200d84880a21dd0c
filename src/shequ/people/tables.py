from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.core.tables import BaseTable, SelectableTable

from .models import CareTag, Household, Resident
from .privacy import shown_id_number


def dwelling_label(node: Any) -> str:
    """``1号楼 2单元``: the place with its parent, enough to find the door."""
    if node is None:
        return ""
    parent = getattr(node, "parent", None)
    return f"{parent.name} {node.name}" if parent is not None and node.kind in ("unit", "building") else node.name


class ResidentTable(BaseTable):
    name = tables.Column(linkify=True, verbose_name=pgettext_lazy("person", "Name"))
    id_number = tables.Column(verbose_name=_("Identity number"), accessor="id_masked", orderable=False)
    gender = tables.Column(verbose_name=_("Gender"))
    birth_date = tables.DateColumn(verbose_name=_("Birth date"), format="Y-m-d")
    phone = tables.Column(verbose_name=_("Phone"), orderable=False)
    node = tables.Column(verbose_name=_("Lives at"), accessor="node", orderable=False)
    residence_type = tables.Column(verbose_name=_("Residence type"))
    tags = tables.Column(verbose_name=_("Special care"), accessor="pk", orderable=False)

    class Meta(BaseTable.Meta):
        model = Resident
        fields = ("name", "id_number", "gender", "birth_date", "phone", "node", "residence_type", "tags")
        # No order_by: the list keeps the model's order, by place then name (Meta.ordering, walked through
        # the people_resident_order index). "path" is no column, so django-tables2 kept only "name": a
        # city-wide first page then sorted the whole table (660 ms on SQLite at 1,000,000 residents).

    def render_id_number(self, record: Resident) -> str:
        return shown_id_number(getattr(self, "request", None) and self.request.user, record)

    def render_node(self, record: Resident) -> str:
        return dwelling_label(record.node)

    def render_tags(self, record: Resident) -> Any:
        names = [t.name for t in record.tags.all()]
        if not names:
            return "—"
        return format_html_join(" ", '<span class="badge bg-azure-lt">{}</span>', ((n,) for n in names))


class HouseholdTable(SelectableTable):
    label = tables.Column(verbose_name=_("Household"), accessor="pk", linkify=False, orderable=False)
    number = tables.Column(verbose_name=_("Household number"))
    head = tables.Column(verbose_name=_("Head"), accessor="head__name", default="—")
    node = tables.Column(verbose_name=_("Lives at"), accessor="node", orderable=False)
    address = tables.Column(verbose_name=_("Room"))
    dissolved = tables.BooleanColumn(verbose_name=_("Dissolved"))

    class Meta(SelectableTable.Meta):
        model = Household
        fields = ("pk", "label", "number", "head", "node", "address", "dissolved")
        # No order_by: by place then room, the model's order (see ResidentTable).

    def render_label(self, record: Household) -> Any:
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), str(record))

    def render_node(self, record: Household) -> str:
        return dwelling_label(record.node)


class CareTagTable(SelectableTable):
    name = tables.Column(linkify=True, verbose_name=_("Name"))
    description = tables.Column(verbose_name=_("Description"))
    active = tables.BooleanColumn(verbose_name=_("Active"))

    class Meta(SelectableTable.Meta):
        model = CareTag
        fields = ("pk", "name", "description", "active")
        order_by = ("name",)
