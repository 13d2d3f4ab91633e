"""Demo post-exposure data: immunisation histories, assessments, follow-ups in every state, PEP
courses, outcomes and notifications, inserted in bulk and deterministic by seed and day.

Coverage varies by job category (nurses and doctors ~85-90% documented responders, outsourced
cleaners, porters and caregivers far fewer), as Chinese hospital series suggest. Each exposure's
proposal comes from the hospital's protocol through the domain; identical inputs are assessed
once and the schedule shifted to the exposure's date, and every row goes in through the driver
(``_insert``), so 100k exposures stay fast. Follow-up states follow the case: closed cases have
every item done (a few cancelled or missed), lost cases stop part-way, open cases have past items
mostly done, current ones due, later ones planned. As in a working OSH office, cases still under
follow-up a year on are mostly closed or lost by now, and overdue items get chased or recorded as
missed, so what is overdue fell due in recent months. A few closed cases are seroconversions,
each with its notification.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, Date, DateTime, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from hospital_osh.domain.clock import DEFAULT_TIME_ZONE
from hospital_osh.domain.immunity import HbvStatus
from hospital_osh.domain.post_exposure import ExposureInputs, assess
from hospital_osh.domain.protocol_vocab import PepLevel
from hospital_osh.models import (
    CaseOutcome,
    DiseaseNotification,
    Exposure,
    FollowUp,
    HbvVaccineDose,
    PepCourseRecord,
    PostExposureAssessment,
    Prophylaxis,
    SerologyResult,
    Worker,
)
from hospital_osh.services import immunisation
from hospital_osh.services import post_exposure as pe
from hospital_osh.services.context import SYSTEM
from hospital_osh.services.demo_exposures import _sqlite_value

BATCH = 5000
INSERT_CACHE_KIB = 256 * 1024  # SQLite page cache while inserting (the default is 2 MiB)
# Share of each job category that is a documented responder, and that has no complete series.
_COVERAGE = {
    "doctor": (0.88, 0.05),
    "nurse": (0.90, 0.04),
    "midwife": (0.87, 0.05),
    "lab_technician": (0.86, 0.06),
    "dentist": (0.85, 0.06),
    "imaging_technician": (0.78, 0.10),
    "pharmacist": (0.75, 0.12),
    "student_intern": (0.80, 0.08),
    "other": (0.70, 0.18),
    "porter": (0.62, 0.25),
    "caregiver": (0.58, 0.28),
    "cleaner": (0.60, 0.27),
}
_INFECTED = 0.015  # HBsAg-positive staff (lower than the adult population's ~6%)
_PRODUCTS = (
    "重组乙型肝炎疫苗（酿酒酵母）20µg",
    "重组乙型肝炎疫苗（汉逊酵母）20µg",
    "Engerix-B 20µg",
)
_REGIMENS = ("TDF/FTC + DTG", "TDF/FTC + RAL", "BIC/FTC/TAF")


@dataclass(frozen=True)
class _Immunity:
    """When a worker's status changed: series complete, first anti-HBs after it, infected."""

    complete_on: dt.date | None
    tested_on: dt.date | None
    responder: bool
    second_series_on: dt.date | None  # non-responders: date of the test after series 2
    infected: bool

    def status(self, day: dt.date) -> str:
        if self.infected:
            return HbvStatus.INFECTED
        if self.complete_on is None or day < self.complete_on:
            return HbvStatus.UNVACCINATED
        if self.tested_on is None or day < self.tested_on:
            return HbvStatus.VACCINATED_RESPONSE_UNKNOWN
        if self.responder:
            return HbvStatus.RESPONDER
        if self.second_series_on is not None and day >= self.second_series_on:
            return HbvStatus.NON_RESPONDER
        return HbvStatus.VACCINATED_RESPONSE_UNKNOWN


def _months(day: dt.date, months: int) -> dt.date:
    return day + dt.timedelta(days=30 * months)


def _series(
    rng: random.Random, worker_id: int, start: dt.date, series: int, product: str, stamp: Any
) -> list[dict[str, Any]]:
    return [
        {
            "worker_id": worker_id,
            "given_on": _months(start, offset) + dt.timedelta(days=rng.randint(0, 6)),
            "series": series,
            "dose_number": number,
            "doses_in_series": 3,
            "product": product,
            "dose_ug": 20.0,
            "exposure_id": None,
            "recorded_by": SYSTEM.username,
            "recorded_at": stamp,
        }
        for number, offset in ((1, 0), (2, 1), (3, 6))
    ]


def _immunisation(
    rng: random.Random,
    workers: Sequence[Any],
    today: dt.date,
    doses: list[dict[str, Any]],
    results: list[dict[str, Any]],
) -> dict[int, _Immunity]:
    """Draw every worker's history; append the rows; return when each status began."""
    found: dict[int, _Immunity] = {}
    stamp = dt.datetime.combine(today, dt.time())
    for worker_id, job, hire in workers:
        responder_share, none_share = _COVERAGE.get(job, (0.7, 0.15))
        start_floor = (hire or today) - dt.timedelta(days=365 * 3)
        draw = rng.random()
        product = rng.choice(_PRODUCTS)

        def result(
            day: dt.date,
            test: str,
            value: float | None,
            outcome: str | None,
            worker_id: int = worker_id,
        ) -> None:
            results.append(
                {
                    "worker_id": worker_id,
                    "test": test,
                    "tested_on": min(day, today),
                    "value": value,
                    "result": outcome,
                    "followup_id": None,
                    "recorded_by": SYSTEM.username,
                    "recorded_at": stamp,
                }
            )

        if rng.random() < _INFECTED:
            result(hire or today, "hbsag", None, "positive")
            found[worker_id] = _Immunity(None, None, False, None, True)
            continue
        if draw < none_share:
            if rng.random() < 0.4:  # an incomplete series
                part = _series(rng, worker_id, start_floor, 1, product, stamp)[: rng.randint(1, 2)]
                doses.extend(d for d in part if d["given_on"] <= today)
            found[worker_id] = _Immunity(None, None, False, None, False)
            continue
        span = max((today - start_floor).days - 260, 1)
        start = start_floor + dt.timedelta(days=rng.randint(0, span))
        first = _series(rng, worker_id, start, 1, product, stamp)
        if first[-1]["given_on"] > today:
            first = [d for d in first if d["given_on"] <= today]
            doses.extend(first)
            found[worker_id] = _Immunity(None, None, False, None, False)
            continue
        doses.extend(first)
        complete = first[-1]["given_on"]
        if draw < none_share + responder_share:
            tested = complete + dt.timedelta(days=rng.randint(30, 90))
            if tested <= today:
                result(tested, "anti_hbs", round(10 ** rng.uniform(1.2, 3.2), 1), None)
                if rng.random() < 0.5:
                    result(tested, "anti_hcv", None, "negative")
                found[worker_id] = _Immunity(complete, tested, True, None, False)
            else:
                found[worker_id] = _Immunity(complete, None, False, None, False)
            continue
        if rng.random() < 0.35:  # tested low: some go on to a second series
            tested = complete + dt.timedelta(days=rng.randint(30, 90))
            if tested > today:
                found[worker_id] = _Immunity(complete, None, False, None, False)
                continue
            result(tested, "anti_hbs", round(rng.uniform(0, 9.5), 1), None)
            second_start = tested + dt.timedelta(days=rng.randint(14, 60))
            second = _series(rng, worker_id, second_start, 2, product, stamp)
            if second[-1]["given_on"] + dt.timedelta(days=60) <= today:
                doses.extend(second)
                retest = second[-1]["given_on"] + dt.timedelta(days=rng.randint(30, 60))
                responded = rng.random() < 0.5
                value = round(10 ** rng.uniform(1.1, 2.5), 1) if responded else 3.0
                result(retest, "hbsag", None, "negative")
                result(retest, "anti_hbs", value, None)
                found[worker_id] = _Immunity(
                    complete,
                    retest if responded else tested,
                    responded,
                    None if responded else retest,
                    False,
                )
                continue
            found[worker_id] = _Immunity(complete, tested, False, None, False)
            continue
        found[worker_id] = _Immunity(complete, None, False, None, False)  # never tested
    return found


# -- exposures ------------------------------------------------------------------------------


# Stands in the JSON of a plan for the one value that differs per exposure (the time of the
# assessment in the snapshot, of the exposure in the inputs): serialised once per plan, the text
# only has the time put in, byte for byte what ``json.dumps`` of the full values would give.
_MARK = "\u2063time\u2063"


@dataclass(frozen=True)
class _Plan:
    """A proposal reduced to what does not depend on the date: offsets, bases, and the JSON of
    the snapshot and of the inputs with ``_MARK`` where the time goes."""

    items: tuple[tuple[str, int | None, int, int, int, str, bool], ...]
    snapshot_json: str
    pep_level: str | None
    inputs_json: str


def _plan(inputs: ExposureInputs, protocol: Any, alternative: Any) -> _Plan:
    proposal = assess(inputs, protocol, inputs.occurred_at, alternative=alternative)
    d0 = inputs.occurred_at.date()
    tests, pep_keys = pe._schedule(proposal, protocol, d0, None)
    items = tuple(
        (
            str(t.code),
            t.dose,
            (t.due - d0).days,
            (t.window_start - d0).days,
            (t.window_end - d0).days,
            pe._basis_json(t),
            pe._plan_key(t, d0) in pep_keys,
        )
        for t in tests
    )
    snapshot = dict(json.loads(pe._snapshot(proposal, tests, d0)), assessed_at=_MARK)
    values = dict(dataclasses.asdict(inputs), occurred_at=_MARK)
    return _Plan(
        items,
        json.dumps(snapshot, sort_keys=True, ensure_ascii=False),
        str(proposal.hiv.pep) if proposal.hiv else None,
        json.dumps(values, sort_keys=True, ensure_ascii=False),
    )


def _uuid(rng: random.Random) -> str:
    """A version-4 UUID drawn from ``rng`` (deterministic by seed)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


# Cases still under follow-up a year after the exposure: most are settled by then (all tests
# done, or the worker lost); the rest stay open. Shares of (closed, lost) among them.
OLD_CASE_DAYS = 365
OLD_CASE_SETTLED = (0.80, 0.12)
# Of the items past their window in an open case, the share still open just after it closed,
# and the days in which that share halves (the office chases them or records them as missed).
OVERDUE_SHARE = 0.16
OVERDUE_HALF_LIFE = 45


def _settled(rng: random.Random, row: Any, today: dt.date) -> tuple[str, str]:
    """(status, outcome) of the case: an old case still under follow-up is mostly closed now
    (a record still incomplete cannot be closed and stays as it is)."""
    if row.status != "under_follow_up" or row.incomplete:
        return row.status, row.outcome
    if (today - row.occurred_at.date()).days <= OLD_CASE_DAYS:
        return row.status, row.outcome
    draw = rng.random()
    closed, lost = OLD_CASE_SETTLED
    if draw < closed:
        return "closed", "no_seroconversion"
    if draw < closed + lost:
        return "lost_to_follow_up", "lost_to_follow_up"
    return row.status, row.outcome


def _inputs(row: Any, hbv: str, occurred_at: dt.datetime) -> ExposureInputs:
    identified = row.source_identified == "yes"

    def result(value: str | None) -> str:
        return value if identified and value in ("positive", "negative") else "unknown"

    load = row.source_hiv_viral_load
    fluid = row.fluid_type
    return ExposureInputs(
        exposure_type=row.exposure_type,
        occurred_at=occurred_at,
        clean_unused_sharp=row.exposure_type == "percutaneous" and row.device_contaminated == "no",
        infectious_fluid=not (
            row.exposure_type in ("mucous_membrane", "non_intact_skin")
            and fluid in pe.NON_INFECTIOUS_FLUIDS
            and row.fluid_visibly_bloody != "yes"
        ),
        source_identified=identified,
        source_hbsag=result(row.source_hbsag),
        source_hbeag=result(row.source_hbeag),
        source_anti_hcv=result(row.source_anti_hcv),
        source_hcv_rna=result(row.source_hcv_rna),
        source_hiv=result(row.source_hiv),
        source_hiv_viral_load=(
            "unknown" if load is None or not identified else "positive" if load > 0 else "negative"
        ),
        worker_hbv_status=hbv,
        china_exposure_level=row.china_grade,
        china_source_grade=row.china_source_grade,
    )


# A few open cases were assessed before the source's HBsAg came back: their assessment is
# outdated (the record holds an input the protocol did not decide on) until someone re-assesses.
# Chosen by id, so no draw of the generator shifts the rest of the demo.
LATE_SOURCE_RESULT_PERCENT = 3


def _assessed_before_source_result(row: Any, inputs: ExposureInputs, today: dt.date) -> bool:
    return (
        row.status == "under_follow_up"
        and (today - row.occurred_at.date()).days <= OLD_CASE_DAYS  # stays open (_settled)
        and inputs.source_hbsag != "unknown"
        and (row.id * 2654435761) % 100 < LATE_SOURCE_RESULT_PERCENT
    )


def _required_columns(model: Any) -> set[str]:
    """Columns an INSERT must name when the ORM's Python-side defaults do not run."""
    return {
        c.name
        for c in model.__table__.columns
        if not c.nullable and not c.primary_key and c.server_default is None
    }


def _insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert through the driver, as ``demo_exposures._bulk_insert`` does for exposures: the
    ORM's per-row processing would take most of the demo's time at a million follow-ups.
    SQLite gets ``executemany`` with values as SQLAlchemy's SQLite types store them, PostgreSQL
    COPY, any other backend Core's ``insert``."""
    if not rows:
        return
    table = model.__table__
    columns = list(rows[0])
    missing = _required_columns(model) - set(columns)
    assert not missing and set(columns) <= set(table.columns.keys()), (missing, columns)
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name not in {"sqlite", "postgresql"}:
        for start in range(0, len(rows), BATCH):
            session.execute(insert(model), rows[start : start + BATCH])
        return
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if dialect.name == "postgresql":
            with cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[c] for c in columns])
            return
        marks = ", ".join("?" * len(columns))
        statement = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"
        # Column by column, converting only dates, times and booleans: a call per value would
        # cost as much as the insert itself.
        typed = {c for c in columns if isinstance(table.c[c].type, Date | DateTime | Boolean)}
        cursor.execute("PRAGMA cache_size")
        (cache,) = cursor.fetchall()[0]
        # A large page cache while inserting: the random UUIDs' index pages stay in memory.
        cursor.execute(f"PRAGMA cache_size = {-INSERT_CACHE_KIB}")
        try:
            for start in range(0, len(rows), BATCH):
                batch = rows[start : start + BATCH]
                values = [
                    [_sqlite_value(r[c]) for r in batch] if c in typed else [r[c] for r in batch]
                    for c in columns
                ]
                cursor.executemany(statement, list(zip(*values, strict=True)))
        finally:
            cursor.execute(f"PRAGMA cache_size = {int(cache)}")
    finally:
        cursor.close()


_SEROCONVERSION_TEST = {
    "hbv_seroconversion": ("hbsag", "hbv"),
    "hcv_seroconversion": ("hcv_rna", "hcv"),
    "hiv_seroconversion": ("hiv_ag_ab", "hiv"),
}
_SOURCE_FOR = {
    "hbv_seroconversion": "source_hbsag",
    "hcv_seroconversion": "source_anti_hcv",
    "hiv_seroconversion": "source_hiv",
}
_NOTIFIED = {
    "hbv": ("work_injury_claim", "示范市人力资源和社会保障局 工伤认定科"),
    "hcv": ("work_injury_claim", "示范市人力资源和社会保障局 工伤认定科"),
    "hiv": ("occupational_disease_report", "示范市疾病预防控制中心 职业卫生科"),
}


def _ensure_seroconversions(session: Session, rng: random.Random, wanted: int) -> None:
    """At least ``wanted`` closed cases end in a seroconversion with a fitting positive source
    (the demo needs a few to show notifications; real rates are far lower)."""
    have = session.scalar(
        select(Exposure.id).where(Exposure.outcome.in_(tuple(_SEROCONVERSION_TEST))).limit(1)
    )
    if have is not None:
        return
    for outcome in list(_SEROCONVERSION_TEST)[:wanted]:
        column = getattr(Exposure, _SOURCE_FOR[outcome])
        candidates = session.scalars(
            select(Exposure.id)
            .where(
                Exposure.status == "closed",
                Exposure.outcome == "no_seroconversion",
                column == "positive",
            )
            .order_by(Exposure.id)
        ).all()
        if candidates:
            chosen = rng.choice(list(candidates))
            session.execute(update(Exposure).where(Exposure.id == chosen).values(outcome=outcome))


def generate(session: Session, rng: random.Random, today: dt.date) -> dict[str, int]:
    """Add immunisation histories for every worker and post-exposure records for every
    exposure already in the database; return the counts (for the demo's audit event)."""
    zone = ZoneInfo(DEFAULT_TIME_ZONE)
    workers = session.execute(
        select(Worker.id, Worker.job_category, Worker.hire_date).order_by(Worker.id)
    ).all()
    doses: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    immunity = _immunisation(rng, workers, today, doses, results)
    _insert(session, HbvVaccineDose, doses)
    _insert(session, SerologyResult, results)
    immunisation.refresh_statuses(session)  # the stored status (bulk inserts bypass the event)
    if session.scalar(select(Exposure.id).limit(1)) is not None:
        _ensure_seroconversions(session, rng, 3)
    protocol, alternative = pe.hospital_protocol(session)
    counts = _exposures(session, rng, today, zone, immunity, protocol, alternative)
    return {"vaccine_doses": len(doses), "serology_results": len(results), **counts}


def _exposures(
    session: Session,
    rng: random.Random,
    today: dt.date,
    zone: ZoneInfo,
    immunity: dict[int, _Immunity],
    protocol: Any,
    alternative: Any,
) -> dict[str, int]:
    rows = session.execute(
        select(
            Exposure.id,
            Exposure.worker_id,
            Exposure.occurred_at,
            Exposure.status,
            Exposure.outcome,
            Exposure.exposure_type,
            Exposure.device_contaminated,
            Exposure.fluid_type,
            Exposure.fluid_visibly_bloody,
            Exposure.source_identified,
            Exposure.source_hbsag,
            Exposure.source_hbeag,
            Exposure.source_anti_hcv,
            Exposure.source_hcv_rna,
            Exposure.source_hiv,
            Exposure.source_hiv_viral_load,
            Exposure.china_grade,
            Exposure.china_source_grade,
            Exposure.incomplete,
        )
        .where(Exposure.status.not_in(("reported", "under_assessment")))
        .order_by(Exposure.id)
    ).all()
    plans: dict[ExposureInputs, _Plan] = {}
    epoch = dt.datetime(2000, 1, 1, tzinfo=zone)
    assessments: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    prophylaxis: list[dict[str, Any]] = []
    courses: list[dict[str, Any]] = []
    outcomes: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    closed: list[dict[str, Any]] = []
    latest_close = dt.datetime.combine(today, dt.time()) - dt.timedelta(hours=8)
    for row in rows:
        d0 = row.occurred_at.date()
        record = immunity.get(row.worker_id) if row.worker_id is not None else None
        hbv = record.status(d0) if record else HbvStatus.UNVACCINATED
        key = _inputs(row, hbv, epoch)  # the plan does not depend on the date: shifted below
        if _assessed_before_source_result(row, key, today):
            key = dataclasses.replace(key, source_hbsag="unknown")
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = _plan(key, protocol, alternative)
        stamp = row.occurred_at - dt.timedelta(hours=8) + dt.timedelta(hours=rng.uniform(1, 6))
        status, outcome = _settled(rng, row, today)
        if status != row.status:
            closed.append(
                {"b_id": row.id, "b_status": status, "b_outcome": outcome, "b_at": latest_close}
            )
        utc_start = (row.occurred_at - dt.timedelta(hours=8)).isoformat() + "+00:00"
        assessments.append(
            {
                "uuid": _uuid(rng),
                "exposure_id": row.id,
                "protocol_id": protocol.id,
                "protocol_version": protocol.version,
                "worker_hbv_status": str(hbv),
                "worker_anti_hbs": None,
                "pep_level": plan.pep_level,
                "inputs": plan.inputs_json.replace(_MARK, utc_start),
                "proposal": plan.snapshot_json.replace(_MARK, stamp.isoformat()),
                "assessed_by": SYSTEM.username,
                "assessed_at": stamp,
                "version": 1,
            }
        )
        pep_given = _pep(rng, row, plan, prophylaxis, courses, today)
        seroconverted = _SEROCONVERSION_TEST.get(row.outcome)
        serotest_done = False
        for code, dose, due, start, end, basis, pep_item in plan.items:
            if pep_item and not pep_given:
                continue
            window_start = d0 + dt.timedelta(days=start)
            window_end = d0 + dt.timedelta(days=end)
            state, reason, done = _state(rng, status, window_start, window_end, today)
            if seroconverted and code == seroconverted[0] and due >= 42 and not serotest_done:
                state, reason, done = "done", "", min(window_end, today)
            result = value = None
            if state == "done":
                if code == "anti_hbs":
                    value = round(10 ** rng.uniform(0.5, 3), 1)
                elif code in ("hbsag", "anti_hbc", "anti_hcv", "hcv_rna", "hiv_ag_ab"):
                    result = "negative"
                    if (
                        seroconverted
                        and code == seroconverted[0]
                        and due >= 42
                        and not serotest_done
                    ):
                        result, serotest_done = "positive", True
                        _seroconversion(row, done, seroconverted[1], notifications, outcomes)
                if code in ("hbig", "hbv_vaccine") and done is not None:
                    prophylaxis.append(
                        _given(row.id, code, dose, dt.datetime.combine(done, dt.time(10, 0)))
                    )
            items.append(
                {
                    "uuid": _uuid(rng),
                    "exposure_id": row.id,
                    "plan_key": f"{code}:{dose or 0}:{due}",
                    "code": code,
                    "dose": dose,
                    "pep_item": pep_item,
                    "due_date": d0 + dt.timedelta(days=due),
                    "window_start": window_start,
                    "window_end": window_end,
                    "basis": basis,
                    "state": state,
                    "state_reason": reason,
                    "done_date": done,
                    "result": result,
                    "result_value": value,
                    "note": "",
                    "created_at": stamp,
                    "updated_at": stamp,
                    "version": 1,
                }
            )
        if seroconverted and not serotest_done:
            day = min(d0 + dt.timedelta(days=90), today)
            _seroconversion(row, day, seroconverted[1], notifications, outcomes)
        elif status in ("closed", "lost_to_follow_up") and not seroconverted:
            outcomes.append(
                {
                    "exposure_id": row.id,
                    "outcome": outcome,
                    "seroconversion_date": None,
                    "note": "",
                    "closed_by": SYSTEM.username,
                    "closed_at": min(stamp + dt.timedelta(days=200), latest_close),
                }
            )
    if closed:
        table = cast(Table, Exposure.__table__)
        session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(
                status=bindparam("b_status"),
                outcome=bindparam("b_outcome"),
                updated_at=bindparam("b_at"),
                version=table.c.version + 1,
            ),
            closed,
        )
    _insert(session, PostExposureAssessment, assessments)
    _insert(session, FollowUp, items)
    _insert(session, Prophylaxis, prophylaxis)
    _insert(session, PepCourseRecord, courses)
    _insert(session, CaseOutcome, outcomes)
    _insert(session, DiseaseNotification, notifications)
    return {
        "assessments": len(assessments),
        "followups": len(items),
        "pep_courses": len(courses),
        "notifications": len(notifications),
        "old_cases_closed": len(closed),
    }


def _state(
    rng: random.Random, status: str, start: dt.date, end: dt.date, today: dt.date
) -> tuple[str, str, dt.date | None]:
    """(state, reason, done date) of one item, fitting the case's status and today."""

    def done() -> tuple[str, str, dt.date | None]:
        span = (end - start).days
        day = start + dt.timedelta(days=rng.randint(0, max(span, 0)))
        return "done", "", min(day, today)

    if status == "closed":
        draw = rng.random()
        if draw < 0.03:
            return "cancelled", "按感染科医生意见，该项检测无需进行。", None
        if draw < 0.05:
            return "missed", "员工未按时复查，已电话提醒。", None
        return done()
    if status == "lost_to_follow_up":
        if start > today or rng.random() < 0.5:
            return "missed", "员工离职，失访。", None
        return done()
    if start > today:
        return "open", "", None  # planned
    if end >= today:
        return done() if rng.random() < 0.4 else ("open", "", None)  # due
    draw = rng.random()
    if draw < 0.80:
        return done()
    # Overdue items are chased: the share still open halves every OVERDUE_HALF_LIFE days after
    # the window closed, the rest are recorded as missed; old backlogs stay small.
    lag = (today - end).days
    if draw < 0.80 + OVERDUE_SHARE * 0.5 ** (lag / OVERDUE_HALF_LIFE):
        return "open", "", None  # overdue
    return "missed", "员工未按时复查，已电话提醒。", None


def _given(exposure_id: int, kind: str, dose: int | None, at: dt.datetime) -> dict[str, Any]:
    return {
        "exposure_id": exposure_id,
        "kind": kind,
        "decision": "given",
        "dose_number": dose,
        "given_at": at,
        "product": "",
        "reason": "",
        "recorded_by": SYSTEM.username,
        "recorded_at": at - dt.timedelta(hours=8),
    }


def _pep(
    rng: random.Random,
    row: Any,
    plan: _Plan,
    prophylaxis: list[dict[str, Any]],
    courses: list[dict[str, Any]],
    today: dt.date,
) -> bool:
    """HIV PEP for exposures where it is recommended or offered: mostly taken, some declined."""
    if plan.pep_level not in (PepLevel.RECOMMENDED, PepLevel.OFFER):
        return False
    if rng.random() < 0.2:
        prophylaxis.append(
            {
                **_given(row.id, "hiv_pep", None, row.occurred_at),
                "decision": "declined",
                "given_at": None,
                "reason": "员工知情后拒绝服药。",
            }
        )
        return False
    started = row.occurred_at + dt.timedelta(hours=rng.lognormvariate(0.5, 0.8))
    elapsed = (today - started.date()).days + 1
    draw = rng.random()
    days: int | None
    stop: str | None
    if elapsed < 28:
        days, stop = max(elapsed - 1, 0), None
    elif draw < 0.72:
        days, stop = 28, None
    else:
        days = rng.randint(3, 20)
        stop = rng.choice(("source_negative", "side_effects", "refusal", "lost_to_follow_up"))
    effects = rng.sample(("恶心", "乏力", "头痛", "腹泻"), rng.choice((0, 0, 1, 2)))
    regimen = rng.choice(_REGIMENS)
    prophylaxis.append({**_given(row.id, "hiv_pep", None, started), "product": regimen})
    courses.append(
        {
            "exposure_id": row.id,
            "regimen": regimen,
            "started_at": started.replace(microsecond=0),
            "course_days": 28,
            "days_taken": days,
            "stop_reason": stop,
            "side_effects": "\n".join(effects),
            "late_reason": ""
            if (started - row.occurred_at).total_seconds() <= 72 * 3600
            else "延迟报告",
            "recorded_by": SYSTEM.username,
            "updated_at": started - dt.timedelta(hours=8),
            "version": 1,
        }
    )
    return True


def _seroconversion(
    row: Any,
    day: dt.date | None,
    pathogen: str,
    notifications: list[dict[str, Any]],
    outcomes: list[dict[str, Any]],
) -> None:
    assert day is not None
    kind, party = _NOTIFIED[pathogen]
    notifications.append(
        {
            "exposure_id": row.id,
            "notification_type": kind,
            "pathogen": pathogen,
            "notified_party": party,
            "notified_on": day + dt.timedelta(days=3),
            "case_number": f"ZYB-{day.year}-{row.id:04d}",
            "note": "",
            "recorded_by": SYSTEM.username,
            "recorded_at": dt.datetime.combine(day + dt.timedelta(days=3), dt.time(2, 0)),
        }
    )
    outcomes.append(
        {
            "exposure_id": row.id,
            "outcome": row.outcome,
            "seroconversion_date": day,
            "note": "",
            "closed_by": SYSTEM.username,
            "closed_at": dt.datetime.combine(day + dt.timedelta(days=30), dt.time(2, 0)),
        }
    )
