"""Writes on facilities, six-haves inspections and cultural brands/events, and the per-community standards
rollup (``CommunityStandard``) they keep current."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from shequ.core.actions import acting_as, ensure_in_scope
from shequ.core.exceptions import ActionError, FieldErrors, NotFound
from shequ.core.indicators import mark_dirty
from shequ.positions import geo
from shequ.positions.indicators import AREA_CLASS, CLASS_SHARES, COVERAGE, SIX_HAVES
from shequ.positions.models import (
    SQUARE_RADIUS_M,
    CommunityStandard,
    CulturalBrand,
    CulturalEvent,
    Facility,
    FacilityKind,
    FacilityPhoto,
    Room,
    StandardCheck,
    area_class,
)
from shequ.territory.models import Kind, Node

# How far the nearest leisure square or fitness path is looked for (beyond: "none near").
SEARCH_M = SQUARE_RADIUS_M * 2


def _require_community(node: Any, field: str = "node") -> None:
    if node is None or node.kind != Kind.COMMUNITY:
        raise FieldErrors([{"field": field, "message": _("Choose a community.")}])


def check_facility(facility: Facility) -> None:
    """The bounds a model cannot declare: a community, rooms of the list, a point (or line) inside the
    community's boundary."""
    _require_community(facility.node)
    errors = []
    if facility.area is not None and Decimal(facility.area) < 0:
        errors.append({"field": "area", "message": _("The area cannot be negative.")})
    if facility.housing_area and facility.area is not None and Decimal(facility.housing_area) > Decimal(facility.area):
        errors.append({"field": "housing_area", "message": _("Service housing cannot exceed the area.")})
    unknown = [r for r in facility.rooms or [] if r not in Room.values]
    if unknown:
        errors.append({"field": "rooms", "message": _("Unknown room: %(room)s") % {"room": ", ".join(unknown)}})
    if facility.line is not None and len(geo.line_coordinates(facility.line)) < 2:
        errors.append({"field": "line", "message": _("The line must be a GeoJSON LineString of two points or more.")})
    if facility.latitude is None and facility.line:
        centre = geo.centre_of(facility.line)
        if centre:
            facility.latitude, facility.longitude = round(centre[0], 6), round(centre[1], 6)
    if (facility.latitude is None) != (facility.longitude is None):
        errors.append({"field": "latitude", "message": _("Give both the latitude and the longitude.")})
    if facility.kind in (FacilityKind.LEISURE_SQUARE, FacilityKind.FITNESS_PATH) and facility.latitude is None:
        errors.append({"field": "latitude", "message": _("A square or a path needs its location.")})
    boundary = facility.node.boundary if facility.node_id else None
    points = [(facility.latitude, facility.longitude)] if facility.latitude is not None else []
    points += [(c[1], c[0]) for c in geo.line_coordinates(facility.line)]
    for lat, lng in points:
        if boundary and geo.contains(boundary, float(lat), float(lng)) is False:  # type: ignore[arg-type]
            errors.append(
                {
                    "field": "latitude",
                    "message": _("The location lies outside the boundary of %(community)s.")
                    % {"community": facility.node.name},
                }
            )
            break
    if errors:
        raise FieldErrors(errors)


def do_save_facility(facility: Facility, *, acting_user: Any) -> Facility:
    """Create or change a facility (checked against its community's bounds); the standards of its community
    and, for a square or a path, of the communities around it follow in the same transaction."""
    check_facility(facility)
    before = None
    if facility.pk:
        before = Facility.objects.filter(pk=facility.pk).values("latitude", "longitude", "node_id").first()
    with acting_as(acting_user), transaction.atomic():
        creating = facility.pk is None
        facility.save()
        ensure_in_scope(facility, acting_user, "add" if creating else "change")
        nodes = {facility.node_id}
        points = [(facility.latitude, facility.longitude)]
        if before:
            nodes.add(before["node_id"])
            points.append((before["latitude"], before["longitude"]))
        refresh_standards(set(nodes) | nearby_communities(points))
    return facility


def do_delete_facility(facility: Facility, *, acting_user: Any) -> None:
    with acting_as(acting_user), transaction.atomic():
        ensure_in_scope(facility, acting_user, "delete")
        node_id, point = facility.node_id, (facility.latitude, facility.longitude)
        facility.delete()
        refresh_standards({node_id} | nearby_communities([point]))


MAX_PHOTOS = 12


def do_add_photo(facility: Any, *, acting_user: Any, upload: Any) -> FacilityPhoto:
    """A photo of a facility (the rooms, the board at the door …), stored encrypted; at most ``MAX_PHOTOS``."""
    from shequ.services.actions.attachments import check_photo

    name, content_type = check_photo(upload)
    with acting_as(acting_user), transaction.atomic():
        found = Facility.objects.restrict(acting_user, "change").select_for_update().filter(pk=facility.pk).first()
        if found is None:
            raise NotFound()
        if found.photos.count() >= MAX_PHOTOS:
            raise ActionError(_("A facility keeps at most %(n)d photos.") % {"n": MAX_PHOTOS}, code="too_many")
        return FacilityPhoto.store(
            upload, folder="positions", key=f"facility-{found.pk}", name=name, content_type=content_type, facility=found
        )


def do_delete_photo(photo: Any, *, acting_user: Any) -> None:
    with acting_as(acting_user), transaction.atomic():
        found = FacilityPhoto.objects.restrict(acting_user, "change").filter(pk=photo.pk).first()
        if found is None:
            raise NotFound()
        found.delete()


def nearby_communities(points: Iterable[tuple[Any, Any]]) -> set[int]:
    condition = Q()
    for lat, lng in points:
        if lat is None or lng is None:
            continue
        south, north, west, east = geo.box(float(lat), float(lng), SEARCH_M)
        condition |= Q(latitude__range=(south, north), longitude__range=(west, east))
    if not condition:
        return set()
    return set(Node.objects.filter(condition, kind=Kind.COMMUNITY, retired=False).values_list("pk", flat=True))


def _nearest(lat: float, lng: float, kind: str) -> float | None:
    south, north, west, east = geo.box(lat, lng, SEARCH_M)
    rows = Facility.objects.filter(
        kind=kind, active=True, latitude__range=(south, north), longitude__range=(west, east)
    ).values_list("latitude", "longitude", "line")
    found = geo.nearest_m(lat, lng, rows)
    return None if found is None or found > SEARCH_M else round(found, 1)


def refresh_standards(node_ids: Iterable[int]) -> int:
    """Recompute the standards rollup of the communities *node_ids* (service area, class, rooms, nearest
    square and path, six haves of the latest inspection) and mark their figures to refresh."""
    places = list(
        Node.objects.filter(pk__in=set(node_ids), kind=Kind.COMMUNITY).only(
            "id", "path", "latitude", "longitude", "kind", "name"
        )
    )
    for place in places:
        centres = Facility.objects.filter(node=place, kind=FacilityKind.SERVICE_CENTRE, active=True)
        sums = centres.aggregate(area=Sum("area"), housing=Sum("housing_area"))
        rooms: set[str] = set()
        for listed in centres.values_list("rooms", flat=True):
            rooms.update(r for r in listed or [] if r in Room.values)
        lat, lng = place.latitude, place.longitude
        if lat is None:
            first = centres.exclude(latitude=None).values_list("latitude", "longitude").first()
            lat, lng = first if first else (None, None)
        square = path = None
        if lat is not None and lng is not None:
            square = _nearest(lat, lng, FacilityKind.LEISURE_SQUARE)
            path = _nearest(lat, lng, FacilityKind.FITNESS_PATH)
        check = StandardCheck.objects.filter(node=place).order_by("-year").first()
        area = sums["area"] or Decimal(0)
        CommunityStandard.objects.update_or_create(
            node=place,
            defaults={
                "path": place.path,
                "service_area": area,
                "housing_area": sums["housing"] or Decimal(0),
                "area_class": area_class(area),
                "rooms": len(rooms),
                "square_m": square,
                "path_m": path,
                "six_haves_year": check.year if check else None,
                "six_haves": bool(check and check.compliant),
            },
        )
        mark_dirty([AREA_CLASS, *CLASS_SHARES, COVERAGE, SIX_HAVES], place)
    return len(places)


def do_save_check(check: StandardCheck, *, acting_user: Any) -> StandardCheck:
    """Record (or correct) a community's six-haves inspection of a year."""
    _require_community(check.node)
    if check.organization_id and check.organization is not None and check.organization.node_id != check.node_id:
        raise FieldErrors([{"field": "organization", "message": _("The organization is not of this community.")}])
    duplicate = StandardCheck.objects.filter(node=check.node, year=check.year).exclude(pk=check.pk).exists()
    if duplicate:
        raise FieldErrors([{"field": "year", "message": _("This community already has an inspection of that year.")}])
    with acting_as(acting_user), transaction.atomic():
        creating = check.pk is None
        check.save()
        ensure_in_scope(check, acting_user, "add" if creating else "change")
        refresh_standards([check.node_id])
    return check


def do_save_brand(brand: CulturalBrand, *, acting_user: Any) -> CulturalBrand:
    _require_community(brand.node)
    if CulturalBrand.objects.filter(node=brand.node, name=brand.name).exclude(pk=brand.pk).exists():
        raise FieldErrors([{"field": "name", "message": _("This community already has a brand of that name.")}])
    with acting_as(acting_user), transaction.atomic():
        creating = brand.pk is None
        brand.save()
        ensure_in_scope(brand, acting_user, "add" if creating else "change")
    return brand


def do_save_event(event: CulturalEvent, *, acting_user: Any) -> CulturalEvent:
    _require_community(event.node)
    if event.brand_id and event.brand is not None and event.brand.node_id != event.node_id:
        raise FieldErrors([{"field": "brand", "message": _("The brand is not of this community.")}])
    with acting_as(acting_user), transaction.atomic():
        creating = event.pk is None
        event.save()
        ensure_in_scope(event, acting_user, "add" if creating else "change")
    return event
