"""Distances over stored latitude/longitude (no PostGIS: the same code on SQLite and PostgreSQL).

``haversine_m`` is the great-circle distance; a fitness path's distance is to the nearest of its segments
(a local equirectangular projection, exact enough within a few kilometres); ``contains`` tests a point
against a community's GeoJSON Polygon/MultiPolygon boundary (ray casting)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

EARTH_M = 6_371_008.8
M_PER_DEG_LAT = math.pi * EARTH_M / 180


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_M * math.asin(min(1.0, math.sqrt(h)))


def box(lat: float, lng: float, metres: float) -> tuple[float, float, float, float]:
    """(south, north, west, east) of a box holding every point within *metres* of (lat, lng)."""
    dlat = metres / M_PER_DEG_LAT
    dlng = metres / (M_PER_DEG_LAT * max(0.01, math.cos(math.radians(lat))))
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng


def _segment_m(lat: float, lng: float, a: Sequence[float], b: Sequence[float]) -> float:
    kx = M_PER_DEG_LAT * math.cos(math.radians(lat))
    ax, ay = (a[0] - lng) * kx, (a[1] - lat) * M_PER_DEG_LAT
    bx, by = (b[0] - lng) * kx, (b[1] - lat) * M_PER_DEG_LAT
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length))
    return math.hypot(ax + t * dx, ay + t * dy)


def line_coordinates(line: Any) -> list[Sequence[float]]:
    if not isinstance(line, dict) or line.get("type") != "LineString":
        return []
    coords = line.get("coordinates") or []
    return [c for c in coords if isinstance(c, (list, tuple)) and len(c) >= 2]


def distance_m(lat: float, lng: float, f_lat: float | None, f_lng: float | None, line: Any = None) -> float | None:
    """Metres from (lat, lng) to a facility: its line when it has one, else its point."""
    coords = line_coordinates(line)
    if len(coords) >= 2:
        return min(_segment_m(lat, lng, coords[i], coords[i + 1]) for i in range(len(coords) - 1))
    if f_lat is None or f_lng is None:
        return None
    return haversine_m(lat, lng, f_lat, f_lng)


def nearest_m(lat: float, lng: float, facilities: Iterable[tuple[float | None, float | None, Any]]) -> float | None:
    best: float | None = None
    for f_lat, f_lng, line in facilities:
        d = distance_m(lat, lng, f_lat, f_lng, line)
        if d is not None and (best is None or d < best):
            best = d
    return best


def _in_ring(lat: float, lng: float, ring: Sequence[Sequence[float]]) -> bool:
    inside = False
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i][0], ring[i][1]
        x2, y2 = ring[(i + 1) % n][0], ring[(i + 1) % n][1]
        if (y1 > lat) != (y2 > lat):
            x = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lng < x:
                inside = not inside
    return inside


def contains(geometry: Any, lat: float, lng: float) -> bool | None:
    """Whether a GeoJSON Polygon/MultiPolygon holds the point (None when there is no such geometry)."""
    if not isinstance(geometry, dict):
        return None
    kind = geometry.get("type")
    coords = geometry.get("coordinates") or []
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else None
    if not polygons:
        return None
    for polygon in polygons:
        if polygon and _in_ring(lat, lng, polygon[0]) and not any(_in_ring(lat, lng, h) for h in polygon[1:]):
            return True
    return False


def centre_of(line: Any) -> tuple[float, float] | None:
    coords = line_coordinates(line)
    if not coords:
        return None
    return (sum(c[1] for c in coords) / len(coords), sum(c[0] for c in coords) / len(coords))
