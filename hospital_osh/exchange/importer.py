"""Historical import of exposure records in the ``exposures.csv`` layout (EXCHANGE.md), from CSV
or XLSX, with the identity columns a hospital's own files carry (``staff_no``, ``worker_name``).

Two steps so that nothing half-imports: ``read_import`` reads and checks the whole file and writes
nothing (the dry run: every rejected row with its line number, column and reason);
``apply_import`` then writes every row or none. Rules:

- unknown codes are errors, never silently mapped; unknown columns are refused (a misspelt column
  would otherwise be dropped without a word);
- a row whose ``uuid`` exists already is skipped and counted, so re-importing a package never
  duplicates;
- the worker is linked by ``staff_no`` (created with the row's attributes when unknown and a
  ``worker_name`` is given), else by ``worker_key`` when it is this hospital's pseudonym of a
  staff number on file;
- a CSV in GBK/GB18030 (what Chinese Excel writes) is detected and read, and the dry run says so;
  one mixing UTF-8 and GBK lines is refused naming the first odd line (``services.tabular``);
- ``age_band`` and ``tenure_band`` are checked against the worker's record where the age or years
  in post are known, and kept as given where they are not (a typed-in worker), so that the record
  leaves again with the same bands;
- cells are data only: workbooks are opened with cached values (no formula is evaluated), and the
  apostrophe our own export puts before ``= + - @`` is taken off again.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_module
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hospital_osh.domain import exposure_rules as rules
from hospital_osh.domain import metrics
from hospital_osh.domain.codes import DEPARTMENT_TYPES
from hospital_osh.domain.exposure_codes import FIELD_CODE_LISTS
from hospital_osh.domain.roles import Permission
from hospital_osh.domain.spreadsheet_safety import unescape_text
from hospital_osh.exchange import layout
from hospital_osh.i18n import _
from hospital_osh.models import Department, Exposure, Hospital, Worker
from hospital_osh.models.base import utcnow
from hospital_osh.services import audit, local_codes, post_exposure, tabular, workers
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import UserError, ValidationError
from hospital_osh.services.exposures import (
    ExposureInfo,
    age_at,
    next_reference,
    years_between,
)

Progress = Callable[[int, int, str], None]
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
REQUIRED_COLUMNS = ("uuid", "occurred_at", "reported_at", "exposure_type")
ACCEPTED_COLUMNS = frozenset(layout.EXPOSURE_COLUMNS) | frozenset(layout.IMPORT_ONLY_COLUMNS)
# Exported columns that are derived on export and checked (not stored) on import. The bands
# are derived too when the worker's age or years in post are known, and kept as given otherwise.
_DERIVED = ("hospital_code", "department_type", "worker_key")
_BANDS = {"age_band": "age", "tenure_band": "years_in_post"}
_SOURCE_RESULTS = ("source_hbsag", "source_anti_hcv", "source_hcv_rna", "source_hiv")
_CODE_COLUMNS = tuple(
    c for c in layout.EXPOSURE_COLUMNS if c in FIELD_CODE_LISTS and c != "barrier_garments"
)


@dataclass(frozen=True)
class RowIssue:
    line: int
    column: str
    message: str  # translated, names row and column

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class PlannedRow:
    line: int
    uuid: str
    info: ExposureInfo
    staff_no: str = ""  # a worker to create before the exposure (staff_no not on file yet)
    post: dict[str, str] = field(default_factory=dict)  # post-exposure answers given
    # Bands kept only where the exact age or years in post are unknown (``Exposure.age_band``).
    bands: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportPlan:
    """The dry run's result: what ``apply_import`` would write."""

    path: Path
    rows: list[PlannedRow] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, uuid) already known
    errors: list[RowIssue] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # translated; not blocking
    problems: list[str] = field(default_factory=list)  # file-level, translated
    workers_to_create: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.errors

    def messages(self) -> list[str]:
        return self.problems + [str(issue) for issue in self.errors]


@dataclass(frozen=True)
class ImportResult:
    created: int
    skipped: int
    workers_created: int
    references: tuple[str, str] | None  # first and last reference number given


# -- reading the file -----------------------------------------------------------------------------


def _records(path: Path, notices: list[str]) -> Iterator[tuple[int, list[str]]]:
    """The file's records as text (``services.tabular``: GBK detection, cached cell values)."""
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    table = tabular.open_table(path, delimiter=delimiter)
    if table.is_gbk:
        notices.append(
            _(
                "The file is encoded in GBK/GB18030 (as Chinese Excel saves CSV); it was read "
                "in that encoding. Check a few Chinese values in the preview."
            )
        )
    for line, values in table.rows:
        yield line, [tabular.cell_text(value) for value in values]


# -- checking the rows ----------------------------------------------------------------------------


class _Checker:
    """Turns the file's rows into ExposureInfo, collecting every error of a row at once."""

    def __init__(self, session: Session, header: list[str], now: dt.datetime):
        self.session = session
        self.header = header
        self.now = now
        hospital = session.get(Hospital, 1)
        if hospital is None:
            raise UserError(_("The hospital profile has not been set up."))
        self.hospital_code = hospital.facility_code
        self.secret = hospital.pseudonym_secret
        self.allowed = local_codes.accepted_codes(session)
        departments = session.execute(
            select(Department.id, Department.code, Department.type).order_by(Department.code)
        ).all()
        self.department_codes = {code: (ident, kind) for ident, code, kind in departments}
        self.department_of_type: dict[str, int] = {}
        for ident, _code, kind in departments:
            self.department_of_type.setdefault(kind, ident)
        self.staff: dict[str, tuple[int, dt.date | None, dt.date | None]] = {}
        self.keys: dict[str, str] = {}
        for ident, staff_no, birth, hired in session.execute(
            select(Worker.id, Worker.staff_no, Worker.birth_date, Worker.hire_date)
        ):
            self.staff[staff_no] = (ident, birth, hired)
            self.keys[layout.worker_key(self.secret, staff_no)] = staff_no
        self.seen: dict[str, int] = {}
        self.new_staff: dict[str, int] = {}

    def check(self, line: int, cells: list[str]) -> tuple[PlannedRow | None, list[RowIssue]]:
        raw = {
            name: unescape_text((cells[i] if i < len(cells) else "").strip())
            for i, name in enumerate(self.header)
        }
        issues: list[RowIssue] = []

        def fail(column: str, message: str) -> None:
            text = _("Row {row}, column {column}: {message}").format(
                row=line, column=column, message=message
            )
            issues.append(RowIssue(line, column, text))

        record_uuid = raw.get("uuid", "")
        try:
            record_uuid = str(uuid_module.UUID(record_uuid))
        except ValueError:
            fail("uuid", _("'{value}' is not a UUID.").format(value=raw.get("uuid", "")))
        if record_uuid in self.seen:
            fail(
                "uuid",
                _("The same UUID is also in row {other}.").format(other=self.seen[record_uuid]),
            )
        else:
            self.seen[record_uuid] = line

        code = raw.get("hospital_code", "")
        if code and code != self.hospital_code:
            fail(
                "hospital_code",
                _("The row belongs to hospital '{code}', not to this hospital ({own}).").format(
                    code=code, own=self.hospital_code
                ),
            )

        values: dict[str, Any] = {}
        for name in ("occurred_at", "reported_at"):
            text = raw.get(name, "")
            if not text:
                fail(name, _("Required."))
                continue
            try:
                values[name] = layout.parse_datetime(text)
            except ValueError:
                fail(
                    name,
                    _("'{value}' is not a date and time; write it as 2026-03-01T14:30.").format(
                        value=text
                    ),
                )
        for name in _CODE_COLUMNS:
            text = raw.get(name, "")
            if not text:
                continue
            codes = FIELD_CODE_LISTS[name]
            known = self.allowed.get(codes.name, set(codes.codes))
            if text not in known:
                fail(
                    name,
                    _("Unknown code '{code}'. Use one of: {choices}.").format(
                        code=text, choices=", ".join(sorted(known))
                    ),
                )
            else:
                values[name] = text
        if not raw.get("exposure_type"):
            fail("exposure_type", _("Required."))

        self._department(raw, values, fail)
        self._worker(raw, values, fail)
        self._numbers(raw, values, fail)
        post = {name: raw[name] for name in layout.POST_EXPOSURE_COLUMNS if raw.get(name)}
        if post:
            try:  # the same check ensure_assessed makes, run in the dry run
                post_exposure.check_recorded(post)
            except ValidationError as error:
                for column, message in error.fields.items():
                    fail(column, message)

        if issues:
            return None, issues
        staff_no = values.pop("_new_staff_no", "")
        bands = {name: values.pop(f"_{name}") for name in _BANDS if f"_{name}" in values}
        info = ExposureInfo(**values)
        for issue in rules.validate(info.values(), self.now, allowed=self.allowed):
            if issue.severity == rules.Severity.ERROR:
                fail(issue.field, _(issue.message).format(**issue.params))
        if issues:
            return None, issues
        return PlannedRow(line, record_uuid, info, staff_no, post, bands), []

    def _department(self, raw: dict[str, str], values: dict[str, Any], fail: Any) -> None:
        code = raw.get("department_code", "")
        kind = raw.get("department_type", "")
        if kind and kind not in DEPARTMENT_TYPES:
            fail(
                "department_type",
                _("Unknown code '{code}'. Use one of: {choices}.").format(
                    code=kind, choices=", ".join(DEPARTMENT_TYPES.codes)
                ),
            )
            return
        if code:
            found = self.department_codes.get(code)
            if found is None:
                fail(
                    "department_code",
                    _("There is no department with the code '{value}'.").format(value=code),
                )
            elif kind and found[1] != kind:
                fail(
                    "department_type",
                    _("Department {code} is of type '{actual}', not '{kind}'.").format(
                        code=code, actual=found[1], kind=kind
                    ),
                )
            else:
                values["department_id"] = found[0]
        elif kind:
            department = self.department_of_type.get(kind)
            if department is None:
                fail(
                    "department_type",
                    _(
                        "The hospital has no department of type '{kind}'. Add one in Settings, "
                        "or give the department in a department_code column."
                    ).format(kind=kind),
                )
            else:
                values["department_id"] = department

    def _worker(self, raw: dict[str, str], values: dict[str, Any], fail: Any) -> None:
        staff_no = raw.get("staff_no", "")
        name = raw.get("worker_name", "")
        key = raw.get("worker_key", "")
        occurred = values.get("occurred_at")
        if not staff_no and key:
            staff_no = self.keys.get(key, "")
        if staff_no and staff_no in self.staff:
            ident, birth, hired = self.staff[staff_no]
            values["worker_id"] = ident
            values["worker_kind"] = "staff"
            if isinstance(occurred, dt.datetime):
                values["age"] = age_at(birth, occurred.date())
                values["years_in_post"] = years_between(hired, occurred.date())
        elif staff_no:
            if not name:
                fail(
                    "staff_no",
                    _(
                        "No staff member has the staff number {staff_no}; add the worker_name "
                        "column to create the worker, or import the roster first."
                    ).format(staff_no=staff_no),
                )
                return
            values["_new_staff_no"] = staff_no
            values["worker_kind"] = "staff"
            values["worker_name"] = name[:120]
        else:
            values["worker_kind"] = "other"
            values["worker_name"] = name[:120]

    def _numbers(self, raw: dict[str, str], values: dict[str, Any], fail: Any) -> None:
        for name, kind in (("age", int), ("years_in_post", float)):
            text = raw.get(name, "")
            if not text:
                continue
            try:
                values[name] = kind(float(text)) if kind is int else float(text)
            except ValueError:
                fail(name, _("'{value}' is not a number.").format(value=text))
        for name, band, value in (
            ("age_band", metrics.age_band, values.get("age")),
            ("tenure_band", metrics.tenure_band, values.get("years_in_post")),
        ):
            text = raw.get(name, "")
            names = [
                b[0] for b in (metrics.AGE_BANDS if name == "age_band" else metrics.TENURE_BANDS)
            ]
            if text and text not in names:
                fail(
                    name,
                    _("Unknown band '{code}'. Use one of: {choices}.").format(
                        code=text, choices=", ".join(names)
                    ),
                )
            elif text and value is not None and band(value) != text:
                fail(
                    name,
                    _("The band {band} does not fit the worker's record ({actual}).").format(
                        band=text, actual=band(value)
                    ),
                )
            elif text and value is None:
                values[f"_{name}"] = text  # nothing more exact is known: keep the band


def read_import(
    session: Session,
    actor: Actor,
    path: Path,
    *,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
) -> ImportPlan:
    """Read and check ``path``; writes nothing (the dry run)."""
    actor.require(Permission.EXCHANGE_DATA)
    actor.require(Permission.MANAGE_EXPOSURES)
    path = Path(path)
    now = now or dt.datetime.now().replace(microsecond=0)
    notices: list[str] = []
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return ImportPlan(
                path,
                problems=[
                    _("The file is larger than {size} MB; split it into smaller files.").format(
                        size=MAX_FILE_BYTES // (1024 * 1024)
                    )
                ],
            )
        records = _records(path, notices)
        header: list[str] | None = None
        checker: _Checker | None = None
        plan_rows: list[PlannedRow] = []
        errors: list[RowIssue] = []
        skipped: list[tuple[int, str]] = []
        pending: list[tuple[int, list[str]]] = []
        for line, cells in records:
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [cell.strip().lower() for cell in cells]
                while header and not header[-1]:
                    header.pop()
                problems = _header_problems(header)
                if problems:
                    return ImportPlan(path, notices=notices, problems=problems)
                checker = _Checker(session, header, now)
                continue
            pending.append((line, cells))
            if len(pending) > MAX_ROWS:
                raise tabular.FileProblem(
                    _("The file has more than {count} rows; split it into smaller files.").format(
                        count=f"{MAX_ROWS:,}"
                    )
                )
    except tabular.FileProblem as problem:
        return ImportPlan(path, notices=notices, problems=[str(problem)])
    except OSError as error:
        return ImportPlan(
            path,
            problems=[
                _("The file cannot be opened: {reason}").format(reason=error.strerror or error)
            ],
        )
    if header is None or checker is None:
        return ImportPlan(path, notices=notices, problems=[_("The file is empty.")])
    if not pending:
        return ImportPlan(
            path, notices=notices, problems=[_("The file has column names but no exposures.")]
        )
    known = _known_uuids(session, header, pending)
    for index, (line, cells) in enumerate(pending):
        position = header.index("uuid")
        value = cells[position].strip() if position < len(cells) else ""
        if value in known:
            skipped.append((line, value))
            continue
        planned, issues = checker.check(line, cells)
        errors += issues
        if planned is not None:
            plan_rows.append(planned)
        if progress is not None and index % 200 == 0:
            progress(index, len(pending), "")
    if progress is not None:
        progress(len(pending), len(pending), "")
    new_staff = {row.staff_no for row in plan_rows if row.staff_no}
    return ImportPlan(
        path,
        rows=plan_rows,
        skipped=skipped,
        errors=errors,
        notices=notices,
        workers_to_create=len(new_staff),
    )


def _header_problems(header: list[str]) -> list[str]:
    problems = []
    unknown = [h for h in header if h and h not in ACCEPTED_COLUMNS]
    if unknown:
        problems.append(
            _(
                "Unknown columns: {columns}. The columns are those of exposures.csv: {layout}."
            ).format(
                columns=", ".join(unknown),
                layout=", ".join(layout.EXPOSURE_COLUMNS + layout.IMPORT_ONLY_COLUMNS),
            )
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        problems.append(_("Missing columns: {columns}.").format(columns=", ".join(missing)))
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    if duplicated:
        problems.append(
            _("These columns appear twice: {columns}.").format(columns=", ".join(duplicated))
        )
    return problems


def _known_uuids(
    session: Session, header: list[str], rows: list[tuple[int, list[str]]]
) -> set[str]:
    position = header.index("uuid")
    values = sorted({c[position].strip() for _l, c in rows if position < len(c)} - {""})
    known: set[str] = set()
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        known.update(session.scalars(select(Exposure.uuid).where(Exposure.uuid.in_(chunk))))
    return known


# -- writing --------------------------------------------------------------------------------------


def apply_import(
    session: Session, actor: Actor, plan: ImportPlan, *, progress: Progress | None = None
) -> ImportResult:
    """Write every planned row or none (in the caller's transaction), with one audit event."""
    actor.require(Permission.EXCHANGE_DATA)
    actor.require(Permission.MANAGE_EXPOSURES)
    if not plan.ok:
        raise UserError(
            _(
                "The file has {problems} problems and {rows} rows with errors; correct it and "
                "run the dry run again. Nothing was imported."
            ).format(problems=len(plan.problems), rows=len({issue.line for issue in plan.errors}))
        )
    created_workers: dict[str, int] = {}
    sequences: dict[int, int] = {}
    references: list[str] = []
    uuids: list[str] = []
    to_assess: list[tuple[PlannedRow, Exposure]] = []
    with session.begin_nested():
        known = _known_uuids(session, ["uuid"], [(row.line, [row.uuid]) for row in plan.rows])
        if known:
            raise UserError(
                _(
                    "Some of these records were imported meanwhile (for example {uuid}); run "
                    "the dry run again. Nothing was imported."
                ).format(uuid=sorted(known)[0])
            )
        for index, planned in enumerate(plan.rows):
            info = planned.info
            if planned.staff_no:
                info = _with_new_worker(session, actor, planned, created_workers)
            assert info.occurred_at is not None and info.reported_at is not None
            year = info.occurred_at.year
            if year not in sequences:
                first, _reference = next_reference(session, year)
                sequences[year] = first
            else:
                sequences[year] += 1
            seq = sequences[year]
            reference = f"EXP-{year}-{seq:04d}"
            values = info.values()
            missing = rules.missing_fields(values)
            row = Exposure(
                uuid=planned.uuid,
                reference=reference,
                ref_year=year,
                ref_seq=seq,
                reported_by=actor.username,
                missing=" ".join(missing),
                incomplete=bool(missing),
                hours_to_report=rules.hours_between(info.occurred_at, info.reported_at),
                updated_at=utcnow(),
                **values,
            )
            for name, exact in _BANDS.items():
                if name in planned.bands and values.get(exact) is None:
                    setattr(row, name, planned.bands[name])
            session.add(row)
            if planned.post or any(getattr(info, name) for name in _SOURCE_RESULTS):
                to_assess.append((planned, row))
            references.append(reference)
            uuids.append(planned.uuid)
            if index % 500 == 499:
                session.flush()
            if progress is not None and index % 200 == 0:
                progress(index, len(plan.rows), "")
        session.flush()
        _assess(session, actor, to_assess)
        audit.record(
            session,
            actor,
            "import",
            "exposure",
            "-",
            {
                "file": [None, plan.path.name],
                "created": [None, len(uuids)],
                "skipped": [None, len(plan.skipped)],
                "uuids": [None, uuids],
            },
        )
    if progress is not None:
        progress(len(plan.rows), len(plan.rows), "")
    return ImportResult(
        created=len(uuids),
        skipped=len(plan.skipped),
        workers_created=len(created_workers),
        references=(references[0], references[-1]) if references else None,
    )


def _assess(session: Session, actor: Actor, rows: list[tuple[PlannedRow, Exposure]]) -> None:
    """Give imported exposures that carry source or worker status their post-exposure
    assessment and schedule (``services.post_exposure.ensure_assessed``), keeping the
    prophylaxis and PEP the file records."""
    if rows:
        actor.require(Permission.MANAGE_POST_EXPOSURE)
    for planned, row in rows:
        try:
            post_exposure.ensure_assessed(session, actor, row.id, recorded=planned.post)
        except UserError as error:
            raise UserError(
                _("Row {row}: {message} Nothing was imported.").format(
                    row=planned.line, message=error
                )
            ) from error


def _with_new_worker(
    session: Session, actor: Actor, planned: PlannedRow, created: dict[str, int]
) -> ExposureInfo:
    """Create the staff member a row names (once per staff number) and link the row to it."""
    info = planned.info
    if planned.staff_no not in created:
        try:
            worker = workers.create_worker(
                session,
                actor,
                workers.WorkerInfo(
                    staff_no=planned.staff_no,
                    name=info.worker_name,
                    sex=info.sex or "unknown",
                    job_category=info.job_category or "other",
                    employment_type=info.employment_type or "other",
                ),
            )
        except ValidationError as error:
            raise UserError(
                _("Row {row}: {message} Nothing was imported.").format(
                    row=planned.line, message=error
                )
            ) from error
        assert worker.id is not None
        created[planned.staff_no] = worker.id
    return replace(info, worker_id=created[planned.staff_no], worker_kind="staff")
