"""The export package of a period (shared/design/EXCHANGE.md): what leaves the hospital.

``preview()`` says exactly what would leave (files, columns, row counts and the first rows as they
will be written) before anything is written; ``export_package()`` writes the zip. Privacy rules:
no names, staff numbers, birth dates, free text, brands or source-patient identifiers; the worker
is a keyed pseudonym (HMAC with the hospital's secret); age and years in post are bands.

The zip is written to a temporary file beside the target and renamed when complete, so a failed
export never leaves a half-written package under the chosen name. Files whose records this
installation does not keep are left out and named in the manifest (``not_included``); an empty
cell means "unknown", never "no".
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from hospital_osh import __version__
from hospital_osh.domain import metrics
from hospital_osh.domain.codes import N_
from hospital_osh.domain.roles import Permission
from hospital_osh.domain.spreadsheet_safety import (
    ESCAPE_PREFIX,
    FORMULA_TRIGGERS,
    escape_text,
)
from hospital_osh.exchange import layout
from hospital_osh.exchange.read_ahead import read_ahead
from hospital_osh.i18n import _
from hospital_osh.reports import summary_worker
from hospital_osh.reports.summary import summary_pdf_bytes
from hospital_osh.services import audit
from hospital_osh.services.context import Actor
from hospital_osh.services.hospital import pseudonym_secret
from hospital_osh.services.summary import (
    ExportRow,
    action_export_rows,
    build_summary,
    check_period,
    export_rows,
    followup_export_rows,
    hazard_export_rows,
)

Progress = Callable[[int, int, str], None]
SAMPLE_ROWS = 5
# From this many exposures in the period the two summary PDFs are built in a second process
# while this one streams the CSV files: on the 2-core machines of the pilots that takes ~1 s of
# a large hospital's year off the export. Below it, starting a Python process costs more than
# the PDFs themselves.
PARALLEL_REPORTS_FROM = 5_000
BOM = b"\xef\xbb\xbf"  # UTF-8 with BOM (EXCHANGE.md): Excel on Chinese Windows reads it

# Files other areas' services will fill; left out (and named) until those services exist.
PENDING_FILES: dict[str, str] = {}
_NEVER_EXPORTED_LABELS = {
    "names": N_("names of workers"),
    "staff_numbers": N_("staff numbers (replaced by a keyed pseudonym)"),
    "birth_dates": N_("birth dates and exact ages (replaced by age bands)"),
    "free_text": N_("free-text descriptions"),
    "source_patient_identifiers": N_("source patients' record numbers"),
    "device_brands": N_("device brands"),
}
_FILE_LABELS = {
    layout.MANIFEST: N_("list of files with their SHA-256 checksums"),
    layout.SUMMARY: N_("the aggregate figures of the period"),
    layout.EXPOSURES: N_("one de-identified row per exposure"),
    layout.FOLLOWUPS: N_("one row per follow-up test of those exposures"),
    layout.HAZARDS: N_("the hazard register: codes, levels and review dates"),
    layout.ACTIONS: N_("action items open during the period: codes, statuses and dates"),
    layout.REPORTS["zh_CN"]: N_("the summary report in Chinese"),
    layout.REPORTS["en"]: N_("the summary report in English"),
}


@dataclass(frozen=True)
class ExportPreview:
    """What the package would hold; shown to the user before anything is written."""

    period: dict[str, str]
    hospital: dict[str, str]
    exposure_rows: int
    columns: tuple[str, ...]
    sample: list[dict[str, str]]
    files: list[tuple[str, str]]  # (file name, what it holds), translated
    never_exported: list[str]  # translated
    not_included: dict[str, str]  # file name -> translated reason


@dataclass(frozen=True)
class ExportResult:
    path: Path
    files: dict[str, str]  # file name -> SHA-256
    exposure_rows: int
    not_included: dict[str, str] = field(default_factory=dict)


def _code(value: object) -> str:
    return "" if value is None else str(value)


def csv_values(row: ExportRow, hospital_code: str, worker_key: str) -> list[str]:
    """One exposure as ``exposures.csv`` writes it, in ``layout.EXPOSURE_COLUMNS`` order (codes,
    bands, the pseudonym ``worker_key``; no identity). A column the record does not hold is
    empty, and fields that are not columns (exact age, years in post) never leave."""
    values = row.values
    get = values.get
    cells = ["" if (v := get(column)) is None else str(v) for column in layout.EXPOSURE_COLUMNS]
    cells[_HOSPITAL_CODE] = hospital_code
    cells[_OCCURRED_AT] = layout.format_datetime(values["occurred_at"])
    cells[_REPORTED_AT] = layout.format_datetime(values["reported_at"])
    cells[_DEPARTMENT_TYPE] = row.department_type
    # The exact value when known; else the band an imported record carried (EXCHANGE.md bands).
    cells[_AGE_BAND] = metrics.age_band(values["age"]) or _code(get("age_band"))
    cells[_TENURE_BAND] = metrics.tenure_band(values["years_in_post"]) or _code(get("tenure_band"))
    cells[_WORKER_KEY] = worker_key
    post = row.post_exposure
    for index, column in _POST_EXPOSURE:
        cells[index] = post.get(column, "")
    return cells


_POSITION = {column: index for index, column in enumerate(layout.EXPOSURE_COLUMNS)}
_HOSPITAL_CODE, _OCCURRED_AT, _REPORTED_AT = (
    _POSITION["hospital_code"],
    _POSITION["occurred_at"],
    _POSITION["reported_at"],
)
_DEPARTMENT_TYPE, _AGE_BAND, _TENURE_BAND, _WORKER_KEY = (
    _POSITION["department_type"],
    _POSITION["age_band"],
    _POSITION["tenure_band"],
    _POSITION["worker_key"],
)
_POST_EXPOSURE = tuple((_POSITION[c], c) for c in layout.POST_EXPOSURE_COLUMNS)


def csv_row(row: ExportRow, hospital_code: str, secret: str) -> dict[str, str]:
    """One exposure as ``exposures.csv`` writes it, by column name (for the preview)."""
    key = layout.worker_key(secret, row.staff_no)
    return dict(zip(layout.EXPOSURE_COLUMNS, csv_values(row, hospital_code, key), strict=True))


class _WorkerKeys(dict[str, str]):
    """The keyed pseudonym of each staff number, computed once per worker, not once per row
    (a worker's exposures share it); bounded by the roster, not by the number of rows."""

    def __init__(self, secret: str):
        super().__init__()
        self.secret = secret

    def __missing__(self, staff_no: str) -> str:
        key = self[staff_no] = layout.worker_key(self.secret, staff_no)
        return key


def _rows(
    session: Session, actor: Actor, start: dt.date, end: dt.date, hospital_code: str
) -> Iterator[list[str]]:
    """exposures.csv's rows (cells in column order), streamed batch by batch."""
    keys = _WorkerKeys(pseudonym_secret(session))
    for row in export_rows(session, actor, start, end):
        yield csv_values(row, hospital_code, keys[row.staff_no])


def preview(session: Session, actor: Actor, start: dt.date, end: dt.date) -> ExportPreview:
    """What ``export_package`` would write for the period; writes nothing."""
    actor.require(Permission.EXCHANGE_DATA)
    summary = build_summary(session, actor, start, end)
    code = summary["hospital"]["code"]
    sample = []
    for row in _rows(session, actor, start, end, code):
        sample.append(dict(zip(layout.EXPOSURE_COLUMNS, row, strict=True)))
        if len(sample) >= SAMPLE_ROWS:
            break
    files = [(name, _(_FILE_LABELS[name])) for name in _file_names()]
    return ExportPreview(
        period=summary["period"],
        hospital=summary["hospital"],
        exposure_rows=summary["exposures"]["total"],
        columns=layout.EXPOSURE_COLUMNS,
        sample=sample,
        files=files,
        never_exported=[_(_NEVER_EXPORTED_LABELS[key]) for key in layout.NEVER_EXPORTED],
        not_included={name: _(reason) for name, reason in PENDING_FILES.items()},
    )


def _file_names() -> list[str]:
    return [
        layout.MANIFEST,
        layout.SUMMARY,
        layout.EXPOSURES,
        layout.FOLLOWUPS,
        layout.HAZARDS,
        layout.ACTIONS,
        layout.REPORTS["zh_CN"],
        layout.REPORTS["en"],
    ]


def _member(name: str, when: dt.datetime) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def export_package(
    session: Session,
    actor: Actor,
    start: dt.date,
    end: dt.date,
    out: Path,
    *,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
    invariant: bool = False,
    parallel: bool | None = None,
) -> ExportResult:
    """Write the package of the period to ``out`` and record the export in the audit trail
    (``session`` must be a write transaction). ``parallel`` builds the PDFs in a second process
    (default: for periods of ``PARALLEL_REPORTS_FROM`` exposures or more); the package's bytes
    are the same either way."""
    actor.require(Permission.EXCHANGE_DATA)
    period = check_period(start, end)
    out = Path(out)
    created = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0, tzinfo=None)

    def step(done: int, text: str) -> None:
        if progress is not None:
            progress(done, 5, text)

    step(0, _("Computing the figures…"))
    summary = build_summary(session, actor, period.start, period.end)
    code = summary["hospital"]["code"]
    checksums: dict[str, str] = {}
    temporary = out.with_name(f".{out.name}.partial")
    rows = 0
    if parallel is None:
        parallel = summary["exposures"]["total"] >= PARALLEL_REPORTS_FROM
    report_options = {"generated_at": _local(created), "invariant": invariant}
    try:
        with ExitStack() as stack:
            worker = _reports_in_background(stack, summary, report_options) if parallel else None
            archive = stack.enter_context(zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED))

            def add(name: str, data: bytes) -> None:
                archive.writestr(_member(name, created), data)
                checksums[name] = layout.sha256_hex(data)

            add(layout.SUMMARY, _json_bytes(summary))
            step(1, _("Writing the exposures…"))

            def stream(name: str, columns: Sequence[str], cells: Iterable[Sequence[str]]) -> int:
                rows = read_ahead(cells)  # read on a second thread while this one writes
                with (
                    closing(rows),
                    archive.open(_member(name, created), "w", force_zip64=True) as raw,
                ):
                    checksums[name], count = write_csv(raw, columns, rows)
                return count

            rows = stream(
                layout.EXPOSURES,
                layout.EXPOSURE_COLUMNS,
                _rows(session, actor, period.start, period.end, code),
            )
            stream(
                layout.FOLLOWUPS,
                layout.FOLLOWUP_COLUMNS,
                followup_export_rows(session, actor, period.start, period.end, now=created),
            )
            for name, columns, table in (
                (layout.HAZARDS, layout.HAZARD_COLUMNS, hazard_export_rows),
                (layout.ACTIONS, layout.ACTION_COLUMNS, action_export_rows),
            ):
                records = table(session, actor, period.start, period.end)
                stream(name, columns, _cells(columns, records, code))
            for index, (language, name) in enumerate(layout.REPORTS.items()):
                step(2 + index, _("Building the report ({language})…").format(language=language))
                add(name, _report_bytes(worker, summary, language, report_options))
            manifest = {
                "format": layout.FORMAT,
                "format_version": layout.FORMAT_VERSION,
                "generator": {"name": layout.GENERATOR, "version": __version__},
                "hospital": {
                    key: summary["hospital"].get(key, "")
                    for key in ("code", "name_zh", "name_en", "province", "grade")
                },
                "period": summary["period"],
                "created_at": created.isoformat() + "Z",
                "files": dict(sorted(checksums.items())),
                "not_included": dict(PENDING_FILES),
                "rows": {layout.EXPOSURES: rows},
            }
            archive.writestr(_member(layout.MANIFEST, created), _json_bytes(manifest))
        os.replace(temporary, out)
    finally:
        temporary.unlink(missing_ok=True)
    step(5, _("Done."))
    audit.record(
        session,
        actor,
        "export",
        "exchange_package",
        code or "-",
        {
            "period": [None, summary["period"]],
            "file": [None, out.name],
            "exposure_rows": [None, rows],
            "summary_sha256": [None, checksums[layout.SUMMARY]],
        },
    )
    return ExportResult(out, checksums, rows, dict(PENDING_FILES))


# The command that builds the PDFs in a second process (``reports/summary_worker.py``).
_WORKER_COMMAND = (sys.executable, "-m", "hospital_osh.reports.summary_worker")


class _PdfWorker:
    """The second process building the period's PDFs; ``pdf(language)`` waits for them."""

    def __init__(self, stack: ExitStack, summary: dict[str, Any], options: dict[str, Any]):
        self.languages = list(layout.REPORTS)
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="osh-pdf-")))
        request = folder / "request.json"
        request.write_bytes(
            summary_worker.encode_request(
                summary, self.languages, options["generated_at"], options["invariant"]
            )
        )
        self.process = subprocess.Popen(
            [*_WORKER_COMMAND, str(request)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),  # no console on Windows
        )
        stack.callback(self._stop)  # before the folder goes (callbacks run last-in first-out)
        self._pdfs: dict[str, bytes] | None = None

    def pdf(self, language: str) -> bytes | None:
        """The PDF in ``language``, or None when the process failed (then build it here)."""
        if self._pdfs is None:
            try:
                assert self.process.stdout is not None
                pdfs = summary_worker.read_pdfs(self.process.stdout, len(self.languages))
                self._pdfs = dict(zip(self.languages, pdfs, strict=True))
            except (OSError, ValueError):
                self._pdfs = {}
        return self._pdfs.get(language)

    def _stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()  # an export that failed half-way: its PDFs are not needed
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.process.wait()


def _reports_in_background(
    stack: ExitStack, summary: dict[str, Any], options: dict[str, Any]
) -> _PdfWorker | None:
    """Start building the period's PDFs in a second process; None when none can be started
    (the PDFs are then built in this one). The process ends when ``stack`` closes."""
    try:
        return _PdfWorker(stack, summary, options)
    except OSError:
        return None


def _report_bytes(
    worker: _PdfWorker | None,
    summary: dict[str, Any],
    language: str,
    options: dict[str, Any],
) -> bytes:
    """The PDF from the second process when it built it, else built here (also when that
    process could not start or failed: a package is never left without its reports)."""
    built = worker.pdf(language) if worker is not None else None
    return built if built is not None else summary_pdf_bytes(summary, language, **options)


def record_report(
    session: Session, actor: Actor, start: dt.date, end: dt.date, files: Sequence[Path]
) -> None:
    """Record that the period's figures left the program as ``files`` (the summary report, its
    JSON and XLSX): aggregates of health data, so the audit trail keeps who wrote them and when,
    as it does for packages (``session`` must be a write transaction; one event)."""
    actor.require(Permission.VIEW_REPORTS)
    period = check_period(start, end)
    audit.record(
        session,
        actor,
        "export",
        "summary_report",
        "-",
        {
            "period": [None, period.as_json()],
            "files": [None, [Path(path).name for path in files]],
        },
    )


# First characters after which ``escape_text`` may add its apostrophe; any other cell (codes,
# dates, numbers, empty) is written as it is without calling it.
_MAY_ESCAPE = FORMULA_TRIGGERS | {ESCAPE_PREFIX}
_FLUSH_ROWS = 2000


def write_csv(
    raw: IO[bytes], columns: Sequence[str], rows: Iterable[Sequence[str]]
) -> tuple[str, int]:
    """Stream a CSV of the contract's form (UTF-8 with BOM, header row, CRLF, escaped cells) into
    ``raw`` a few thousand rows at a time, hashing what is written: memory does not grow with
    the number of rows. Returns the SHA-256 of the bytes and the number of rows."""
    digest = hashlib.sha256()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> None:
        data = buffer.getvalue().encode("utf-8")
        digest.update(data)
        raw.write(data)
        buffer.seek(0)
        buffer.truncate()

    digest.update(BOM)
    raw.write(BOM)
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([escape_text(cell) if cell[:1] in _MAY_ESCAPE else cell for cell in row])
        count += 1
        if count % _FLUSH_ROWS == 0:
            flush()
    flush()
    return digest.hexdigest(), count


def _cells(
    columns: Sequence[str], records: Iterable[dict[str, str]], hospital_code: str
) -> Iterator[list[str]]:
    """Rows given by column name, as cells in ``columns`` order (with the hospital's code)."""
    for record in records:
        yield [hospital_code if c == "hospital_code" else record.get(c, "") for c in columns]


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def _local(value: dt.datetime) -> dt.datetime:
    """A naive UTC time on the hospital computer's clock (for the reports' footers)."""
    return value.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)
