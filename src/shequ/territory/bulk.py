"""Bulk building of trees (demo city, benchmarks): ids assigned up front so paths go in with one INSERT."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max

from shequ.core.fields import path_ids, path_segment
from shequ.core.importing import advance_sequences
from shequ.core.text import pinyin_of

from .counts import apply_delta
from .models import Node


class TreeBuilder:
    """Collect nodes level by level, then ``flush()`` them with bulk inserts (no audit entries)."""

    def __init__(self, batch_size: int = 5000) -> None:
        self.next_id = (Node.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        self.pending: list[Node] = []
        self.by_id: dict[int, Node] = {}
        self.outside: dict[int, dict[str, int]] = {}  # rollup increments for nodes already in the database
        self.batch_size = batch_size
        self._pinyin: dict[str, tuple[str, str]] = {}

    def add(self, parent: Node | None, kind: str, name: str, **fields: object) -> Node:
        pk = self.next_id
        self.next_id += 1
        if name not in self._pinyin:
            self._pinyin[name] = pinyin_of(name)
        pinyin, initials = self._pinyin[name]
        node = Node(
            id=pk,
            parent=parent,
            kind=kind,
            name=name,
            depth=(parent.depth + 1) if parent else 0,
            path=(parent.path if parent else "") + path_segment(pk),
            pinyin=pinyin,
            initials=initials,
            **fields,
        )
        node.subtree_counts = {}
        for ancestor in path_ids(node.path)[:-1]:
            target = (
                self.by_id[ancestor].subtree_counts if ancestor in self.by_id else self.outside.setdefault(ancestor, {})
            )
            target[kind] = target.get(kind, 0) + 1
        self.pending.append(node)
        self.by_id[pk] = node
        return node

    def flush(self) -> int:
        count = len(self.pending)
        with transaction.atomic():
            for start in range(0, count, self.batch_size):
                Node.objects.bulk_create(self.pending[start : start + self.batch_size])
            reset_sequences()
            for ancestor, delta in self.outside.items():
                apply_delta([ancestor], delta)
        self.pending, self.by_id, self.outside = [], {}, {}
        return count


def reset_sequences() -> None:
    """After inserting explicit ids, move PostgreSQL's sequence past them (SQLite needs nothing)."""
    advance_sequences(Node)


def rectangle(west: float, south: float, east: float, north: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


def split_box(box: tuple[float, float, float, float], n: int) -> Iterable[tuple[float, float, float, float]]:
    """Split a (west, south, east, north) box into n cells, row by row, each shrunk a little."""
    import math

    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    west, south, east, north = box
    dx, dy = (east - west) / cols, (north - south) / rows
    for i in range(n):
        r, c = divmod(i, cols)
        w, s = west + c * dx, north - (r + 1) * dy
        pad_x, pad_y = dx * 0.04, dy * 0.04
        yield (w + pad_x, s + pad_y, w + dx - pad_x, s + dy - pad_y)
