"""Opening a database is fast at every start (issue 10) and still finds damage.

The rule: a file whose last session ended cleanly (no non-empty ``-wal``) gets a check of
milliseconds (schema and every table's first page); a file left by a crash gets the whole-file
``quick_check``; damage the quick open does not read is found by the daily backup and by
``hospital-osh check``. An up-to-date schema is recognised without importing Alembic.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hospital_osh.migrations import HEAD_REVISION
from hospital_osh.services import backups
from hospital_osh.services import database as dbmod
from hospital_osh.services.database import (
    Database,
    connect_raw,
    integrity_report,
    open_database,
    resolve_url,
)
from hospital_osh.services.errors import DatabaseProblem

ROOT = Path(__file__).resolve().parents[2]


def _python(code: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.fixture
def full_checks(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files ``open_database`` gave the whole-file check, in order."""
    calls: list[Path] = []
    real = dbmod.sqlite_file_problem

    def spy(path: Path, *, full: bool = False) -> str | None:
        calls.append(Path(path))
        return real(path, full=full)

    monkeypatch.setattr(dbmod, "sqlite_file_problem", spy)
    return calls


def _crash_after_writing(path: Path, rows: int = 1) -> None:
    """A process that writes to ``path`` and dies without closing: its WAL stays behind."""
    done = _python(
        "import os\n"
        "from pathlib import Path\n"
        "from hospital_osh.services.database import connect_raw\n"
        f"c = connect_raw(Path({str(path)!r}), isolation_level=None)\n"
        "c.execute('PRAGMA journal_mode = WAL')\n"
        "c.execute('CREATE TABLE IF NOT EXISTS note (body TEXT)')\n"
        f"c.executemany('INSERT INTO note VALUES (?)', [('x' * 200,)] * {rows})\n"
        "os._exit(0)\n"
    )
    assert done.returncode == 0, done.stderr
    wal = Path(f"{path}-wal")
    assert wal.exists() and wal.stat().st_size > 0, "the crash must leave a WAL"


def _fill(path: Path, rows: int = 3000) -> None:
    connection = connect_raw(path)
    connection.execute("CREATE TABLE bulk (body TEXT)")
    connection.executemany(
        "INSERT INTO bulk VALUES (?)", [(f"{i:06d}" + "y" * 150,) for i in range(rows)]
    )
    connection.commit()
    connection.close()


def _last_page(path: Path) -> tuple[int, int]:
    """(number, size) of the file's last page. After ``_fill`` it is the last leaf of the
    ``bulk`` table (pages are appended as rows are), a page that neither the quick open nor a
    first-row read touches."""
    connection = connect_raw(path)
    try:
        count = connection.execute("PRAGMA page_count").fetchone()[0]
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    finally:
        connection.close()
    assert count > 20, "the database must span many pages"
    return int(count), int(page_size)


def _damage_page(path: Path, page: int, page_size: int) -> None:
    with path.open("r+b") as handle:
        handle.seek((page - 1) * page_size)
        handle.write(b"\xff" * page_size)


# -- migration state --------------------------------------------------------------------------


def test_head_revision_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(dbmod._alembic_config(None))
    assert script.get_current_head() == HEAD_REVISION


def test_an_up_to_date_database_opens_without_importing_alembic(sqlite_path: Path) -> None:
    done = _python(
        "import sys\n"
        "from hospital_osh.services.database import open_database\n"
        f"database = open_database({str(sqlite_path)!r})\n"
        "print(database.migration_state().up_to_date, 'alembic' in sys.modules)\n"
        "database.dispose()\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False"]


def test_an_older_or_newer_revision_is_still_told_apart(sqlite_path: Path) -> None:
    def stamp(revision: str) -> dbmod.MigrationState:
        connection = connect_raw(sqlite_path)
        connection.execute("UPDATE alembic_version SET version_num = ?", (revision,))
        connection.commit()
        connection.close()
        database = Database(resolve_url(sqlite_path))
        try:
            return database.migration_state()
        finally:
            database.dispose()

    older = stamp("0001")
    assert (older.current, older.head, older.known, older.up_to_date) == (
        "0001",
        HEAD_REVISION,
        True,
        False,
    )
    newer = stamp("9999_from_the_future")
    assert not newer.known
    assert stamp(HEAD_REVISION).up_to_date


# -- the quick check and when the whole file is checked ------------------------------------------


def test_a_clean_file_is_not_fully_checked_and_a_clean_close_leaves_no_wal(
    sqlite_path: Path, full_checks: list[Path]
) -> None:
    database = open_database(sqlite_path)
    with database.transaction() as session:
        session.connection().exec_driver_sql("CREATE TABLE note (body TEXT)")
    assert Path(f"{sqlite_path}-wal").stat().st_size > 0  # written while open
    database.dispose()
    assert not Path(f"{sqlite_path}-wal").exists()  # what the next start relies on
    open_database(sqlite_path).dispose()
    assert full_checks == []


def test_a_file_left_by_a_crash_is_fully_checked(
    sqlite_path: Path, full_checks: list[Path]
) -> None:
    _crash_after_writing(sqlite_path)
    database = open_database(sqlite_path)
    try:
        with database.session() as session:
            rows = session.connection().exec_driver_sql("SELECT count(*) FROM note").scalar()
    finally:
        database.dispose()
    assert full_checks == [sqlite_path]
    assert rows == 1  # the crashed session's committed write survived


def test_damage_in_a_file_left_by_a_crash_is_reported_at_open(sqlite_path: Path) -> None:
    _fill(sqlite_path)
    database = open_database(sqlite_path)
    backup = dbmod.backup_file(database)
    database.dispose()
    page, size = _last_page(sqlite_path)
    _damage_page(sqlite_path, page, size)
    _crash_after_writing(sqlite_path)
    with pytest.raises(DatabaseProblem, match="cannot be used: the file is damaged") as caught:
        open_database(sqlite_path)
    assert str(backup) in str(caught.value)


def test_a_damaged_table_in_a_clean_file_is_reported_at_open(
    sqlite_path: Path, full_checks: list[Path]
) -> None:
    _fill(sqlite_path, rows=5)  # one page: its root is its first leaf
    connection = connect_raw(sqlite_path)
    size = connection.execute("PRAGMA page_size").fetchone()[0]
    root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'bulk'").fetchone()
    connection.close()
    _damage_page(sqlite_path, int(root[0]), int(size))
    with pytest.raises(DatabaseProblem, match="cannot be used: the file is damaged") as caught:
        open_database(sqlite_path)
    assert "No backup of it was found" in str(caught.value)
    assert full_checks == [sqlite_path]  # only to word the reason, after the quick check failed


def test_damage_a_clean_open_does_not_read_is_found_by_the_daily_backup_and_check(
    sqlite_path: Path, full_checks: list[Path]
) -> None:
    _fill(sqlite_path)
    page, size = _last_page(sqlite_path)
    _damage_page(sqlite_path, page, size)
    database = open_database(sqlite_path)  # milliseconds: this page is not read
    try:
        assert full_checks == []
        with pytest.raises(DatabaseProblem, match="The backup failed"):
            backups.daily_backup_if_due(database)
        assert backups.automatic_backups(sqlite_path) == []  # no damaged copy kept
        problems = integrity_report(database)
    finally:
        database.dispose()
    assert problems and "damaged" in problems[0]


def test_a_locked_file_is_not_called_damaged(
    sqlite_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure of the quick check that a full check does not confirm (here: the file is
    locked by another process) keeps its own reason instead of "damaged"."""
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 50)
    holder = connect_raw(sqlite_path, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseProblem) as caught:
            open_database(sqlite_path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "damaged" not in str(caught.value)
    assert "Cannot open the database" in str(caught.value)
