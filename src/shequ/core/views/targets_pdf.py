"""The printable one-page report of a node's targets for a year (PDF): each indicator's value against its goal,
met or not, its trend over the past years, and a chart of how far each goal is reached.

Drawn with ReportLab; the Chinese text uses the PDF standard's Adobe CID font (STSong-Light), which every PDF
reader provides, so no font file ships with the server.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import indicators

FONT = "STSong-Light"
GREEN, RED, GREY = "#2fb344", "#d63939", "#9ca3af"
MAX_ROWS = 24  # what fits on one A4 page with the chart


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def attainment(indicator: indicators.Indicator, value: float | None) -> float | None:
    """How far the goal is reached, in % (100 = exactly the goal; for an upper bound, the goal over the value)."""
    if value is None or not indicator.target:
        return None
    if indicator.comparison in ("<=", "<"):
        return 100.0 * indicator.target / value if value else 150.0
    return 100.0 * value / indicator.target


def _chart(rows: list[dict[str, Any]], width: float) -> Any:
    """Horizontal bars: the share of each goal reached (capped at 150 %), green when met, red when not."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing, Line, String
    from reportlab.lib import colors

    shown = [(r["indicator"], r["figure"]) for r in rows if attainment(r["indicator"], r["figure"].value) is not None]
    height = 16 * max(len(shown), 1) + 36
    drawing = Drawing(width, height)
    if not shown:
        drawing.add(String(0, height / 2, _("No goal has a figure yet."), fontName=FONT, fontSize=9))
        return drawing
    chart = HorizontalBarChart()
    chart.x, chart.y = 150, 20
    chart.width, chart.height = width - 170, height - 30
    chart.data = [[min(attainment(i, f.value) or 0, 150.0) for i, f in reversed(shown)]]
    chart.categoryAxis.categoryNames = [str(i.name)[:16] for i, _f in reversed(shown)]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.dx = -4
    chart.categoryAxis.labels.textAnchor = "end"
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 150, 25
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.bars.strokeWidth = 0
    for n, (_i, figure) in enumerate(reversed(shown)):
        chart.bars[(0, n)].fillColor = colors.HexColor(GREEN if figure.met else RED)
    drawing.add(chart)
    goal_x = chart.x + chart.width * 100 / 150
    drawing.add(
        Line(goal_x, chart.y, goal_x, chart.y + chart.height, strokeColor=colors.HexColor(GREY), strokeDashArray=[3, 2])
    )
    drawing.add(String(goal_x + 2, chart.y + chart.height + 4, _("goal"), fontName=FONT, fontSize=7))
    return drawing


def render_pdf(ctx: dict[str, Any], user: Any) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from .targets import target_text

    _register_font()
    anchor, year, years = ctx["anchor"], ctx["year"], ctx["years"]
    rows = ctx["rows"][:MAX_ROWS]
    title_style = ParagraphStyle("title", fontName=FONT, fontSize=15, leading=20)
    small = ParagraphStyle("small", fontName=FONT, fontSize=8, leading=11, textColor=colors.HexColor("#6b7280"))
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=7.5, leading=9.5)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"{anchor.name} {year}",
        author="Shequ",
    )
    met = sum(1 for r in rows if r["figure"].met)
    judged = sum(1 for r in rows if r["figure"].met is not None)
    story: list[Any] = [
        Paragraph(_("Targets of %(place)s, %(year)s") % {"place": anchor.name, "year": year}, title_style),
        Paragraph(
            _("%(met)s of %(judged)s goals met. Printed %(when)s by %(user)s.")
            % {
                "met": met,
                "judged": judged,
                "when": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
                "user": user.get_username(),
            },
            small,
        ),
        Spacer(1, 4 * mm),
    ]
    header = [_("Indicator"), _("Value"), _("Target"), _("Met"), *[str(y) for y in years[:-1]]]
    data: list[list[Any]] = [[Paragraph(str(h), cell) for h in header]]
    styles: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, 7.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f4f6")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#d1d5db")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
    ]
    for n, row in enumerate(rows, start=1):
        indicator, figure = row["indicator"], row["figure"]
        verdict = "" if figure.met is None else (_("met") if figure.met else _("not met"))
        past = [indicators.format_value(indicator, v) for _y, v in row["trend"]][:-1]
        data.append([Paragraph(str(indicator.name), cell), figure.display, target_text(indicator), verdict, *past])
        if figure.met is not None:
            styles.append(("TEXTCOLOR", (3, n), (3, n), colors.HexColor(GREEN if figure.met else RED)))
    width = A4[0] - 28 * mm
    first = 62 * mm
    rest = (width - first) / (len(header) - 1)
    table = Table(data, colWidths=[first, *[rest] * (len(header) - 1)], repeatRows=1)
    table.setStyle(TableStyle(styles))
    story += [table, Spacer(1, 5 * mm), Paragraph(_("Share of each goal reached"), cell), _chart(rows, width)]
    if len(ctx["rows"]) > MAX_ROWS:
        story.append(Paragraph(_("More indicators are on the targets page and in its export."), small))
    doc.build(story)
    return buffer.getvalue()


@login_required
def targets_pdf(request: HttpRequest) -> FileResponse:
    from .targets import _context

    ctx = _context(request)
    content = render_pdf(ctx, request.user)
    name = f"targets-{ctx['anchor'].pk}-{ctx['year']}.pdf"
    return FileResponse(io.BytesIO(content), as_attachment=False, filename=name, content_type="application/pdf")
