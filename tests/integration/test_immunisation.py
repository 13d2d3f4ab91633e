"""Immunisation records: validation of doses and anti-HBs, the derived status, coverage by job
category and department, permissions and audit events."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from hospital_osh.domain.roles import Role
from hospital_osh.models import AuditEvent
from hospital_osh.services import immunisation as im
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.errors import PermissionDenied, ValidationError
from tests.conftest import actor
from tests.integration.pe_data import Place
from tests.integration.pe_data import hospital as setup

D = dt.date.fromisoformat
TODAY = D("2026-03-10")


@pytest.fixture
def place(database: Database, admin: Actor) -> Place:
    return setup(database, admin)


def series(database: Database, admin: Actor, worker: int, start: str, number: int = 1) -> None:
    first = D(start)
    with database.transaction() as session:
        for dose, months in ((1, 0), (2, 1), (3, 6)):
            im.record_dose(
                session,
                admin,
                worker,
                im.DoseInput(first + dt.timedelta(days=30 * months), dose, series=number),
                today=TODAY,
            )


def anti_hbs(database: Database, admin: Actor, worker: int, day: str, value: float) -> None:
    with database.transaction() as session:
        im.record_serology(
            session, admin, worker, im.SerologyInput("anti_hbs", D(day), value=value), today=TODAY
        )


def status(database: Database, admin: Actor, worker: int) -> im.ImmunityStatus:
    with database.session() as session:
        return im.immunity_status(session, admin, worker)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1.0, "Anti-HBs cannot be negative or missing."),
        (250_000.0, "Anti-HBs above 100000 mIU/mL is not plausible: check the value and unit."),
        (None, "Enter the anti-HBs value in mIU/mL."),
        (float("nan"), "Enter the anti-HBs value in mIU/mL."),
    ],
)
def test_negative_or_absurd_anti_hbs_is_refused(
    database: Database, admin: Actor, place: Place, value: float | None, message: str
) -> None:
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        im.record_serology(
            session,
            admin,
            place.nurse,
            im.SerologyInput("anti_hbs", D("2026-01-05"), value=value),
            today=TODAY,
        )
    assert error.value.fields == {"value": message}


def test_other_results_need_a_qualitative_answer_and_no_future_date(
    database: Database, admin: Actor, place: Place
) -> None:
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        im.record_serology(
            session, admin, place.nurse, im.SerologyInput("hbsag", D("2026-04-01")), today=TODAY
        )
    assert set(error.value.fields) == {"tested_on", "result"}


def test_dose_validation(database: Database, admin: Actor, place: Place) -> None:
    series(database, admin, place.nurse, "2020-01-01")
    cases = [
        (im.DoseInput(D("2020-01-05"), 2), "dose_number"),  # dose 2 twice in series 1
        (im.DoseInput(D("2020-01-05"), 4), "dose_number"),  # no dose 4 in a 3-dose series
        (im.DoseInput(D("2027-01-05"), 1, series=2), "given_on"),  # in the future
        (im.DoseInput(None, 1, series=2), "given_on"),
    ]
    for dose, name in cases:
        with database.transaction() as session, pytest.raises(ValidationError) as error:
            im.record_dose(session, admin, place.nurse, dose, today=TODAY)
        assert name in error.value.fields


def test_derived_status_follows_the_record(database: Database, admin: Actor, place: Place) -> None:
    worker = place.nurse
    assert status(database, admin, worker).status == "unvaccinated"
    series(database, admin, worker, "2020-01-01")
    found = status(database, admin, worker)
    assert found.status == "vaccinated_response_unknown" and found.complete_series == 1
    anti_hbs(database, admin, worker, "2020-09-01", 4.0)
    assert status(database, admin, worker).status == "vaccinated_response_unknown"
    series(database, admin, worker, "2021-01-01", number=2)
    anti_hbs(database, admin, worker, "2021-09-01", 5.0)
    found = status(database, admin, worker)
    assert found.status == "non_responder" and found.latest_anti_hbs == 5.0
    anti_hbs(database, admin, worker, "2022-01-10", 48.0)
    found = status(database, admin, worker)
    assert found.status == "responder" and found.immune
    assert found.reason == "Anti-HBs 48.0 mIU/mL on 2022-01-10, after a complete series."
    with database.transaction() as session:
        im.record_serology(
            session,
            admin,
            place.doctor,
            im.SerologyInput("hbsag", D("2025-01-01"), result="positive"),
            today=TODAY,
        )
    assert status(database, admin, place.doctor).status == "infected"
    with database.session() as session:
        history = im.history(session, admin, worker)
    assert len(history.doses) == 6 and len(history.serology) == 3


def test_coverage_by_job_category_and_department(
    database: Database, admin: Actor, place: Place
) -> None:
    series(database, admin, place.nurse, "2020-01-01")
    anti_hbs(database, admin, place.nurse, "2020-09-01", 120.0)
    with database.session() as session:
        coverage = im.coverage(session, admin, on=TODAY)
        earlier = im.coverage(session, admin, on=D("2020-08-01"))
    assert (coverage.total.staff, coverage.total.immune, coverage.total.share) == (2, 1, 0.5)
    jobs = {row.key: row for row in coverage.by_job_category}
    assert jobs["nurse"].share == 1.0 and jobs["doctor"].share == 0.0
    assert jobs["doctor"].by_status["unvaccinated"] == 1
    departments = {row.key: row for row in coverage.by_department}
    assert departments["ICU"].immune == 1 and departments["SUR"].immune == 0
    assert departments["ICU"].label_en == "Intensive care"
    assert earlier.total.immune == 0  # the result came later
    assert earlier.total.by_status["vaccinated_response_unknown"] == 1


@pytest.mark.parametrize(
    ("role", "may_write", "may_read", "may_see_coverage"),
    [
        (Role.OSH_OFFICER, True, True, True),
        (Role.COMMITTEE_MEMBER, False, False, True),
        (Role.VIEWER, False, False, True),
        (Role.REPORTER, False, False, False),
    ],
)
def test_permissions(
    database: Database,
    place: Place,
    role: str,
    may_write: bool,
    may_read: bool,
    may_see_coverage: bool,
) -> None:
    who = actor(role)
    dose = im.DoseInput(D("2024-01-01"), 1)
    with database.transaction() as session:
        if may_write:
            im.record_dose(session, who, place.nurse, dose, today=TODAY)
        else:
            with pytest.raises(PermissionDenied):
                im.record_dose(session, who, place.nurse, dose, today=TODAY)
    with database.session() as session:
        for allowed, call in (
            (may_read, lambda: im.immunity_status(session, who, place.nurse)),
            (may_read, lambda: im.history(session, who, place.nurse)),
            (may_see_coverage, lambda: im.coverage(session, who)),
        ):
            if allowed:
                call()
            else:
                with pytest.raises(PermissionDenied):
                    call()


def test_writes_are_audited(database: Database, admin: Actor, place: Place) -> None:
    series(database, admin, place.nurse, "2020-01-01")
    anti_hbs(database, admin, place.nurse, "2020-09-01", 120.0)
    with database.session() as session:
        history = im.history(session, admin, place.nurse)
    with database.transaction() as session:
        im.delete_dose(session, admin, history.doses[0].id, "录入错误")
    with database.transaction() as session, pytest.raises(ValidationError):
        im.delete_serology(session, admin, history.serology[0].id, " ")
    with database.session() as session:
        rows = session.execute(
            select(AuditEvent.entity, AuditEvent.action, func.count(AuditEvent.id))
            .where(AuditEvent.entity.in_(("hbv_vaccine_dose", "serology_result")))
            .group_by(AuditEvent.entity, AuditEvent.action)
        ).all()
    assert sorted(tuple(r) for r in rows) == [
        ("hbv_vaccine_dose", "create", 3),
        ("hbv_vaccine_dose", "delete", 1),
        ("serology_result", "create", 1),
    ]
