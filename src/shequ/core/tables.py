from __future__ import annotations

import types
from typing import Any

import django_tables2 as tables
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import formats, translation
from django.utils.html import conditional_escape, escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_tables2.templatetags.django_tables2 import table_page_range
from django_tables2.utils import AttributeDict

from .declared import ShallowCopies
from .memo import Bounded
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


def _value_html(value: Any) -> str:
    """A value as ``{{ value }}`` writes it: in local time, localised, escaped unless safe."""
    return conditional_escape(formats.localize(template_localtime(value)))


def _cell_html(column: Any, cell: Any) -> str:
    """A cell as django-tables2's ``bootstrap5.html`` writes it: ``{{ cell }}``, ``|localize`` or ``|unlocalize``."""
    if column.localize is None:
        return _value_html(cell)
    return conditional_escape(formats.localize(cell, use_l10n=bool(column.localize)))


class BaseTable(tables.Table):
    """Tables with a select column for bulk actions when ``selectable``.

    A list's results (``core/_results.html``: the count line and the table) are written by ``results_html``:
    the same markup as the template and django-tables2's ``bootstrap5-responsive.html`` (``core/_table.html``)
    write, from the same columns, cells, attributes, links and translations, without template loops — on the
    residents' list, 50 rows × 8 cells through the loop were 40 % of the page's time, and the header, sorting
    links and pagination through the template another 3-5 ms of the staff request list.
    """

    class Meta:
        attrs = {"class": "table table-vcenter card-table table-striped"}
        template_name = "core/_table.html"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.base_columns = ShallowCopies(cls.base_columns)  # each table copies its columns one by one

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

    def results_html(self, request: Any) -> SafeString:
        """``core/_results.html`` for this table: the count line, then the table in its card.  Whitespace
        between tags is left out; where the template has some next to text, one space stands for it."""
        return mark_safe(  # noqa: S308 - every piece is escaped where it is written
            '<div id="results">\n'
            f'<div class="text-secondary small mb-2" data-testid="count">{self.count_html()}</div>\n'
            f'<div class="card">{self.table_html(request)}</div>\n</div>'
        )

    def count_html(self) -> str:
        """The count line: "N results", or "More than N results" when the paginator stopped counting; nothing
        when the page shows no rows (``{% if page %}``: an empty page is false)."""
        page = getattr(self, "page", None)
        if not page:
            return ""
        paginator = page.paginator
        if getattr(paginator, "capped", False):
            text = gettext("More than %(n)s results") % {"n": conditional_escape(intcomma(paginator.count))}
        else:
            count = paginator.count
            text = ngettext("%(counter)s result", "%(counter)s results", count) % {"counter": _value_html(count)}
        return f" {text} "

    def table_html(self, request: Any) -> str:
        """The table as ``core/_table.html`` (django-tables2's ``bootstrap5-responsive.html``) writes it."""
        columns = list(self.columns)
        query = dict(request.GET)  # as ``{% querystring_replace %}`` starts from it

        def link(key: str, value: Any) -> str:
            params = dict(query)
            if key not in ("", None):
                params[key] = value
            return escape("?" + urlencode(params, doseq=True))

        table_attrs = AttributeDict({"class": "table"})
        table_attrs.update(self.attrs)
        html = ['<div class="table-container table-responsive">\n', f"<table {table_attrs.as_html()}>"]
        kept = self._parts_key(request, columns)
        if self.show_header:
            html.append(_remembered(kept, "thead", lambda: self._thead_html(columns, link)))
        html.append(f"<tbody {_attrs_html(self.attrs, 'tbody')}>{self.tbody_html()}</tbody>\n")
        if self.has_footer():
            cells = "".join(f"<td {c.attrs['tf'].as_html()}>{_value_html(c.footer)}</td>" for c in columns)
            html.append(f"<tfoot {_attrs_html(self.attrs, 'tfoot')}><tr>{cells}</tr></tfoot>\n")
        html.append("</table>\n")
        page = getattr(self, "page", None)
        where = (page.number, self.paginator.num_pages) if page else None
        html.append(_remembered(kept, ("pages", where), lambda: self._pagination_html(link)))
        html.append("</div>")
        return "".join(html)

    def _parts_key(self, request: Any, columns: list[Any]) -> tuple[Any, ...] | None:
        """What the table's header and pagination depend on besides the page: its class, language, columns,
        sorting, prefix, query string and attributes.  They are the same for every request that has these — the
        sorting links, the sorted column's class, the page links — and were 0.6 ms of the staff request list.
        None for a table whose columns compute their attributes (a callable in ``attrs``): written every time."""
        if not _static_columns(columns):
            return None
        return (
            type(self),
            translation.get_language(),
            tuple(column.name for column in columns),
            tuple(self.order_by or ()),
            self.prefix,
            request.GET.urlencode(),
            repr(self.attrs),
        )

    def _thead_html(self, columns: list[Any], link: Any) -> str:
        html = [f"<thead {_attrs_html(self.attrs, 'thead')}><tr>\n"]
        for column in columns:
            header = _value_html(column.header)
            if column.orderable:
                href = link(self.prefixed_order_by_field, column.order_by_alias.next)
                html.append(f'<th {column.attrs["th"].as_html()} scope="col"><a href="{href}">{header}</a></th>\n')
            else:
                html.append(f'<th {column.attrs["th"].as_html()} scope="col"> {header} </th>\n')
        html.append("</tr></thead>\n")
        return "".join(html)

    def _pagination_html(self, link: Any) -> str:
        page = getattr(self, "page", None)
        if not page or self.paginator.num_pages <= 1:
            return ""
        field = self.prefixed_page_field
        html = ['<nav aria-label="Table navigation"><ul class="pagination justify-content-center">\n']
        if page.has_previous():
            html.append(
                f'<li class="previous page-item"><a href="{link(field, page.previous_page_number())}" '
                f'class="page-link"><span aria-hidden="true">&laquo;</span> {conditional_escape(gettext("previous"))} '
                "</a></li>\n"
            )
        if page.has_previous() or page.has_next():
            for p in table_page_range(page, self.paginator):
                active = " active" if page.number == p else ""
                href = f'href="{link(field, p)}"' if p != "..." else ""
                html.append(f'<li class="page-item{active}"><a class="page-link" {href}> {_value_html(p)} </a></li>\n')
        if page.has_next():
            html.append(
                f'<li class="next page-item"><a href="{link(field, page.next_page_number())}" class="page-link"> '
                f'{conditional_escape(gettext("next"))} <span aria-hidden="true">&raquo;</span></a></li>\n'
            )
        html.append("</ul></nav>\n")
        return "".join(html)


# Headers and paginations written (``BaseTable._remembered``); past the bound they are all forgotten.
MAX_PARTS = 5_000
_PARTS: Bounded[tuple[Any, ...], str] = Bounded(MAX_PARTS)


def _remembered(key: tuple[Any, ...] | None, part: Any, write: Any) -> str:
    """The *part* of a table written by *write*, once per *key* (``BaseTable._parts_key``; None: every time)."""
    if key is None:
        return write()  # type: ignore[no-any-return]
    return _PARTS.get_or((part, *key), write)


def _static_columns(columns: list[Any]) -> bool:
    """Are the attributes of *columns* plain values (no callable computing them per table or row)?"""
    return not any(_has_callable(column.column.attrs) for column in columns)


def _has_callable(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_callable(v) for v in value.values())
    return callable(value)


def _attrs_html(attrs: Any, key: str) -> str:
    """``{{ table.attrs.<key>.as_html }}``: the attributes of ``<thead>``, ``<tbody>`` or ``<tfoot>``."""
    value = attrs.get(key)
    return value.as_html() if hasattr(value, "as_html") else ""


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
