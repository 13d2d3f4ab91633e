"""The export package's CSV writer streams (memory flat in the number of rows) and writes what
the contract fixes: UTF-8 with BOM, header, CRLF, quoting, and formula-escaped cells."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import tracemalloc
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hospital_osh.domain.spreadsheet_safety import escape_text
from hospital_osh.exchange import export, layout
from hospital_osh.services import summary
from hospital_osh.services.summary import EXPORT_FIELDS, ExportRow

TRICKY = [
    "",
    "plain_code",
    "=cmd|' /C calc'!A0",
    "+1",
    "-5",
    "@SUM(A1)",
    "＝全角",
    "'=already escaped",
    "'quoted but harmless",
    "'",
    "\tTab",
    "comma, inside",
    'a "quote"',
    "line\nbreak",
    "王护士长",
]


def _reference(columns: tuple[str, ...], rows: list[list[str]]) -> bytes:
    """The package's CSV as the contract writes it, built in memory the simple way."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([escape_text(cell) for cell in row])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def test_the_streamed_csv_is_the_contracts_csv() -> None:
    columns = ("a", "b", "c")
    rows = [[first, second, "x"] for first in TRICKY for second in TRICKY] * 3  # > one flush
    raw = io.BytesIO()
    checksum, count = export.write_csv(raw, columns, iter(rows))
    expected = _reference(columns, rows)
    assert raw.getvalue() == expected
    assert checksum == hashlib.sha256(expected).hexdigest()
    assert count == len(rows)


def test_an_empty_table_is_a_bom_and_a_header() -> None:
    raw = io.BytesIO()
    checksum, count = export.write_csv(raw, ("x", "y"), iter([]))
    assert raw.getvalue() == b"\xef\xbb\xbfx,y\r\n" and count == 0
    assert checksum == hashlib.sha256(raw.getvalue()).hexdigest()


class _Sink:
    """A file that keeps only the number of bytes written to it."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)


def _followup_like(count: int) -> Iterator[tuple[str, ...]]:
    for number in range(count):
        yield (f"{number:08d}-0000-4000-8000-000000000000", "anti_hbs", "2026-01-10", "", "due", "")


@pytest.mark.parametrize("rows", [5_000, 50_000])
def test_writing_does_not_hold_the_rows(rows: int) -> None:
    """Ten times the rows, the same peak: the writer holds a few thousand rows at most."""
    sink = _Sink()
    tracemalloc.start()
    try:
        export.write_csv(sink, layout.FOLLOWUP_COLUMNS, _followup_like(rows))  # type: ignore[arg-type]
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sink.size > rows * 60  # every row was written
    assert peak < 1_500_000, peak  # the 50,000 rows are 3.7 MB of CSV


def test_followup_rows_are_in_the_columns_of_the_contract() -> None:
    assert summary.FOLLOWUP_EXPORT_FIELDS == layout.FOLLOWUP_COLUMNS


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(2026, 3, 1, 14, 30),
        dt.datetime(2026, 12, 31, 23, 59, 59, 999_999),
        dt.datetime(2000, 1, 1),
        dt.datetime(2026, 3, 1, 14, 30, tzinfo=dt.UTC),
    ],
)
def test_date_times_are_written_as_the_contract_says(value: dt.datetime) -> None:
    assert layout.format_datetime(value) == value.strftime(layout.DATETIME_FORMAT)
    assert layout.format_datetime(None) == ""


def _export_row(**values: object) -> ExportRow:
    base: dict[str, object] = dict.fromkeys(EXPORT_FIELDS)
    base.update(
        uuid="u-1",
        occurred_at=dt.datetime(2026, 3, 1, 14, 30),
        reported_at=dt.datetime(2026, 3, 1, 16, 0),
        exposure_type="percutaneous",
    )
    base.update(values)
    return ExportRow(base, "S-001", "icu", {"hbig_given": "yes"})


def test_a_row_has_every_column_in_order_and_nothing_else() -> None:
    row = export.csv_row(_export_row(age=30, years_in_post=0.5), "H-1", "secret")
    assert tuple(row) == layout.EXPOSURE_COLUMNS
    assert row["hospital_code"] == "H-1" and row["department_type"] == "icu"
    assert row["occurred_at"] == "2026-03-01T14:30" and row["reported_at"] == "2026-03-01T16:00"
    assert row["age_band"] == "25-34" and row["tenure_band"] == "<1"
    assert row["hbig_given"] == "yes" and row["hiv_pep_started"] == ""
    assert row["sex"] == "" and row["status"] == ""  # unknown stays empty, never "None"
    assert row["worker_key"] == layout.worker_key("secret", "S-001")
    # An imported typed-in worker keeps the bands it came with.
    banded = export.csv_row(_export_row(age_band="<25", tenure_band="10+"), "H-1", "secret")
    assert (banded["age_band"], banded["tenure_band"]) == ("<25", "10+")


def test_the_pseudonym_is_computed_once_per_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = layout.worker_key

    def counting(secret: str, staff_no: str) -> str:
        calls.append(staff_no)
        return real(secret, staff_no)

    monkeypatch.setattr(layout, "worker_key", counting)
    keys = export._WorkerKeys("secret")
    found = [keys[staff] for staff in ["A", "B", "A", "A", "B", ""]]
    assert calls == ["A", "B", ""]
    assert found == [real("secret", s) for s in ["A", "B", "A", "A", "B", ""]]


def _reference_csv(columns: list[str], rows: list[list[str]]) -> bytes:
    """The contract's CSV written the plain way: every cell through ``escape_text``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([escape_text(cell) for cell in row] for row in rows)
    return export.BOM + buffer.getvalue().encode("utf-8")


_CELL_START = st.sampled_from([*"=+-@\t\r\n'＝＋－＠,\" a1中", ""])
_CELLS = st.builds(
    lambda first, rest: first + rest,
    _CELL_START,
    st.text(alphabet=st.sampled_from([*"=+-@\t\r\n'＝,\" a1中"]), max_size=6),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_CELLS, min_size=3, max_size=3), max_size=8))
def test_batch_level_formula_check_writes_what_cell_by_cell_escaping_writes(
    rows: list[list[str]],
) -> None:
    """The writer checks a whole batch's text for cells that may start a formula and escapes
    cell by cell only then: the bytes must be those of escaping every cell, for any text."""
    columns = ["a", "b", "c"]
    raw = io.BytesIO()
    checksum, count = export.write_csv(raw, columns, rows)
    assert raw.getvalue() == _reference_csv(columns, rows)
    assert (checksum, count) == (hashlib.sha256(raw.getvalue()).hexdigest(), len(rows))


def test_a_formula_in_a_large_batch_is_escaped_and_its_neighbours_are_not() -> None:
    rows = [["code", f"row{n}", "2026-01-01"] for n in range(4999)]
    rows[2500][1] = "=HYPERLINK(1)"
    raw = io.BytesIO()
    export.write_csv(raw, ["a", "b", "c"], rows)
    assert raw.getvalue() == _reference_csv(["a", "b", "c"], rows)
    assert b"'=HYPERLINK(1)" in raw.getvalue()
