"""Layers of the map page: each app registers what it can draw for a place of the user's area, as GeoJSON
features in the user's scope — requests per place, care households per building (counts only, never names),
facilities with their radius, areas coloured by an indicator.

``register_layer(MapLayer(key, label, model, features))``: *features(user, node, params)* returns GeoJSON
features; each feature's properties hold ``name`` (its popup), optionally ``url``, ``count`` (sizes a point),
``radius`` (metres: a circle drawn around the point), ``color``.  A layer is offered to users with the view
right on *model*."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

LAYERS: dict[str, MapLayer] = {}
MAX_FEATURES = 5000


@dataclass(frozen=True)
class MapLayer:
    key: str
    label: str | Promise
    model: str
    features: Callable[[Any, Any, dict[str, str]], list[dict[str, Any]]]
    color: str = "#1d4ed8"
    order: int = 100
    # Choices the page offers for the layer's one parameter (e.g. which indicator colours the areas).
    options: Callable[[Any], list[tuple[str, str]]] | None = None


def register_layer(layer: MapLayer) -> MapLayer:
    LAYERS[layer.key] = layer
    return layer


def layers_for(user: Any) -> list[MapLayer]:
    from shequ.accounts.scope import can

    return sorted((layer for layer in LAYERS.values() if can(user, layer.model, "view")), key=lambda item: item.order)


def point(lat: Any, lng: Any, **properties: Any) -> dict[str, Any] | None:
    if lat is None or lng is None:
        return None
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [float(lng), float(lat)]},
        "properties": properties,
    }


def node_shape(node: Any, **properties: Any) -> dict[str, Any] | None:
    geometry = getattr(node, "geometry", None)
    if geometry is None:
        return None
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def indicator_layer(user: Any, node: Any, params: dict[str, str]) -> list[dict[str, Any]]:
    """The areas directly under *node* coloured by an indicator (``?option=<code>``): met green, not met red,
    nothing yet grey, each with its value."""
    from . import indicators
    from .views.targets import _children

    code = params.get("option", "")
    indicator = indicators.INDICATORS.get(code)
    if indicator is None or indicator not in indicators.visible(user):
        return []
    children = _children(node) or [node]
    from shequ.territory.models import Node

    shapes = {n.pk: n for n in Node.objects.filter(pk__in=[c.pk for c in children])}
    figures = (
        indicators.ranking(indicator, node, indicators.this_year(), children)
        if _children(node)
        else [indicators.figure(indicator, node, indicators.this_year())]
    )
    found = []
    for fig in figures:
        place = shapes.get(fig.node.pk)
        if place is None:
            continue
        color = "#9ca3af" if fig.met is None else ("#16a34a" if fig.met else "#dc2626")
        feature = node_shape(place, name=f"{place.name}：{fig.display}", url=place.get_absolute_url(), color=color)
        if feature is not None:
            found.append(feature)
    return found


def _indicator_options(user: Any) -> list[tuple[str, str]]:
    from . import indicators

    return [(i.code, str(i.name)) for i in indicators.visible(user)]


def register_core_layers() -> None:
    from django.utils.translation import gettext_lazy as _

    register_layer(
        MapLayer(
            "indicator",
            _("Areas coloured by a target"),
            "territory.node",
            indicator_layer,
            color="#16a34a",
            order=10,
            options=_indicator_options,
        )
    )
