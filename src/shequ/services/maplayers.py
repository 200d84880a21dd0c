"""The requests' map layer: open requests counted per place (overdue in red), never who raised them."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.maplayers import MAX_FEATURES, point

from .models import ServiceRequest


def open_requests(user: Any, node: Any, params: dict[str, str]) -> list[dict[str, Any]]:
    from shequ.territory.models import Node

    rows = (
        ServiceRequest.objects.restrict(user, "view")
        .filter(is_open=True, path__within=node.path)
        .values("node")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(deadline__lt=timezone.now())))
        .order_by("-n")[:MAX_FEATURES]
    )
    counts = {r["node"]: (r["n"], r["late"]) for r in rows}
    places = Node.objects.filter(pk__in=counts).only("id", "name", "latitude", "longitude")
    url = reverse("services:servicerequest_list")
    features = []
    for place in places:
        n, late = counts[place.pk]
        feature = point(
            place.latitude,
            place.longitude,
            name=_("%(place)s: %(n)d open, %(late)d overdue") % {"place": place.name, "n": n, "late": late},
            url=f"{url}?open=true&within={place.pk}",
            count=n,
            color="#dc2626" if late else "#f59e0b",
        )
        if feature is not None:
            features.append(feature)
    return features
