"""The targets page: every policy indicator (``core.indicators``) for a node of the user's area and a year, against
its goal, with its trend and the ranking of the node's children; exportable."""

from __future__ import annotations

import os
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.accounts.scope import scope_paths
from shequ.core import indicators
from shequ.core.exceptions import NotFound
from shequ.core.permissions import requires
from shequ.core.widgets import NodePickerWidget

AREA_KINDS = ("city", "district", "street", "community")
TREND_YEARS = 5


class AreaForm(forms.Form):
    node = forms.IntegerField(
        label=gettext_lazy("Area"),
        required=False,
        widget=NodePickerWidget(kinds=list(AREA_KINDS), action="view"),
    )
    year = forms.IntegerField(label=gettext_lazy("Year"), required=False, min_value=2000, max_value=2100)


def anchor_node(user: Any, node_id: Any, perm_model: Any = "territory.node") -> Any:
    """The place asked for, within the user's area, or the widest place of their area (404 else)."""
    from shequ.territory.models import Node

    places = Node.objects.restrict(user, "view", perm_model=perm_model).filter(retired=False)
    if node_id not in (None, ""):
        try:
            pk = int(node_id)
        except (TypeError, ValueError):
            raise NotFound() from None
        found = places.filter(pk=pk).first()
    else:
        paths = scope_paths(user, perm_model, "view")
        roots = Node.objects.filter(retired=False)
        roots = roots.filter(parent__isnull=True) if paths is None else roots.filter(path__in=paths)
        found = roots.order_by("depth", "path").first()
    if found is None:
        raise NotFound()
    return found


def _year(value: Any) -> int:
    this = indicators.this_year()
    try:
        year = int(value)
    except (TypeError, ValueError):
        return this
    return min(max(year, this - 20), this)


def _children(node: Any) -> list[Any]:
    from shequ.territory.models import Node

    if node.kind not in AREA_KINDS or node.kind == "community":
        return []
    return list(Node.objects.filter(parent=node, retired=False, kind__in=AREA_KINDS).only("id", "name", "path", "kind"))


def _context(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    anchor = anchor_node(user, request.GET.get("node"))
    year = _year(request.GET.get("year"))
    app = request.GET.get("app", "")
    shown = [i for i in indicators.visible(user) if not app or i.app == app]
    figures = indicators.figures(anchor, year, shown)
    years = list(range(year - TREND_YEARS + 1, year + 1))
    trends = indicators.trends(shown, anchor, years)
    rows = [
        {
            "indicator": i,
            "figure": figures[i.code],
            "trend": trends.get(i.code, []),
            "target": target_text(i),
            "policy": indicators.is_policy_target(i),
        }
        for i in shown
    ]
    return {"anchor": anchor, "year": year, "app": app, "rows": rows, "years": years, "children": _children(anchor)}


def target_text(indicator: indicators.Indicator) -> str:
    if indicator.target is None:
        return "—"
    sign = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}[indicator.comparison]
    number = f"{indicator.target:,.{indicator.places}f}"
    if "." in number:  # 10.0 → 10, 2.50 → 2.5; never 50,000 → 50,
        number = number.rstrip("0").rstrip(".")
    unit = "%" if indicator.unit == "%" else f" {unit_label(indicator.unit)}" if indicator.unit else ""
    return f"{sign} {number}{unit}"


UNITS = {
    "h": gettext_lazy("hours"),
    "yuan": gettext_lazy("yuan"),
    "count": gettext_lazy("count"),
    "days": gettext_lazy("days"),
    "m2": "m²",
}


def unit_label(unit: str) -> Any:
    return UNITS.get(unit, unit)


@requires("territory.node")
def targets_page(request: HttpRequest) -> HttpResponse:
    ctx = _context(request)
    ctx["form"] = AreaForm(initial={"node": ctx["anchor"].pk, "year": ctx["year"]})
    return render(request, "core/targets.html", ctx)


def _goal_line(indicator: indicators.Indicator) -> dict[str, Any]:
    if indicator.target is None:
        return {}
    return {
        "markLine": {
            "symbol": "none",
            "label": {"formatter": str(_("target")) + " {c}"},
            "lineStyle": {"type": "dashed", "color": "#dc2626"},
            "data": [{"yAxis": indicator.target}],
        }
    }


def trend_chart(indicator: indicators.Indicator, trend: list[tuple[int, float | None]]) -> str:
    """The value year by year against the goal, as an ECharts option (JSON for ``data-echarts``)."""
    import json

    option = {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 50, "right": 60, "top": 30, "bottom": 30},
        "xAxis": {"type": "category", "data": [str(y) for y, _v in trend]},
        "yAxis": {"type": "value", "name": "%" if indicator.unit == "%" else str(unit_label(indicator.unit))},
        "series": [
            {
                "type": "line",
                "connectNulls": False,
                "data": [None if v is None else round(v, indicator.places) for _y, v in trend],
                "label": {"show": True},
                **_goal_line(indicator),
            }
        ],
    }
    return json.dumps(option, ensure_ascii=False)


def ranking_chart(indicator: indicators.Indicator, ranking: list[indicators.Figure]) -> str:
    """The areas below, best first, as horizontal bars coloured by whether each meets the goal."""
    import json

    if not ranking:
        return ""
    rows = [f for f in ranking if f.value is not None][::-1]  # ECharts draws the first category at the bottom
    colors = {True: "#16a34a", False: "#dc2626", None: "#9ca3af"}
    option = {
        "tooltip": {},
        "grid": {"left": 130, "right": 60, "top": 28, "bottom": 30},
        "xAxis": {"type": "value"},
        "yAxis": {
            "type": "category",
            "data": [f.node.name for f in rows],
            "axisLabel": {"interval": 0, "width": 120, "overflow": "break"},
        },
        "series": [
            {
                "type": "bar",
                "data": [
                    {"value": round(f.value or 0, indicator.places), "itemStyle": {"color": colors[f.met]}}
                    for f in rows
                ],
                "label": {"show": True, "position": "right"},
                **_goal_line(indicator),
            }
        ],
    }
    if indicator.target is not None:
        option["series"][0]["markLine"]["data"] = [{"xAxis": indicator.target}]  # type: ignore[index]
    return json.dumps(option, ensure_ascii=False)


@login_required
def target_detail(request: HttpRequest, code: str) -> HttpResponse:
    indicator = indicators.INDICATORS.get(code)
    if indicator is None or indicator not in indicators.visible(request.user):
        raise NotFound()
    anchor = anchor_node(request.user, request.GET.get("node"))
    year = _year(request.GET.get("year"))
    ranking = indicators.ranking(indicator, anchor, year, _children(anchor))
    years = list(range(year - TREND_YEARS + 1, year + 1))
    trend = indicators.trend(indicator, anchor, years)
    return render(
        request,
        "core/target_detail.html",
        {
            "indicator": indicator,
            "anchor": anchor,
            "year": year,
            "figure": indicators.figure(indicator, anchor, year),
            "target": target_text(indicator),
            "ranking": ranking,
            "trend": trend,
            "trend_chart": trend_chart(indicator, trend),
            "ranking_chart": ranking_chart(indicator, ranking),
            "drill": indicator.drill(anchor, year) if indicator.drill else "",
            "form": AreaForm(initial={"node": anchor.pk, "year": year}),
        },
    )


@login_required
def targets_export(request: HttpRequest) -> FileResponse:
    from shequ.core.spreadsheets import XlsxWriter, temp_xlsx_path

    ctx = _context(request)
    anchor, year = ctx["anchor"], ctx["year"]
    target = temp_xlsx_path()
    try:
        writer = XlsxWriter(target, _("Targets"))
        writer.header(
            [_("Indicator"), _("Value"), _("Target"), _("Met"), _("Communities counted"), *map(str, ctx["years"])]
        )
        for row in ctx["rows"]:
            fig = row["figure"]
            met = "" if fig.met is None else (_("yes") if fig.met else _("no"))
            trend = [indicators.format_value(row["indicator"], v) for _y, v in row["trend"]]
            writer.write((str(row["indicator"].name), fig.display, row["target"], met, fig.communities, *trend))
        for row in ctx["rows"]:
            ranking = indicators.ranking(row["indicator"], anchor, year, ctx["children"])
            if not ranking:
                continue
            writer.sheet_named(str(row["indicator"].name))
            writer.header([_("Rank"), _("Area"), _("Value"), _("Met")])
            for fig in ranking:
                met = "" if fig.met is None else (_("yes") if fig.met else _("no"))
                writer.write((fig.rank or "", fig.node.name, fig.display, met))
        writer.close()
        handle = open(target, "rb")  # noqa: SIM115 - closed by FileResponse
    finally:
        os.unlink(target)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(handle, as_attachment=True, filename=f"targets-{anchor.pk}-{year}-{stamp}.xlsx")
