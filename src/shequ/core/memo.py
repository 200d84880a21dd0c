"""A value computed once per key, kept in a dict that is emptied when it reaches its bound.

The pattern of the hot paths: a page's table header and pagination, a static file's address, a name's pinyin,
a place's code and address, a user's right at a path, a date adapted for the database.  Each key's value is
worked out once and kept; past *limit* entries all are forgotten at once (the keys in use come back at the next
call), which keeps memory bounded without the bookkeeping of an LRU on every hit.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
_MISSING: Any = object()


class Bounded(dict[K, V], Generic[K, V]):
    """``memo.get_or(key, compute, *args)``: the value kept for *key*, or ``compute(*args)`` kept for it."""

    __slots__ = ("limit",)

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def get_or(self, key: K, compute: Callable[..., V], *args: Any) -> V:
        found = self.get(key, _MISSING)
        if found is _MISSING:
            if len(self) >= self.limit:
                self.clear()
            found = self[key] = compute(*args)
        return found  # type: ignore[no-any-return]
