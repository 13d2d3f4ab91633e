"""A shared PostgreSQL database: clients refuse a database that is behind and say what to run,
``hospital-osh db upgrade`` migrates it, and two workstations saving the same record get a
conflict rather than a silent overwrite (the conflict tests also run on SQLite).

The PostgreSQL tests need HOSPITAL_OSH_TEST_POSTGRES_URL (``.ci/run`` sets it). They work in a
schema of their own, so the shared test database the ``database`` fixture uses is left alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL

from hospital_osh.cli import main
from hospital_osh.services import hospital, workers
from hospital_osh.services.context import SYSTEM
from hospital_osh.services.database import Database, open_database
from hospital_osh.services.errors import Conflict, DatabaseProblem
from tests.conftest import POSTGRES_URL, postgres_schema

needs_postgres = pytest.mark.skipif(
    not POSTGRES_URL, reason="set HOSPITAL_OSH_TEST_POSTGRES_URL to run PostgreSQL tests"
)


def _revisions() -> list[str]:
    """Every revision, oldest first."""
    from alembic.script import ScriptDirectory

    from hospital_osh.services.database import _alembic_config

    script = ScriptDirectory.from_config(_alembic_config(None))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


@pytest.fixture
def pg_schema_url() -> Iterator[URL]:
    """The test server's URL with a fresh, empty schema first on the search path."""
    assert POSTGRES_URL
    with postgres_schema(POSTGRES_URL) as url:
        yield url


def _url_text(url: URL) -> str:
    return url.render_as_string(hide_password=False)


@pytest.mark.postgres
@needs_postgres
@pytest.mark.parametrize("revision", [None, *_revisions()[:-1]], ids=lambda r: r or "empty")
def test_a_database_behind_is_refused_with_the_command_to_run(
    pg_schema_url: URL, revision: str | None
) -> None:
    if revision is not None:
        database = Database(pg_schema_url)
        database.upgrade(revision)
        database.dispose()
    with pytest.raises(DatabaseProblem, match="'hospital-osh db upgrade'"):
        open_database(_url_text(pg_schema_url))
    database = Database(pg_schema_url)
    try:
        assert database.migration_state().current == revision  # refusing changed nothing
    finally:
        database.dispose()


@pytest.mark.postgres
@needs_postgres
def test_db_upgrade_migrates_a_shared_database(
    pg_schema_url: URL, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _url_text(pg_schema_url)
    assert main(["--db", url, "db", "status"]) == 1
    assert main(["--db", url, "db", "upgrade"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["--db", url, "db", "status"]) == 0
    database = open_database(url)  # no longer refused
    try:
        state = database.migration_state()
        assert state.up_to_date
        with database.engine.connect() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar()
            tables = connection.execute(
                text("SELECT count(*) FROM pg_tables WHERE schemaname = :s"), {"s": schema}
            ).scalar()
        assert schema.startswith("osh_test_") and tables and tables > 3
    finally:
        database.dispose()
    assert main(["--db", url, "check"]) == 0


def _new_worker(database: Database) -> workers.WorkerInfo:
    with database.transaction() as session:
        return workers.create_worker(
            session, SYSTEM, workers.WorkerInfo(staff_no="N-0001", name="Li Na")
        )


def test_the_second_save_of_a_stale_worker_gets_a_conflict(database: Database) -> None:
    """Two workstations open the same worker; both save; the second is told, not obeyed."""
    created = _new_worker(database)
    assert created.id is not None
    with database.session() as session:
        first = workers.get_worker(session, SYSTEM, created.id)
    with database.session() as session:
        second = workers.get_worker(session, SYSTEM, created.id)
    with database.transaction() as session:
        saved = workers.update_worker(session, SYSTEM, replace(first, name="Li Na (ward 3)"))
    assert saved.version == first.version + 1  # type: ignore[operator]
    stale = replace(second, name="Wang Fang")
    with pytest.raises(Conflict, match="Someone else changed"), database.transaction() as session:
        workers.update_worker(session, SYSTEM, stale)
    with database.session() as session:
        stored = workers.get_worker(session, SYSTEM, created.id)
    assert (stored.name, stored.version) == ("Li Na (ward 3)", saved.version)


def test_the_second_save_of_a_stale_department_gets_a_conflict(database: Database) -> None:
    with database.transaction() as session:
        created = hospital.save_department(
            session, SYSTEM, hospital.DepartmentInfo("ICU1", "重症医学科", "ICU", "icu")
        )
    with database.transaction() as session:
        saved = hospital.save_department(session, SYSTEM, replace(created, name_en="Intensive"))
    with pytest.raises(Conflict), database.transaction() as session:
        hospital.save_department(session, SYSTEM, replace(created, name_en="Critical care"))
    with database.session() as session:
        (stored,) = hospital.list_departments(session)
    assert (stored.name_en, stored.version) == ("Intensive", saved.version)


@pytest.mark.postgres
@needs_postgres
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_a_save_racing_past_the_version_check_still_gets_a_conflict(
    database: Database,
) -> None:
    """Workstation B has loaded the row in its transaction when A commits a change: B's UPDATE
    finds another version. (PostgreSQL only: on SQLite, B's write transaction would make A wait.)
    """
    created = _new_worker(database)
    assert created.id is not None
    with pytest.raises(Conflict), database.transaction() as session_b:
        loaded_by_b = workers.get_worker(session_b, SYSTEM, created.id)
        with database.transaction() as session_a:
            workers.update_worker(session_a, SYSTEM, replace(loaded_by_b, name="A's change"))
        # B's session still holds version 1, so the service's own check passes.
        workers.update_worker(session_b, SYSTEM, replace(loaded_by_b, name="B's change"))
    with database.session() as session:
        assert workers.get_worker(session, SYSTEM, created.id).name == "A's change"
