"""Automatic backups: one online copy a day on start-up, the last ``backup_keep`` kept, manual
and pre-upgrade copies never rotated away, leftovers of a killed backup cleaned; restore checks
the file before it replaces anything (see also tests/integration/test_backup.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hospital_osh.services import backups, settings, workers
from hospital_osh.services.context import SYSTEM
from hospital_osh.services.database import (
    BUSY_TIMEOUT_MS,
    Database,
    backup_file,
    backups_dir,
    connect_raw,
    open_database,
)
from hospital_osh.services.errors import DatabaseProblem
from tests.conftest import POSTGRES_URL
from tests.reliability.helpers import assert_healthy, query

MONDAY = dt.datetime(2026, 3, 2, 8, 0)


@pytest.fixture
def opened(sqlite_path: Path) -> Database:
    database = open_database(sqlite_path)
    with database.transaction() as session:
        workers.create_worker(session, SYSTEM, workers.WorkerInfo(staff_no="N-1", name="Li Na"))
    yield database  # type: ignore[misc]
    database.dispose()


def test_one_copy_a_day_whatever_the_number_of_starts(opened: Database) -> None:
    first = backups.daily_backup_if_due(opened, MONDAY)
    again = backups.daily_backup_if_due(opened, MONDAY + dt.timedelta(hours=9))
    tuesday = backups.daily_backup_if_due(opened, MONDAY + dt.timedelta(days=1))
    assert first.made is not None and again.made is None and tuesday.made is not None
    assert opened.path is not None
    assert backups.automatic_backups(opened.path) == [first.made, tuesday.made]
    assert_healthy(first.made)
    assert query(first.made, "SELECT name FROM worker") == [("Li Na",)]


def test_the_last_backup_keep_copies_are_kept_and_nothing_else_is_touched(
    opened: Database,
) -> None:
    assert opened.path is not None
    with opened.transaction() as session:
        settings.set_setting(session, SYSTEM, "backup_keep", "3")
    manual = backup_file(opened)  # a manual backup and a pre-upgrade copy are never rotated
    pre_upgrade = backup_file(opened, reason="pre-upgrade-0001")
    leftover = backups_dir(opened.path) / f"{opened.path.stem}-daily-20260101.sqlite.partial"
    leftover.write_bytes(b"half a copy, left by a power cut")
    made = [backups.daily_backup_if_due(opened, MONDAY + dt.timedelta(days=n)) for n in range(6)]
    kept = backups.automatic_backups(opened.path)
    assert kept == [m.made for m in made[-3:]]
    assert sum(len(m.removed) for m in made) == 3
    assert manual.exists() and pre_upgrade.exists()
    assert not leftover.exists()


def test_the_daily_copy_is_taken_while_another_workstation_writes(opened: Database) -> None:
    """An open write transaction elsewhere neither blocks the copy nor gets into it."""
    assert opened.path is not None
    writer = connect_raw(opened.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE worker SET name = 'uncommitted'")
        made = backups.daily_backup_if_due(opened, MONDAY).made
        writer.execute("COMMIT")
    finally:
        writer.close()
    assert made is not None
    assert query(made, "SELECT name FROM worker") == [("Li Na",)]
    assert query(opened.path, "SELECT name FROM worker") == [("uncommitted",)]


def test_a_daily_copy_restores(opened: Database) -> None:
    assert opened.path is not None
    made = backups.daily_backup_if_due(opened, MONDAY).made
    assert made is not None
    with opened.transaction() as session:
        workers.create_worker(session, SYSTEM, workers.WorkerInfo(staff_no="N-2", name="Wang"))
    opened.dispose()
    backups.check_restorable(made)
    aside = backups.restore(opened.path, made)
    assert aside is not None
    assert query(opened.path, "SELECT count(*) FROM worker") == [(1,)]
    assert query(aside, "SELECT count(*) FROM worker") == [(2,)]
    assert_healthy(opened.path)


def test_restore_refuses_a_database_at_an_unknown_revision(
    opened: Database, tmp_path: Path
) -> None:
    assert opened.path is not None
    odd = backup_file(opened, tmp_path / "odd.sqlite")
    connection = connect_raw(odd)
    connection.execute("UPDATE alembic_version SET version_num = 'abc123'")
    connection.commit()
    connection.close()
    before = opened.path.read_bytes()
    with pytest.raises(DatabaseProblem, match="newer version"):
        backups.restore(opened.path, odd)
    assert opened.path.read_bytes() == before


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="set HOSPITAL_OSH_TEST_POSTGRES_URL")
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_a_shared_postgresql_database_is_left_to_the_server(database: Database) -> None:
    assert backups.daily_backup_if_due(database) == backups.DailyBackup(None, ())
