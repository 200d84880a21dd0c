from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator

from . import counts

# The bounds of paging in every list (API and pages): beyond them a page number is refused, never sent
# to the database as an OFFSET it cannot take.
MAX_PAGE = 100_000
MAX_PAGE_SIZE = 500


class CappedPaginator(Paginator):
    """Counts at most ``SHEQU_COUNT_CAP`` + 1 rows: big lists say "10,000+" instead of scanning millions."""

    cap: int = 0

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        cap = self.cap or settings.SHEQU_COUNT_CAP
        qs = self.object_list
        # django-tables2 hands over its BoundRows → TableQuerysetData → the queryset: unwrap it,
        # or len() would run a full COUNT(*).
        for _depth in range(3):
            if hasattr(qs, "query"):
                break
            qs = getattr(qs, "data", qs)
        if hasattr(qs, "values") and hasattr(qs, "query"):
            n = counts.count(capped_rows(qs, cap))
        else:
            n = len(qs)
        self.capped = n > cap
        return min(n, cap)

    capped = False


def capped_rows(queryset: Any, cap: int) -> Any:
    """What a capped count counts: the keys of at most *cap* + 1 rows, without the list's ORDER BY (the database
    would sort the whole list only to count a slice of it)."""
    return queryset.order_by().values("pk")[: cap + 1]


def per_page(request: Any, name: str = "per_page") -> int:
    """The page size asked for (``?per_page=``), kept between 10 and ``MAX_PAGE_SIZE``."""
    try:
        value = int(request.GET.get(name, settings.SHEQU_PAGE_SIZE))
    except (TypeError, ValueError):
        value = settings.SHEQU_PAGE_SIZE
    return max(10, min(value, MAX_PAGE_SIZE))


def page_number(request: Any, name: str = "page") -> int:
    """The page asked for (``?page=``): a number from 1 to ``MAX_PAGE``, else the first page."""
    try:
        value = int(request.GET.get(name, 1))
    except (TypeError, ValueError):
        return 1
    return value if 1 <= value <= MAX_PAGE else 1


def configure_table(table: Any, request: Any, prepared: tuple[Any, ...] | None = None) -> Any:
    """Sorting and paging of a django-tables2 table from the request, with the capped count and the page and
    its size bounded (a page past the end shows the last one).

    Never hand the request to the table's constructor: it would paginate with Django's
    Paginator, i.e. a full COUNT(*) over millions of rows.

    *prepared*: what, besides the user, the table's rows depend on (e.g. the view set and the action).  With it,
    a list asked for with no filter and no sorting takes its page and count through statements compiled once
    for the user (``core.prepared.listing``): the busiest view of every list — its first pages — compiles nothing.
    """
    import django_tables2 as tables
    from django.core.paginator import EmptyPage

    tables.RequestConfig(request, paginate=False).configure(table)  # sorting only: tables2 takes any page size
    size = per_page(request, table.prefixed_per_page_field)
    number = page_number(request, table.prefixed_page_field)
    if prepared is not None and _prepared_page(table, request, prepared, size, number):
        return table
    try:
        table.paginate(paginator_class=CappedPaginator, per_page=size, page=number)
    except EmptyPage:
        table.page = table.paginator.page(max(1, table.paginator.num_pages))
    return table


def _prepared_page(table: Any, request: Any, key: tuple[Any, ...], size: int, number: int) -> bool:
    from django_tables2.rows import BoundRows

    from .prepared import listing

    asked = set(request.GET)
    rows = getattr(table.data, "data", None)
    if asked - {table.prefixed_page_field, table.prefixed_per_page_field} or not hasattr(rows, "query"):
        return False
    start, cap = (number - 1) * size, settings.SHEQU_COUNT_CAP
    key = (*key, tuple(sorted(asked)), tuple(table.order_by or ()))
    found = listing(lambda: rows, key, request.user, start, start + size, cap)
    if found is None:
        return False
    count, capped = found.count(cap)
    if start and start >= count:
        return False  # past the end: the last page, the usual way
    paginator = CappedPaginator(table.rows, size)
    paginator.__dict__["count"] = count  # the cached_property, already known
    paginator.capped = capped
    table.paginator = paginator
    table.page = paginator.page(number)
    table.page.object_list = BoundRows(data=found.rows(), table=table)
    return True
