from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator


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
            # Without its ORDER BY: the database would sort the whole list only to count a slice of it.
            n = qs.order_by().values("pk")[: cap + 1].count()  # type: ignore[union-attr, attr-defined]
        else:
            n = len(qs)
        self.capped = n > cap
        return min(n, cap)

    capped = False


def per_page(request: Any) -> int:
    """The page size asked for (``?per_page=``), kept between 10 and 500."""
    try:
        value = int(request.GET.get("per_page", settings.SHEQU_PAGE_SIZE))
    except ValueError:
        value = settings.SHEQU_PAGE_SIZE
    return max(10, min(value, 500))


def configure_table(table: Any, request: Any) -> Any:
    """Sorting and paging of a django-tables2 table from the request, with the capped count.

    Never hand the request to the table's constructor: it would paginate with Django's
    Paginator, i.e. a full COUNT(*) over millions of rows.
    """
    import django_tables2 as tables

    paging = {"paginator_class": CappedPaginator, "per_page": per_page(request)}
    tables.RequestConfig(request, paginate=paging).configure(table)
    return table
