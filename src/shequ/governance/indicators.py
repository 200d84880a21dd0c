"""The governance figures (``core.indicators``), per community and summed over any node:

- disclosures published on time: the publications of a community's regular duties (finances each quarter …)
  that came by their due date, with the duties overdue now counted as late (target: all);
- handed matters with their funds: the matters handed to the community this year whose funds arrived
  ("fee follows the matter"; target: all);
- days from proposal to decision: the mean over the decisions taken this year;
- decisions taken: the resolutions of the residents' representatives' meetings this year.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from shequ.core.indicators import MEAN, RATIO, TOTAL, Indicator, Pairs, drill_to, register

DISCLOSURES_ON_TIME = "governance.disclosures_on_time"
HANDOVERS_FUNDED = "governance.handovers_funded"
DAYS_TO_DECIDE = "governance.days_to_decide"
DECISIONS_TAKEN = "governance.decisions_taken"


def _ids(places: Sequence[Any]) -> list[int]:
    return [p.pk for p in places]


def disclosures_on_time(places: Sequence[Any], year: int) -> Pairs:
    from django.utils import timezone

    from .models import Disclosure, DisclosureRequirement

    result: dict[int, list[float]] = {}
    rows = (
        Disclosure.objects.filter(node_id__in=_ids(places), on_time__isnull=False, published_on__year=year)
        .values("node_id")
        .annotate(n=Count("pk"), good=Count("pk", filter=Q(on_time=True)))
    )
    for row in rows:
        result[row["node_id"]] = [float(row["good"]), float(row["n"])]
    if year == timezone.localdate().year:
        late = (
            DisclosureRequirement.objects.filter(node_id__in=_ids(places), next_due__lt=timezone.localdate())
            .values("node_id")
            .annotate(n=Count("pk"))
        )
        for row in late:
            result.setdefault(row["node_id"], [0.0, 0.0])[1] += row["n"]
    return {pk: (good, total) for pk, (good, total) in result.items()}


def handovers_funded(places: Sequence[Any], year: int) -> Pairs:
    from .models import Handover

    rows = (
        Handover.objects.filter(node_id__in=_ids(places), year=year)
        .values("node_id")
        .annotate(n=Count("pk"), funded=Count("pk", filter=Q(funds_transferred_on__isnull=False)))
    )
    return {row["node_id"]: (float(row["funded"]), float(row["n"])) for row in rows}


def _decided(places: Sequence[Any], year: int) -> Any:
    from .models import Decision

    return Decision.objects.filter(node_id__in=_ids(places), decided_on__year=year, proposed_on__isnull=False)


def days_to_decide(places: Sequence[Any], year: int) -> Pairs:
    result: dict[int, list[float]] = {}
    for node_id, proposed, decided in _decided(places, year).values_list("node_id", "proposed_on", "decided_on"):
        pair = result.setdefault(node_id, [0.0, 0.0])
        pair[0] += (decided - proposed).days
        pair[1] += 1
    return {pk: (total, n) for pk, (total, n) in result.items()}


def decisions_taken(places: Sequence[Any], year: int) -> Pairs:
    rows = _decided(places, year).values("node_id").annotate(n=Count("pk"))
    return {row["node_id"]: (float(row["n"]), 1.0) for row in rows}


def register_all() -> None:
    register(
        Indicator(
            code=DISCLOSURES_ON_TIME,
            name=_("Disclosures published on time"),
            compute=disclosures_on_time,
            target=100,
            kind=RATIO,
            source="000 §20",
            model="governance.disclosure",
            drill=drill_to("governance:disclosurerequirement_list"),
            description=_(
                "Share of the regular disclosures (finances, party and residents' affairs) published by "
                "their due date; a disclosure overdue now counts as late."
            ),
            order=410,
        )
    )
    register(
        Indicator(
            code=HANDOVERS_FUNDED,
            name=_("Handed matters with their funds"),
            compute=handovers_funded,
            target=100,
            kind=RATIO,
            source="000 §20",
            model="governance.handover",
            drill=drill_to("governance:handover_list", year="{year}"),
            description=_(
                "Share of the matters handed to communities this year whose funds were transferred "
                "(fee follows the matter)."
            ),
            order=420,
        )
    )
    register(
        Indicator(
            code=DAYS_TO_DECIDE,
            name=_("Days from proposal to decision"),
            compute=days_to_decide,
            unit="days",
            kind=MEAN,
            source="004",
            model="governance.decision",
            drill=drill_to("governance:decision_list", decided_year="{year}"),
            description=_(
                "Mean number of days from the party organization's proposal to the residents' "
                "representatives' decision, over the decisions of the year."
            ),
            order=430,
        )
    )
    register(
        Indicator(
            code=DECISIONS_TAKEN,
            name=_("Decisions taken by four discussions"),
            compute=decisions_taken,
            unit="count",
            kind=TOTAL,
            source="004",
            model="governance.decision",
            drill=drill_to("governance:decision_list", decided_year="{year}"),
            description=_("Matters decided by the residents' representatives' meeting this year."),
            order=440,
        )
    )


def todo(user: Any) -> list[Any]:
    """The community's disclosures overdue (urgent), and the decisions awaiting their next meeting."""
    from django.urls import reverse
    from django.utils import timezone

    from shequ.accounts.scope import can
    from shequ.core.today import Todo

    from .models import AWAITING_DECISION, Decision, DisclosureRequirement

    items = []
    if can(user, DisclosureRequirement, "change"):
        late = DisclosureRequirement.objects.restrict(user, "change").filter(next_due__lt=timezone.localdate())
        url = reverse("governance:disclosurerequirement_list")
        items.append(
            Todo("governance.disclosure_overdue", _("Overdue disclosures"), late, f"{url}?overdue=true", urgent=True)
        )
    if can(user, Decision, "change"):
        mine = Decision.objects.restrict(user, "change").filter(status__in=AWAITING_DECISION)
        url = reverse("governance:decision_list")
        items.append(Todo("governance.decisions_open", _("Decisions awaiting a meeting"), mine, f"{url}?awaiting=true"))
    return items
