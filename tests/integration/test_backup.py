"""Backups and restores of the SQLite database: a restore brings back exactly what was backed
up, keeps the replaced database aside, and refuses a bad file without changing anything; a backup
works while another workstation is in the middle of a write."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from hospital_osh.services import workers
from hospital_osh.services.context import SYSTEM
from hospital_osh.services.database import (
    BUSY_TIMEOUT_MS,
    Database,
    backup_file,
    connect_raw,
    open_database,
    restore_file,
    sqlite_file_problem,
)
from hospital_osh.services.errors import DatabaseProblem


def _add_worker(database: Database, staff_no: str, name: str) -> None:
    with database.transaction() as session:
        workers.create_worker(session, SYSTEM, workers.WorkerInfo(staff_no=staff_no, name=name))


def _names(path: Path) -> list[str]:
    """Workers' names as a fresh reader of ``path`` sees them (WAL included)."""
    connection = connect_raw(path)
    try:
        return [row[0] for row in connection.execute("SELECT name FROM worker ORDER BY staff_no")]
    finally:
        connection.close()


def _fingerprint(folder: Path) -> dict[str, str]:
    """Every file in ``folder`` (not below) with a hash of its content."""
    return {
        item.name: hashlib.sha256(item.read_bytes()).hexdigest()
        for item in sorted(folder.iterdir())
        if item.is_file()
    }


@pytest.fixture
def populated(sqlite_path: Path) -> Path:
    """A migrated database holding one worker; closed, as the command line leaves it."""
    database = open_database(sqlite_path)
    try:
        _add_worker(database, "N-001", "Li Na")
    finally:
        database.dispose()
    return sqlite_path


def test_backup_change_restore_round_trip(populated: Path, tmp_path: Path) -> None:
    database = open_database(populated)
    try:
        backup = backup_file(database, tmp_path / "monday.sqlite")
        _add_worker(database, "N-002", "Wang Fang")
    finally:
        database.dispose()
    assert _names(populated) == ["Li Na", "Wang Fang"]

    aside = restore_file(populated, backup)

    assert _names(populated) == ["Li Na"]
    assert aside is not None and aside.parent == populated.parent
    assert _names(aside) == ["Li Na", "Wang Fang"]  # the replaced database, changes included
    assert sqlite_file_problem(aside, full=True) is None
    leftovers = {p.name for p in populated.parent.iterdir()} - {populated.name, aside.name}
    assert not {n for n in leftovers if n.startswith(populated.name)}  # no -wal, .restoring
    reopened = open_database(populated)  # the application accepts the restored file
    try:
        with reopened.session() as session:
            assert workers.count_workers(session, SYSTEM) == 1
    finally:
        reopened.dispose()


def test_backup_without_a_name_goes_to_the_backups_folder(populated: Path) -> None:
    database = open_database(populated)
    try:
        backup = backup_file(database)
    finally:
        database.dispose()
    assert backup.parent == populated.parent / "backups"
    assert backup.name.startswith(f"{populated.stem}-backup-")
    assert _names(backup) == ["Li Na"]


def _not_a_database(path: Path, good: Path) -> None:
    path.write_text("minutes of the committee meeting\n" * 200)


def _damaged(path: Path, good: Path) -> None:
    data = bytearray(good.read_bytes())
    assert len(data) > 4096 * 6, "the test needs a database of several pages"
    data[4096 * 2 : 4096 * 5] = b"\xff" * (4096 * 3)
    path.write_bytes(bytes(data))


def _truncated(path: Path, good: Path) -> None:
    path.write_bytes(good.read_bytes()[: 4096 * 3 + 100])


def _other_sqlite(path: Path, good: Path) -> None:
    connection = connect_raw(path)
    connection.execute("CREATE TABLE recipe (name TEXT)")
    connection.commit()
    connection.close()


def _newer_version(path: Path, good: Path) -> None:
    shutil.copyfile(good, path)
    connection = connect_raw(path)
    connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    connection.commit()
    connection.close()


@pytest.mark.parametrize(
    ("make_bad_file", "reason"),
    [
        (_not_a_database, "not a hospital_osh database"),
        (_damaged, "damaged"),
        (_truncated, "damaged"),
        (_other_sqlite, "not a hospital_osh database"),
        (_newer_version, "newer version"),
    ],
    ids=["not-a-database", "damaged", "truncated", "other-sqlite", "newer-version"],
)
def test_restore_refuses_a_bad_file_and_changes_nothing(
    populated: Path, tmp_path: Path, make_bad_file: object, reason: str
) -> None:
    good = tmp_path / "good.sqlite"
    database = open_database(populated)
    try:
        backup_file(database, good)
    finally:
        database.dispose()
    bad = tmp_path / "incoming" / "bad.sqlite"
    bad.parent.mkdir()
    make_bad_file(bad, good)  # type: ignore[operator]
    before = _fingerprint(populated.parent)

    with pytest.raises(DatabaseProblem, match=reason) as refused:
        restore_file(populated, bad)

    if reason != "newer version":  # that message speaks of the schema, not of the file
        assert str(bad) in str(refused.value)
    assert _fingerprint(populated.parent) == before
    assert _names(populated) == ["Li Na"]


def test_restore_of_a_missing_file_is_refused(populated: Path, tmp_path: Path) -> None:
    before = _fingerprint(populated.parent)
    with pytest.raises(DatabaseProblem, match="does not exist"):
        restore_file(populated, tmp_path / "nowhere.sqlite")
    assert _fingerprint(populated.parent) == before


def test_online_backup_while_another_connection_is_writing(populated: Path, tmp_path: Path) -> None:
    """Another workstation holds an open write transaction: the backup neither waits for it
    nor copies its uncommitted change."""
    database = open_database(populated)
    writer = connect_raw(populated, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE worker SET name = 'uncommitted' WHERE staff_no = 'N-001'")
        backup = backup_file(database, tmp_path / "online.sqlite")
        writer.execute("COMMIT")
    finally:
        writer.close()
        database.dispose()
    assert sqlite_file_problem(backup, full=True) is None
    assert _names(backup) == ["Li Na"]
    assert _names(populated) == ["uncommitted"]


def test_backup_into_a_missing_folder_leaves_no_file(populated: Path, tmp_path: Path) -> None:
    database = open_database(populated)
    try:
        with pytest.raises(DatabaseProblem, match="does not exist"):
            backup_file(database, tmp_path / "no-such-folder" / "copy.sqlite")
    finally:
        database.dispose()
    assert not (tmp_path / "no-such-folder").exists()
