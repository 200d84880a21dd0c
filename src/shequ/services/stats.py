"""Figures on requests: the staff dashboard of a node (volume by category and channel, on-time rate,
satisfaction, overdue list, weekly trend, .xlsx export) and the public figures per community.

Every figure is a fixed number of aggregate queries over the ``path`` index, whatever the volume."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import charts
from shequ.core.charts import Chart
from shequ.territory.models import Kind, Node

from .models import Channel, ServiceCategory, ServiceRequest, public_q

WEEKS = 12
OVERDUE_SHOWN = 50
# Satisfied: a rating of 4 or 5 stars.
SATISFIED_MIN = 4


@dataclass
class Figures:
    total: int = 0
    open: int = 0
    overdue: int = 0
    resolved: int = 0
    on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    rating_avg: float | None = None
    private: int = 0  # of the total, requests of categories that are not public (public figures only)

    @property
    def on_time_rate(self) -> float | None:
        """Share of the resolved requests (with a deadline) resolved by it, in per cent."""
        return round(100 * self.on_time / self.resolved, 1) if self.resolved else None

    @property
    def satisfaction_rate(self) -> float | None:
        return round(100 * self.satisfied / self.rated, 1) if self.rated else None


def aggregates(rates_of: Q | None = None) -> dict[str, Any]:
    """The aggregates of ``Figures``; *rates_of*: the requests the rates and the average rating are of
    (the others are only counted)."""

    def of(condition: Q) -> Q:
        return condition & rates_of if rates_of is not None else condition

    figures: dict[str, Any] = {
        "total": Count("pk"),
        "open": Count("pk", filter=Q(is_open=True)),
        "resolved": Count("pk", filter=of(Q(resolved_at__isnull=False, deadline__isnull=False))),
        "on_time": Count(
            "pk", filter=of(Q(resolved_at__isnull=False, deadline__isnull=False, resolved_at__lte=F("deadline")))
        ),
        "rated": Count("pk", filter=of(Q(rating__isnull=False))),
        "satisfied": Count("pk", filter=of(Q(rating__gte=SATISFIED_MIN))),
        "rating_avg": Avg("rating", filter=rates_of),
    }
    if rates_of is not None:
        figures["private"] = Count("pk", filter=~rates_of)
    return figures


FIGURES = aggregates()
# The public figures: requests of categories that are not public are counted (total, open, private) and
# nothing more.
PUBLIC_FIGURES = aggregates(public_q("category__"))


def _figures(row: dict[str, Any], now: datetime, overdue: int = 0) -> Figures:
    avg = row.get("rating_avg")
    return Figures(
        total=row.get("total") or 0,
        open=row.get("open") or 0,
        overdue=overdue,
        resolved=row.get("resolved") or 0,
        on_time=row.get("on_time") or 0,
        rated=row.get("rated") or 0,
        satisfied=row.get("satisfied") or 0,
        rating_avg=round(float(avg), 2) if avg is not None else None,
        private=row.get("private") or 0,
    )


@dataclass
class Dashboard:
    anchor: Node
    figures: Figures
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_channel: list[tuple[str, int]] = field(default_factory=list)
    by_week: list[tuple[str, int, int]] = field(default_factory=list)  # week starting, filed, resolved
    overdue: list[ServiceRequest] = field(default_factory=list)

    def charts(self) -> list[Chart]:
        """The pies with every slice's count and share, and the weekly trend (``core.charts``)."""
        weeks = [w for w, _f, _r in self.by_week]
        return [
            charts.pie(_("By category"), self.by_category),
            charts.pie(_("By channel"), self.by_channel),
            charts.lines(
                _("Trend by week"),
                weeks,
                [(_("Filed"), [f for _w, f, _r in self.by_week]), (_("Resolved"), [r for _w, _f, r in self.by_week])],
            ),
        ]


def week_start(moment: datetime) -> datetime:
    local = timezone.localtime(moment)
    monday = local - timedelta(days=local.weekday())
    return monday.replace(hour=0, minute=0, second=0, microsecond=0)


def dashboard(anchor: Node, now: datetime | None = None) -> Dashboard:
    """The figures of the requests whose place lies in *anchor*'s subtree (the caller checked the scope)."""
    now = now or timezone.now()
    qs: QuerySet[ServiceRequest] = ServiceRequest.objects.filter(path__within=anchor.path)
    row = qs.aggregate(**FIGURES, overdue=Count("pk", filter=Q(is_open=True, deadline__lt=now)))
    result = Dashboard(anchor=anchor, figures=_figures(row, now, row.get("overdue") or 0))
    # By category: the top-level category (a sub-category counts for its parent).
    names = {c.pk: c for c in ServiceCategory.objects.only("name", "parent_id", "order")}
    by_top: dict[int, int] = {}
    for cat_id, n in qs.order_by().values_list("category_id").annotate(n=Count("pk")):
        cat = names.get(cat_id)
        top = cat.parent_id if cat is not None and cat.parent_id else cat_id
        by_top[top] = by_top.get(top, 0) + n
    result.by_category = sorted(
        ((names[k].name if k in names else "—", n) for k, n in by_top.items()), key=lambda kv: (-kv[1], kv[0])
    )
    labels = dict(Channel.choices)
    result.by_channel = [
        (str(labels.get(ch, ch)), n)
        for ch, n in qs.order_by().values_list("channel").annotate(n=Count("pk")).order_by("-n", "channel")
    ]
    # Trend: filed and resolved per week over the last WEEKS weeks (counted here: at most a few
    # thousand timestamps per node and quarter; a rollup table is the next step if that grows).
    first = week_start(now) - timedelta(weeks=WEEKS - 1)
    weeks = [first + timedelta(weeks=i) for i in range(WEEKS)]
    filed = [0] * WEEKS
    resolved = [0] * WEEKS
    for created, done in qs.filter(Q(created__gte=first) | Q(resolved_at__gte=first)).values_list(
        "created", "resolved_at"
    ):
        for moment, counts in ((created, filed), (done, resolved)):
            if moment is not None and moment >= first:
                index = (week_start(moment) - first).days // 7
                if 0 <= index < WEEKS:
                    counts[index] += 1
    result.by_week = [(w.strftime("%m-%d"), filed[i], resolved[i]) for i, w in enumerate(weeks)]
    result.overdue = list(
        qs.filter(is_open=True, deadline__lt=now)
        .select_related("category", "node", "organization")
        .order_by("deadline")[:OVERDUE_SHOWN]
    )
    return result


def write_xlsx(board: Dashboard) -> str:
    from shequ.core.spreadsheets import XlsxWriter, temp_xlsx_path

    target = temp_xlsx_path()
    writer = XlsxWriter(target, _("Requests"))
    f = board.figures
    writer.header([_("Requests"), board.anchor.name, _("Total"), f.total])
    writer.write([_("Open"), f.open])
    writer.write([_("Overdue"), f.overdue])
    writer.write([_("On-time rate (%)"), f.on_time_rate])
    writer.write([_("Satisfaction (%)"), f.satisfaction_rate])
    writer.write([_("Average rating"), f.rating_avg])
    for title, rows in ((_("By category"), board.by_category), (_("By channel"), board.by_channel)):
        writer.write([])
        writer.write([title, _("Requests")])
        for label, n in rows:
            writer.write([label, n])
    writer.write([])
    writer.write([_("Week starting"), _("Filed"), _("Resolved")])
    for week, filed, resolved in board.by_week:
        writer.write([week, filed, resolved])
    writer.write([])
    writer.write([_("Overdue requests"), _("Category"), _("Place"), _("Responsible organization"), _("Deadline")])
    for r in board.overdue:
        writer.write([r.code, r.category.name, r.node.name, r.organization.name if r.organization else "", r.deadline])
    writer.close()
    return target


# -- public figures ------------------------------------------------------------------------------------------------


@dataclass
class CommunityFigures:
    name: str
    street: str
    figures: Figures


def public_communities() -> QuerySet[Node]:
    return Node.objects.filter(kind=Kind.COMMUNITY, retired=False).select_related("parent").order_by("path")


def per_community(now: datetime | None = None) -> list[CommunityFigures]:
    """Volume, on-time rate and satisfaction of every community: names and counts, nothing personal; the
    requests of categories that are not public only counted.  One grouped query per path length of the
    communities (all communities stand at one depth)."""
    now = now or timezone.now()
    communities = list(public_communities())
    rows: dict[str, dict[str, Any]] = {}
    for length in sorted({len(c.path) for c in communities}):
        grouped = (
            ServiceRequest.objects.filter(duplicate_of__isnull=True)
            .annotate(community=Substr("path", 1, length))
            .order_by()
            .values("community")
            .annotate(**PUBLIC_FIGURES)
        )
        rows.update({r["community"]: r for r in grouped})
    return [
        CommunityFigures(
            name=c.name, street=c.parent.name if c.parent else "", figures=_figures(rows.get(c.path, {}), now)
        )
        for c in communities
    ]
