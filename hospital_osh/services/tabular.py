"""Reading the CSV and Excel files people bring: the roster, historical exposure records and
HealthWISE templates all come through here.

Hospitals' files are written by Excel on Chinese Windows, so a CSV may be UTF-8 (with or without
BOM), UTF-16 ("Unicode text") or GBK/GB18030. A file that was assembled from pieces saved in
different encodings would decode "successfully" as GB18030 and turn its UTF-8 rows into nonsense,
so such a file is refused, naming the first line in the other encoding. Workbooks are read with
the cached values of formulas (never the formulas) and streamed.

Every problem with the file as a whole is a ``FileProblem`` whose message is translated and
shown as is.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hospital_osh.i18n import _

MAX_COLUMNS = 200
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
UTF8, UTF16, GB18030 = "utf-8", "utf-16", "gb18030"
_BOM = b"\xef\xbb\xbf"


class FileProblem(Exception):
    """A problem with the whole file; its message is translated and shown as is."""


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str  # UTF8, UTF16 or GB18030

    @property
    def is_gbk(self) -> bool:
        return self.encoding == GB18030


def _encoding_name(encoding: str) -> str:
    return "GBK/GB18030" if encoding == GB18030 else "UTF-8"


def _line_encoding(line: bytes) -> str | None:
    """UTF8 or GB18030 for a line with non-ASCII bytes, None for a plain ASCII line.

    A GBK line can by chance be valid UTF-8, but then only as Latin-looking two-byte
    characters; a line counts as UTF-8 only when it holds a character of three or more bytes
    (every Chinese character), so chance matches do not make a GBK file look mixed.
    """
    if line.isascii():
        return None
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return GB18030
    return UTF8 if any(ord(char) >= 0x800 for char in text) else None


def _mixed_encoding_problem(data: bytes, declared: str | None) -> FileProblem | None:
    """A problem naming the first line whose encoding differs from the earlier lines' (or from
    the BOM's), or None when the file is in one encoding."""
    first: tuple[int, str] | None = (0, declared) if declared else None
    for number, line in enumerate(data.split(b"\n"), 1):
        encoding = _line_encoding(line)
        if encoding is None:
            continue
        if first is None:
            first = (number, encoding)
        elif encoding != first[1]:
            if first[0] == 0:
                message = _(
                    "The file mixes text encodings: it starts with a UTF-8 mark, but line "
                    "{line} is in {found}. Save the whole file in one encoding (in Excel: "
                    '"CSV UTF-8") and try again.'
                ).format(line=number, found=_encoding_name(encoding))
            else:
                message = _(
                    "The file mixes text encodings: line {line} is in {found}, but line "
                    "{first} is in {expected}. Save the whole file in one encoding (in Excel: "
                    '"CSV UTF-8") and try again.'
                ).format(
                    line=number,
                    found=_encoding_name(encoding),
                    first=first[0],
                    expected=_encoding_name(first[1]),
                )
            return FileProblem(message)
    return None


def decode(data: bytes) -> DecodedText:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text") or GB18030/GBK;
    a file mixing UTF-8 and GBK lines is refused naming the first line that differs."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return DecodedText(data.decode("utf-16"), UTF16)
        except UnicodeDecodeError:
            raise FileProblem(
                _("The file starts as UTF-16 text but is damaged; save it again and retry.")
            ) from None
    if data.startswith(_BOM):
        try:
            return DecodedText(data[len(_BOM) :].decode("utf-8"), UTF8)
        except UnicodeDecodeError:
            problem = _mixed_encoding_problem(data[len(_BOM) :], UTF8)
            raise problem or _unrecognised() from None
    try:
        return DecodedText(data.decode("utf-8"), UTF8)
    except UnicodeDecodeError:
        pass
    problem = _mixed_encoding_problem(data, None)
    if problem is not None:
        raise problem
    try:
        return DecodedText(data.decode("gb18030"), GB18030)
    except UnicodeDecodeError:
        raise _unrecognised() from None


def _unrecognised() -> FileProblem:
    return FileProblem(
        _(
            "The file's text encoding is not recognised (UTF-8 or GBK expected). In Excel, "
            'save it as "CSV UTF-8" and try again.'
        )
    )


def csv_records(text: str, *, delimiter: str | None = None) -> Iterator[tuple[int, list[str]]]:
    """The records of CSV ``text`` numbered from 1; ``delimiter`` None takes the most frequent
    of comma, semicolon and tab in the first line (Excel's choice depends on the locale)."""
    if delimiter is None:
        first_line = text.split("\n", 1)[0]
        delimiter = max((",", ";", "\t"), key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 0
    try:
        for record in reader:
            line += 1
            yield line, list(record)
    except csv.Error as error:
        raise FileProblem(
            _("Row {row} cannot be read: {reason}").format(row=line + 1, reason=error)
        ) from error


def xlsx_rows(path: Path, *, max_columns: int = MAX_COLUMNS) -> Iterator[tuple[int, list[object]]]:
    """The first sheet's rows (cached values, never formulas), numbered from 1."""
    from openpyxl import load_workbook

    try:
        # data_only: cached results of formulas, never the formulas; read_only: streamed.
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # any damage in a user's file is a message, not a crash
        raise FileProblem(
            _("The file cannot be read as an Excel workbook (.xlsx): {reason}").format(
                reason=str(error) or type(error).__name__
            )
        ) from error
    try:
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # stored dimensions are often wrong; read to the real end
        for line, values in enumerate(sheet.iter_rows(values_only=True, max_col=max_columns), 1):
            yield line, list(values)
    except FileProblem:
        raise
    except Exception as error:
        raise FileProblem(
            _("The file cannot be read as an Excel workbook (.xlsx): {reason}").format(
                reason=str(error) or type(error).__name__
            )
        ) from error
    finally:
        workbook.close()


def cell_text(value: object) -> str:
    """A workbook cell as the text a person sees (numbers typed as staff numbers lose '.0')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class Table:
    """An opened file: its rows (numbered from 1) and, for a CSV, the encoding it was read in."""

    rows: Iterator[tuple[int, list[object]]]
    encoding: str | None = None

    @property
    def is_gbk(self) -> bool:
        return self.encoding == GB18030


def open_table(path: Path, *, delimiter: str | None = None) -> Table:
    """A CSV (decoded now, so the encoding is known) or an Excel workbook (streamed)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        decoded = decode(path.read_bytes())
        records: Iterator[tuple[int, list[object]]] = (
            (line, list(record)) for line, record in csv_records(decoded.text, delimiter=delimiter)
        )
        return Table(records, decoded.encoding)
    if suffix in XLSX_SUFFIXES:
        return Table(xlsx_rows(path))
    if suffix == ".xls":
        raise FileProblem(
            _("Old Excel files (.xls) cannot be read. Save the file as .xlsx or CSV.")
        )
    raise FileProblem(
        _("Unsupported file type '{suffix}'. Use a CSV or an Excel (.xlsx) file.").format(
            suffix=path.suffix or path.name
        )
    )


def rows_of(path: Path, *, delimiter: str | None = None) -> Iterator[tuple[int, list[object]]]:
    """The rows of a CSV or Excel file (see ``open_table``)."""
    return open_table(path, delimiter=delimiter).rows
