"""Printable documents as PDF (an agreement, a notice …): a title and a list of blocks, set in a Chinese font.

reportlab's built-in CID font ``STSong-Light`` sets Chinese without a font file on the server (the reader's PDF
viewer supplies the glyphs), so the same code runs on any machine::

    pdf_bytes(_("Mediation agreement"), [Heading("…"), Para("…"), Fields([("Party", "张三")]), Signatures([...])])
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from xml.sax.saxutils import escape

FONT = "STSong-Light"


@dataclass(frozen=True)
class Heading:
    kind: ClassVar[str] = "heading"  # what a template tells them apart by
    text: str


@dataclass(frozen=True)
class Para:
    kind: ClassVar[str] = "para"  # what a template tells them apart by
    text: str


@dataclass(frozen=True)
class Fields:
    """Label–value rows, in a table."""

    kind: ClassVar[str] = "fields"

    rows: Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Signatures:
    """Lines to sign on: one per label (a party, a mediator …), with the date."""

    kind: ClassVar[str] = "signatures"

    labels: Sequence[str]
    date_label: str = ""


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _text(value: Any) -> str:
    return escape(str(value or "")).replace("\n", "<br/>")


def pdf_bytes(title: str, blocks: Sequence[Any], *, author: str = "") -> bytes:
    """The document *title* (centred on top) with *blocks*, on A4, as PDF bytes."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font()
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=18, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, fontSize=13, leading=22, spaceBefore=6)
    top = ParagraphStyle("title", parent=body, fontSize=18, leading=28, alignment=1, spaceAfter=12)
    story: list[Any] = [Paragraph(_text(title), top)]
    for block in blocks:
        if isinstance(block, Heading):
            story.append(Paragraph(_text(block.text), head))
        elif isinstance(block, Para):
            story.append(Paragraph(_text(block.text), body))
        elif isinstance(block, Fields):
            data = [[Paragraph(_text(k), body), Paragraph(_text(v), body)] for k, v in block.rows]
            table = Table(data, colWidths=[40 * mm, 125 * mm])
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story.append(table)
        elif isinstance(block, Signatures):
            story.append(Spacer(1, 10 * mm))
            for label in block.labels:
                line = f"{_text(label)}：____________________"
                if block.date_label:
                    line += f"　　{_text(block.date_label)}：__________"
                story.append(Paragraph(line, body))
                story.append(Spacer(1, 6 * mm))
        story.append(Spacer(1, 3 * mm))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, title=str(title), author=author, leftMargin=22 * mm, rightMargin=22 * mm
    )
    doc.build(story)
    return buffer.getvalue()
