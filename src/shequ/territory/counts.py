"""Rollup of the active places under each node, by kind (``Node.subtree_counts``).

Listing a node's children with their counts then reads the children's rows only,
whatever the size of the subtree: the city's ten districts, not its 80,000 places.
Every action that changes the tree keeps the rollup current on the ancestors it
touches (locked in path order); ``recount_all`` rebuilds it from scratch.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db.models import Count

from shequ.core.fields import path_ids

from .models import Node

Delta = dict[str, int]


def subtree_delta(node: Node) -> Delta:
    """Active places in *node*'s subtree, the node itself included, by kind."""
    rows = Node.objects.within(node.path).filter(retired=False).values_list("kind").annotate(n=Count("id")).order_by()
    return {kind: n for kind, n in rows}


def apply_delta(ancestor_ids: Iterable[int], delta: Delta, sign: int = 1) -> None:
    """Add (or with sign=-1 subtract) *delta* to the rollup of each ancestor."""
    ids = list(ancestor_ids)
    if not ids or not any(delta.values()):
        return
    nodes = list(Node.objects.select_for_update().filter(pk__in=ids).order_by("path").only("id", "subtree_counts"))
    for node in nodes:
        counts = dict(node.subtree_counts or {})
        for kind, n in delta.items():
            value = counts.get(kind, 0) + sign * n
            if value > 0:
                counts[kind] = value
            else:
                counts.pop(kind, None)
        node.subtree_counts = counts
    Node.objects.bulk_update(nodes, ["subtree_counts"])


def ancestors_of(path: str) -> list[int]:
    """Ids of the nodes above the one with *path* (not itself)."""
    return path_ids(path)[:-1]


def recount_all() -> int:
    """Rebuild every rollup from the tree itself; returns how many nodes changed."""
    totals: dict[int, Counter[str]] = defaultdict(Counter)
    for path, kind in Node.objects.filter(retired=False).values_list("path", "kind").iterator(chunk_size=10_000):
        for ancestor in ancestors_of(path):
            totals[ancestor][kind] += 1
    changed = []
    for node in Node.objects.only("id", "subtree_counts", "retired").iterator(chunk_size=10_000):
        expected = {} if node.retired else dict(totals.get(node.pk, {}))
        if (node.subtree_counts or {}) != expected:
            node.subtree_counts = expected
            changed.append(node)
    Node.objects.bulk_update(changed, ["subtree_counts"], batch_size=1000)
    return len(changed)
