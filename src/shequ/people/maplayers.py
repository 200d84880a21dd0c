"""The care map layer: residents with special-care tags counted per building — counts only, never a name, so
that it may be shown to whoever may see the residents of the place."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from shequ.core.maplayers import MAX_FEATURES, point

from .models import Resident


def care_households(user: Any, node: Any, params: dict[str, str]) -> list[dict[str, Any]]:
    from shequ.territory.models import Kind, Node

    buildings = {
        b.path: b
        for b in Node.objects.filter(kind=Kind.BUILDING, retired=False, path__within=node.path).only(
            "id", "name", "path", "latitude", "longitude"
        )[:MAX_FEATURES]
    }
    if not buildings:
        return []
    width = len(next(iter(buildings)))
    rows = (
        Resident.objects.restrict(user, "view")
        .filter(archived=False, path__within=node.path, tags__isnull=False)
        .annotate(building=Substr("path", 1, width))
        .values("building")
        .annotate(people=Count("pk", distinct=True), households=Count("household", distinct=True))
    )
    features = []
    for row in rows:
        building = buildings.get(row["building"])
        if building is None:
            continue
        feature = point(
            building.latitude,
            building.longitude,
            name=_("%(building)s: %(households)d households, %(people)d people in special care")
            % {"building": building.name, "households": row["households"], "people": row["people"]},
            count=row["people"],
            color="#7c3aed",
        )
        if feature is not None:
            features.append(feature)
    return features
