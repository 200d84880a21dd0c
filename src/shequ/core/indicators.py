"""Policy indicators: one registry, every figure computed for any node over its subtree, against its goal, ranked
across sibling nodes (domain.md §6).

An app declares each of its indicators in its ``AppConfig.ready()``::

    register(Indicator(
        code="volunteers.registration_rate", name=_("Volunteer registration rate"), unit="%",
        target=10, comparison=">=", kind=RATIO, source="000 §4", order=10,
        compute=registration_by_community,          # (communities, year) → {community id: (numerator, denominator)}
        model="volunteers.volunteer",               # whose view right shows the figure
    ))

and calls ``mark_dirty("volunteers.registration_rate", node)`` from the ``do_*`` actions that change what it
counts: after the commit, the figure of that node's community is computed again.  ``shequ tick`` refreshes every
indicator of every community once a night (``refresh_due``), which keeps a row per year (the trend).

A figure is additive: per community a (numerator, denominator) pair, stored in ``IndicatorValue``; any node's
value sums the pairs of the communities under it (one indexed range over their paths), so a city's page never
scans the detail tables.  *kind* says how the sums make the value: ``RATIO`` 100 × Σnum / Σden (a share in %),
``MEAN`` Σnum / Σden (hours per worker, yuan per member …), ``TOTAL`` Σnum.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models import Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.functional import Promise

logger = logging.getLogger(__name__)

RATIO, MEAN, TOTAL = "ratio", "mean", "total"
COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": lambda a, b: abs(a - b) < 1e-9,
}
Pairs = dict[int, tuple[float, float]]


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str | Promise
    compute: Callable[[Sequence[Any], int], Pairs]
    unit: str = "%"
    target: float | None = None
    comparison: str = ">="
    kind: str = RATIO
    source: str = ""  # the source document and section (for the record; not shown on Chinese pages)
    model: str = ""  # whose view right shows the figure ("" : anyone who sees the territory)
    description: str | Promise = ""
    order: int = 100
    # The list behind a figure at a node (a URL), e.g. the volunteers of that place.
    drill: Callable[[Any, int], str] | None = None
    # Decimal places of the value.
    places: int = 1

    def value(self, numerator: float, denominator: float) -> float | None:
        if self.kind == TOTAL:
            return numerator
        if not denominator:
            return None
        result = numerator / denominator
        return result * 100 if self.kind == RATIO else result

    def met(self, value: float | None) -> bool | None:
        if value is None or self.target is None:
            return None
        return COMPARISONS[self.comparison](round(value, self.places), self.target)

    @property
    def app(self) -> str:
        return self.code.split(".", 1)[0]


def drill_to(url_name: str, param: str = "within", **query: Any) -> Callable[[Any, int], str]:
    """An indicator's ``drill``: the list *url_name* of the records behind the figure at a node, filtered to the
    node by *param* (``within`` on the declared lists, ``node`` on the report pages) and *query*; ``{year}`` in
    a value of *query* becomes the figure's year."""

    def drill(node: Any, year: int) -> str:
        from urllib.parse import urlencode

        from django.urls import reverse

        values = {k: (v.format(year=year) if isinstance(v, str) else v) for k, v in query.items()}
        return f"{reverse(url_name)}?{urlencode({param: node.pk, **values})}"

    return drill


INDICATORS: dict[str, Indicator] = {}

# The fourteen policy targets of domain.md §6, by the code of the indicator that computes each: every list of
# indicators shows them first, in this order; the others follow by their own ``order``.
POLICY_TARGETS: tuple[str, ...] = (
    "volunteers.registration_rate",  # volunteer registration rate ≥ 10 %
    "volunteers.team_coverage",  # a volunteer team in every residential area
    "orgs.cross_posting",  # cross-posting of committee members > 50 %
    "positions.six_haves",  # "six haves" 100 %
    "positions.standard_area",  # service-area classes (≥ 300 m²)
    "party.developed",  # members developed per community per year ≥ 1
    "cadres.training_hours",  # cadre training ≥ 160 h a year
    "cadres.social_work",  # social-work professionals per community
    "oversight.property_satisfaction",  # property-company satisfaction ≥ 50 %
    "visits.link_coverage",  # committee members' household links 3–5
    "positions.work_funds",  # work funds ≥ 50,000 yuan per community
    "positions.party_funds",  # party-building funds ≥ 50 yuan per member
    "positions.coverage",  # leisure square within 2 km, fitness path within 1 km
    "orgs.two_new_party_org",  # "two new" organizations' party coverage
)
_POLICY_RANK = {code: rank for rank, code in enumerate(POLICY_TARGETS)}


def is_policy_target(indicator: Indicator) -> bool:
    return indicator.code in _POLICY_RANK


def register(indicator: Indicator) -> Indicator:
    if indicator.comparison not in COMPARISONS:
        raise ValueError(f"{indicator.code}: unknown comparison {indicator.comparison!r}")
    if indicator.kind not in (RATIO, MEAN, TOTAL):
        raise ValueError(f"{indicator.code}: unknown kind {indicator.kind!r}")
    INDICATORS[indicator.code] = indicator
    return indicator


def ordered(codes: Iterable[str] | None = None) -> list[Indicator]:
    chosen = INDICATORS.values() if codes is None else [INDICATORS[c] for c in codes if c in INDICATORS]
    return sorted(chosen, key=lambda i: (_POLICY_RANK.get(i.code, len(_POLICY_RANK)), i.order, i.code))


# -- computing and storing ------------------------------------------------------------------------------------------


def communities(nodes: Iterable[Any] | None = None) -> models.QuerySet:
    """The active communities (all, or those of *nodes* and under them)."""
    from shequ.territory.models import Kind, Node

    qs = Node.objects.filter(kind=Kind.COMMUNITY, retired=False)
    if nodes is not None:
        condition = models.Q()
        for node in nodes:
            condition |= models.Q(path__within=node.path)
        qs = qs.filter(condition) if condition else qs.none()
    return qs.only("id", "path", "name").order_by("path")


def community_of(node: Any) -> Any:
    """The community *node* lies in (itself when it is one); None above the communities."""
    from shequ.territory.models import Kind, Node

    if node is None:
        return None
    if node.kind == Kind.COMMUNITY:
        return node
    from .fields import path_ids

    ids = path_ids(node.path)
    return Node.objects.filter(pk__in=ids, kind=Kind.COMMUNITY).only("id", "path", "name").first()


def refresh(codes: Iterable[str] | None = None, nodes: Iterable[Any] | None = None, year: int | None = None) -> int:
    """Compute the indicators of *codes* (all) for the communities of *nodes* (all) and *year* (this one), and
    store them; returns how many values were written."""
    from .models import IndicatorValue

    year = year or timezone.localdate().year
    places = list(communities(nodes))
    if not places:
        return 0
    written = 0
    for indicator in ordered(codes):
        try:
            pairs = indicator.compute(places, year)
        except Exception:
            logger.exception("indicator %s failed", indicator.code)
            continue
        rows = [
            IndicatorValue(
                code=indicator.code,
                node_id=place.pk,
                path=place.path,
                year=year,
                numerator=float(pairs.get(place.pk, (0, 0))[0] or 0),
                denominator=float(pairs.get(place.pk, (0, 0))[1] or 0),
            )
            for place in places
        ]
        with transaction.atomic():
            IndicatorValue.objects.bulk_create(
                rows,
                batch_size=1000,
                update_conflicts=True,
                unique_fields=["code", "node", "year"],
                update_fields=["numerator", "denominator", "path", "updated"],
            )
        written += len(rows)
    return written


def per_community(
    qs: models.QuerySet, places: Sequence[Any], field_name: str = "path", **aggregates: Any
) -> dict[int, dict[str, Any]]:
    """Aggregate the rows of *qs* by the community of *places* each lies in (its *field_name* path), in one
    grouped query per path width: ``{community id: {aggregate: value}}``.  The building block of ``compute``."""
    if not places:
        return {}
    by_path = {p.path: p.pk for p in places}
    if len(places) <= 50:
        condition = models.Q()
        for place in places:
            condition |= models.Q(**{f"{field_name}__within": place.path})
        qs = qs.filter(condition)
    result: dict[int, dict[str, Any]] = {}
    for width in sorted({len(p.path) for p in places}):
        rows = (
            qs.order_by().annotate(_community=Substr(field_name, 1, width)).values("_community").annotate(**aggregates)
        )
        for row in rows:
            pk = by_path.get(row.pop("_community"))
            if pk is not None:
                result[pk] = row
    return result


def pairs(rows: dict[int, dict[str, Any]], numerator: str, denominator: str | None = None) -> Pairs:
    """(numerator, denominator) per community from ``per_community`` rows (a TOTAL has no denominator)."""
    return {
        pk: (float(r.get(numerator) or 0), float(r.get(denominator) or 0) if denominator else 1.0)
        for pk, r in rows.items()
    }


_DIRTY_ATTR = "_shequ_dirty_indicators"


class _Pending:
    """What one transaction marked, flushed once by the first of its on-commit callbacks to run."""

    def __init__(self) -> None:
        self.places: dict[int, tuple[Any, set[str]]] = {}
        self.callbacks: list[Any] = []
        self.done = False

    def alive(self, connection: Any) -> bool:
        """Not yet flushed, and a callback of it still waits for the commit (a rollback drops them all)."""
        waiting = {id(entry[1]) for entry in connection.run_on_commit}
        return not self.done and any(id(c) in waiting for c in self.callbacks)

    def flush(self) -> None:
        if self.done:
            return
        self.done = True
        for place, wanted in self.places.values():
            try:
                refresh(wanted, [place])
            except Exception:
                logger.exception("refreshing indicators %s failed", sorted(wanted))


def mark_dirty(codes: str | Iterable[str], node: Any) -> None:
    """The figures of *codes* at *node*'s community change with this transaction: recompute them after the
    commit.  What is pending is gathered per transaction and flushed once after its commit; what a rolled-back
    transaction marked is forgotten with it (its callbacks left Django's on-commit list), so it never leaks
    into the next transaction of the connection.  A recomputation reads the database as it is, so one marked in
    a rolled-back savepoint of a committed transaction is merely redundant."""
    from django.db import connection

    codes = [codes] if isinstance(codes, str) else list(codes)
    community = community_of(node)
    if community is None:
        return
    pending: _Pending | None = getattr(connection, _DIRTY_ATTR, None)
    if pending is None or not pending.alive(connection):
        pending = _Pending()
        setattr(connection, _DIRTY_ATTR, pending)
    pending.places.setdefault(community.pk, (community, set()))[1].update(codes)
    callback = pending.flush  # a distinct bound-method object per mark, kept alive in pending.callbacks
    pending.callbacks.append(callback)
    transaction.on_commit(callback)  # outside a transaction: at once


REFRESH_HOUR = 2  # the nightly refresh runs at the first tick after 02:00


def refresh_due(now: Any = None) -> dict[str, Any]:
    """The nightly refresh of every indicator (run by ``shequ tick``; does nothing when it already ran today)."""
    from django.core.cache import cache

    now = timezone.localtime(now)
    key = f"shequ:indicators:refreshed:{now.date().isoformat()}"
    if now.hour < REFRESH_HOUR or cache.get(key):
        return {"refreshed": 0}
    cache.set(key, True, 2 * 86400)
    return {"refreshed": refresh()}


# -- reading -------------------------------------------------------------------------------------------------------


@dataclass
class Figure:
    indicator: Indicator
    numerator: float
    denominator: float
    value: float | None
    met: bool | None
    communities: int = 0
    node: Any = None
    rank: int = 0
    children: list[Figure] = field(default_factory=list)

    @property
    def display(self) -> str:
        return format_value(self.indicator, self.value)


def format_value(indicator: Indicator, value: float | None) -> str:
    if value is None:
        return "—"
    text = f"{value:,.{indicator.places}f}"
    return f"{text}%" if indicator.unit == "%" else text


def _sums(code: str, year: int, path: str) -> tuple[float, float, int]:
    from .models import IndicatorValue

    found = IndicatorValue.objects.filter(code=code, year=year, path__within=path).aggregate(
        n=Sum("numerator"), d=Sum("denominator"), c=models.Count("id")
    )
    return float(found["n"] or 0), float(found["d"] or 0), int(found["c"] or 0)


def figure(indicator: Indicator, node: Any, year: int) -> Figure:
    n, d, c = _sums(indicator.code, year, node.path)
    value = indicator.value(n, d)
    return Figure(indicator, n, d, value, indicator.met(value), c, node)


def figures(node: Any, year: int, indicators: Sequence[Indicator]) -> dict[str, Figure]:
    """Every indicator's figure at *node* for *year*, in one grouped query."""
    from .models import IndicatorValue

    rows = (
        IndicatorValue.objects.filter(code__in=[i.code for i in indicators], year=year, path__within=node.path)
        .values("code")
        .annotate(n=Sum("numerator"), d=Sum("denominator"), c=models.Count("id"))
    )
    sums = {r["code"]: (float(r["n"] or 0), float(r["d"] or 0), int(r["c"])) for r in rows}
    result = {}
    for indicator in indicators:
        n, d, c = sums.get(indicator.code, (0.0, 0.0, 0))
        value = indicator.value(n, d) if c else None
        result[indicator.code] = Figure(indicator, n, d, value, indicator.met(value), c, node)
    return result


def ranking(indicator: Indicator, node: Any, year: int, children: Sequence[Any]) -> list[Figure]:
    """The figure of each of *children* (the node's direct children), best first (by the target's direction),
    in one query grouped by the child's path."""
    from .models import IndicatorValue

    if not children:
        return []
    width = len(children[0].path)
    rows = (
        IndicatorValue.objects.filter(code=indicator.code, year=year, path__within=node.path)
        .annotate(prefix=Substr("path", 1, width))
        .values("prefix")
        .annotate(n=Sum("numerator"), d=Sum("denominator"), c=models.Count("id"))
    )
    sums = {r["prefix"]: (float(r["n"] or 0), float(r["d"] or 0), int(r["c"])) for r in rows}
    result = []
    for child in children:
        n, d, c = sums.get(child.path, (0.0, 0.0, 0))
        value = indicator.value(n, d) if c else None
        result.append(Figure(indicator, n, d, value, indicator.met(value), c, child))
    descending = indicator.comparison in (">=", ">", "==")
    known = sorted(
        (f for f in result if f.value is not None),
        key=lambda f: f.value or 0.0,
        reverse=descending,
    )
    for rank, item in enumerate(known, start=1):
        item.rank = rank
    return known + [f for f in result if f.value is None]


def trend(indicator: Indicator, node: Any, years: Sequence[int]) -> list[tuple[int, float | None]]:
    """The value at *node* in each of *years* (kept rows: one per community and year)."""
    from .models import IndicatorValue

    rows = (
        IndicatorValue.objects.filter(code=indicator.code, year__in=list(years), path__within=node.path)
        .values("year")
        .annotate(n=Sum("numerator"), d=Sum("denominator"))
    )
    sums = {r["year"]: (float(r["n"] or 0), float(r["d"] or 0)) for r in rows}
    return [(y, indicator.value(*sums[y]) if y in sums else None) for y in years]


def trends(
    indicators: Sequence[Indicator], node: Any, years: Sequence[int]
) -> dict[str, list[tuple[int, float | None]]]:
    """``trend`` of several indicators in one query."""
    from .models import IndicatorValue

    rows = (
        IndicatorValue.objects.filter(
            code__in=[i.code for i in indicators], year__in=list(years), path__within=node.path
        )
        .values("code", "year")
        .annotate(n=Sum("numerator"), d=Sum("denominator"))
    )
    sums = {(r["code"], r["year"]): (float(r["n"] or 0), float(r["d"] or 0)) for r in rows}
    return {
        i.code: [(y, i.value(*sums[(i.code, y)]) if (i.code, y) in sums else None) for y in years] for i in indicators
    }


def visible(user: Any) -> list[Indicator]:
    """The indicators *user* may read (the view right on each one's model)."""
    from shequ.accounts.scope import can

    return [i for i in ordered() if not i.model or can(user, i.model, "view")]


def this_year() -> int:
    return timezone.localdate().year
