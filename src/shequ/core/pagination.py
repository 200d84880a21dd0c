from __future__ import annotations

from functools import cached_property

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
            n = qs.values("pk")[: cap + 1].count()  # type: ignore[union-attr]
        else:
            n = len(qs)
        self.capped = n > cap
        return min(n, cap)

    capped = False
