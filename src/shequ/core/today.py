"""What awaits a user today: each app registers a callable in ``core.registry.TODO`` that returns, for a user,
``Todo`` items — a count of cases needing that user's action, with the filtered list it links to.  The home
page of every role (issue 17) shows them; keep each callable to one or two cheap counting queries (capped)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TODO_CAP = 999


@dataclass(frozen=True)
class Todo:
    key: str  # stable, e.g. "services.to_accept"
    label: Any  # 待受理诉求
    count: int
    url: str  # the filtered list behind the count
    urgent: bool = False  # overdue, escalated …


def capped_count(qs: Any, cap: int = TODO_CAP) -> int:
    """Count at most *cap* + 1 rows (the page shows "999+")."""
    return qs.order_by().values("pk")[: cap + 1].count()


def todos(user: Any) -> list[Todo]:
    from .registry import TODO

    items: list[Todo] = []
    for provider in TODO:
        items.extend(provider(user))
    return [t for t in items if t.count]
