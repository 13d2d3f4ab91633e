"""Importing the staff roster (workers) from the HR department's CSV or XLSX file.

Two steps so that nothing half-imports: ``read_roster`` reads and validates the whole file and
writes nothing (the import dialog shows the preview with every problem); ``apply_roster`` then
imports all rows or none. Hospitals keep rosters in Excel with Chinese headers and labels, saved
as GBK CSV by Chinese Excel, so headers, values and encodings are taken as people write them:
``工号``/``staff_no``, ``女``/``Female``/``female``, ``2015/3/1``/``2015-03-01``/a date cell.

Cell text is only ever data: a cell such as ``=HYPERLINK(...)`` is stored as that text, and
workbooks are opened with ``data_only=True`` so that no formula is evaluated here.
"""

from __future__ import annotations

import datetime as dt
import gettext
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hospital_osh.domain.codes import EMPLOYMENT_TYPES, JOB_CATEGORIES, SEXES, CodeList
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import DOMAIN, _
from hospital_osh.models import Department, Worker
from hospital_osh.paths import resource
from hospital_osh.services import tabular, workers
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import Conflict, NotFound, UserError, ValidationError
from hospital_osh.services.text_checks import has_control_characters
from hospital_osh.services.workers import WorkerInfo

ROSTER_COLUMNS: tuple[str, ...] = (
    "staff_no",
    "name",
    "sex",
    "birth_date",
    "job_category",
    "department_code",
    "employment_type",
    "hire_date",
    "active",  # optional: absent means "active" for new workers and "unchanged" for existing ones
)
REQUIRED_COLUMNS: tuple[str, ...] = ROSTER_COLUMNS[:-1]
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MAX_CELL_CHARS = 200
_HEADER_SEARCH_ROWS = 10  # a title row ("2026年职工花名册") may sit above the header

# Header aliases; compared after _normalise (case, width, spaces, punctuation, "(...)" ignored).
_HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "staff_no": (
        "staff_no",
        "staff number",
        "staff no",
        "employee number",
        "employee id",
        "工号",
        "职工号",
        "员工号",
        "员工编号",
        "职工编号",
        "人员编号",
    ),
    "name": ("name", "full name", "姓名", "名字"),
    "sex": ("sex", "gender", "性别"),
    "birth_date": (
        "birth_date",
        "birth date",
        "date of birth",
        "dob",
        "birthday",
        "出生日期",
        "出生年月日",
        "生日",
    ),
    "job_category": (
        "job_category",
        "job category",
        "job",
        "岗位类别",
        "职业类别",
        "人员类别",
        "岗位",
        "职业",
    ),
    "department_code": (
        "department_code",
        "department code",
        "department",
        "dept",
        "科室代码",
        "科室编码",
        "科室编号",
        "部门代码",
        "部门编码",
        "科室",
        "部门",
    ),
    "employment_type": (
        "employment_type",
        "employment type",
        "employment",
        "用工形式",
        "用工类型",
        "用工性质",
        "人员性质",
    ),
    "hire_date": (
        "hire_date",
        "hire date",
        "date hired",
        "start date",
        "入职日期",
        "入职时间",
        "到岗日期",
    ),
    "active": ("active", "status", "在职", "在职状态", "是否在职", "状态"),
}

# Vague headers that may hold something else (科室 is often the department's name): a column with
# a precise header for the same layout column wins over them.
_WEAK_HEADERS = ("job", "岗位", "职业", "department", "dept", "科室", "部门", "status", "状态")

# Value aliases beyond each code, its English label and that label's Chinese translation.
_VALUE_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "sex": {"female": ("f", "女性"), "male": ("m", "男性"), "unknown": ("不详", "未知")},
    "job_category": {
        "doctor": ("医师", "医生", "临床医师", "执业医师"),
        "nurse": ("护士", "护师", "护理", "护理人员"),
        "midwife": ("助产士", "助产"),
        "lab_technician": ("检验技师", "检验师", "检验", "检验人员"),
        "imaging_technician": ("影像技师", "放射技师", "技师", "医技"),
        "pharmacist": ("药师", "药剂师", "药剂"),
        "dentist": ("口腔医师", "牙医"),
        "student_intern": ("学生", "实习生", "进修生", "规培生", "实习"),
        "cleaner": ("保洁", "保洁员", "清洁工"),
        "caregiver": ("护工", "护理员", "陪护"),
        "porter": ("工勤", "保安", "运送", "运送员", "后勤"),
        "other": ("其他", "行政", "管理"),
    },
    "employment_type": {
        "permanent": ("在编", "编制内", "正式", "正式职工", "事业编制"),
        "contract": ("合同", "合同制", "合同工", "聘用", "人事代理"),
        "agency": ("派遣", "劳务派遣", "外包", "第三方"),
        "student": ("学生", "实习", "进修", "规培"),
        "other": ("其他",),
    },
}
_TRUE = ("1", "yes", "y", "true", "active", "是", "在职", "在岗")
_FALSE = ("0", "no", "n", "false", "inactive", "否", "离职", "退休")

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


# -- the preview --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterRow:
    line: int  # 1-based line in the file (header is line 1)
    raw: dict[str, str]  # the file's column header -> cell text as read
    worker: WorkerInfo | None  # parsed values; None when the row has errors
    errors: dict[str, str]  # the file's column header -> message naming row and column
    existing_id: int | None  # id of the worker with this staff number, if any


@dataclass(frozen=True)
class RosterPreview:
    columns: list[str]  # the file's header as read
    rows: list[RosterRow]
    problems: list[str]  # file-level problems (unreadable, wrong/missing columns, encoding)
    field_columns: dict[str, str] = field(default_factory=dict)  # layout name -> file header

    @property
    def ok(self) -> bool:
        """Nothing stops the import."""
        return not self.problems and not any(row.errors for row in self.rows)

    @property
    def new_count(self) -> int:
        """Valid rows whose staff number is not in the database yet."""
        return sum(1 for r in self.rows if not r.errors and r.existing_id is None)

    @property
    def existing_count(self) -> int:
        """Valid rows for workers that already exist (updated or skipped on import)."""
        return sum(1 for r in self.rows if not r.errors and r.existing_id is not None)

    @property
    def error_count(self) -> int:
        """Rows with at least one error."""
        return sum(1 for r in self.rows if r.errors)

    def messages(self) -> list[str]:
        """File problems, then every row error in file order (for a list or the command line)."""
        return self.problems + [m for r in self.rows for m in r.errors.values()]


@dataclass(frozen=True)
class RosterResult:
    created: int
    updated: int
    skipped: int  # existing workers left as they were ("skip", or nothing changed)


# -- reading ------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)  # the same few values (女, 护士, 在编...) repeat on every row
def _normalise(text: str) -> str:
    """Case, full-width forms, spaces, punctuation and a trailing "(...)" do not matter."""
    value = unicodedata.normalize("NFKC", text).casefold().strip()
    value = re.sub(r"\(.*?\)", "", value)
    return re.sub(r"[\s_\-./*:：]+", "", value)


@cache
def _header_lookup() -> dict[str, tuple[str, int]]:
    """Normalised alias -> (layout column, rank): 1 for a vague alias, 0 for the others."""
    weak = {_normalise(alias) for alias in _WEAK_HEADERS}
    return {
        _normalise(alias): (name, int(_normalise(alias) in weak))
        for name, aliases in _HEADER_ALIASES.items()
        for alias in aliases
    }


@cache
def _chinese() -> gettext.NullTranslations:
    """The zh_CN catalogue, whatever the current language, so Chinese labels are understood."""
    return gettext.translation(
        DOMAIN, localedir=str(resource("locale")), languages=["zh_CN"], fallback=True
    )


def _value_lookup(name: str, codes: CodeList) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for entry in codes:
        for text in (entry.code, entry.label, _chinese().gettext(entry.label), _(entry.label)):
            lookup.setdefault(_normalise(text), entry.code)
    for code, aliases in _VALUE_ALIASES.get(name, {}).items():
        for alias in aliases:
            lookup.setdefault(_normalise(alias), code)
    return lookup


def _parse_date(text: str) -> dt.date:
    """YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYY年MM月DD日 or YYYYMMDD (a time part is ignored)."""
    value = _TIME_SUFFIX.sub("", unicodedata.normalize("NFKC", text).strip())
    match = _DATE.match(value) or _COMPACT_DATE.match(value)
    if not match:
        raise ValueError(text)
    year, month, day = (int(part) for part in match.groups())
    return dt.date(year, month, day)


def _is_blank(values: Iterable[object]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _header_fields(headers: list[str]) -> dict[str, str]:
    """The file's headers that name a layout column -> that column."""
    lookup = _header_lookup()
    return {h: lookup[_normalise(h)][0] for h in headers if _normalise(h) in lookup}


def _field_columns(headers: list[str]) -> tuple[dict[str, str], list[str]]:
    """Layout column -> the file's header for it, and problems with ambiguous headers.

    When two headers name the same column, a precise one wins over a vague one (``科室代码``
    over ``科室``, which may hold department names); two precise (or two vague) ones are a
    problem, since their cells may disagree.
    """
    lookup = _header_lookup()
    chosen: dict[str, tuple[str, int]] = {}
    problems: list[str] = []
    for header in headers:
        found = lookup.get(_normalise(header)) if header else None
        if found is None:
            continue
        name, rank = found
        if name not in chosen or rank < chosen[name][1]:
            chosen[name] = (header, rank)
        elif rank == chosen[name][1]:
            problems.append(
                _("The columns '{first}' and '{second}' both hold {column}; keep one.").format(
                    first=chosen[name][0], second=header, column=name
                )
            )
    return {name: header for name, (header, _rank) in chosen.items()}, problems


def _column_label(name: str) -> str:
    """A layout column with its Chinese header, for messages: ``hire_date (入职日期)``."""
    chinese = next(a for a in _HEADER_ALIASES[name] if not a.isascii())
    return f"{name} ({chinese})"


def read_roster(
    session: Session, path: Path, *, progress: Callable[[int, int], None] | None = None
) -> RosterPreview:
    """Read and validate the roster at ``path``; writes nothing.

    File-level problems (unreadable, too big, missing columns) come back in ``problems`` with no
    rows; row problems in each row's ``errors``, keyed by the file's own column header.
    """
    path = Path(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise tabular.FileProblem(
                _("The file is larger than {size} MB; split it into smaller files.").format(
                    size=MAX_FILE_BYTES // (1024 * 1024)
                )
            )
        headers, records = _read_table(path)
    except tabular.FileProblem as problem:
        return RosterPreview([], [], [str(problem)])
    except OSError as error:
        message = _("The file cannot be opened: {reason}").format(
            reason=error.strerror or str(error)
        )
        return RosterPreview([], [], [message])
    field_columns, problems = _field_columns(headers)
    missing = [name for name in REQUIRED_COLUMNS if name not in field_columns]
    if missing:
        problems.append(
            _(
                "Missing columns: {missing}. The first row must name the columns "
                "(in any order): {layout}."
            ).format(
                missing=", ".join(_column_label(m) for m in missing),
                layout=", ".join(ROSTER_COLUMNS),
            )
        )
    if not problems and not records:
        problems.append(_("The file has column names but no rows of workers."))
    if problems:
        return RosterPreview(headers, [], problems, field_columns)
    rows = _Validator(session, headers, field_columns).rows(records, progress)
    return RosterPreview(headers, rows, [], field_columns)


def _read_table(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header cells and the non-blank rows (with their line numbers) as text.

    The header is the first row that names at least three layout columns among the first few
    non-blank rows (a title row may sit above it), else simply the first non-blank row.
    """
    candidates: list[tuple[int, list[str]]] = []
    headers: list[str] | None = None
    records: list[tuple[int, list[str]]] = []
    for line, values in tabular.rows_of(path):
        if _is_blank(values):
            continue
        texts = [tabular.cell_text(v) for v in values]
        if headers is None:
            candidates.append((line, texts))
            if len(set(_header_fields([t.strip() for t in texts]).values())) >= 3:
                headers = texts
            elif len(candidates) >= _HEADER_SEARCH_ROWS:
                headers = candidates[0][1]
                records.extend(candidates[1:])
            continue
        records.append((line, texts))
        if len(records) > MAX_ROWS:
            raise tabular.FileProblem(
                _("The file has more than {count} rows; split it into smaller files.").format(
                    count=f"{MAX_ROWS:,}"
                )
            )
    if headers is None:
        if not candidates:
            raise tabular.FileProblem(_("The file is empty."))
        headers = candidates[0][1]
        records = candidates[1:]
    headers = [h.strip() for h in headers]
    while headers and not headers[-1]:
        headers.pop()
    return headers, records


class _Validator:
    """Turns rows of text into WorkerInfo, collecting every error of a row at once."""

    def __init__(self, session: Session, headers: list[str], field_columns: dict[str, str]):
        self.session = session
        self.headers = headers
        self.columns = field_columns
        self.sexes = _value_lookup("sex", SEXES)
        self.jobs = _value_lookup("job_category", JOB_CATEGORIES)
        self.employment = _value_lookup("employment_type", EMPLOYMENT_TYPES)
        self.departments: dict[str, int] = {}
        # Held here so that validate_worker's session.get() finds them in the identity map
        # (which only keeps objects someone references) instead of querying once per row.
        self._loaded = list(session.scalars(select(Department)))
        for row in self._loaded:  # a department's name is understood too, unless it is a code
            for text in (row.name_zh, row.name_en):
                if text:
                    self.departments.setdefault(_normalise(text), row.id)
        for row in self._loaded:
            self.departments[_normalise(row.code)] = row.id

    def rows(
        self,
        records: list[tuple[int, list[str]]],
        progress: Callable[[int, int], None] | None,
    ) -> list[RosterRow]:
        existing = self._existing(records)
        first_line: dict[str, int] = {}
        result = []
        for index, (line, cells) in enumerate(records):
            raw: dict[str, str] = {}
            for position, header in enumerate(self.headers):
                if header and header not in raw:
                    raw[header] = cells[position] if position < len(cells) else ""
            extra = any(str(cell).strip() for cell in cells[len(self.headers) :])
            result.append(self._row(line, raw, existing, first_line, extra=extra))
            if progress and index % 500 == 0:
                progress(index, len(records))
        if progress:
            progress(len(records), len(records))
        return result

    def _existing(self, records: list[tuple[int, list[str]]]) -> dict[str, tuple[int, bool, int]]:
        """staff_no -> (id, active, version) of the workers the file names."""
        position = self.headers.index(self.columns["staff_no"])
        cells = {c[position].strip() for _line, c in records if position < len(c)}
        # PostgreSQL cannot compare text holding NUL; such a staff number is refused anyway.
        numbers = sorted(n for n in cells if n and not has_control_characters(n))
        found: dict[str, tuple[int, bool, int]] = {}
        for start in range(0, len(numbers), 500):
            chunk = numbers[start : start + 500]
            query = select(Worker.staff_no, Worker.id, Worker.active, Worker.version).where(
                Worker.staff_no.in_(chunk)
            )
            for staff_no, worker_id, active, version in self.session.execute(query):
                found[staff_no] = (worker_id, active, version)
        return found

    def _error(self, line: int, name: str, message: str) -> tuple[str, str]:
        column = self.columns.get(name, name)
        return column, _("Row {row}, column {column}: {message}").format(
            row=line, column=column, message=message
        )

    def _code(self, text: str, lookup: dict[str, str], codes: CodeList) -> str:
        code = lookup.get(_normalise(text))
        if code is None:
            # Codes are accepted in every language; a translated label is shown beside each.
            choices = ", ".join(
                e.code if _(e.label) == e.label else f"{e.code}/{_(e.label)}" for e in codes
            )
            if text:
                message = _("'{value}' is not known. Use one of: {choices}.")
            else:
                message = _("This cell is empty. Use one of: {choices}.")
            raise ValueError(message.format(value=text, choices=choices))
        return code

    def _row(
        self,
        line: int,
        raw: dict[str, str],
        existing: dict[str, tuple[int, bool, int]],
        first_line: dict[str, int],
        *,
        extra: bool = False,
    ) -> RosterRow:
        errors: dict[str, str] = {}
        values: dict[str, object] = {}

        def fail(name: str, message: str) -> None:
            column, text = self._error(line, name, message)
            errors.setdefault(column, text)

        if extra:  # cells beyond the header: a stray comma or a shifted row, never dropped
            errors[""] = _(
                "Row {row} has more cells than the header has columns; check it for a stray "
                "comma or a shifted column."
            ).format(row=line)

        texts: dict[str, str] = {}
        for name, column in self.columns.items():
            text = raw.get(column, "")
            if len(text) > MAX_CELL_CHARS:
                fail(name, _("The cell has more than {n} characters.").format(n=MAX_CELL_CHARS))
            else:
                texts[name] = text.strip()

        parsers: dict[str, Callable[[str], object]] = {
            "staff_no": str,
            "name": str,
            "sex": lambda t: self._code(t, self.sexes, SEXES),
            "job_category": lambda t: self._code(t, self.jobs, JOB_CATEGORIES),
            "employment_type": lambda t: self._code(t, self.employment, EMPLOYMENT_TYPES),
            "birth_date": self._date,
            "hire_date": self._date,
            "department_code": self._department,
            "active": self._active,
        }
        for name, text in texts.items():
            try:
                values[name] = parsers[name](text)
            except ValueError as error:
                fail(name, str(error))

        staff_no = str(values.get("staff_no", ""))
        found = existing.get(staff_no)
        if staff_no:
            if staff_no in first_line:
                fail(
                    "staff_no",
                    _("The staff number {staff_no} is also in row {other}.").format(
                        staff_no=staff_no, other=first_line[staff_no]
                    ),
                )
            else:
                first_line[staff_no] = line

        active = values.get("active")
        if active is None:  # no column or an empty cell: new workers are active, others unchanged
            active = found[1] if found else True
        info = WorkerInfo(
            staff_no=staff_no,
            name=str(values.get("name", "")),
            sex=str(values.get("sex", "unknown")),
            birth_date=values.get("birth_date"),  # type: ignore[arg-type]
            job_category=str(values.get("job_category", "other")),
            department_id=values.get("department_code"),  # type: ignore[arg-type]
            employment_type=str(values.get("employment_type", "other")),
            hire_date=values.get("hire_date"),  # type: ignore[arg-type]
            active=bool(active),
            id=found[0] if found else None,
            version=found[2] if found else None,
        )
        field_of = {"department_id": "department_code"}
        for key, message in workers.validate_worker(self.session, info).items():
            name = field_of.get(key, key)
            if self.columns.get(name) not in errors:  # a parse error on that cell says more
                fail(name, message)
        return RosterRow(
            line=line,
            raw=raw,
            worker=None if errors else info,
            errors=errors,
            existing_id=found[0] if found else None,
        )

    @staticmethod
    def _date(text: str) -> dt.date | None:
        if not text:
            return None
        try:
            return _parse_date(text)
        except ValueError:
            raise ValueError(
                _("'{value}' is not a date; write it as YYYY-MM-DD, e.g. 2015-03-01.").format(
                    value=text
                )
            ) from None

    def _department(self, text: str) -> int | None:
        if not text:
            return None
        found = self.departments.get(_normalise(text))
        if found is None:
            raise ValueError(
                _(
                    "There is no department with the code '{value}'. Use a code from the "
                    "department list."
                ).format(value=text)
            )
        return found

    @staticmethod
    def _active(text: str) -> bool | None:
        if not text:
            return None
        value = _normalise(text)
        if value in {_normalise(t) for t in _TRUE}:
            return True
        if value in {_normalise(t) for t in _FALSE}:
            return False
        raise ValueError(
            _("'{value}' is neither yes nor no; write 1 (active) or 0 (left).").format(value=text)
        )


# -- applying -----------------------------------------------------------------------------------


def apply_roster(
    session: Session,
    actor: Actor,
    preview: RosterPreview,
    *,
    existing: Literal["update", "skip"],
    progress: Callable[[int, int], None] | None = None,
) -> RosterResult:
    """Import every row of a clean preview, or nothing (in the caller's transaction).

    New staff numbers are created; existing ones are updated or skipped as ``existing`` says,
    each through ``services.workers`` so that each created or changed worker is validated again
    and audited. A worker edited by someone else since the preview makes the whole import fail.
    """
    actor.require(Permission.MANAGE_WORKERS)
    if existing not in ("update", "skip"):
        raise ValueError(existing)
    if not preview.ok:
        raise UserError(
            _(
                "The roster has {problems} file problems and {rows} rows with errors; correct "
                "the file and read it again. Nothing was imported."
            ).format(problems=len(preview.problems), rows=preview.error_count)
        )
    created = updated = skipped = 0
    # Referenced for the whole loop so that validate_worker finds them in the identity map.
    departments = list(session.scalars(select(Department)))
    with session.begin_nested():  # all rows or none, even if the caller carries on
        for index, row in enumerate(preview.rows):
            assert row.worker is not None
            try:
                if row.existing_id is None:
                    workers.create_worker(session, actor, row.worker)
                    created += 1
                elif existing == "skip" or _unchanged(session, row):
                    skipped += 1
                else:
                    workers.update_worker(session, actor, replace(row.worker, id=row.existing_id))
                    updated += 1
            except (ValidationError, NotFound, Conflict) as error:  # changed since the preview
                raise UserError(
                    _("Row {row}: {message} Nothing was imported.").format(
                        row=row.line, message=error
                    )
                ) from error
            if progress and index % 100 == 0:
                progress(index, len(preview.rows))
    if progress:
        progress(len(preview.rows), len(preview.rows))
    del departments
    return RosterResult(created=created, updated=updated, skipped=skipped)


def _unchanged(session: Session, row: RosterRow) -> bool:
    current = session.get(Worker, row.existing_id)
    assert row.worker is not None
    if current is None:
        return False  # deleted meanwhile: update_worker says so
    info = replace(row.worker, staff_no=row.worker.staff_no.strip(), name=row.worker.name.strip())
    return all(getattr(current, key) == value for key, value in info.values().items())
