"""Concurrency: two application processes writing to one database at once see no "database is
locked" and lose no write; two users editing the same record get a clear Conflict, never a silent
overwrite (on SQLite and, in CI, on PostgreSQL).

The two-process test runs for OSH_CONCURRENCY_SECONDS (default 5) seconds; run it for a full
minute with ``OSH_CONCURRENCY_SECONDS=60 python -m pytest tests/reliability/test_concurrency.py``.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from hospital_osh.models import AuditEvent, Exposure, Worker
from hospital_osh.services import exposures, hospital
from hospital_osh.services.context import SYSTEM
from hospital_osh.services.database import Database
from hospital_osh.services.errors import Conflict
from tests.conftest import ADMIN, POSTGRES_URL
from tests.integration.exposure_data import complete_sharps, setup_hospital
from tests.reliability.helpers import start_child

SECONDS = float(os.environ.get("OSH_CONCURRENCY_SECONDS", "5"))
CONFLICT = "Someone else changed this record"


def _target(database: Database) -> str:
    if database.path is not None:
        return str(database.path)
    return database.url.render_as_string(hide_password=False)


def _count(database: Database, column: object) -> int:
    with database.session() as session:
        return session.scalar(select(func.count(column))) or 0  # type: ignore[arg-type]


def test_two_processes_writing_at_once_lose_nothing(database: Database) -> None:
    place = setup_hospital(database, ADMIN)
    events_before = _count(database, AuditEvent.id)
    children = [
        start_child(
            "tests.reliability.concurrency_child",
            _target(database),
            SECONDS,
            tag,
            place.icu,
            place.nurse,
        )
        for tag in ("A", "B")
    ]
    results = []
    for child in children:
        out, err = child.communicate(timeout=SECONDS + 120)
        assert child.returncode == 0, err
        results.append(json.loads(out.splitlines()[-1]))

    for result in results:
        assert result["errors"] == [], result["errors"][:5]  # no "database is locked", nothing
        assert len(result["created"]) >= 10, "a process hardly wrote: the test proves little"
    created = [staff_no for r in results for staff_no in r["created"]]
    references = [ref for r in results for ref in r["references"]]
    edits = sum(r["edits"] for r in results)
    with database.session() as session:
        stored = set(session.scalars(select(Worker.staff_no)))
        shared = session.get(Worker, place.nurse)
        stored_references = list(session.scalars(select(Exposure.reference)))
    assert set(created) <= stored  # every committed write is there
    assert len(stored) == len(created) + 2  # and nothing else (the two workers set up first)
    assert shared is not None and shared.version == 1 + edits  # no edit of the shared row lost
    assert sorted(stored_references) == sorted(references)
    assert len(set(references)) == len(references)  # reference numbers unique across processes
    if database.is_sqlite:  # writes queue (BEGIN IMMEDIATE): a read-then-write never goes stale
        assert sum(r["conflicts"] for r in results) == 0
    print(  # shown with -s: what the two processes managed together
        f"{len(created)} workers, {edits} edits of one shared row, {len(references)} reports "
        f"in {SECONDS:g} s; conflicts {sum(r['conflicts'] for r in results)}"
    )
    expected_events = len(created) + edits + len(references)
    assert _count(database, AuditEvent.id) - events_before == expected_events


# -- two users, one record ------------------------------------------------------------------------


def test_two_users_editing_one_exposure(database: Database) -> None:
    place = setup_hospital(database, ADMIN)
    with database.transaction() as session:
        saved = exposures.record_exposure(session, ADMIN, complete_sharps(place)).exposure
    assert saved.id is not None
    with database.session() as session:
        first = exposures.get_exposure(session, ADMIN, saved.id)
        second = exposures.get_exposure(session, ADMIN, saved.id)
    with database.transaction() as session:
        exposures.update_exposure(session, ADMIN, replace(first, device_brand="First"))
    with pytest.raises(Conflict, match=CONFLICT), database.transaction() as session:
        exposures.update_exposure(session, ADMIN, replace(second, device_brand="Second"))
    with database.session() as session:
        assert exposures.get_exposure(session, ADMIN, saved.id).device_brand == "First"


def test_two_users_editing_the_hospital_profile(database: Database) -> None:
    with database.transaction() as session:
        created = hospital.save_profile(
            session, ADMIN, hospital.HospitalProfile("示范医院", "Demo", "F-1"), bootstrap=True
        )
    with database.transaction() as session:
        hospital.save_profile(session, ADMIN, replace(created, city="Wuhan"))
    with pytest.raises(Conflict, match=CONFLICT), database.transaction() as session:
        hospital.save_profile(session, ADMIN, replace(created, city="Beijing"))
    with database.session() as session:
        profile = hospital.get_profile(session)
    assert profile is not None and profile.city == "Wuhan"


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="set HOSPITAL_OSH_TEST_POSTGRES_URL")
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_an_exposure_save_racing_past_the_version_check_gets_a_conflict(
    database: Database,
) -> None:
    """B has loaded the record inside its own transaction when A commits: B's UPDATE finds
    another version in the database and is refused (the service's own check cannot see it)."""
    place = setup_hospital(database, ADMIN)
    with database.transaction() as session:
        saved = exposures.record_exposure(session, ADMIN, complete_sharps(place)).exposure
    assert saved.id is not None
    with pytest.raises(Conflict, match=CONFLICT), database.transaction() as session_b:
        loaded_by_b = exposures.get_exposure(session_b, SYSTEM, saved.id)
        with database.transaction() as session_a:
            exposures.update_exposure(session_a, ADMIN, replace(loaded_by_b, device_brand="A"))
        exposures.update_exposure(session_b, ADMIN, replace(loaded_by_b, device_brand="B"))
    with database.session() as session:
        assert exposures.get_exposure(session, ADMIN, saved.id).device_brand == "A"
