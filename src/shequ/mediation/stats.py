"""Figures on mediation for any node of the user's area: cases by kind and result, the success and on-time rates,
repeat disputes (the same parties again), the mediators' load; charts and .xlsx.  Counts only: no party's name
appears in a figure.  A fixed number of grouped queries over the ``path`` index."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import charts
from shequ.core.charts import Chart

from .models import CONCLUDED_STATES, Category, Mediator, Result

REPEATS_SHOWN = 20
LOAD_SHOWN = 30


@dataclass
class CategoryRow:
    label: str
    total: int = 0
    open: int = 0
    agreed: int = 0
    failed: int = 0
    withdrawn: int = 0
    declined: int = 0


@dataclass
class Board:
    anchor: Any
    total: int = 0
    open: int = 0
    overdue: int = 0
    concluded: int = 0
    agreed: int = 0
    on_time: int = 0
    by_category: list[CategoryRow] = field(default_factory=list)
    repeats: list[str] = field(default_factory=list)  # the numbers of the latest repeat disputes
    repeat_parties: int = 0  # cases repeating an earlier dispute between the same parties
    load: list[tuple[str, str, int, int]] = field(default_factory=list)  # name, committee, open, handled

    @property
    def success_rate(self) -> float | None:
        return round(100 * self.agreed / self.concluded, 1) if self.concluded else None

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.concluded, 1) if self.concluded else None

    def charts(self) -> list[Chart]:
        results = [
            (str(Result.AGREED.label), sum(r.agreed for r in self.by_category)),
            (str(Result.FAILED.label), sum(r.failed for r in self.by_category)),
            (str(Result.WITHDRAWN.label), sum(r.withdrawn for r in self.by_category)),
            (str(Result.DECLINED.label), sum(r.declined for r in self.by_category)),
            (_("Open"), sum(r.open for r in self.by_category)),
        ]
        return [
            charts.pie(_("By kind of dispute"), [(r.label, r.total) for r in self.by_category if r.total]),
            charts.pie(_("By result"), [(label, n) for label, n in results if n]),
        ]


AGREED_Q = Q(result=Result.AGREED)


def board(cases: Any, anchor: Any) -> Board:
    """The figures of *cases* (already restricted to the user's scope) under *anchor*."""
    qs = cases.filter(path__within=anchor.path).order_by()
    now = timezone.now()
    result = Board(anchor=anchor)
    labels = dict(Category.choices)
    rows = (
        qs.values("category")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(is_open=True)),
            overdue=Count("pk", filter=Q(is_open=True, deadline__lt=now)),
            concluded=Count("pk", filter=Q(status__in=CONCLUDED_STATES)),
            agreed=Count("pk", filter=AGREED_Q),
            on_time=Count("pk", filter=Q(status__in=CONCLUDED_STATES, on_time=True)),
            failed=Count("pk", filter=Q(result=Result.FAILED)),
            withdrawn=Count("pk", filter=Q(result=Result.WITHDRAWN)),
            declined=Count("pk", filter=Q(result=Result.DECLINED)),
            repeats=Count("pk", filter=Q(repeat=True)),
        )
        .order_by("-total", "category")
    )
    for row in rows:
        result.by_category.append(
            CategoryRow(
                label=str(labels.get(row["category"], row["category"])),
                total=row["total"],
                open=row["open"],
                agreed=row["agreed"],
                failed=row["failed"],
                withdrawn=row["withdrawn"],
                declined=row["declined"],
            )
        )
        result.total += row["total"]
        result.open += row["open"]
        result.overdue += row["overdue"]
        result.concluded += row["concluded"]
        result.agreed += row["agreed"]
        result.on_time += row["on_time"]
        result.repeat_parties += row["repeats"]
    # Repeat disputes: marked at registration (``MediationCase.repeat``), counted above; the latest listed.
    result.repeats = list(
        qs.filter(repeat=True).order_by("-registered_at", "-id").values_list("code", flat=True)[:REPEATS_SHOWN]
    )
    # The mediators' load: counters kept by the actions (no scan of the cases).
    mediators = (
        Mediator.objects.filter(path__within=anchor.path)
        .filter(cases_handled__gt=0)
        .select_related("committee")
        .only("name", "open_cases", "cases_handled", "committee__name")
        .order_by("-open_cases", "-cases_handled", "name")[:LOAD_SHOWN]
    )
    result.load = [(m.name, m.committee.name, m.open_cases, m.cases_handled) for m in mediators]
    return result


def write_xlsx(b: Board) -> str:
    from shequ.core.spreadsheets import XlsxWriter, temp_xlsx_path

    target = temp_xlsx_path()
    writer = XlsxWriter(target, _("Mediation"))
    writer.header([_("Mediation cases"), b.anchor.name, _("Total"), b.total])
    writer.write([_("Open"), b.open])
    writer.write([_("Overdue"), b.overdue])
    writer.write([_("Success rate (%)"), b.success_rate])
    writer.write([_("On-time rate (%)"), b.on_time_rate])
    writer.write([_("Repeat disputes"), b.repeat_parties])
    writer.write([])
    writer.write([_("Kind of dispute"), _("Total"), _("Open"), *(str(r.label) for r in Result)])
    for r in b.by_category:
        writer.write([r.label, r.total, r.open, r.agreed, r.failed, r.withdrawn, r.declined])
    writer.write([])
    writer.write([_("Mediator"), _("Mediation committee"), _("Open cases"), _("Cases handled")])
    for name, committee, open_, handled in b.load:
        writer.write([name, committee, open_, handled])
    writer.close()
    return target
