"""Bad input at scale for the roster importer: random mixes of good rows and malformed ones
(embedded NUL and control characters, 201-character and 10 MB cells, impossible dates, unknown
codes, short and long rows, blank names, repeated staff numbers, formula text such as
``=cmd|' /C calc'!A0``) in CSV files of every encoding Chinese Excel writes, and in workbooks.

Properties: reading never raises; exactly the bad rows are refused, each with a message naming
its own row; a file with any bad row imports nothing (no worker, no audit event); a clean file
imports every row with the text as written (formula text stays inert text).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from hospital_osh.domain.spreadsheet_safety import (
    escape_cell,
    escape_text,
    starts_formula,
    unescape_text,
)
from hospital_osh.models import AuditEvent, Worker
from hospital_osh.services import roster
from hospital_osh.services.database import Database
from hospital_osh.services.errors import UserError
from tests.conftest import ADMIN

HEADER = ["工号", "姓名", "性别", "出生日期", "岗位类别", "科室代码", "用工形式", "入职日期"]
GOOD_NAMES = st.one_of(
    st.sampled_from(
        [
            "李小红",
            "Wang Qiang",
            "=cmd|' /C calc'!A0",
            "+86 138",
            "-Li-",
            "@home",
            '=HYPERLINK("http://x","y")',
            "O'Brien, Jr.",
            'say "hi"',
        ]
    ),
    st.text(
        alphabet=st.characters(codec="utf-8", categories=["L", "N", "Zs", "P", "S"]),
        min_size=1,
        max_size=30,
    ).filter(lambda s: s.strip() != ""),
)
BAD_KINDS = (
    "nul",
    "control",
    "too_long",
    "bad_date",
    "unknown_code",
    "short",
    "long",
    "blank_name",
    "duplicate",
)
ROW_KINDS = st.lists(
    st.tuples(st.sampled_from(("good", "good", "good", *BAD_KINDS)), GOOD_NAMES),
    min_size=1,
    max_size=12,
)
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "utf-16")
EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _row(index: int, kind: str, name: str, first_staff_no: str | None) -> list[str]:
    cells = [f"G{index}", name, "女", "1990-05-01", "护士", "", "在编", "2015-03-01"]
    if kind == "nul":
        cells[1] = f"{name}\x00x"
    elif kind == "control":
        cells[1] = f"\x07{name}"
    elif kind == "too_long":
        cells[1] = "名" * 201
    elif kind == "bad_date":
        cells[3] = "1990-13-45"
    elif kind == "unknown_code":
        cells[2] = "robot"
    elif kind == "short":
        cells = cells[:2]
    elif kind == "long":
        cells.append("a surplus cell")
    elif kind == "blank_name":
        cells[1] = "   "
    elif kind == "duplicate":
        cells[0] = first_staff_no or f"G{index}"
    return cells


def _plan(kinds: list[tuple[str, str]]) -> tuple[list[list[str]], set[int]]:
    """The file's rows and the lines that must be refused (the header is line 1)."""
    rows: list[list[str]] = []
    bad: set[int] = set()
    first_good: str | None = None
    for index, (kind, name) in enumerate(kinds):
        if kind == "duplicate" and first_good is None:
            kind = "good"  # nothing to repeat yet
        rows.append(_row(index, kind, name, first_good))
        if kind == "good" and first_good is None:
            first_good = f"G{index}"
        if kind != "good":
            bad.add(index + 2)
    return rows, bad


def _write_csv(path: Path, rows: list[list[str]], encoding: str) -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([HEADER, *rows])
    text = buffer.getvalue()
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:  # a character GBK lacks: Excel would have saved UTF-8
        data = text.encode("utf-8")
    path.write_bytes(data)


def _counts(database: Database) -> tuple[int, int]:
    with database.session() as session:
        return (
            session.scalar(select(func.count(Worker.id))) or 0,
            session.scalar(select(func.count(AuditEvent.id))) or 0,
        )


def _import_and_check(database: Database, path: Path, rows: list[list[str]], bad: set[int]) -> None:
    with database.session() as session:
        preview = roster.read_roster(session, path)
    assert preview.problems == [], preview.problems
    refused = {row.line for row in preview.rows if row.errors}
    assert refused == bad
    for row in preview.rows:
        for message in row.errors.values():
            assert f"Row {row.line}" in message, message
    before = _counts(database)
    if bad:
        with (
            pytest.raises(UserError, match="Nothing was imported"),
            database.transaction() as session,
        ):
            roster.apply_roster(session, ADMIN, preview, existing="update")
        assert _counts(database) == before  # nothing partial
        return
    with database.transaction() as session:
        result = roster.apply_roster(session, ADMIN, preview, existing="update")
    assert result.created == len(rows)
    assert _counts(database) == (before[0] + len(rows), before[1] + len(rows))
    with database.session() as session:
        stored = {no: name for no, name in session.execute(select(Worker.staff_no, Worker.name))}
    for cells in rows:
        assert stored[cells[0]] == cells[1].strip()  # formula text stored as the inert text it is


@given(kinds=ROW_KINDS, encoding=st.sampled_from(ENCODINGS))
@EXAMPLES
def test_csv_rows_good_and_bad(
    database: Database, tmp_path_factory: pytest.TempPathFactory, kinds: list, encoding: str
) -> None:
    with database.transaction() as session:  # each example starts from no workers
        session.query(Worker).delete()
    rows, bad = _plan(kinds)
    path = tmp_path_factory.mktemp("roster") / "roster.csv"
    _write_csv(path, rows, encoding)
    _import_and_check(database, path, rows, bad)


@given(kinds=ROW_KINDS)
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_xlsx_rows_good_and_bad(
    database: Database, tmp_path_factory: pytest.TempPathFactory, kinds: list
) -> None:
    from openpyxl import Workbook

    with database.transaction() as session:
        session.query(Worker).delete()
    # A workbook cannot hold NUL or control characters: those rows come as other bad kinds.
    kinds = [("bad_date" if k in ("nul", "control") else k, n) for k, n in kinds]
    rows, bad = _plan(kinds)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for values in [HEADER, *rows]:
        sheet.append(values)
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # typed as text ('=...), as a clerk's workbook holds it
    path = tmp_path_factory.mktemp("roster") / "roster.xlsx"
    book.save(path)
    _import_and_check(database, path, rows, bad)


# -- whole-file malformations -----------------------------------------------------------------


def test_a_10_mb_cell_is_refused_naming_its_row(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    rows = [_row(0, "good", "李小红", None), _row(1, "good", "病" * (10 * 1024 * 1024 // 3), None)]
    _write_csv(path, rows, "utf-8")
    assert path.stat().st_size > 10 * 1024 * 1024 - 10
    with database.session() as session:
        preview = roster.read_roster(session, path)
    assert not preview.ok and preview.rows == []
    assert any("Row 3" in problem for problem in preview.problems), preview.problems


@given(data=st.binary(min_size=0, max_size=2000))
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_random_bytes_never_crash_the_reader(
    database: Database, tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    folder = tmp_path_factory.mktemp("bytes")
    for name in ("roster.csv", "roster.xlsx"):
        path = folder / name
        path.write_bytes(data)
        with database.session() as session:
            preview = roster.read_roster(session, path)
        if not data.strip():
            assert preview.problems  # an empty file is said to be empty, not imported
        for row in preview.rows:
            assert all(f"Row {row.line}" in message for message in row.errors.values())


def test_bytes_in_no_known_encoding_are_a_file_problem(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(",".join(HEADER).encode("utf-8") + b"\n\x81\x30\xff\xfe\x80,1\n")
    with database.session() as session:
        preview = roster.read_roster(session, path)
    assert preview.rows == [] and "encoding" in " ".join(preview.problems)


# -- the exporters' side: formula text never leaves unescaped ---------------------------------


@given(text=st.one_of(st.text(max_size=20), GOOD_NAMES, st.text(alphabet="'=+-@a", max_size=6)))
def test_escaped_cells_never_start_a_formula_and_read_back_unchanged(text: str) -> None:
    escaped = escape_cell(text)
    assert isinstance(escaped, str)
    assert not starts_formula(escaped)
    assert escaped == text or escaped == "'" + text
    assert unescape_text(escaped) == text
    assert escape_cell(-5) == -5 and escape_cell(None) is None  # typed values stay typed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+86 138 0000", "'+86 138 0000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("＝1+1", "'＝1+1"),
        ("\t=1+1", "'\t=1+1"),
        ("李小红", "李小红"),
        ("a=b", "a=b"),
        ("'=x", "''=x"),  # looks escaped already: escaped again, so it reads back as written
        ("'quoted'", "'quoted'"),
        ("", ""),
    ],
)
def test_escaping_examples_and_the_round_trip(text: str, expected: str) -> None:
    assert escape_text(text) == expected
    assert unescape_text(escape_text(text)) == text
