"""The home page of every role ("today"): what awaits the user's action (``core.today``), each a count linking
to its filtered list; the indicators of the user's area not met this year; the way to their place."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shequ.accounts.scope import scope_paths
from shequ.core import indicators
from shequ.core.today import TODO_CAP, todos


def _home_place(user: Any) -> Any:
    from shequ.territory.models import Node

    paths = scope_paths(user, "territory.node", "view")
    roots = Node.objects.filter(retired=False)
    roots = roots.filter(parent__isnull=True) if paths is None else roots.filter(path__in=paths)
    return roots.order_by("depth", "path").only("id", "name", "path", "kind").first()


@login_required
def today(request: HttpRequest) -> HttpResponse:
    user = request.user
    place = _home_place(user)
    unmet: list[indicators.Figure] = []
    year = indicators.this_year()
    if place is not None:
        shown = indicators.visible(user)
        unmet = [f for f in indicators.figures(place, year, shown).values() if f.met is False]
    items = todos(user)
    return render(
        request,
        "core/today.html",
        {"place": place, "todos": items, "unmet": unmet, "year": year, "cap": TODO_CAP},
    )
