from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, Job


class BaseTable(tables.Table):
    """Tables with a select column for bulk actions when ``selectable``."""

    class Meta:
        attrs = {"class": "table table-vcenter card-table table-striped"}
        template_name = "django_tables2/bootstrap5-responsive.html"


class SelectableTable(BaseTable):
    pk = tables.CheckBoxColumn(
        accessor="pk",
        attrs={
            "th__input": {"class": "form-check-input", "data-select-all": ""},
            "td__input": {"class": "form-check-input", "name": "pk"},
        },
    )

    class Meta(BaseTable.Meta):
        pass


class AuditEntryTable(BaseTable):
    timestamp = tables.DateTimeColumn(verbose_name=_("Time"), format="Y-m-d H:i:s")
    actor = tables.Column(verbose_name=_("Actor"), empty_values=(None,), default="—")
    action = tables.Column(verbose_name=_("Action"), empty_values=())
    content_type = tables.Column(verbose_name=_("Object type"), accessor="content_type__name", orderable=False)
    object_repr = tables.Column(verbose_name=_("Object"))
    remote_addr = tables.Column(verbose_name=_("IP address"))
    changes = tables.Column(verbose_name=_("Changes"), orderable=False, empty_values=())

    class Meta(BaseTable.Meta):
        model = AuditEntry
        fields = ("timestamp", "actor", "action", "content_type", "object_repr", "remote_addr", "changes")

    def render_action(self, record: AuditEntry) -> Any:
        return record.action_label

    def render_changes(self, record: AuditEntry) -> Any:
        changes = record.changes if isinstance(record.changes, dict) else {}
        if not changes:
            return "—"
        parts = []
        for field, values in list(changes.items())[:6]:
            if isinstance(values, list) and len(values) == 2:
                parts.append(format_html("<div><b>{}</b>: {} → {}</div>", field, values[0], values[1]))
        return mark_safe("".join(parts))  # each part is escaped by format_html


class JobTable(BaseTable):
    title = tables.Column(linkify=True, verbose_name=_("Job"))
    user = tables.Column(verbose_name=_("User"))
    status = tables.Column(verbose_name=_("Status"))
    percent = tables.Column(verbose_name=_("Progress"), orderable=False, empty_values=())
    created = tables.DateTimeColumn(verbose_name=_("Created"), format="Y-m-d H:i")

    class Meta(BaseTable.Meta):
        model = Job
        fields = ("title", "user", "status", "percent", "created")

    def render_percent(self, record: Job) -> str:
        return f"{record.percent}%"
