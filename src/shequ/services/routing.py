"""Routing: which organization answers for a category at a place, and who is told."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from shequ.core import recipients
from shequ.core.recipients import ancestor_paths

from .models import RoutingRule, ServiceCategory, ServiceRequest

DUPLICATE_DAYS = 7


def route(category: ServiceCategory, path: str) -> RoutingRule | None:
    """The rule that decides who handles *category* at the node with *path*: the nearest node up the tree
    wins; at one node the sub-category's rule beats the parent category's, which beats a rule for every
    category.  One indexed query."""
    categories = [category.pk]
    if category.parent_id:
        categories.append(category.parent_id)
    candidates = list(
        RoutingRule.objects.filter(path__in=ancestor_paths(path))
        .filter(Q(category_id__in=categories) | Q(category__isnull=True))
        .select_related("organization", "post")
    )
    if not candidates:
        return None

    def rank(rule: RoutingRule) -> tuple[int, int]:
        specificity = 2 if rule.category_id == category.pk else 1 if rule.category_id else 0
        return (len(rule.path), specificity)

    return max(candidates, key=rank)


def likely_duplicates(
    category: ServiceCategory, node: Any, *, exclude: int | None = None, days: int = DUPLICATE_DAYS
) -> QuerySet[ServiceRequest]:
    """Open requests of the same category at the same place filed in the last *days* days."""
    since = timezone.now() - timedelta(days=days)
    qs = ServiceRequest.objects.filter(node=node, category=category, is_open=True, created__gte=since)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.order_by("-created")


LABEL = "services.servicerequest"


def prefetch_officers(paths: Iterable[str], memo: dict[str, Any]) -> None:
    """Fill *memo* with the officers at every node above each of *paths*, in one query."""
    recipients.prefetch_officers(LABEL, paths, memo)


def officer_levels(path: str, memo: dict[str, Any] | None = None) -> list[list[Any]]:
    """The users who may act on requests, per level, nearest first, from the node with *path* up to the
    top; levels without anyone are skipped.  *memo*: the officers per node, kept across calls (the deadline
    watch asks about hundreds of requests under a few nodes)."""
    return recipients.officer_levels(LABEL, path, memo)


def handlers_of(request: ServiceRequest, memo: dict[str, Any] | None = None) -> list[Any]:
    """Who is told about a request's handling: its handler, or the officers nearest the responsible
    organization (or the place, before routing)."""
    if request.handler_id and request.handler is not None:
        return [request.handler]
    levels = officer_levels(request.responsible_path or request.path, memo)
    return levels[0] if levels else []


def escalation_targets(request: ServiceRequest, memo: dict[str, Any] | None = None) -> list[Any]:
    """The officers one level above those who handle the request."""
    levels = officer_levels(request.responsible_path or request.path, memo)
    if request.handler_id:
        handler_ids = {request.handler_id}
        levels = [level for level in levels if not handler_ids & {u.pk for u in level}]
        return levels[0] if levels else []
    return levels[1] if len(levels) > 1 else []
