"""Roster import: encodings, XLSX, header and value aliases, row and file problems, all-or-nothing
import, existing staff numbers, formula-looking text kept literally."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from hospital_osh import i18n
from hospital_osh.models import AuditEvent, Worker
from hospital_osh.services import roster, workers
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.errors import UserError
from hospital_osh.services.hospital import DepartmentInfo, save_department
from hospital_osh.services.roster import RosterPreview, apply_roster, read_roster
from hospital_osh.services.workers import WorkerInfo

HEADER = list(roster.REQUIRED_COLUMNS)
CHINESE_HEADER = [
    "工号",
    "姓名",
    "性别",
    "出生日期",
    "岗位类别",
    "科室代码",
    "用工形式",
    "入职日期",
]


@pytest.fixture
def departments(database: Database, admin: Actor) -> dict[str, int]:
    with database.transaction() as session:
        ids = {}
        for code, zh, en, kind in (
            ("IM", "内科病房", "Internal medicine ward", "ward"),
            ("ICU", "重症医学科", "Intensive care unit", "icu"),
        ):
            ids[code] = save_department(session, admin, DepartmentInfo(code, zh, en, kind)).id
    return ids


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def read(database: Database, path: Path) -> RosterPreview:
    with database.session() as session:
        return read_roster(session, path)


def apply(database: Database, actor: Actor, preview: RosterPreview, existing: str = "update"):
    with database.transaction() as session:
        return apply_roster(session, actor, preview, existing=existing)  # type: ignore[arg-type]


def stored(database: Database) -> dict[str, Worker]:
    with database.session() as session:
        return {w.staff_no: w for w in session.scalars(select(Worker))}


def audit_count(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count(AuditEvent.id))) or 0


GOOD = [
    ["1001", "王芳", "female", "1988-04-02", "nurse", "IM", "permanent", "2010-09-01"],
    ["1002", "李强", "male", "1979-11-30", "doctor", "ICU", "contract", "2005-07-15"],
    ["1003", "张敏", "female", "", "cleaner", "", "agency", ""],
]


def test_utf8_csv_imports_every_row_with_one_audit_event_each(
    database: Database, admin: Actor, departments: dict[str, int], tmp_path: Path
) -> None:
    preview = read(database, write_csv(tmp_path / "r.csv", [HEADER, *GOOD]))
    assert preview.problems == []
    assert preview.ok and (preview.new_count, preview.existing_count, preview.error_count) == (
        3,
        0,
        0,
    )
    assert [r.line for r in preview.rows] == [2, 3, 4]
    assert preview.rows[0].raw["name"] == "王芳"
    before = audit_count(database)

    result = apply(database, admin, preview)

    assert (result.created, result.updated, result.skipped) == (3, 0, 0)
    assert audit_count(database) == before + 3
    rows = stored(database)
    assert rows["1001"].name == "王芳" and rows["1001"].birth_date == dt.date(1988, 4, 2)
    assert rows["1002"].department_id == departments["ICU"]
    assert rows["1002"].employment_type == "contract"
    assert rows["1003"].birth_date is None and rows["1003"].department_id is None


def test_csv_with_bom_chinese_headers_and_chinese_labels(
    database: Database, admin: Actor, departments: dict[str, int], tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "r.csv",
        [
            [*CHINESE_HEADER, "在职"],
            ["2001", "赵丽", "女", "1990/3/5", "护士", "im", "合同制", "2012/08/01", "是"],
            [
                "2002",
                "周杰",
                "Male",
                "1985.1.9",
                "Doctor",
                "重症医学科",
                "在编",
                "20100301",
                "离职",
            ],
        ],
        encoding="utf-8-sig",
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    preview = read(database, path)
    assert preview.ok, preview.messages()
    assert preview.field_columns["staff_no"] == "工号"
    apply(database, admin, preview)
    rows = stored(database)
    first, second = rows["2001"], rows["2002"]
    assert (first.sex, first.job_category, first.employment_type) == ("female", "nurse", "contract")
    assert first.department_id == departments["IM"] and first.active
    assert first.birth_date == dt.date(1990, 3, 5) and first.hire_date == dt.date(2012, 8, 1)
    assert (second.sex, second.job_category, second.employment_type) == (
        "male",
        "doctor",
        "permanent",
    )
    assert second.department_id == departments["ICU"]  # by its Chinese name
    assert second.hire_date == dt.date(2010, 3, 1) and not second.active


def test_gbk_csv_as_saved_by_chinese_excel(
    database: Database, admin: Actor, departments: dict[str, int], tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "gbk.csv",
        [
            CHINESE_HEADER,
            ["3001", "欧阳娜", "女", "1992-06-01", "助产士", "IM", "劳务派遣", "2015-02-01"],
        ],
        encoding="gbk",
    )
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    preview = read(database, path)
    assert preview.ok, preview.messages()
    assert preview.columns == CHINESE_HEADER
    apply(database, admin, preview)
    worker = stored(database)["3001"]
    assert (worker.name, worker.job_category, worker.employment_type) == (
        "欧阳娜",
        "midwife",
        "agency",
    )


def test_xlsx_with_title_row_date_cells_and_numeric_staff_numbers(
    database: Database, admin: Actor, departments: dict[str, int], tmp_path: Path
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["2026年职工花名册"])
    sheet.append(CHINESE_HEADER)
    sheet.append(
        [
            4001,
            "孙伟",
            "男",
            dt.datetime(1980, 5, 6),
            "检验技师",
            "IM",
            "在编",
            dt.datetime(2003, 9, 1),
        ]
    )
    sheet.append([])
    sheet.append([4002.0, "吴静", "女", dt.date(1995, 12, 24), "药师", "ICU", "合同", "2019-07-01"])
    path = tmp_path / "roster.xlsx"
    workbook.save(path)

    preview = read(database, path)

    assert preview.ok, preview.messages()
    assert [r.line for r in preview.rows] == [3, 5]  # the sheet's own row numbers
    assert preview.rows[0].raw["工号"] == "4001" and preview.rows[1].raw["工号"] == "4002"
    assert preview.rows[0].raw["出生日期"] == "1980-05-06"
    apply(database, admin, preview)
    rows = stored(database)
    assert rows["4001"].birth_date == dt.date(1980, 5, 6)
    assert rows["4001"].job_category == "lab_technician"
    assert rows["4002"].hire_date == dt.date(2019, 7, 1)


def test_wrong_columns_are_a_file_problem_naming_the_missing_ones(
    database: Database, admin: Actor, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "r.csv",
        [["staff_no", "name", "gender", "job", "department", "employment", "phone"], ["1", "A"]],
    )
    preview = read(database, path)
    assert not preview.ok and preview.rows == []
    assert len(preview.problems) == 1
    problem = preview.problems[0]
    assert "birth_date" in problem and "hire_date" in problem and "入职日期" in problem
    assert "staff_no (" not in problem and "sex (" not in problem  # present under aliases
    with pytest.raises(UserError, match="Nothing was imported"):
        apply(database, admin, preview)


def test_a_bad_date_names_row_and_column_and_nothing_is_imported(
    database: Database, admin: Actor, departments: dict[str, int], tmp_path: Path
) -> None:
    bad = ["1004", "钱红", "female", "1990-01-01", "nurse", "IM", "permanent", "2015-02-30"]
    preview = read(database, write_csv(tmp_path / "r.csv", [HEADER, *GOOD[:2], bad, GOOD[2]]))
    assert not preview.ok
    assert (preview.new_count, preview.error_count) == (3, 1)
    row = preview.rows[2]
    assert row.line == 4 and row.worker is None
    assert list(row.errors) == ["hire_date"]
    assert row.errors["hire_date"].startswith("Row 4, column hire_date: '2015-02-30' is not a date")
    before = audit_count(database)
    with pytest.raises(UserError):
        apply(database, admin, preview)
    assert stored(database) == {} and audit_count(database) == before


def test_every_error_of_a_row_is_reported_at_once(
    database: Database, departments: dict[str, int], tmp_path: Path
) -> None:
    row = ["", "x" * 201, "woman", "1990-01-01", "surgeon", "NOPE", "permanent", "2099-01-01"]
    preview = read(database, write_csv(tmp_path / "r.csv", [HEADER, row]))
    errors = preview.rows[0].errors
    assert set(errors) == {
        "staff_no",
        "name",
        "sex",
        "job_category",
        "department_code",
        "hire_date",
    }
    assert "more than 200 characters" in errors["name"]
    assert "'woman' is not known" in errors["sex"] and "female, male, unknown" in errors["sex"]
    assert "future" in errors["hire_date"]
    assert "Enter the staff number" in errors["staff_no"]


def test_duplicate_staff_numbers_in_the_file_are_errors(
    database: Database, departments: dict[str, int], tmp_path: Path
) -> None:
    again = [GOOD[0][0], "另一人", "male", "", "porter", "", "agency", ""]
    preview = read(database, write_csv(tmp_path / "r.csv", [HEADER, *GOOD, again]))
    assert preview.error_count == 1
    assert preview.rows[3].errors == {
        "staff_no": "Row 5, column staff_no: The staff number 1001 is also in row 2."
    }


def _existing_worker(database: Database, admin: Actor, departments: dict[str, int]) -> int:
    with database.transaction() as session:
        info = workers.create_worker(
            session,
            admin,
            WorkerInfo(
                "1001",
                "王芳芳",
                "female",
                dt.date(1988, 4, 2),
                "nurse",
                departments["ICU"],
                "permanent",
                dt.date(2010, 9, 1),
            ),
        )
        assert info.id is not None
        workers.set_worker_active(session, admin, info.id, False)
        return info.id


@pytest.mark.parametrize("mode", ["update", "skip"])
def test_existing_staff_numbers_are_updated_or_skipped(
    database: Database,
    admin: Actor,
    departments: dict[str, int],
    tmp_path: Path,
    mode: str,
) -> None:
    worker_id = _existing_worker(database, admin, departments)
    preview = read(database, write_csv(tmp_path / "r.csv", [HEADER, *GOOD]))
    assert preview.ok
    assert (preview.new_count, preview.existing_count) == (2, 1)
    assert preview.rows[0].existing_id == worker_id
    before = audit_count(database)

    result = apply(database, admin, preview, mode)

    worker = stored(database)["1001"]
    if mode == "update":
        assert (result.created, result.updated, result.skipped) == (2, 1, 0)
        assert worker.name == "王芳" and worker.department_id == departments["IM"]
        assert not worker.active  # no "active" column: an existing worker keeps the flag
        with database.session() as session:
            event = session.scalars(select(AuditEvent).where(AuditEvent.action == "update")).one()
        changes = json.loads(event.changes)
        assert changes["name"] == ["王芳芳", "王芳"]
        assert "active" not in changes
    else:
        assert (result.created, result.updated, result.skipped) == (2, 0, 1)
        assert worker.name == "王芳芳"
    assert audit_count(database) == before + result.created + result.updated


def test_an_unchanged_existing_worker_is_skipped_without_an_audit_event(
    database: Database, admin: Actor, departments: dict[str, int], tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "r.csv", [HEADER, *GOOD])
    apply(database, admin, read(database, path))
    before = audit_count(database)
    result = apply(database, admin, read(database, path))
    assert (result.created, result.updated, result.skipped) == (0, 0, 3)
    assert audit_count(database) == before


def test_import_fails_whole_if_the_database_changed_since_the_preview(
    database: Database, admin: Actor, departments: dict[str, int], tmp_path: Path
) -> None:
    preview = read(database, write_csv(tmp_path / "r.csv", [HEADER, *GOOD]))
    with database.transaction() as session:  # someone adds 1003 meanwhile
        workers.create_worker(session, admin, WorkerInfo("1003", "某人", "male", None, "porter"))
    with pytest.raises(UserError, match=r"^Row 4: The staff number 1003 is already used"):
        apply(database, admin, preview)
    assert set(stored(database)) == {"1003"}


def test_formula_looking_text_is_stored_literally(
    database: Database, admin: Actor, departments: dict[str, int], tmp_path: Path
) -> None:
    texts = ['=HYPERLINK("http://x.example","a")', "+1+2", "-3+4", "@SUM(A1)"]
    rows = [HEADER] + [
        [f"F{i}", text, "female", "", "nurse", "", "contract", ""] for i, text in enumerate(texts)
    ]
    apply(database, admin, read(database, write_csv(tmp_path / "f.csv", rows)))

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for i, text in enumerate(texts):
        sheet.append([f"X{i}", "x", "male", None, "doctor", None, "permanent", None])
        cell = sheet.cell(row=i + 2, column=2)
        cell.value = text
        cell.data_type = "s"  # a text cell that only looks like a formula
    path = tmp_path / "f.xlsx"
    workbook.save(path)
    apply(database, admin, read(database, path))

    names = {no: w.name for no, w in stored(database).items()}
    assert [names[f"F{i}"] for i in range(4)] == texts
    assert [names[f"X{i}"] for i in range(4)] == texts


def test_absurd_files_are_refused(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_csv(tmp_path / "r.csv", [HEADER, *GOOD])
    monkeypatch.setattr(roster, "MAX_ROWS", 2)
    assert "more than 2 rows" in read(database, path).problems[0]
    monkeypatch.setattr(roster, "MAX_FILE_BYTES", 100)
    assert "larger than" in read(database, path).problems[0]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("r.xls", b"\xd0\xcf\x11\xe0", "Old Excel files"),
        ("r.pdf", b"%PDF", "Unsupported file type '.pdf'"),
        ("r.xlsx", b"not a zip", "cannot be read as an Excel workbook"),
        ("r.csv", b"", "The file is empty"),
        ("r.csv", ",".join(HEADER).encode(), "no rows of workers"),
        ("r.csv", b"\x81\x30" + b"\xff" * 3, "encoding is not recognised"),
        ("missing.csv", None, "cannot be opened"),
    ],
)
def test_unreadable_files_are_a_problem_not_a_crash(
    database: Database, tmp_path: Path, name: str, content: bytes | None, expected: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    preview = read(database, path)
    assert not preview.ok and preview.rows == []
    assert expected in preview.problems[0]


def test_messages_follow_the_users_language(
    database: Database, departments: dict[str, int], tmp_path: Path
) -> None:
    bad = ["1004", "钱红", "female", "1990-01-01", "nurse", "IM", "permanent", "2015-02-30"]
    path = write_csv(tmp_path / "r.csv", [HEADER, bad])
    i18n.set_language("zh_CN")
    message = read(database, path).rows[0].errors["hire_date"]
    assert message.startswith("第 2 行") and "hire_date" in message and "日期" in message


def test_a_worker_edited_since_the_preview_stops_the_whole_import(
    database: Database, admin: Actor, departments: dict[str, int], tmp_path: Path
) -> None:
    worker_id = _existing_worker(database, admin, departments)
    preview = read(database, write_csv(tmp_path / "r.csv", [HEADER, *GOOD]))
    with database.transaction() as session:  # someone edits the worker meanwhile
        workers.set_worker_active(session, admin, worker_id, True)
    with pytest.raises(UserError, match=r"^Row 2: Someone else changed this record"):
        apply(database, admin, preview)
    assert set(stored(database)) == {"1001"}


def test_unknown_values_list_the_choices_with_translated_labels(
    database: Database, departments: dict[str, int], tmp_path: Path
) -> None:
    row = ["1", "王芳", "女的", "", "nurse", "", "permanent", ""]
    path = write_csv(tmp_path / "r.csv", [CHINESE_HEADER, row])
    i18n.set_language("zh_CN")
    message = read(database, path).rows[0].errors["性别"]
    assert (
        message
        == "第 2 行“性别”列：无法识别“女的”。请使用以下之一：female/女, male/男, unknown/不详。"
    )


def test_the_more_specific_header_wins_and_true_duplicates_are_a_problem(
    database: Database, departments: dict[str, int], tmp_path: Path
) -> None:
    header = [*CHINESE_HEADER[:5], "科室", *CHINESE_HEADER[5:]]
    row = ["1", "王芳", "女", "", "护士", "重症医学科", "IM", "在编", ""]
    preview = read(database, write_csv(tmp_path / "a.csv", [header, row]))
    assert preview.ok, preview.messages()
    assert preview.field_columns["department_code"] == "科室代码"
    assert preview.rows[0].worker is not None
    assert preview.rows[0].worker.department_id == departments["IM"]

    twice = [*CHINESE_HEADER, "Staff No."]
    preview = read(database, write_csv(tmp_path / "b.csv", [twice, [*row[:5], *row[6:], "2"]]))
    assert preview.problems == ["The columns '工号' and 'Staff No.' both hold staff_no; keep one."]
