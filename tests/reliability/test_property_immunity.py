"""The stored hepatitis B status (``worker_hbv_status`` spells) always equals the derivation.

The property, on SQLite and PostgreSQL alike: after any sequence of writes to two workers'
records (doses and results recorded through the service, refused or not; doses written behind
the validation, which makes contradicting records; deletions; edits of a date; a result moved
to the other worker; a follow-up result entered and undone), the spells stored for each worker
are those its records give now, and on every day of interest the stored status is what
``immunisation.status_for(on=day)`` derives. Coverage and the dashboard read only the spells, so
this is what makes their figures right.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from hospital_osh.domain.immunity import HbvStatus, StatusSpell, spell_on
from hospital_osh.models import FollowUp, HbvVaccineDose, SerologyResult, WorkerHbvStatus
from hospital_osh.services import followups
from hospital_osh.services import immunisation as im
from hospital_osh.services import post_exposure as pe
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.errors import ValidationError
from hospital_osh.services.followups import ResultEntry
from tests.integration.pe_data import ASSESSED, Place, add_exposure, source
from tests.integration.pe_data import hospital as setup

TODAY = dt.date(2026, 1, 1)
DAYS = tuple(
    dt.date.fromisoformat(d)
    for d in (
        "2019-03-01",
        "2019-04-01",
        "2019-09-01",
        "2019-10-15",
        "2020-02-01",
        "2020-03-01",
        "2020-09-01",
        "2021-01-10",
    )
)
PROBES = sorted({*DAYS, *(d - dt.timedelta(days=1) for d in DAYS), TODAY, dt.date(2030, 1, 1)})
EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

days = st.sampled_from(DAYS)
who = st.integers(0, 1)
operations = st.one_of(
    st.tuples(st.just("series"), who, st.integers(0, len(DAYS) - 3), st.integers(1, 2)),
    st.tuples(st.just("series"), who, st.integers(0, len(DAYS) - 3), st.integers(1, 2)),
    st.tuples(
        st.just("dose"), who, days, st.integers(1, 2), st.integers(1, 3), st.sampled_from([2, 3])
    ),
    st.tuples(st.just("raw_dose"), who, days, st.integers(1, 2), st.integers(1, 3)),
    st.tuples(st.just("anti_hbs"), who, days, st.sampled_from([0.0, 4.0, 9.99, 10.0, 80.0])),
    st.tuples(
        st.just("qualitative"),
        who,
        days,
        st.sampled_from(["hbsag", "anti_hbc", "anti_hcv"]),
        st.sampled_from(["positive", "negative", "indeterminate"]),
    ),
    st.tuples(st.just("delete_dose"), who, st.integers(0, 5)),
    st.tuples(st.just("delete_result"), who, st.integers(0, 5)),
    st.tuples(st.just("redate_dose"), who, st.integers(0, 5), days),
    st.tuples(st.just("move_result"), who, st.integers(0, 5)),
)


def _nth(session: Any, model: Any, worker: int, index: int) -> Any:
    rows = session.scalars(select(model).where(model.worker_id == worker).order_by(model.id)).all()
    return rows[index % len(rows)] if rows else None


def _apply(database: Database, admin: Actor, workers: tuple[int, int], op: tuple) -> None:  # type: ignore[type-arg]
    kind, worker = op[0], workers[op[1]]
    try:
        with database.transaction() as session:
            if kind == "series":  # three doses on consecutive days of DAYS
                _, _, first, series = op
                for number in (1, 2, 3):
                    dose = im.DoseInput(DAYS[first + number - 1], number, series=series)
                    im.record_dose(session, admin, worker, dose, today=TODAY)
            elif kind == "dose":
                _, _, day, series, number, length = op
                dose = im.DoseInput(day, number, series=series, doses_in_series=length)
                im.record_dose(session, admin, worker, dose, today=TODAY)
            elif kind == "raw_dose":  # behind the validation: may contradict the record
                _, _, day, series, number = op
                session.add(
                    HbvVaccineDose(
                        worker_id=worker,
                        given_on=day,
                        series=series,
                        dose_number=number,
                        doses_in_series=3,
                        recorded_by="test",
                    )
                )
            elif kind == "anti_hbs":
                entry = im.SerologyInput("anti_hbs", op[2], value=op[3])
                im.record_serology(session, admin, worker, entry, today=TODAY)
            elif kind == "qualitative":
                entry = im.SerologyInput(op[3], op[2], result=op[4])
                im.record_serology(session, admin, worker, entry, today=TODAY)
            elif kind == "delete_dose":
                if row := _nth(session, HbvVaccineDose, worker, op[2]):
                    im.delete_dose(session, admin, row.id, "entered twice")
            elif kind == "delete_result":
                if row := _nth(session, SerologyResult, worker, op[2]):
                    im.delete_serology(session, admin, row.id, "wrong worker")
            elif kind == "redate_dose":  # an edit: the date of a dose corrected in place
                if row := _nth(session, HbvVaccineDose, worker, op[2]):
                    row.given_on = op[3]
            elif kind == "move_result" and (row := _nth(session, SerologyResult, worker, op[2])):
                row.worker_id = workers[1 - op[1]]  # an edit that concerns two workers
    except ValidationError:
        pass  # refused: nothing written, and the stored status must not have moved either


def _assert_stored_is_derived(database: Database, workers: tuple[int, int]) -> None:
    with database.session() as session:
        for worker in workers:
            stored = im.stored_spells(session, worker)
            assert stored == im.derived_spells(session, worker)
            for day in PROBES:
                spell = spell_on(stored, day)
                shown = im.stored_code(spell.status) if spell else str(HbvStatus.UNVACCINATED)
                derived = im.status_for(session, worker, on=day).status or im.UNKNOWN_STATUS
                assert shown == derived, (worker, day)


@pytest.fixture
def place(database: Database, admin: Actor) -> Place:
    return setup(database, admin)


@EXAMPLES
@given(history=st.lists(operations, max_size=14))
def test_stored_status_equals_the_derivation_after_every_write(
    database: Database,
    admin: Actor,
    place: Place,
    history: list[tuple],  # type: ignore[type-arg]
) -> None:
    workers = (place.nurse, place.doctor)
    with database.transaction() as session:  # each example starts from empty records
        for model in (SerologyResult, HbvVaccineDose, WorkerHbvStatus):
            session.execute(delete(model))
    for op in history:
        _apply(database, admin, workers, op)
        _assert_stored_is_derived(database, workers)


def test_a_follow_up_result_joins_the_stored_status_and_leaves_it_when_undone(
    database: Database, admin: Actor, place: Place
) -> None:
    """The follow-up service writes the worker's own result (and deletes it on reopening)
    without calling the immunisation service's writers: the stored status follows anyway."""
    for number, day in ((1, "2025-01-06"), (2, "2025-02-05"), (3, "2025-08-05")):
        with database.transaction() as session:
            dose = im.DoseInput(dt.date.fromisoformat(day), number)
            im.record_dose(session, admin, place.nurse, dose, today=TODAY)
    exposure = add_exposure(database, admin, place, **source(source_hiv="positive"))
    with database.transaction() as session:
        pe.assess_exposure(session, admin, exposure, now=ASSESSED)
        item = session.scalar(
            select(FollowUp).where(FollowUp.exposure_id == exposure, FollowUp.code == "anti_hbs")
        )
        assert item is not None
        item_id = item.id
    today = dt.date(2026, 3, 10)
    with database.transaction() as session:
        entry = ResultEntry(dt.date(2026, 3, 9), value=60.0)
        followups.enter_result(session, admin, item_id, entry, today=today)
    with database.session() as session:
        stored = im.stored_spells(session, place.nurse)
        assert stored == im.derived_spells(session, place.nurse)
        assert stored[-1].status is HbvStatus.RESPONDER
        assert stored[-1].start == dt.date(2026, 3, 9) and stored[-1].end is None
    with database.transaction() as session:
        followups.reopen(session, admin, item_id, "entered for the wrong case")
    with database.session() as session:
        stored = im.stored_spells(session, place.nurse)
        assert [s.status for s in stored] == [HbvStatus.VACCINATED_RESPONSE_UNKNOWN]


def test_bulk_refresh_rebuilds_every_worker_s_spells(
    database: Database, admin: Actor, place: Place
) -> None:
    """What the demo and the migration do after inserting records behind the session."""
    with database.transaction() as session:
        for number, day in ((1, DAYS[0]), (2, DAYS[1]), (3, DAYS[2])):
            session.execute(
                HbvVaccineDose.__table__.insert().values(
                    worker_id=place.doctor,
                    given_on=day,
                    series=1,
                    dose_number=number,
                    doses_in_series=3,
                    product="",
                    recorded_by="bulk",
                )
            )
        assert im.stored_spells(session, place.doctor) == ()  # behind the session's back
        assert im.refresh_statuses(session) == 1
        spells = im.stored_spells(session, place.doctor)
    assert spells == (StatusSpell(HbvStatus.VACCINATED_RESPONSE_UNKNOWN, DAYS[2]),)


def test_a_result_moved_to_another_worker_changes_both(
    database: Database, admin: Actor, place: Place
) -> None:
    workers = (place.nurse, place.doctor)
    for op in [
        *(("dose", 0, day, 1, number, 3) for number, day in enumerate(DAYS[:3], start=1)),
        ("anti_hbs", 0, DAYS[4], 80.0),
        ("move_result", 0, 0),
    ]:
        _apply(database, admin, workers, op)
    with database.session() as session:
        nurse, doctor = (im.stored_spells(session, w) for w in workers)
    assert [s.status for s in nurse] == [HbvStatus.VACCINATED_RESPONSE_UNKNOWN]
    assert doctor == ()  # a result without a complete series leaves the doctor unvaccinated
    _assert_stored_is_derived(database, workers)
