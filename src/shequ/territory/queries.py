"""Read queries on the tree used by views, API and benchmarks."""

from __future__ import annotations

from typing import Any

from .models import Node


def children_with_counts(node: Node, user: Any = None, include_retired: bool = False) -> list[Node]:
    """The direct children of *node*, each with ``counts`` = {kind: active places under it} and ``total``.

    One query: the counts come from each child's rollup (``Node.subtree_counts``).
    """
    children_qs = Node.objects.filter(parent=node)
    if user is not None:
        children_qs = children_qs.restrict(user, "view")
    if not include_retired:
        children_qs = children_qs.filter(retired=False)
    children = list(children_qs.order_by("name"))
    for child in children:
        child.counts = dict(child.subtree_counts or {})
        child.total = sum(child.counts.values())
    return children


def subtree_kind_counts(node: Node) -> dict[str, int]:
    return dict(node.subtree_counts or {})


def geojson(nodes: Any) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the nodes that have a point or a boundary."""
    features = []
    for n in nodes:
        geometry = n.geometry
        if geometry is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {"id": n.pk, "name": n.name, "kind": n.kind, "url": n.get_absolute_url()},
            }
        )
    return {"type": "FeatureCollection", "features": features}
