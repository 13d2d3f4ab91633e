"""The report tables as an Excel workbook (openpyxl), for those who analyse in Excel.

One sheet per table of the PDF (``reports.summary.summary_tables`` or
``reports.rollup_report.rollup_tables``), so the numbers are the same; numbers are typed cells with
a number format, not text. Every text cell goes through ``escape_cell``: a cell never starts with
``= + - @`` unescaped, so nothing in the workbook runs as a formula.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hospital_osh.domain.spreadsheet_safety import escape_cell
from hospital_osh.reports.language import ReportLanguage
from hospital_osh.reports.rollup_report import rollup_tables
from hospital_osh.reports.summary import (
    HOURS,
    INT,
    MIXED,
    PERCENT,
    RATE,
    SIGNED,
    ReportTable,
    summary_tables,
)

_NUMBER_FORMATS = {
    INT: "#,##0",
    RATE: "0.00",
    PERCENT: "0.0%",
    SIGNED: "+0.0%;-0.0%;0.0%",
    HOURS: "0.00",
}
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(title: str, used: set[str]) -> str:
    """Excel allows 31 characters and no []:*?/\\ in a sheet name, unique in the workbook."""
    base = _SHEET_NAME.sub(" ", title).strip()[:28] or "Sheet"
    name, number = base, 2
    while name in used:
        name = f"{base[:26]} {number}"
        number += 1
    used.add(name)
    return name


def write_tables(tables: Sequence[ReportTable], out: Path, lang: ReportLanguage) -> None:
    """Write ``tables`` to ``out``, one sheet each, typed numbers, escaped text."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    header_fill = PatternFill("solid", fgColor="EEF3F8")
    not_available = lang._("not available")
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, used))
        sheet.append([escape_cell(table.title)])
        sheet["A1"].font = Font(bold=True, size=12)
        sheet.append([escape_cell(h) for h in table.headers])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for index, row in enumerate(table.rows):
            values: list[Any] = []
            kinds: list[str] = []
            for column, value in enumerate(row):
                kind = table.formats[column]
                if kind == MIXED and table.row_formats:
                    kind = table.row_formats[index]
                if value is None and kind in _NUMBER_FORMATS and kind != INT:
                    value = not_available
                values.append(escape_cell(value))
                kinds.append(kind)
            sheet.append(values)
            for cell, kind in zip(sheet[sheet.max_row], kinds, strict=True):
                if kind in _NUMBER_FORMATS and isinstance(cell.value, int | float):
                    cell.number_format = _NUMBER_FORMATS[kind]
        for text in table.notes:
            sheet.append([escape_cell(text)])
        sheet.column_dimensions["A"].width = 44
        for letter in "BCDEFGHIJ":
            sheet.column_dimensions[letter].width = 14
        sheet.freeze_panes = "B3"
    workbook.save(out)


def write_summary_xlsx(summary: Mapping[str, Any], language: str, out: Path) -> None:
    lang = ReportLanguage.of(language)
    write_tables(summary_tables(summary, lang), Path(out), lang)


def write_rollup_xlsx(rollup: Mapping[str, Any], language: str, out: Path) -> None:
    lang = ReportLanguage.of(language)
    write_tables(rollup_tables(rollup, lang), Path(out), lang)
