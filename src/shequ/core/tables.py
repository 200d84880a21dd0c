from __future__ import annotations

import types
from typing import Any

import django_tables2 as tables
from django.utils import formats
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, Job


def remember_signatures() -> None:
    """django-tables2 asks ``inspect.signature`` of a column's render function for every cell (which
    arguments to pass it): 400 signatures a page of 50 rows, a tenth of the page's time.  A function's
    signature does not change: it is worked out once per function (a method: per underlying function).
    Callables that are not plain functions or methods, or that carry a signature of their own (wrapped by a
    decorator), are asked every time, as before."""
    from django_tables2 import utils

    if getattr(utils.signature, "remembered", False):
        return
    original = utils.signature
    known: dict[Any, Any] = {}

    def signature(fn: Any) -> Any:
        func = getattr(fn, "__func__", fn)
        if not isinstance(func, types.FunctionType) or hasattr(func, "__wrapped__") or hasattr(fn, "__signature__"):
            return original(fn)
        key = (func.__code__, func is not fn)  # a closure made anew per call shares its code: the key stays bounded
        found = known.get(key)
        if found is None:
            found = known[key] = original(fn)
        return found

    signature.remembered = True  # type: ignore[attr-defined]
    utils.signature = signature


def _cell_html(column: Any, cell: Any) -> str:
    """A cell as django-tables2's ``bootstrap5.html`` writes it: ``{{ cell }}``, ``|localize`` or ``|unlocalize``."""
    if column.localize is None:
        cell = formats.localize(template_localtime(cell))
    else:
        cell = formats.localize(cell, use_l10n=bool(column.localize))
    return conditional_escape(cell)


class BaseTable(tables.Table):
    """Tables with a select column for bulk actions when ``selectable``.

    The body is written by ``tbody_html`` (``core/_table.html``): the same markup as django-tables2's template,
    from the same cells (render methods, links, attributes, localisation), without a template loop per cell —
    on the residents' list, 50 rows × 8 cells through the loop were 40 % of the page's time.
    """

    class Meta:
        attrs = {"class": "table table-vcenter card-table table-striped"}
        template_name = "core/_table.html"

    def tbody_html(self) -> SafeString:
        html = []
        for row in self.paginated_rows:
            cells = "".join(
                f"<td {column.attrs['td'].as_html()}>{_cell_html(column, cell)}</td>" for column, cell in row.items()
            )
            html.append(f"<tr {row.attrs.as_html()}>{cells}</tr>")
        if not html and self.empty_text:
            html.append(format_html('<tr><td colspan="{}">{}</td></tr>', len(self.columns), self.empty_text))
        return mark_safe("\n".join(html))  # noqa: S308 - cells escaped as {{ cell }} escapes them


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
