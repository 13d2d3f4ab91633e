"""Demo post-exposure data: coverage by job, follow-ups in every state (overdue relative to the
demo's day), old cases settled and overdue items recent, PEP courses, seroconversions with
notifications, rows inserted through the driver read back as the ORM's, determinism."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import func, select, text

from hospital_osh.models import (
    CaseOutcome,
    DiseaseNotification,
    Exposure,
    FollowUp,
    PepCourseRecord,
    PostExposureAssessment,
)
from hospital_osh.services import followups, immunisation
from hospital_osh.services.context import SYSTEM
from hospital_osh.services.database import Database
from hospital_osh.services.demo import build

TODAY = dt.date(2026, 3, 10)


@pytest.fixture
def demo(database: Database) -> Database:
    build(database, seed=3, staff=300, records=400, today=TODAY)
    return database


def test_coverage_is_realistic_and_varies_by_job(demo: Database) -> None:
    with demo.session() as session:
        coverage = immunisation.coverage(session, SYSTEM, on=TODAY)
    assert coverage.total.share is not None and 0.70 <= coverage.total.share <= 0.92
    jobs = {row.key: row.share for row in coverage.by_job_category}
    assert jobs["nurse"] > jobs["cleaner"] and jobs["doctor"] > jobs["caregiver"]
    statuses = coverage.total.by_status
    assert all(
        statuses[s] > 0 for s in ("responder", "unvaccinated", "vaccinated_response_unknown")
    )


def test_followups_in_every_state(demo: Database) -> None:
    with demo.session() as session:
        rows = followups.list_followups(
            session, SYSTEM, followups.FollowupFilter(scope="all"), today=TODAY, limit=100_000
        )
        assessed = session.scalar(select(func.count(PostExposureAssessment.id)))
        awaiting = session.scalar(
            select(func.count(Exposure.id)).where(
                Exposure.status.not_in(("reported", "under_assessment"))
            )
        )
    assert assessed == awaiting and assessed
    found = Counter(r.status for r in rows)
    assert set(found) == {"planned", "due", "overdue", "done", "missed", "cancelled"}
    assert found["done"] > found["overdue"] > 0


def test_closed_cases_have_no_open_items_and_seroconversions_are_notified(demo: Database) -> None:
    with demo.session() as session:
        open_in_closed = session.scalar(
            select(func.count(FollowUp.id))
            .join(Exposure, FollowUp.exposure_id == Exposure.id)
            .where(Exposure.status.in_(("closed", "lost_to_follow_up")), FollowUp.state == "open")
        )
        seroconverted = session.scalars(
            select(Exposure.id)
            .where(Exposure.outcome.like("%_seroconversion"))
            .where(Exposure.outcome != "no_seroconversion")
        ).all()
        notified = set(session.scalars(select(DiseaseNotification.exposure_id)))
        outcomes = session.scalar(select(func.count(CaseOutcome.id)))
        closed = session.scalar(
            select(func.count(Exposure.id)).where(
                Exposure.status.in_(("closed", "lost_to_follow_up"))
            )
        )
        courses = session.scalar(select(func.count(PepCourseRecord.id)))
    assert open_in_closed == 0
    assert 1 <= len(seroconverted) <= 5 and set(seroconverted) <= notified
    assert outcomes == closed and courses


def test_same_seed_same_data(database: Database, tmp_path: object) -> None:
    build(database, seed=5, staff=80, records=60, today=TODAY)
    with database.session() as session:
        first = session.execute(
            select(FollowUp.exposure_id, FollowUp.code, FollowUp.due_date, FollowUp.state).order_by(
                FollowUp.id
            )
        ).all()
    from hospital_osh.services.database import Database as Db
    from hospital_osh.services.database import resolve_url

    other = Db(resolve_url(tmp_path / "again.sqlite"))  # type: ignore[operator]
    other.upgrade()
    try:
        build(other, seed=5, staff=80, records=60, today=TODAY)
        with other.session() as session:
            second = session.execute(
                select(
                    FollowUp.exposure_id, FollowUp.code, FollowUp.due_date, FollowUp.state
                ).order_by(FollowUp.id)
            ).all()
    finally:
        other.dispose()
    assert first == second and first


def test_old_cases_are_settled_and_overdue_items_are_recent(demo: Database) -> None:
    """A year after the exposure nearly every case is closed or lost; what is still overdue
    fell due in recent months (the office chases overdue tests or records them as missed)."""
    year_ago = dt.datetime.combine(TODAY - dt.timedelta(days=365), dt.time())
    with demo.session() as session:
        old = Counter(
            dict(
                session.execute(
                    select(Exposure.status, func.count(Exposure.id))
                    .where(Exposure.occurred_at < year_ago, Exposure.incomplete.is_(False))
                    .group_by(Exposure.status)
                ).all()
            )
        )
        overdue = followups.list_followups(
            session, SYSTEM, followups.FollowupFilter(scope="overdue"), today=TODAY, limit=10_000
        )
        latest_close = session.scalar(select(func.max(CaseOutcome.closed_at)))
    assert old["closed"] + old["lost_to_follow_up"] > 100
    assert old["under_follow_up"] <= 0.02 * old.total()
    assert len(overdue) >= 5
    lags = sorted((TODAY - row.window_end).days for row in overdue)
    assert sum(lag <= 90 for lag in lags) >= 0.6 * len(lags), lags
    assert sum(lag > 180 for lag in lags) <= 0.05 * len(lags), lags
    assert latest_close is not None and latest_close.date() <= TODAY


def test_bulk_rows_read_back_as_the_orm_writes_them(demo: Database) -> None:
    """The rows inserted through the driver have the types and formats of ORM rows, so the
    SQL filters on dates and flags find them."""
    with demo.session() as session:
        item = session.scalars(select(FollowUp).where(FollowUp.pep_item.is_(True)).limit(1)).one()
        assessment = session.scalars(select(PostExposureAssessment).limit(1)).one()
        in_window = session.scalar(
            select(func.count(FollowUp.id)).where(
                FollowUp.window_start <= TODAY, FollowUp.window_end >= TODAY
            )
        )
        sqlite = session.get_bind().dialect.name == "sqlite"
        cache = session.execute(text("PRAGMA cache_size")).scalar() if sqlite else None
    default_cache = None
    if sqlite:
        with demo.engine.connect() as fresh:  # a new pooled connection has the driver's default
            fresh.invalidate()
        with demo.engine.connect() as fresh:
            default_cache = fresh.exec_driver_sql("PRAGMA cache_size").scalar()
    assert isinstance(item.due_date, dt.date) and item.pep_item is True
    assert isinstance(item.created_at, dt.datetime) and len(item.uuid) == 36
    assert assessment.assessed_at.isoformat() in assessment.proposal  # the time put in the JSON
    assert in_window
    assert cache == default_cache  # the demo's large insert cache is given back
