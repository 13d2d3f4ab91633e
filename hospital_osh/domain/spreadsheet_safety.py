"""Cells written to CSV or XLSX files are data, never formulas (CSV/formula injection).

Spreadsheet programs treat a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, in some
versions, a tab or carriage return before one of them) as a formula: a worker's name typed as
``=cmd|' /C calc'!A0`` or ``=HYPERLINK("http://...", "click")`` would run or leak when a health
officer opens an exported file. Every exporter passes its text cells through ``escape_cell``,
which prefixes such text with an apostrophe, the form Excel, WPS and LibreOffice show as plain
text (OWASP "CSV Injection"). Numbers, dates and booleans are left alone: they are typed values,
not text a program could read as a formula.
"""

from __future__ import annotations

from collections.abc import Iterable

# The ASCII triggers, their full-width forms (a Chinese input method types ＝ for =, and some
# spreadsheet programs normalise it), and the control characters that may precede a trigger.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n＝＋－＠")
ESCAPE_PREFIX = "'"


def starts_formula(text: str) -> bool:
    """True when a spreadsheet program could read ``text`` as a formula."""
    return bool(text) and text[0] in FORMULA_TRIGGERS


def needs_escape(text: str) -> bool:
    """True when ``escape_text`` adds an apostrophe: text that could start a formula, and text
    that already looks escaped (``'=...``), so that ``unescape_text`` gives back exactly the
    original whatever it was."""
    return starts_formula(text) or (text[:1] == ESCAPE_PREFIX and needs_escape(text[1:]))


def escape_cell(value: object) -> object:
    """``value`` made safe for a spreadsheet cell: text that could start a formula gets a
    leading apostrophe; every other value (numbers, dates, None) is returned unchanged."""
    if isinstance(value, str) and needs_escape(value):
        return ESCAPE_PREFIX + value
    return value


def escape_text(text: str) -> str:
    """The text form of ``escape_cell`` (for writers that only take strings)."""
    return ESCAPE_PREFIX + text if needs_escape(text) else text


def escape_row(values: Iterable[object]) -> list[object]:
    """Every cell of a row through ``escape_cell``."""
    return [escape_cell(value) for value in values]


def unescape_text(text: str) -> str:
    """Undo ``escape_text`` when our own export is read back (one added apostrophe only)."""
    if text[:1] == ESCAPE_PREFIX and needs_escape(text[1:]):
        return text[1:]
    return text
