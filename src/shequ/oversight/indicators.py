"""The oversight figures (``core.indicators``), per community, each computed for any node over its subtree:

- property-company satisfaction: ratings satisfied or basically satisfied over all ratings of the year's
  evaluations of property companies (000 §7; target ≥ 50 %, below it the contract is terminated by law);
- companies under termination: open contract-termination cases (target: none);
- evaluation response rate: answers over expected answers of the year's evaluations;
- co-construction agreements signed: resident units with this year's agreement over all active resident units;
- commitments fulfilled: commitments of the year's agreements whose target is reached.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext_lazy as _

from shequ.core.indicators import RATIO, TOTAL, Indicator, Pairs, drill_to, register

from .actions import AGREEMENTS, COMMITMENTS, SATISFACTION

UNDER_TERMINATION = "oversight.under_termination"
RESPONSE_RATE = "oversight.response_rate"


def _by_place(places: Sequence[Any], rows: Iterable[tuple[str, float, float]]) -> Pairs:
    """Sum (path, num, den) rows into the community whose path begins theirs."""
    prefix = {p.path: p.pk for p in places}
    lengths = sorted({len(p) for p in prefix})
    sums: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for path, num, den in rows:
        for length in lengths:
            pk = prefix.get(path[:length])
            if pk is not None:
                sums[pk][0] += float(num or 0)
                sums[pk][1] += float(den or 0)
                break
    return {pk: (n, d) for pk, (n, d) in sums.items()}


def _within(places: Sequence[Any], field: str = "path") -> Q:
    condition = Q()
    for place in places:
        condition |= Q(**{f"{field}__startswith": place.path})
    return condition


def satisfaction(places: Sequence[Any], year: int) -> Pairs:
    from .models import Campaign, SubjectKind
    from .results import refresh_counts

    refresh_counts(Campaign.objects.filter(_within(places), year=year))

    rows = (
        Campaign.objects.filter(_within(places), year=year, subject_kind=SubjectKind.PROPERTY_COMPANY)
        .values_list("path")
        .annotate(n=Sum(F("satisfied") + F("basic")), d=Sum(F("satisfied") + F("basic") + F("dissatisfied")))
    )
    return {pk: pair for pk, pair in _by_place(places, rows).items() if pair[1]}


def under_termination(places: Sequence[Any], year: int) -> Pairs:
    from .models import TerminationCase

    rows = (
        TerminationCase.objects.filter(_within(places), is_open=True)
        .values_list("path")
        .annotate(n=Count("pk"), d=Count("pk"))
    )
    result = _by_place(places, rows)
    return {p.pk: result.get(p.pk, (0.0, 1.0)) for p in places}


def response_rate(places: Sequence[Any], year: int) -> Pairs:
    from .models import Campaign
    from .results import refresh_counts

    refresh_counts(Campaign.objects.filter(_within(places), year=year))

    rows = (
        Campaign.objects.filter(_within(places), year=year)
        .values_list("path")
        .annotate(n=Sum("answers_count"), d=Sum("expected"))
    )
    return {pk: pair for pk, pair in _by_place(places, rows).items() if pair[1]}


def agreements_signed(places: Sequence[Any], year: int) -> Pairs:
    from shequ.orgs.models import Organization

    from .models import Agreement

    signed = Agreement.objects.filter(year=year).values("unit_id")
    units = (
        Organization.objects.filter(_within(places), kind="resident_unit", active=True)
        .values_list("path")
        .annotate(n=Count("pk", filter=Q(pk__in=signed)), d=Count("pk"))
    )
    return _by_place(places, units)


def commitments_fulfilled(places: Sequence[Any], year: int) -> Pairs:
    from .models import Commitment

    rows = (
        Commitment.objects.filter(_within(places), agreement__year=year)
        .values_list("path")
        .annotate(n=Count("pk", filter=Q(achieved__gte=F("target"))), d=Count("pk"))
    )
    return _by_place(places, rows)


def register_all() -> None:
    register(
        Indicator(
            code=SATISFACTION,
            name=_("Property-company satisfaction"),
            compute=satisfaction,
            target=50,
            kind=RATIO,
            source="000 §7",
            model="oversight.campaign",
            description=_(
                "Ratings satisfied or basically satisfied over all ratings in the year's evaluations of property "
                "companies; below 50 % the service contract is terminated according to law."
            ),
            drill=drill_to("oversight:campaign_list", subject_kind="property_company"),
            order=410,
        )
    )
    register(
        Indicator(
            code=UNDER_TERMINATION,
            name=_("Property companies under contract termination"),
            compute=under_termination,
            unit="",
            target=0,
            comparison="<=",
            kind=TOTAL,
            places=0,
            source="000 §7",
            model="oversight.terminationcase",
            description=_("Open contract-termination cases of property companies."),
            drill=drill_to("oversight:terminationcase_list", is_open="true"),
            order=420,
        )
    )
    register(
        Indicator(
            code=RESPONSE_RATE,
            name=_("Evaluation response rate"),
            compute=response_rate,
            kind=RATIO,
            source="000 §19",
            model="oversight.campaign",
            description=_("Answers received over answers expected in the year's evaluations."),
            drill=drill_to("oversight:campaign_list"),
            order=430,
        )
    )
    register(
        Indicator(
            code=AGREEMENTS,
            name=_("Resident units with a co-construction agreement"),
            compute=agreements_signed,
            target=100,
            kind=RATIO,
            source="000 §8",
            model="oversight.agreement",
            description=_("Active resident units that signed this year's co-construction agreement."),
            drill=drill_to("oversight:agreement_list"),
            order=440,
        )
    )
    register(
        Indicator(
            code=COMMITMENTS,
            name=_("Co-construction commitments fulfilled"),
            compute=commitments_fulfilled,
            kind=RATIO,
            source="000 §8",
            model="oversight.commitment",
            description=_("Commitments of the year's agreements whose measurable target is reached."),
            drill=drill_to("oversight:commitment_list"),
            order=450,
        )
    )


def todo(user: Any) -> list[Any]:
    """Open entry applications, termination cases and consent requests in the user's area."""
    from django.urls import reverse

    from shequ.accounts.scope import can
    from shequ.core.today import Todo

    from .models import ConsentRequest, EntryApplication, TerminationCase

    result = []
    for key, label, model, name in (
        ("oversight.entries", _("Entry applications to review"), EntryApplication, "entryapplication"),
        ("oversight.terminations", _("Contract-termination cases"), TerminationCase, "terminationcase"),
        ("oversight.consents", _("Consent requests"), ConsentRequest, "consentrequest"),
    ):
        if can(user, model, "change"):
            qs = model.objects.restrict(user, "change").filter(is_open=True)
            result.append(Todo(key, label, qs, reverse(f"oversight:{name}_list") + "?is_open=true"))
    return result
