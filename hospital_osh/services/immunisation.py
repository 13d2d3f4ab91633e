"""Workers' hepatitis B immunisation and serology, the derived immunity status, and coverage.

The status is derived from the doses and results by ``domain.immunity``. A worker's own record
derives it afresh; for coverage it is also stored, as spells of one status each
(``WorkerHbvStatus``, ``domain.immunity.status_spells``), rewritten for the workers concerned by
every flush that adds, changes or deletes a dose or a result (a session event, so no writer can
forget it; bulk inserts call :func:`refresh_statuses`). Coverage on any day is then one grouped
query, and a corrected dose still corrects every figure. Reading one worker's record needs
VIEW_SEROSTATUS (it is health data); writing needs MANAGE_POST_EXPOSURE; coverage figures are
aggregates and need VIEW_REPORTS. Every write is one transaction with one audit event.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, delete, event, func, insert, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.attributes import get_history

from hospital_osh.domain import immunity
from hospital_osh.domain.codes import N_, code_list
from hospital_osh.domain.immunity import (
    AntiHbsResult,
    HbvStatus,
    HbvStatusFinding,
    QualitativeResult,
    StatusSpell,
    VaccineDose,
)
from hospital_osh.domain.messages import DomainError, Issue, Severity
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _
from hospital_osh.models import (
    Department,
    HbvVaccineDose,
    SerologyResult,
    Worker,
    WorkerHbvStatus,
)
from hospital_osh.services import audit
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import NotFound, ValidationError
from hospital_osh.services.text_checks import text_problem

SEROLOGY_TESTS = code_list(
    "worker_serology_test",
    ("anti_hbs", N_("Anti-HBs (mIU/mL)")),
    ("hbsag", N_("HBsAg")),
    ("anti_hbc", N_("Total anti-HBc")),
    ("anti_hcv", N_("Anti-HCV")),
    ("hiv", N_("HIV antibody or antigen/antibody")),
)
QUALITATIVE_RESULTS = code_list(
    "serology_result",
    ("positive", N_("Positive")),
    ("negative", N_("Negative")),
    ("indeterminate", N_("Indeterminate")),
)
ENTITY_DOSE = "hbv_vaccine_dose"
ENTITY_SEROLOGY = "serology_result"
UNKNOWN_STATUS = "invalid_records"  # coverage key for workers whose records do not add up


# -- values ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DoseInput:
    """One vaccine dose as the form enters it (``doses_in_series`` 3 for most products, 2 for
    Heplisav-B)."""

    given_on: dt.date | None = None
    dose_number: int = 1
    series: int = 1
    doses_in_series: int = 3
    product: str = ""
    dose_ug: float | None = None


@dataclass(frozen=True)
class SerologyInput:
    """A worker's own result: ``value`` (mIU/mL) for anti-HBs, ``result`` for the others."""

    test: str = "anti_hbs"
    tested_on: dt.date | None = None
    value: float | None = None
    result: str | None = None


@dataclass(frozen=True)
class DoseRow:
    id: int
    worker_id: int
    given_on: dt.date
    series: int
    dose_number: int
    doses_in_series: int
    product: str
    dose_ug: float | None
    exposure_id: int | None


@dataclass(frozen=True)
class SerologyRow:
    id: int
    worker_id: int
    test: str
    tested_on: dt.date
    value: float | None
    result: str | None
    followup_id: int | None


@dataclass(frozen=True)
class ImmunityStatus:
    """The derived HBV status of one worker with its reason in the user's language.

    ``status`` is a ``worker_hbv_status`` code (EXCHANGE.md), or None when the records contradict
    each other (``problems`` then says why). ``hcv``/``hiv`` are the latest baseline results."""

    worker_id: int
    status: str | None
    reason: str
    complete_series: int
    latest_anti_hbs: float | None
    latest_anti_hbs_on: dt.date | None
    hbsag: str | None
    anti_hbc: str | None
    anti_hcv: str | None
    hiv: str | None
    problems: tuple[str, ...] = ()

    @property
    def immune(self) -> bool:
        return self.status == HbvStatus.RESPONDER


@dataclass(frozen=True)
class ImmunisationHistory:
    worker_id: int
    doses: tuple[DoseRow, ...]
    serology: tuple[SerologyRow, ...]
    status: ImmunityStatus


@dataclass(frozen=True)
class CoverageRow:
    """One group of the coverage table: active staff, those with documented immunity, by status."""

    key: str  # job category code, or department code
    label_zh: str
    label_en: str
    staff: int
    immune: int
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def share(self) -> float | None:
        """Share with documented immunity (None for an empty group, never 0 by default)."""
        return self.immune / self.staff if self.staff else None


@dataclass(frozen=True)
class Coverage:
    """Hepatitis B immunity coverage of active staff on ``on`` (dashboard, report, summary.json)."""

    on: dt.date
    total: CoverageRow
    by_job_category: tuple[CoverageRow, ...]
    by_department: tuple[CoverageRow, ...]


# -- helpers ----------------------------------------------------------------------------------


def _dose_row(row: HbvVaccineDose) -> DoseRow:
    return DoseRow(
        row.id,
        row.worker_id,
        row.given_on,
        row.series,
        row.dose_number,
        row.doses_in_series,
        row.product,
        row.dose_ug,
        row.exposure_id,
    )


def _serology_row(row: SerologyResult) -> SerologyRow:
    return SerologyRow(
        row.id, row.worker_id, row.test, row.tested_on, row.value, row.result, row.followup_id
    )


def _domain_dose(row: HbvVaccineDose | DoseInput) -> VaccineDose:
    assert row.given_on is not None
    return VaccineDose(
        given_on=row.given_on,
        dose_number=row.dose_number,
        product=row.product,
        series=row.series,
        doses_in_series=row.doses_in_series,
        dose_ug=row.dose_ug,
    )


def issue_messages(issues: Iterable[Issue], severity: Severity = Severity.ERROR) -> dict[str, str]:
    """Domain issues as per-field messages in the user's language (joined per field)."""
    result: dict[str, str] = {}
    for found in issues:
        if found.severity is not severity:
            continue
        message = found.text.render(_)
        result[found.field] = (
            f"{result[found.field]} {message}" if found.field in result else message
        )
    return result


def _worker(session: Session, worker_id: int) -> Worker:
    row = session.get(Worker, worker_id)
    if row is None:
        raise NotFound(_("The worker no longer exists."))
    return row


def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


# -- derivation (shared with assessments and coverage) ----------------------------------------


@dataclass
class _Records:
    doses: list[VaccineDose] = field(default_factory=list)
    anti_hbs: list[AntiHbsResult] = field(default_factory=list)
    qualitative: dict[str, list[tuple[dt.date, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )


def _records(
    session: Session | Connection, worker_ids: Iterable[int] | None, on: dt.date | None
) -> dict[int, _Records]:
    """Every worker's doses and results up to ``on`` (all workers when ``worker_ids`` is None)."""
    dose_query = select(
        HbvVaccineDose.worker_id,
        HbvVaccineDose.given_on,
        HbvVaccineDose.dose_number,
        HbvVaccineDose.product,
        HbvVaccineDose.series,
        HbvVaccineDose.doses_in_series,
        HbvVaccineDose.dose_ug,
    )
    result_query = select(
        SerologyResult.worker_id,
        SerologyResult.test,
        SerologyResult.tested_on,
        SerologyResult.value,
        SerologyResult.result,
    ).order_by(SerologyResult.tested_on, SerologyResult.id)
    if worker_ids is not None:
        ids = list(worker_ids)
        dose_query = dose_query.where(HbvVaccineDose.worker_id.in_(ids))
        result_query = result_query.where(SerologyResult.worker_id.in_(ids))
    if on is not None:
        dose_query = dose_query.where(HbvVaccineDose.given_on <= on)
        result_query = result_query.where(SerologyResult.tested_on <= on)
    records: dict[int, _Records] = defaultdict(_Records)
    for worker_id, given_on, number, product, series, in_series, ug in session.execute(dose_query):
        records[worker_id].doses.append(
            VaccineDose(given_on, number, product, series, in_series, ug)
        )
    for worker_id, test, tested_on, value, result in session.execute(result_query):
        if test == "anti_hbs":
            if value is not None:
                records[worker_id].anti_hbs.append(AntiHbsResult(tested_on, value))
        elif result is not None:
            records[worker_id].qualitative[test].append((tested_on, result))
    return records


def _latest(records: _Records, test: str) -> str | None:
    results = records.qualitative.get(test)
    return results[-1][1] if results else None


def _finding(records: _Records) -> HbvStatusFinding:
    return immunity.assess_hbv_status(
        records.doses,
        records.anti_hbs,
        _latest(records, "hbsag") == "positive",
        anti_hbc_positive=(_latest(records, "anti_hbc") == "positive") or None,
    )


def _status_of(worker_id: int, records: _Records) -> ImmunityStatus:
    latest = max(records.anti_hbs, key=lambda r: r.tested_on, default=None)
    common = dict(
        worker_id=worker_id,
        latest_anti_hbs=latest.miu_per_ml if latest else None,
        latest_anti_hbs_on=latest.tested_on if latest else None,
        hbsag=_latest(records, "hbsag"),
        anti_hbc=_latest(records, "anti_hbc"),
        anti_hcv=_latest(records, "anti_hcv"),
        hiv=_latest(records, "hiv"),
    )
    try:
        finding = _finding(records)
    except DomainError as error:
        problems = tuple(i.text.render(_) for i in error.issues)
        return ImmunityStatus(
            status=None,
            reason=_("The vaccination records contradict each other: check them."),
            complete_series=0,
            problems=problems,
            **common,  # type: ignore[arg-type]
        )
    return ImmunityStatus(
        status=str(finding.status),
        reason=finding.reason.render(_),
        complete_series=finding.complete_series,
        **common,  # type: ignore[arg-type]
    )


def statuses(
    session: Session, worker_ids: Iterable[int] | None = None, *, on: dt.date | None = None
) -> dict[int, ImmunityStatus]:
    """Derived status of each worker with records (workers without records are unvaccinated).

    No permission check: for other services (assessment, demo, coverage) that check their own.
    """
    return {
        wid: _status_of(wid, records) for wid, records in _records(session, worker_ids, on).items()
    }


def status_for(session: Session, worker_id: int, *, on: dt.date | None = None) -> ImmunityStatus:
    """One worker's derived status on ``on`` (None: with every record); no permission check."""
    records = _records(session, [worker_id], on).get(worker_id, _Records())
    return _status_of(worker_id, records)


def post_exposure_anti_hbs(session: Session, worker_id: int, since: dt.date) -> float | None:
    """The latest anti-HBs measured on or after ``since`` (the value CDC Table 3 asks for)."""
    row = session.execute(
        select(SerologyResult.value)
        .where(
            SerologyResult.worker_id == worker_id,
            SerologyResult.test == "anti_hbs",
            SerologyResult.tested_on >= since,
            SerologyResult.value.is_not(None),
        )
        .order_by(SerologyResult.tested_on.desc(), SerologyResult.id.desc())
        .limit(1)
    ).first()
    return row[0] if row else None


# -- the stored status ------------------------------------------------------------------------

_CHUNK = 500  # worker ids per IN (...) list
_TOUCHED = "hospital_osh.immunisation.touched_workers"  # Session.info key


def _spells(records: _Records) -> tuple[StatusSpell, ...]:
    def qualitative(test: str) -> list[QualitativeResult]:
        return [QualitativeResult(day, result) for day, result in records.qualitative.get(test, ())]

    return immunity.status_spells(
        records.doses, records.anti_hbs, qualitative("hbsag"), qualitative("anti_hbc")
    )


def stored_code(status: HbvStatus | None) -> str:
    """The code stored for a status (``invalid_records`` for records that contradict each other)."""
    return str(status) if status is not None else UNKNOWN_STATUS


def refresh_statuses(session: Session | Connection, worker_ids: Iterable[int] | None = None) -> int:
    """Derive the status spells of ``worker_ids`` (None: every worker) from their records and
    store them in place of the old ones; returns the number of spells written.

    The session event calls it for what a flush changed; bulk inserts of doses or results (demo
    data) call it themselves. No permission check and no audit event: it only mirrors records
    whose writer checked and audited them, in the writer's transaction."""
    if isinstance(session, Session):
        session.flush()
        connection = session.connection()
    else:
        connection = session
    records: dict[int, _Records] = {}
    if worker_ids is None:
        records = _records(connection, None, None)
        connection.execute(delete(WorkerHbvStatus))
    else:
        ids = sorted(set(worker_ids))
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            records.update(_records(connection, chunk, None))
            connection.execute(delete(WorkerHbvStatus).where(WorkerHbvStatus.worker_id.in_(chunk)))
    rows = [
        {
            "worker_id": worker_id,
            "status": stored_code(spell.status),
            "valid_from": spell.start,
            "valid_to": spell.end,
        }
        for worker_id, found in records.items()
        for spell in _spells(found)
    ]
    if rows:
        connection.execute(insert(WorkerHbvStatus), rows)
    return len(rows)


def stored_spells(session: Session, worker_id: int) -> tuple[StatusSpell, ...]:
    """The spells stored for one worker, oldest first (``invalid_records`` as status None)."""
    rows = session.execute(
        select(WorkerHbvStatus.status, WorkerHbvStatus.valid_from, WorkerHbvStatus.valid_to)
        .where(WorkerHbvStatus.worker_id == worker_id)
        .order_by(WorkerHbvStatus.valid_from)
    )
    return tuple(
        StatusSpell(None if code == UNKNOWN_STATUS else HbvStatus(code), start, end)
        for code, start, end in rows
    )


def derived_spells(session: Session, worker_id: int) -> tuple[StatusSpell, ...]:
    """The spells the worker's records give now (what :func:`stored_spells` must equal)."""
    return _spells(_records(session, [worker_id], None).get(worker_id, _Records()))


@event.listens_for(Session, "before_flush")
def _note_touched_workers(session: Session, _context: UOWTransaction, _instances: object) -> None:
    """Remember whose doses or results this flush adds, changes or deletes (a changed
    ``worker_id`` concerns the worker it had too)."""
    touched: set[int] = session.info.setdefault(_TOUCHED, set())
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, HbvVaccineDose | SerologyResult):
            history = get_history(row, "worker_id")
            touched.update(w for w in (*history.deleted, row.worker_id) if w is not None)


@event.listens_for(Session, "after_flush")
def _store_touched_workers(session: Session, _context: UOWTransaction) -> None:
    """Rewrite the stored status of the workers the flush concerned, in its transaction."""
    touched = session.info.pop(_TOUCHED, None)
    if touched:
        refresh_statuses(session.connection(), touched)


# -- reading ----------------------------------------------------------------------------------


def immunity_status(
    session: Session, actor: Actor, worker_id: int, *, on: dt.date | None = None
) -> ImmunityStatus:
    """The worker's derived HBV status and baseline results (the worker page's immunity box)."""
    actor.require(Permission.VIEW_SEROSTATUS)
    _worker(session, worker_id)
    return status_for(session, worker_id, on=on)


def history(session: Session, actor: Actor, worker_id: int) -> ImmunisationHistory:
    """Every dose and result of the worker, oldest first, with the derived status."""
    actor.require(Permission.VIEW_SEROSTATUS)
    _worker(session, worker_id)
    doses = session.scalars(
        select(HbvVaccineDose)
        .where(HbvVaccineDose.worker_id == worker_id)
        .order_by(HbvVaccineDose.given_on, HbvVaccineDose.id)
    ).all()
    results = session.scalars(
        select(SerologyResult)
        .where(SerologyResult.worker_id == worker_id)
        .order_by(SerologyResult.tested_on, SerologyResult.id)
    ).all()
    return ImmunisationHistory(
        worker_id,
        tuple(_dose_row(d) for d in doses),
        tuple(_serology_row(r) for r in results),
        status_for(session, worker_id),
    )


def coverage(session: Session, actor: Actor, *, on: dt.date | None = None) -> Coverage:
    """Share of staff with documented immunity (responders) on ``on`` (default today), by job
    category and by department, with the count of each status: one grouped query over the
    stored status spells. Staff are the workers active now and hired by ``on``; a worker
    without a spell covering ``on`` was unvaccinated that day."""
    actor.require(Permission.VIEW_REPORTS)
    from hospital_osh.domain.codes import JOB_CATEGORIES

    on = _today(on)
    spell = WorkerHbvStatus
    status = func.coalesce(spell.status, str(HbvStatus.UNVACCINATED))
    groups = (Worker.job_category, Department.code, Department.name_zh, Department.name_en, status)
    rows = session.execute(
        select(*groups, func.count(Worker.id))
        .outerjoin(Department, Worker.department_id == Department.id)
        .outerjoin(
            spell,
            and_(
                spell.worker_id == Worker.id,
                spell.valid_from <= on,
                or_(spell.valid_to.is_(None), spell.valid_to > on),
            ),
        )
        .where(*staff_on(on))
        .group_by(*groups)
    ).all()

    def empty() -> dict[str, int]:
        return dict.fromkeys([*(str(s) for s in HbvStatus), UNKNOWN_STATUS], 0)

    total = empty()
    jobs: dict[str, dict[str, int]] = defaultdict(empty)
    departments: dict[str, dict[str, int]] = defaultdict(empty)
    department_names: dict[str, tuple[str, str]] = {}
    for job, code, name_zh, name_en, key, count in rows:
        key = key if key in total else UNKNOWN_STATUS
        total[key] += count
        jobs[job][key] += count
        department = code or ""
        departments[department][key] += count
        department_names[department] = (name_zh or "", name_en or "")

    def row(key: str, zh: str, en: str, counts: dict[str, int]) -> CoverageRow:
        return CoverageRow(
            key, zh, en, sum(counts.values()), counts[HbvStatus.RESPONDER], dict(counts)
        )

    by_job = tuple(
        row(code, "", _(JOB_CATEGORIES.label(code)), jobs[code])
        for code in JOB_CATEGORIES.codes
        if code in jobs
    )
    by_department = tuple(
        row(code, *department_names[code], departments[code]) for code in sorted(departments)
    )
    return Coverage(on, row("total", "", "", total), by_job, by_department)


def staff_on(day: dt.date) -> list[Any]:
    """Conditions for the staff of ``day``: active now and hired on or before it (the roster
    keeps no leaving date, so a worker who has left counts on no day)."""
    return [Worker.active.is_(True), or_(Worker.hire_date.is_(None), Worker.hire_date <= day)]


def immune_counts(session: Session, *days: dt.date) -> tuple[tuple[int, int], ...]:
    """(staff, documented responders) on each of ``days`` (as :func:`coverage` counts them):
    the dashboard's tile and its value at the end of the previous period. Two queries whatever
    the number of days: staff from the roster, responders from the responder spells alone
    (a covering index), so neither derives nor joins every worker. No permission check."""
    spell = WorkerHbvStatus

    def hired(day: dt.date) -> Any:
        return or_(Worker.hire_date.is_(None), Worker.hire_date <= day)

    def total(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    staff = session.execute(
        select(*(total(hired(day)) for day in days)).where(Worker.active.is_(True))
    ).one()
    immune = session.execute(
        select(
            *(
                total(
                    and_(
                        spell.valid_from <= day,
                        or_(spell.valid_to.is_(None), spell.valid_to > day),
                        hired(day),
                    )
                )
                for day in days
            )
        )
        .join(Worker, Worker.id == spell.worker_id)
        .where(
            spell.status == str(HbvStatus.RESPONDER),
            spell.valid_from <= max(days),
            Worker.active.is_(True),
        )
    ).one()
    return tuple((int(n), int(m)) for n, m in zip(staff, immune, strict=True))


# -- writing ----------------------------------------------------------------------------------


def _existing_doses(session: Session, worker_id: int) -> list[VaccineDose]:
    rows = session.scalars(select(HbvVaccineDose).where(HbvVaccineDose.worker_id == worker_id))
    return [_domain_dose(r) for r in rows]


def validate_dose(
    session: Session, worker_id: int, dose: DoseInput, today: dt.date | None = None
) -> dict[str, str]:
    """Per-field errors for adding ``dose`` to the worker's record (empty when it may be saved)."""
    errors: dict[str, str] = {}
    if dose.given_on is None:
        return {"given_on": _("Enter the date of the dose.")}
    if len(dose.product) > 120:
        errors["product"] = _("At most 120 characters.")
    elif problem := text_problem(dose.product):
        errors["product"] = problem
    new = _domain_dose(dose)
    issues = immunity.validate_dose(new, _today(today))
    issues += [
        i
        for i in immunity.validate_history([*_existing_doses(session, worker_id), new], [])
        if i.severity is Severity.ERROR
    ]
    return issue_messages(issues) | errors


def record_dose(
    session: Session,
    actor: Actor,
    worker_id: int,
    dose: DoseInput,
    *,
    exposure_id: int | None = None,
    today: dt.date | None = None,
) -> DoseRow:
    """Add one vaccine dose; refused if it contradicts the record (same dose twice, out of order,
    in the future)."""
    actor.require(Permission.MANAGE_POST_EXPOSURE)
    _worker(session, worker_id)
    dose = DoseInput(**{**dose.__dict__, "product": dose.product.strip()})
    errors = validate_dose(session, worker_id, dose, today)
    if errors:
        raise ValidationError(errors)
    row = HbvVaccineDose(
        worker_id=worker_id,
        given_on=dose.given_on,
        series=dose.series,
        dose_number=dose.dose_number,
        doses_in_series=dose.doses_in_series,
        product=dose.product,
        dose_ug=dose.dose_ug,
        exposure_id=exposure_id,
        recorded_by=actor.username,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        ENTITY_DOSE,
        row.id,
        audit.created({"worker_id": worker_id, **dose.__dict__, "exposure_id": exposure_id}),
    )
    return _dose_row(row)


def validate_serology(entry: SerologyInput, today: dt.date | None = None) -> dict[str, str]:
    """Per-field errors: anti-HBs needs a plausible value (negative or absurd values are refused),
    the other tests a qualitative result; no future dates."""
    errors: dict[str, str] = {}
    if entry.test not in SEROLOGY_TESTS:
        return {"test": _("Choose a test from the list.")}
    if entry.tested_on is None:
        errors["tested_on"] = _("Enter the test date.")
    elif entry.tested_on > _today(today):
        errors["tested_on"] = _("The test date is in the future.")
    if entry.test == "anti_hbs":
        value = entry.value
        if value is None or (isinstance(value, float) and math.isnan(value)):
            errors["value"] = _("Enter the anti-HBs value in mIU/mL.")
        else:
            issues = immunity.validate_anti_hbs(AntiHbsResult(dt.date.min, float(value)))
            messages = issue_messages(issues)
            if messages:
                errors["value"] = " ".join(messages.values())
    elif entry.result not in QUALITATIVE_RESULTS:
        errors["result"] = _("Choose the result: positive, negative or indeterminate.")
    return errors


def record_serology(
    session: Session,
    actor: Actor,
    worker_id: int,
    entry: SerologyInput,
    *,
    followup_id: int | None = None,
    today: dt.date | None = None,
) -> SerologyRow:
    """Add one of the worker's own results (anti-HBs, HBsAg, anti-HBc, anti-HCV, HIV)."""
    actor.require(Permission.MANAGE_POST_EXPOSURE)
    _worker(session, worker_id)
    errors = validate_serology(entry, today)
    if errors:
        raise ValidationError(errors)
    row = _add_serology(session, actor, worker_id, entry, followup_id)
    audit.record(
        session,
        actor,
        "create",
        ENTITY_SEROLOGY,
        row.id,
        audit.created({"worker_id": worker_id, **entry.__dict__, "followup_id": followup_id}),
    )
    return _serology_row(row)


def _add_serology(
    session: Session,
    actor: Actor,
    worker_id: int,
    entry: SerologyInput,
    followup_id: int | None,
) -> SerologyResult:
    """Insert without an audit event: for callers that audit the whole operation themselves."""
    anti_hbs = entry.test == "anti_hbs"
    row = SerologyResult(
        worker_id=worker_id,
        test=entry.test,
        tested_on=entry.tested_on,
        value=float(entry.value) if anti_hbs and entry.value is not None else None,
        result=None if anti_hbs else entry.result,
        followup_id=followup_id,
        recorded_by=actor.username,
    )
    session.add(row)
    session.flush()
    return row


def delete_dose(session: Session, actor: Actor, dose_id: int, reason: str) -> None:
    """Remove a dose entered by mistake; the reason goes into the audit trail."""
    actor.require(Permission.MANAGE_POST_EXPOSURE)
    row = session.get(HbvVaccineDose, dose_id)
    if row is None:
        raise NotFound(_("The record no longer exists."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the record is removed.")})
    before = {"worker_id": row.worker_id, **_dose_row(row).__dict__}
    session.delete(row)
    session.flush()
    changes = {k: [audit._plain(v), None] for k, v in before.items()}
    changes["reason"] = [None, reason.strip()]
    audit.record(session, actor, "delete", ENTITY_DOSE, dose_id, changes)


def delete_serology(session: Session, actor: Actor, result_id: int, reason: str) -> None:
    """Remove a result entered by mistake; the reason goes into the audit trail."""
    actor.require(Permission.MANAGE_POST_EXPOSURE)
    row = session.get(SerologyResult, result_id)
    if row is None:
        raise NotFound(_("The record no longer exists."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the record is removed.")})
    before = _serology_row(row).__dict__
    session.delete(row)
    session.flush()
    changes = {k: [audit._plain(v), None] for k, v in before.items()}
    changes["reason"] = [None, reason.strip()]
    audit.record(session, actor, "delete", ENTITY_SEROLOGY, result_id, changes)
