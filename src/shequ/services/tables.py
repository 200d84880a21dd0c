from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape
from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from shequ.core.tables import BaseTable

from .models import (
    Channel,
    DeadlineTier,
    RoutingRule,
    ServiceAttribute,
    ServiceCategory,
    ServiceRequest,
    Status,
    SubTask,
)


class ServiceRequestTable(BaseTable):
    code = tables.Column(linkify=True, verbose_name=_("Tracking code"))
    category = tables.Column(verbose_name=_("Category"), accessor="category__name", order_by=("category__code",))
    node = tables.Column(verbose_name=_("Place"), accessor="node__name", order_by=("path",))
    channel = tables.Column(verbose_name=_("Channel"))
    status = tables.Column(verbose_name=_("Status"))
    organization = tables.Column(verbose_name=_("Responsible organization"), accessor="organization__name")
    created = tables.DateTimeColumn(verbose_name=_("Filed"), format="Y-m-d H:i")
    deadline = tables.DateTimeColumn(verbose_name=_("Deadline"), format="Y-m-d H:i")

    class Meta(BaseTable.Meta):
        model = ServiceRequest
        fields = ("code", "category", "node", "channel", "status", "organization", "created", "deadline")
        order_by = ("-created",)

    def render_deadline(self, record: ServiceRequest, value: Any) -> Any:
        if value is None:  # timezone.localtime(None) would be the present moment
            return self.default
        text = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        if record.overdue:
            return format_html('<span class="badge bg-red-lt">{}</span> {}', _("overdue"), text)
        return text

    def tbody_html(self) -> SafeString:
        """The body of the table: one ``<tr>`` per request of the page, the cells of the visible columns
        as the columns above render them (the empty text when there are no rows).  Written straight from the
        records, past django-tables2's per-cell machinery too: the staff list is the busiest page.  What is
        the same on every row (choice labels, the time zone, the detail address) is looked up once, and text
        is escaped by the standard library's ``html.escape`` (what Django's ``escape`` calls) without the wrapping
        for lazy strings."""
        names = [column.name for column in self.columns]
        rows = list(self.paginated_rows)
        if not rows:
            if not self.empty_text:
                return mark_safe("")
            return format_html('<tr><td colspan="{}">{}</td></tr>', len(names), self.empty_text)
        default, shown_default = str(self.default), conditional_escape(self.default)
        channels = {value: conditional_escape(label) for value, label in Channel.choices}
        statuses = {value: conditional_escape(label) for value, label in Status.choices}
        zone, now = timezone.get_current_timezone(), timezone.now()
        overdue = format_html('<span class="badge bg-red-lt">{}</span> ', _("overdue"))
        detail = escape(reverse("services:servicerequest_detail", args=["0"]).removesuffix("0/"))  # one reverse

        def when(value: datetime | None) -> str:  # "%Y-%m-%d %H:%M" in the zone, 40 % faster than strftime
            return value.astimezone(zone).isoformat(" ", "minutes")[:16] if value else default

        def deadline(r: ServiceRequest) -> str:
            if r.deadline and r.is_open and r.deadline < now:
                return overdue + when(r.deadline)
            return when(r.deadline)

        cells: dict[str, Callable[[ServiceRequest], str]] = {
            "code": lambda r: f'<a href="{detail}{r.pk}/">{escape(r.code)}</a>',
            "category": lambda r: escape(r.category.name),
            "node": lambda r: escape(r.node.name),
            "channel": lambda r: channels.get(r.channel) or escape(r.channel),
            "status": lambda r: statuses.get(r.status) or escape(r.status),
            "organization": lambda r: escape(r.organization.name) if r.organization else shown_default,
            "created": lambda r: when(r.created),
            "deadline": deadline,
        }
        columns = [cells.get(name, lambda r: shown_default) for name in names]
        html = []
        for index, row in enumerate(rows):
            record = row.record
            tds = "".join([f"<td>{cell(record)}</td>" for cell in columns])
            html.append(f'<tr class="{"odd" if index % 2 else "even"}">{tds}</tr>')
        return mark_safe("\n".join(html))  # noqa: S308 - every piece is escaped above


class SubTaskTable(BaseTable):
    request = tables.Column(
        verbose_name=_("Request"), accessor="request__code", linkify=lambda record: record.get_absolute_url()
    )
    organization = tables.Column(verbose_name=_("Organization"), accessor="organization__name")
    instruction = tables.Column(verbose_name=_("What to do"))
    status = tables.Column(verbose_name=_("Status"))
    due = tables.DateTimeColumn(verbose_name=_("Due"), format="Y-m-d H:i")
    created = tables.DateTimeColumn(verbose_name=_("Opened"), format="Y-m-d H:i")

    class Meta(BaseTable.Meta):
        model = SubTask
        fields = ("request", "organization", "instruction", "status", "due", "created")


class ServiceCategoryTable(BaseTable):
    name = tables.Column(linkify=True, verbose_name=_("Name"))
    parent = tables.Column(verbose_name=_("Parent category"), accessor="parent__name")
    tier = tables.Column(verbose_name=_("Deadline tier"), accessor="tier__name")
    active = tables.BooleanColumn(verbose_name=_("Active"))
    public = tables.BooleanColumn(verbose_name=_("Public"), accessor="is_public", orderable=False)

    class Meta(BaseTable.Meta):
        model = ServiceCategory
        fields = ("name", "parent", "tier", "active", "public")


class DeadlineTierTable(BaseTable):
    name = tables.Column(linkify=True, verbose_name=_("Name"))
    amount = tables.Column(verbose_name=_("Amount"))
    unit = tables.Column(verbose_name=_("Unit"))
    warn_percent = tables.Column(verbose_name=_("Warn at (%)"))

    class Meta(BaseTable.Meta):
        model = DeadlineTier
        fields = ("name", "amount", "unit", "warn_percent")


class RoutingRuleTable(BaseTable):
    node = tables.Column(verbose_name=_("Place"), accessor="node__name", order_by=("path",))
    category = tables.Column(verbose_name=_("Category"), accessor="category__name", default=_("every category"))
    organization = tables.Column(verbose_name=_("Responsible organization"), accessor="organization__name")
    detail = tables.Column(
        verbose_name="", empty_values=(), orderable=False, linkify=lambda record: record.get_absolute_url()
    )

    class Meta(BaseTable.Meta):
        model = RoutingRule
        fields = ("node", "category", "organization", "detail")

    def render_detail(self, record: RoutingRule) -> Any:
        return _("Open")


class ServiceAttributeTable(BaseTable):
    label = tables.Column(
        linkify=lambda record: reverse("services:serviceattribute_detail", args=[record.pk]), verbose_name=_("Question")
    )
    category = tables.Column(verbose_name=_("Category"), accessor="category__name")
    datatype = tables.Column(verbose_name=_("Type"))
    required = tables.BooleanColumn(verbose_name=_("Required"))

    class Meta(BaseTable.Meta):
        model = ServiceAttribute
        fields = ("label", "category", "code", "datatype", "required")
