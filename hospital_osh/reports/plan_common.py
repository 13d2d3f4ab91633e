"""What the checklist, action plan and minutes PDFs share: styles, tables, page furniture.

One small kit so the three documents look alike: the embedded CJK font, CJK line breaking for
Chinese, a grid table with a shaded header row, and a footer with the print time and page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from hospital_osh.reports.fonts import register_fonts
from hospital_osh.reports.language import ReportLanguage

CHECK = "√"  # in the embedded font, and the mark Chinese paper forms use
HEADER_BLUE = "#1f4e79"
HEADER_FILL = "#eef3f8"


@dataclass
class Kit:
    """Styles and helpers for one document in one language."""

    lang: ReportLanguage
    landscape: bool = False

    def __post_init__(self) -> None:
        from reportlab.lib import colors
        from reportlab.lib.pagesizes import A4, landscape
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.lib.units import mm

        self.font = register_fonts()
        self.mm = mm
        self.page = landscape(A4) if self.landscape else A4
        self.width = self.page[0] - 24 * mm
        wrap = "CJK" if self.lang.chinese else None
        self.base = ParagraphStyle(
            "base", fontName=self.font, fontSize=8.5, leading=11, wordWrap=wrap
        )
        self.small = ParagraphStyle(
            "small", parent=self.base, fontSize=7, leading=9, textColor=colors.HexColor("#555555")
        )
        self.title = ParagraphStyle(
            "title", parent=self.base, fontSize=15, leading=19, spaceAfter=3
        )
        self.heading = ParagraphStyle(
            "heading",
            parent=self.base,
            fontSize=10.5,
            leading=14,
            spaceBefore=6,
            spaceAfter=3,
            textColor=colors.HexColor(HEADER_BLUE),
            keepWithNext=1,
        )
        self.cell_head = ParagraphStyle(
            "cell_head", parent=self.base, fontSize=7.5, leading=9.5, textColor=colors.white
        )
        self.warning = ParagraphStyle(
            "warning", parent=self.base, textColor=colors.HexColor("#9c5700")
        )
        self.center = ParagraphStyle("center", parent=self.base, alignment=1)

    @property
    def _(self) -> Any:
        return self.lang._

    def p(self, text: str, style: Any = None) -> Any:
        from reportlab.platypus import Paragraph

        html = escape(text).replace("\n", "<br/>")
        return Paragraph(html, style or self.base)

    def grid(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Any]],
        widths: Sequence[float],
        extra_styles: Sequence[tuple[Any, ...]] = (),
    ) -> Any:
        """A table with a dark header row that repeats on every page."""
        from reportlab.lib import colors
        from reportlab.platypus import Table, TableStyle

        cells = [[self.p(h, self.cell_head) for h in header]]
        for row in rows:
            cells.append([c if not isinstance(c, str) else self.p(c) for c in row])
        total = sum(widths)
        table = Table(cells, colWidths=[w / total * self.width for w in widths], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(HEADER_BLUE)),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa7b4")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                    *extra_styles,
                ]
            )
        )
        return table

    def pairs(self, rows: Sequence[tuple[str, str]], columns: int = 2) -> Any:
        """Label/value pairs, ``columns`` pairs to a line."""
        from reportlab.lib import colors
        from reportlab.platypus import Table, TableStyle

        cells: list[list[Any]] = []
        line: list[Any] = []
        for label, value in rows:
            line += [self.p(label, self.small), self.p(value or "—")]
            if len(line) == 2 * columns:
                cells.append(line)
                line = []
        if line:
            cells.append(line + [self.p("")] * (2 * columns - len(line)))
        label = 0.14 * self.width if columns > 1 else 0.25 * self.width
        table = Table(cells, colWidths=[label, self.width / columns - label] * columns)
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                ]
            )
        )
        return table

    def pick(self, zh: str, en: str) -> str:
        return (zh or en) if self.lang.chinese else (en or zh)

    def build(
        self,
        story: list[Any],
        out: str | Path | BinaryIO,
        *,
        title: str,
        hospital_name: str,
        printed_at: dt.datetime | None,
        invariant: bool,
        note: str = "",
    ) -> None:
        from reportlab.lib import colors
        from reportlab.platypus import SimpleDocTemplate

        printed = printed_at or dt.datetime.now().replace(microsecond=0)
        footer = self._("Printed {time}. Page {page}")
        mm = self.mm

        def on_page(canvas, document) -> None:  # type: ignore[no-untyped-def]
            canvas.saveState()
            canvas.setFont(self.font, 7)
            canvas.setFillColor(colors.grey)
            canvas.drawString(
                12 * mm, 8 * mm, footer.format(time=self.lang.datetime(printed), page=document.page)
            )
            if note:
                canvas.drawRightString(self.page[0] - 12 * mm, 8 * mm, note)
            canvas.restoreState()

        document = SimpleDocTemplate(
            out if not isinstance(out, Path) else str(out),
            pagesize=self.page,
            leftMargin=12 * mm,
            rightMargin=12 * mm,
            topMargin=12 * mm,
            bottomMargin=14 * mm,
            title=title,
            author=hospital_name or "hospital_osh",
            creator="hospital_osh",
            invariant=1 if invariant else 0,
        )
        document.build(story, onFirstPage=on_page, onLaterPages=on_page)
