"""Dashboard charts (Apache ECharts, drawn by ``static/shequ/app.js`` from a ``data-echarts`` attribute).

One place decides how a chart reads, so every dashboard says the same things the same way:

- a pie names every slice with its count and share in a legend written as HTML under it (it wraps like any
  text: nothing cut short with "…", nothing hidden because slices are small); the slices themselves carry their
  share where it fits;
- bars carry their count (and share) at their end; categories with long names lie along a vertical axis whose
  labels wrap instead of being cut;
- titles are the card's HTML title.

Render a chart with ``{% include "core/_chart.html" %}`` (``chart``, and ``css`` for a class of its own).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

# ECharts' own palette and more (a pie of a dozen categories repeats no colour): the HTML legend's swatches use the
# same colours, in the same order.
PALETTE = [
    "#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4",
    "#ea7ccc", "#2f4554", "#c4ccd3", "#b6a2de", "#d48265", "#61a0a8", "#8d6e63", "#bda29a",
]  # fmt: skip
# A category axis with a longer name, or with more bars, lies down: the names wrap at the left, the figures
# have room at the bars' ends.
LONG_LABEL = 6  # characters
MANY_BARS = 6


@dataclass
class LegendRow:
    name: str
    value: int | float
    share: str  # "12.5%"
    color: str

    @property
    def figure(self) -> str:
        return figure(self.value, self.share)


@dataclass
class Chart:
    title: str
    option: str  # JSON for ``data-echarts``
    height: int  # pixels
    legend: list[LegendRow] = field(default_factory=list)
    empty: bool = False

    def __str__(self) -> str:
        return self.option


def share(value: float, total: float) -> str:
    return f"{value * 100 / total:.1f}%" if total else "—"


def figure(value: Any, part: str) -> str:
    """A count and its share: "12（22.2%）", "12 (22.2%)" in English."""
    return _("%(count)s (%(share)s)") % {"count": value, "share": part}


def _dump(option: dict[str, Any]) -> str:
    return json.dumps(option, ensure_ascii=False)


def pie(title: Any, rows: list[tuple[Any, int]]) -> Chart:
    """A pie of (name, count) rows; empty slices are left out (they only crowd the legend)."""
    rows = [(str(name), n) for name, n in rows if n]
    total = sum(n for _name, n in rows)
    legend = [LegendRow(name, n, share(n, total), PALETTE[i % len(PALETTE)]) for i, (name, n) in enumerate(rows)]
    option = {
        "color": PALETTE,
        "tooltip": {"trigger": "item", "formatter": "{b}: {c} ({d}%)"},
        "series": [
            {
                "type": "pie",
                "radius": ["0%", "80%"],
                "center": ["50%", "50%"],
                # The share inside each slice wide enough to hold it; the legend below names them all.
                "label": {"show": True, "position": "inside", "formatter": "{d}%", "color": "#fff"},
                "labelLine": {"show": False},
                "minShowLabelAngle": 20,
                "percentPrecision": 1,
                "data": [{"name": name, "value": n} for name, n in rows],
            }
        ],
    }
    return Chart(str(title), _dump(option), 220, legend, empty=not total)


def bars(title: Any, rows: list[tuple[Any, int]], *, shares: bool = True, dense: bool = False) -> Chart:
    """Bars of (category, count) rows, each with its count (and its share of the total) at its end.  Long category
    names lie along a vertical axis and wrap; *dense* (many categories, e.g. years): no labels on the bars."""
    labels = [str(name) for name, _n in rows]
    values = [n for _name, n in rows]
    total = sum(values)
    lying = not dense and (len(labels) > MANY_BARS or any(len(label) > LONG_LABEL for label in labels))
    data = [
        {"value": n, "label": {"formatter": figure(n, share(n, total)) if shares and n else f"{n}"}} for n in values
    ]
    series = {
        "type": "bar",
        "data": data if not dense else values,
        "label": {"show": not dense, "position": "right" if lying else "top"},
    }
    category: dict[str, Any] = {
        "type": "category",
        "data": labels,
        # Every name shown, none cut: a long one wraps.
        "axisLabel": {"interval": 0 if not dense else "auto", "width": 110, "overflow": "break", "hideOverlap": dense},
    }
    value_axis = {"type": "value", "minInterval": 1}
    if lying:
        category["inverse"] = True  # the first row on top, as in a table
        option = {
            "color": PALETTE,
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
            "grid": {"left": 8, "right": 90, "top": 8, "bottom": 8, "containLabel": True},
            "xAxis": value_axis,
            "yAxis": category,
            "series": [series],
        }
        height = 40 + 34 * len(labels)
    else:
        if not dense:
            category["axisLabel"]["width"] = 60
        option = {
            "color": PALETTE,
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
            "grid": {"left": 8, "right": 8, "top": 28, "bottom": 8, "containLabel": True},
            "xAxis": category,
            "yAxis": value_axis,
            "series": [series],
        }
        height = 280
    return Chart(str(title), _dump(option), height, empty=not total)


def lines(title: Any, categories: list[str], series: list[tuple[Any, list[int]]]) -> Chart:
    """Lines over a category axis (weeks, months), with a legend of the series."""
    option = {
        "color": PALETTE,
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 8, "right": 16, "top": 16, "bottom": 32, "containLabel": True},
        "xAxis": {"type": "category", "data": categories, "axisLabel": {"hideOverlap": True}},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [{"name": str(name), "type": "line", "data": values} for name, values in series],
    }
    return Chart(str(title), _dump(option), 280, empty=not any(any(v) for _n, v in series))
