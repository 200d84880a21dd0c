"""Every list's results (the count line and the table: header, sorting links, body, pagination) are written in
Python (``BaseTable.results_html``): on every list page of the demo city, as every role, sorted, paged, filtered
to nothing and with a capped count, they are the markup ``core/_results.html`` and django-tables2's own template
write, and so are those of a long list (the page range with its gaps), a table with a prefix and a footer."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import django_tables2 as tables
from django.conf import settings
from django.core.management import call_command
from django.template import Context, Template
from django.template.loader import get_template
from django.test import RequestFactory, SimpleTestCase, TestCase, override_settings
from django.utils import translation

from shequ.accounts.models import User
from shequ.core import tables as tables_module
from shequ.core.menu import menu_for
from shequ.core.pagination import configure_table
from shequ.core.tables import BaseTable

# The results block as the templates wrote it: core/_results.html before it was written in Python, with
# django-tables2's bootstrap5-responsive.html as shipped for the table.
SHIPPED = {
    "core/_table.html": '{% extends "django_tables2/bootstrap5-responsive.html" %}',
    "core/_results.html": (
        '{% load i18n django_tables2 humanize %}<div id="results">\n'
        '  <div class="text-secondary small mb-2" data-testid="count">\n'
        "    {% with page=table.page %}{% if page %}\n"
        "      {% if page.paginator.capped %}{% blocktranslate with n=page.paginator.count|intcomma %}"
        "More than {{ n }} results{% endblocktranslate %}\n"
        "      {% else %}{% blocktranslate count counter=page.paginator.count %}"
        "{{ counter }} result{% plural %}{{ counter }} results{% endblocktranslate %}{% endif %}\n"
        "    {% endif %}{% endwith %}\n"
        "  </div>\n"
        '  <div class="card">{% render_table table %}</div>\n'
        "</div>"
    ),
}
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}  # the list answers with its results only
KEPT = "keep=a%26b%3C%22%E4%B8%AD"  # an extra parameter (& < " 中) every link must keep, escaped
SORT_LINK = re.compile(r'<th [^>]*scope="col"><a href="\?([^"]*)">')


def normalised(text: str) -> str:
    """Whitespace between tags dropped, other runs of it one space (what the browser shows is the same)."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', 'name="csrfmiddlewaretoken"', text)  # masked anew
    text = re.sub(r'(name="csrf-token" content=)"\w+"', r"\1", text)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"<(\w+) >", r"<\1>", text)  # ``<td {{ attrs }}>`` with no attributes
    return re.sub(r">\s+<", "><", text).strip()


def results_block(page: str) -> str:
    """The ``<div id="results">`` element of a page, to its closing tag."""
    start = page.index('<div id="results">')
    depth = 0
    for match in re.finditer(r"<div\b|</div>", page[start:]):
        depth += 1 if match.group() == "<div" else -1
        if depth == 0:
            return page[start : start + match.end()]
    raise AssertionError("the results block is not closed")


def shipped_templates() -> list[dict]:  # type: ignore[type-arg]
    """The project's template settings, with the results block and the table written by the templates."""
    templates = [dict(t) for t in settings.TEMPLATES]
    first = templates[0]
    first_options = dict(first.get("OPTIONS", {}))  # type: ignore[call-overload]
    first_options.pop("loaders", None)
    first["APP_DIRS"] = False
    first_options["loaders"] = [
        ("django.template.loaders.locmem.Loader", SHIPPED),
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]
    first["OPTIONS"] = first_options
    return templates


class ListResultsTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        call_command("seed", scale="tiny", seed=1, password="tables-pass-123", stdout=io.StringIO())

    def compare(self, address: str, **headers: Any) -> str:
        """The page (or its results) at *address*, asserted to be the templates' markup; returns it."""
        response = self.client.get(address, **headers)
        self.assertEqual(response.status_code, 200, address)
        fast = response.content.decode()
        with override_settings(TEMPLATES=shipped_templates()):
            slow = self.client.get(address, **headers).content.decode()
        self.assertEqual(normalised(results_block(fast)), normalised(results_block(slow)), address)
        return fast

    def test_every_list_is_the_templates_markup(self) -> None:
        self.maxDiff = None
        seen = {"rows": 0, "sorted": 0, "later page": 0, "capped": 0, "empty": 0}
        for username in ("admin", "street", "community"):
            user = User.objects.filter(username=username).first()
            if user is None:
                continue
            self.client.force_login(user)
            urls = sorted({url for _section, items in menu_for(user) for _item, url in items})
            for url in urls:
                response = self.client.get(url)
                if response.status_code != 200 or '<div id="results">' not in response.content.decode():
                    continue
                with self.subTest(user=username, url=url):
                    page = self.compare(url)  # the whole page: the results block as the list page includes it
                    seen["rows"] += "<td" in results_block(page) and "colspan" not in results_block(page)
                    later = self.compare(f"{url}?{KEPT}&per_page=10&page=2", **HTMX)
                    seen["later page"] += "page-item active" in later and 'href="?keep' in later
                    sort = SORT_LINK.search(later)
                    if sort is not None:  # first orderable column, one way then the other, on the later page
                        ascending = self.compare(url + "?" + html.unescape(sort.group(1)), **HTMX)
                        again = SORT_LINK.search(ascending)
                        assert again is not None
                        with override_settings(SHEQU_COUNT_CAP=15):
                            capped = self.compare(url + "?" + html.unescape(again.group(1)), **HTMX)
                        seen["sorted"] += "sort=-" in again.group(1) or "sort=-" in sort.group(1)
                        seen["capped"] += "15" in capped and "pagination" in capped
                    empty = self.compare(f"{url}?{KEPT}&q=%E6%97%A0zz9qx", **HTMX)
                    seen["empty"] += 'data-testid="count"></div>' in empty and "<tbody ></tbody>" in empty
        for what, count in seen.items():  # each case was met on several lists, not only on none
            self.assertGreater(count, 5, what)


class LongListTests(SimpleTestCase):
    """A list of 1,234 rows, with a prefix and a footer: the page range with its gaps on either side, the capped
    count with its thousands separator, and the footer row, none of which the demo's lists show."""

    def table(self, address: str, rows: int = 1234, cap: int = 5000, base: type = BaseTable) -> Any:
        class Numbers(base):  # type: ignore[valid-type, misc]
            n = tables.Column(verbose_name="号码 <n>", footer="合计")
            label = tables.Column(verbose_name="名称", orderable=False, attrs={"th": {"class": "w-1"}})
            # Written in the page's context, as {% render_table %} lends it to the table.
            note = tables.TemplateColumn("{{ marker }}-{{ record.n }}", orderable=False)

        request = RequestFactory().get(address)
        with override_settings(SHEQU_COUNT_CAP=cap):
            table = configure_table(
                Numbers([{"n": i, "label": f"第{i}行 & <b>"} for i in range(rows)], prefix="t-"), request
            )
            table.paginator.count  # noqa: B018 - counted under the cap
        return table

    def assert_same(self, table: Any, address: str) -> str:
        request = RequestFactory().get(address)
        fast = get_template("core/_results.html").render({"table": table, "marker": "页面"}, request)
        with override_settings(TEMPLATES=shipped_templates()):
            slow = Template(SHIPPED["core/_results.html"]).render(
                Context({"table": table, "request": request, "marker": "页面"})
            )
        self.assertEqual(normalised(fast), normalised(slow))
        return fast

    def test_long_list_pages(self) -> None:
        with translation.override("zh-hans"):
            for query in (
                "",
                "t-page=2",
                "t-page=60&t-per_page=10&t-sort=-n&x=1",
                "t-page=124&t-per_page=10",
                "t-sort=n&t-page=9",
            ):
                address = f"/list/?{query}"
                with self.subTest(query=query):
                    out = self.assert_same(self.table(address), address)
                    self.assertIn("<tfoot", out)
                    self.assertIn("页面-", out)
        middle = self.assert_same(self.table("/l/?t-page=60&t-per_page=10"), "/l/?t-page=60&t-per_page=10")
        self.assertEqual(middle.count('<a class="page-link" >'), 2)  # a gap before and after the current page

    def test_capped_and_empty(self) -> None:
        with translation.override("zh-hans"):
            self.assertIn("超过 1000 条结果", self.assert_same(self.table("/l/?t-page=3", cap=1000), "/l/?t-page=3"))
            self.assertIn("共 1234 条结果", self.assert_same(self.table("/l/"), "/l/"))
            empty = self.assert_same(self.table("/l/?q=1", rows=0), "/l/?q=1")
            self.assertNotIn("条结果", empty)
        with translation.override("en"):
            self.assertIn("More than 1,000 results", self.assert_same(self.table("/l/", cap=1000), "/l/"))
            self.assertIn(" previous ", self.assert_same(self.table("/l/?t-page=2"), "/l/?t-page=2"))

    def test_other_tables_through_render_table(self) -> None:
        """A table that is not a ``BaseTable`` is still written by ``{% render_table %}`` (``core/_table.html``
        writes its body with django-tables2's loop)."""
        with translation.override("zh-hans"):
            out = self.assert_same(self.table("/l/?t-page=3", base=tables.Table), "/l/?t-page=3")
        self.assertIn("<td >第100行 &amp; &lt;b&gt;</td>", out)


class Numbered(BaseTable):
    n = tables.Column(verbose_name="号码 <n>")
    label = tables.Column(verbose_name="名称", orderable=False, attrs={"th": {"class": "w-1"}})


class RememberedPartsTests(SimpleTestCase):
    """A table's header and pagination are written once per class, columns, sorting, query string, language and
    page (``BaseTable._remembered``): what is remembered is what writing them again gives, and each of those
    makes a part of its own."""

    def results(self, address: str, rows: int = 345, table_class: type = Numbered) -> str:
        request = RequestFactory().get(address)
        table = configure_table(table_class([{"n": i, "label": f"第{i}行"} for i in range(rows)], prefix="t-"), request)
        return table.results_html(request)

    def test_remembered_parts_are_what_writing_them_again_gives(self) -> None:
        addresses = ["/l/", "/l/?t-sort=n", "/l/?t-sort=-n", "/l/?t-page=3", "/l/?t-page=3&x=%3C1", "/l/?t-page=35"]
        for language in ("zh-hans", "en"):
            with translation.override(language):
                for address in addresses:
                    with self.subTest(language=language, address=address):
                        remembered = [self.results(address), self.results(address)]
                        tables_module._PARTS.clear()
                        self.assertEqual(remembered, [self.results(address)] * 2)
                        # fewer rows: the pagination ends earlier, the header stays
                        fewer = self.results(address, rows=30)
                        tables_module._PARTS.clear()
                        self.assertEqual(fewer, self.results(address, rows=30))
        with translation.override("en"):
            self.assertIn(" next ", self.results("/l/?t-page=2"))
        with translation.override("zh-hans"):
            self.assertIn(" 下一页 ", self.results("/l/?t-page=2"))
        self.assertIn('class="asc orderable"', self.results("/l/?t-sort=n"))
        self.assertIn('class="desc orderable"', self.results("/l/?t-sort=-n"))

    def test_columns_that_compute_their_attributes_are_written_every_time(self) -> None:
        calls: list[int] = []

        def call() -> str:
            calls.append(1)
            return str(len(calls))

        class Computed(BaseTable):
            n = tables.Column(attrs={"th": {"data-call": call}})

        tables_module._PARTS.clear()
        first, second = self.results("/l/", table_class=Computed), self.results("/l/", table_class=Computed)
        self.assertIn('data-call="', first)
        self.assertNotEqual(first, second)
        self.assertFalse(any(key[1] is Computed for key in tables_module._PARTS))
