"""Read queries on the tree used by views, API and benchmarks."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count
from django.db.models.functions import Substr

from shequ.core.fields import SEGMENT_WIDTH

from .models import Node


def children_with_counts(node: Node, user: Any = None, include_retired: bool = False) -> list[Node]:
    """The direct children of *node*, each with ``counts`` = {kind: number of active places under it}.

    Two queries: the children, then one grouped scan of the subtree's path index.
    """
    children_qs = Node.objects.filter(parent=node)
    if user is not None:
        children_qs = children_qs.restrict(user, "view")
    if not include_retired:
        children_qs = children_qs.filter(retired=False)
    children = list(children_qs.order_by("name"))
    if not children:
        return children
    width = len(node.path) + SEGMENT_WIDTH + 1
    rows = (
        Node.objects.within(node.path)
        .filter(depth__gt=node.depth + 1, retired=False)
        .annotate(prefix=Substr("path", 1, width))
        .values_list("prefix", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for prefix, kind, n in rows:
        counts[prefix][kind] = n
    for child in children:
        child.counts = counts.get(child.path, {})  # type: ignore[attr-defined]
        child.total = sum(child.counts.values())  # type: ignore[attr-defined]
    return children


def subtree_kind_counts(node: Node) -> dict[str, int]:
    rows = (
        Node.objects.within(node.path)
        .filter(retired=False)
        .exclude(pk=node.pk)
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    return dict(rows)  # type: ignore[arg-type]


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
