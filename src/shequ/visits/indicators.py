"""The home visits' policy indicators (``core.indicators``), per community:

- link coverage: the members of the two committees answering for 3 to 5 households (000 §10; target: all);
- must-visit households visited in time: the households of the must-visit kinds whose last visit is within
  their interval, over all of them (visits due vs done; target: all).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from shequ.core.indicators import RATIO, Indicator, Pairs, drill_to, register

LINK_COVERAGE = "visits.link_coverage"
VISITS_ON_TIME = "visits.on_time"


def link_coverage(places: Sequence[Any], year: int) -> Pairs:
    """Per community: its committee members, and those with 3 to 5 households."""
    from .lists import committee_posts, current_links
    from .models import MAX_LINKS, MIN_LINKS

    members: dict[int, set[int]] = {}
    for node_id, person_id in committee_posts(places).values_list("organization__node_id", "person_id").distinct():
        members.setdefault(node_id, set()).add(person_id)
    loads = {
        (row["community_id"], row["member_id"]): row["n"]
        for row in current_links(places).values("community_id", "member_id").annotate(n=Count("pk"))
    }
    result: Pairs = {}
    for place in places:
        people = members.get(place.pk, set())
        good = sum(1 for m in people if MIN_LINKS <= loads.get((place.pk, m), 0) <= MAX_LINKS)
        if people:
            result[place.pk] = (float(good), float(len(people)))
    return result


def visits_on_time(places: Sequence[Any], year: int) -> Pairs:
    """Per community: the must-visit households, and those not overdue."""
    from .lists import must_visit

    due: Counter[int] = Counter()
    done: Counter[int] = Counter()
    for item in must_visit(list(places)):
        due[item.community_id] += 1
        if not item.overdue:
            done[item.community_id] += 1
    return {pk: (float(done[pk]), float(n)) for pk, n in due.items()}


def register_all() -> None:
    register(
        Indicator(
            code=LINK_COVERAGE,
            name=_("Committee members answering for 3 to 5 households"),
            compute=link_coverage,
            unit="%",
            target=100,
            kind=RATIO,
            source="000 §10",
            model="visits.householdlink",
            description=_("Share of the members of the two committees linked to 3 to 5 households."),
            drill=drill_to("visits:links", "node"),
            order=330,
        )
    )
    register(
        Indicator(
            code=VISITS_ON_TIME,
            name=_("Must-visit households visited in time"),
            compute=visits_on_time,
            unit="%",
            target=100,
            kind=RATIO,
            source="000 §10",
            model="visits.visit",
            description=_(
                "Share of the households of the must-visit kinds (families in difficulty, hospitalized patients, "
                "unemployed people, released persons, lonely elderly) visited within their interval."
            ),
            drill=drill_to("visits:due", "node"),
            order=340,
        )
    )


def todo(user: Any) -> list[Any]:
    """Must-arrive tasks open in the user's area, the overdue ones urgent."""
    from django.urls import reverse
    from django.utils import timezone

    from shequ.accounts.scope import can
    from shequ.core.today import Todo

    from .models import MustArriveTask

    if not can(user, MustArriveTask, "change"):
        return []
    mine = MustArriveTask.objects.restrict(user, "change").filter(is_open=True)
    url = reverse("visits:mustarrivetask_list")
    return [
        Todo("visits.to_arrive", _("Must-arrive tasks"), mine, f"{url}?is_open=true"),
        Todo(
            "visits.arrive_overdue",
            _("Overdue must-arrive tasks"),
            mine.filter(deadline__lt=timezone.now()),
            f"{url}?overdue=true",
            urgent=True,
        ),
    ]
