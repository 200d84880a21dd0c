"""A place named with its path from the street down, so that two places of the same name tell apart:
东风街道 / 幸福社区 / 阳光公寓2期 / 3号楼 / 2单元.  Grids are left out (a grid is a workers' division of the
community, not part of an address); a city, a district or a street is named with the places above it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from shequ.core.fields import path_ids

from .models import Kind, Node

SEPARATOR = " / "
# The levels an address starts from: a place below a street is named from its street down.
ADDRESS_TOP = Kind.STREET
SKIPPED = {Kind.GRID}


def _names(node: Any, by_id: dict[int, Any]) -> list[str]:
    chain = [by_id[i] for i in path_ids(node.path)[:-1] if i in by_id] + [node]
    tops = [i for i, n in enumerate(chain) if n.kind == ADDRESS_TOP]
    start = tops[-1] if tops and node.kind != ADDRESS_TOP else 0
    return [n.name for n in chain[start:] if n is node or n.kind not in SKIPPED]


def trails(nodes: Iterable[Any]) -> dict[int, str]:
    """Each node's path from the street down (one query for all the ancestors)."""
    nodes = list(nodes)
    wanted = {i for n in nodes for i in path_ids(n.path)[:-1]}
    by_id = {n.pk: n for n in Node.objects.filter(pk__in=wanted).only("name", "kind", "path")} if wanted else {}
    return {n.pk: SEPARATOR.join(_names(n, by_id)) for n in nodes}


def trail(node: Any) -> str:
    return trails([node])[node.pk]


def with_trails(nodes: Iterable[Any]) -> list[Any]:
    """*nodes*, each with its ``trail`` set (for templates)."""
    nodes = list(nodes)
    found = trails(nodes)
    for n in nodes:
        n.trail = found[n.pk]
    return nodes
