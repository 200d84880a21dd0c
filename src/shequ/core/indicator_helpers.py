"""Helpers for indicators computed by an app's existing per-area report (one report per root of the areas)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any


def roots_of(places: Sequence[Any]) -> list[Any]:
    """The fewest nodes whose subtrees hold all of *places*: the place itself when there is one, else the
    top nodes (cities) above them."""
    from shequ.territory.models import Node

    if len(places) == 1:
        return list(places)
    tops = {p.path.split(".")[0] + "." for p in places}
    return list(Node.objects.filter(path__in=tops))


def from_reports(
    places: Sequence[Any], report: Callable[[Any], dict[int, tuple[float, float]]]
) -> dict[int, tuple[float, float]]:
    """Merge *report(anchor)* ({community id: (numerator, denominator)}) over the roots of *places*, kept to
    *places*."""
    wanted = {p.pk for p in places}
    result: dict[int, tuple[float, float]] = {}
    for anchor in roots_of(places):
        result.update({pk: pair for pk, pair in report(anchor).items() if pk in wanted})
    return result
