"""What awaits a user today: each app registers a callable in ``core.registry.TODO`` that returns, for a user,
``Todo`` items — the cases needing that user's action, with the filtered list they link to.  The home page of
every role shows them.

A ``Todo``'s *count* is the queryset of those cases (or a number already known): the home page counts every
queryset of every app in **one** SQL statement, each count capped (the page shows "999+"), so that adding an
app adds no query to the page."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection

TODO_CAP = 999


@dataclass(frozen=True)
class Todo:
    key: str  # stable, e.g. "services.to_accept"
    label: Any  # 待受理诉求
    count: Any  # a queryset of the cases (counted by ``todos``), or an int
    url: str  # the filtered list behind the count
    urgent: bool = False  # overdue, escalated …


def capped_count(qs: Any, cap: int = TODO_CAP) -> int:
    """Count at most *cap* + 1 rows (the page shows "999+")."""
    return qs.order_by().values("pk")[: cap + 1].count()


def count_all(querysets: list[Any], cap: int = TODO_CAP) -> list[int]:
    """``capped_count`` of each queryset, all in one statement (scalar sub-selects)."""
    parts: list[str] = []
    params: list[Any] = []
    known: dict[int, int] = {}
    for i, qs in enumerate(querysets):
        try:
            sql, values = qs.order_by().values("pk")[: cap + 1].query.sql_with_params()
        except EmptyResultSet:  # a queryset that can match nothing (``none()``, an empty ``__in``)
            known[i] = 0
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS todo_{i})")
        params.extend(values)
    counted: list[int] = []
    if parts:
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            counted = [int(n) for n in cursor.fetchone()]
    found = iter(counted)
    return [known[i] if i in known else next(found) for i in range(len(querysets))]


def todos(user: Any) -> list[Todo]:
    """Every app's items for *user* with their counts (one query for all), those with nothing to do left out."""
    from .registry import TODO

    items: list[Todo] = []
    for provider in TODO:
        items.extend(provider(user))
    lazy = [i for i, t in enumerate(items) if not isinstance(t.count, int)]
    for i, n in zip(lazy, count_all([items[i].count for i in lazy]), strict=True):
        items[i] = replace(items[i], count=n)
    return [t for t in items if t.count]
