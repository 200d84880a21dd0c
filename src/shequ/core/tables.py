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
    action = tables.Column(verbose_name=_("Action"), empty_values=(), attrs={"td": {"class": "text-nowrap"}})
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
        """The changes in the reader's words (``core.audit``), described once for the whole page."""
        from .audit import describe

        described = getattr(self, "_described", None)
        if described is None:
            rows = self.page.object_list if getattr(self, "page", None) is not None else self.rows
            request = getattr(self, "request", None)  # set by RequestConfig (core.pagination.configure_table)
            reader = getattr(request, "user", None)  # without one, no related name is revealed
            described = self._described = describe([row.record for row in rows], reader)
        lines = described.get(record.pk) or []
        if not lines:
            return "—"
        return render_lines(lines[:8], more=len(lines) - 8)


def render_lines(lines: list[Any], more: int = 0) -> Any:
    """Lines of ``core.audit.describe`` as HTML: "label: old → new" (only the new value of a creation, the old
    of a deletion)."""
    parts = []
    for line in lines:
        if line.created:
            parts.append(format_html("<div><b>{}</b>：{}</div>", line.label, line.new))
        elif line.deleted:
            parts.append(format_html("<div><b>{}</b>：{}</div>", line.label, line.old))
        else:
            parts.append(format_html("<div><b>{}</b>：{} → {}</div>", line.label, line.old, line.new))
    if more > 0:
        more_text = _("and %(count)d more") % {"count": more}
        parts.append(format_html('<div class="text-secondary small">{}</div>', more_text))
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

    def render_status(self, record: Job) -> str:
        return str(record.get_status_display())  # type: ignore[attr-defined]

    def render_percent(self, record: Job) -> str:
        return f"{record.percent}%"
