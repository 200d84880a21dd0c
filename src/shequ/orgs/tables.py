from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from shequ.core.tables import SelectableTable

from .models import Organization, Post


class OrganizationTable(SelectableTable):
    name = tables.Column(linkify=True, verbose_name=_("Name"))
    kind = tables.Column(verbose_name=_("Kind"))
    node = tables.Column(verbose_name=_("Place"), order_by=("path",))
    parent = tables.Column(linkify=True, verbose_name=_("Parent organization"))
    code = tables.Column(verbose_name=_("Unified social credit code"))
    active = tables.Column(verbose_name=_("Status"), empty_values=())

    class Meta(SelectableTable.Meta):
        model = Organization
        fields = ("pk", "name", "kind", "node", "parent", "code", "active")
        # No order_by: the model's order, place first ("path" is no column: django-tables2 dropped it).

    def render_active(self, record: Organization) -> Any:
        if record.active:
            return format_html('<span class="badge bg-green-lt">{}</span>', _("active"))
        return format_html(
            '<span class="badge bg-secondary-lt">{} {}</span>',
            _("dissolved"),
            record.dissolved_on.isoformat() if record.dissolved_on else "",
        )


class PostTable(SelectableTable):
    holder = tables.Column(
        verbose_name=_("Person"),
        linkify=lambda record: record.get_absolute_url(),
        order_by=("person__name", "person_name"),
    )
    organization = tables.Column(linkify=True, verbose_name=_("Organization"))
    title = tables.Column(verbose_name=_("Post"))
    start_date = tables.DateColumn(verbose_name=_("From"), format="Y-m-d")
    end_date = tables.DateColumn(verbose_name=_("To"), format="Y-m-d")
    is_current = tables.BooleanColumn(verbose_name=_("Held now"), orderable=False)

    class Meta(SelectableTable.Meta):
        model = Post
        fields = ("pk", "holder", "organization", "title", "start_date", "end_date", "is_current")
        # No order_by: the model's order, place first ("path" is no column: django-tables2 dropped it).

    def render_title(self, record: Post) -> str:
        return record.title_display
