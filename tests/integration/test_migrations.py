"""Migrations: empty -> head, no drift between models and migrations, round trips with data,
refusal of newer databases, backup before upgrade, clear messages for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from hospital_osh.models import Base
from hospital_osh.services import database as dbmod
from hospital_osh.services.database import Database, connect_raw, open_database, resolve_url
from hospital_osh.services.errors import DatabaseProblem


def test_migrated_schema_matches_models(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_fresh_file_is_created_at_head(tmp_path: Path) -> None:
    database = open_database(tmp_path / "new.sqlite")
    try:
        state = database.migration_state()
        assert state.up_to_date and state.current == state.head
    finally:
        database.dispose()


def _revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(dbmod._alembic_config(None))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def test_downgrade_to_base_and_back_leaves_a_clean_schema(database: Database) -> None:
    database.downgrade("base")
    assert database.migration_state().current is None
    database.upgrade()
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


@pytest.mark.parametrize("revision", _revisions()[:-1] or [None])
def test_upgrade_from_each_earlier_revision_keeps_rows(
    database: Database, revision: str | None
) -> None:
    """A populated database at an earlier revision upgrades without losing rows."""
    if revision is None:
        pytest.skip("only one schema revision exists so far")
    database.downgrade(revision)
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO department (code, name_zh, name_en, type, active, version) "
                "VALUES ('ICU1', '重症', 'ICU', 'icu', true, 1)"
            )
        )
    database.upgrade()
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT name_zh FROM department")).scalar() == "重症"
    database.downgrade("-1")
    database.upgrade()
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM department")).scalar() == 1


def _stamp(path: Path, revision: str) -> None:
    connection = connect_raw(path)
    connection.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    connection.commit()
    connection.close()


def test_newer_database_is_refused(sqlite_path: Path) -> None:
    _stamp(sqlite_path, "9999_from_the_future")
    with pytest.raises(DatabaseProblem, match="newer version"):
        open_database(sqlite_path)


def test_behind_sqlite_gets_a_timestamped_backup(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "behind.sqlite"
    database = Database(resolve_url(path))
    database.upgrade()
    database.dispose()
    calls: list[str] = []
    real_state = Database.migration_state

    def behind(self):  # type: ignore[no-untyped-def]
        state = real_state(self)
        if not calls:
            calls.append("behind")
            return dbmod.MigrationState(current="0000_older", head=state.head, known=True)
        return state

    monkeypatch.setattr(Database, "migration_state", behind)
    open_database(path).dispose()
    backups = list((tmp_path / "backups").glob("behind-pre-upgrade-0000_older-*.sqlite"))
    assert len(backups) == 1
    assert dbmod.sqlite_file_problem(backups[0]) is None


def test_not_a_database_names_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("these are my notes, not a database")
    with pytest.raises(DatabaseProblem, match="not a hospital_osh database"):
        open_database(path)


def test_damaged_database_names_the_latest_backup(sqlite_path: Path) -> None:
    database = open_database(sqlite_path)
    backup = dbmod.backup_file(database)
    database.dispose()
    data = bytearray(sqlite_path.read_bytes())
    for offset in range(4096, min(len(data), 4096 * 6)):
        data[offset] = 0xFF
    sqlite_path.write_bytes(bytes(data))
    Path(f"{sqlite_path}-wal").unlink(missing_ok=True)
    with pytest.raises(DatabaseProblem) as caught:
        open_database(sqlite_path)
    assert str(backup) in str(caught.value)


def test_folder_without_write_permission(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    monkeypatch.setattr(dbmod.os, "access", lambda path, mode: False)
    with pytest.raises(DatabaseProblem, match="No permission to write"):
        open_database(folder / "x.sqlite")


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(DatabaseProblem, match="does not exist"):
        open_database(tmp_path / "nowhere" / "x.sqlite")


def test_sqlite_pragmas(sqlite_path: Path) -> None:
    database = open_database(sqlite_path)
    try:
        with database.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    finally:
        database.dispose()
