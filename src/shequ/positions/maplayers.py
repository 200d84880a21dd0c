"""Map layers: facilities (a leisure square with its 2 km circle, a fitness path with its 1 km circle, service
centres) and the gaps (communities without a square or a path near), in the user's scope."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from shequ.core.maplayers import MAX_FEATURES, point

from .models import PATH_RADIUS_M, SQUARE_RADIUS_M, CommunityStandard, Facility, FacilityKind

RADIUS = {FacilityKind.LEISURE_SQUARE: SQUARE_RADIUS_M, FacilityKind.FITNESS_PATH: PATH_RADIUS_M}
COLOURS = {FacilityKind.LEISURE_SQUARE: "#16a34a", FacilityKind.FITNESS_PATH: "#0ea5e9"}


def facilities(user: Any, node: Any, params: dict[str, str]) -> list[dict[str, Any]]:
    rows = (
        Facility.objects.restrict(user, "view")
        .filter(active=True, path__within=node.path)
        .exclude(latitude=None)
        .select_related("node")
        .order_by("path", "pk")[:MAX_FEATURES]
    )
    features = []
    for f in rows:
        extra: dict[str, Any] = {"color": COLOURS.get(f.kind, "#1d4ed8")}
        if f.kind in RADIUS:
            extra["radius"] = RADIUS[f.kind]
        feature = point(
            f.latitude,
            f.longitude,
            name=f"{f.name}（{f.get_kind_display()}，{f.node.name}）",  # type: ignore[attr-defined]
            url=f.get_absolute_url(),
            **extra,
        )
        if feature is not None:
            features.append(feature)
        if f.line:
            features.append(
                {"type": "Feature", "geometry": f.line, "properties": {"name": f.name, "color": extra["color"]}}
            )
    return features


def gaps(user: Any, node: Any, params: dict[str, str]) -> list[dict[str, Any]]:
    from django.db.models import Q

    from shequ.territory.models import Node

    visible = Node.objects.restrict(user, "view", perm_model=Facility).filter(path__within=node.path)
    rows = (
        CommunityStandard.objects.filter(node__in=visible.values("pk"))
        .exclude(Q(square_m__lte=SQUARE_RADIUS_M) & Q(path_m__lte=PATH_RADIUS_M))
        .select_related("node")[:MAX_FEATURES]
    )
    features = []
    for row in rows:
        missing = []
        if row.square_m is None or row.square_m > SQUARE_RADIUS_M:
            missing.append(_("no leisure square within 2 km"))
        if row.path_m is None or row.path_m > PATH_RADIUS_M:
            missing.append(_("no fitness path within 1 km"))
        feature = point(
            row.node.latitude, row.node.longitude, name=f"{row.node.name}：{'，'.join(missing)}", color="#dc2626"
        )
        if feature is not None:
            features.append(feature)
    return features
