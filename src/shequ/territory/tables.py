from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from shequ.core.tables import SelectableTable

from .models import Node


class NodeTable(SelectableTable):
    name = tables.Column(linkify=True, verbose_name=_("Name"))
    kind = tables.Column(verbose_name=_("Kind"))
    parent = tables.Column(linkify=True, verbose_name=_("Parent"))
    code = tables.Column(verbose_name=_("Code"))
    retired = tables.BooleanColumn(verbose_name=_("Retired"))
    updated = tables.DateTimeColumn(verbose_name=_("Updated"), format="Y-m-d H:i")

    class Meta(SelectableTable.Meta):
        model = Node
        fields = ("pk", "name", "kind", "parent", "code", "retired", "updated")
        order_by = ("path",)
