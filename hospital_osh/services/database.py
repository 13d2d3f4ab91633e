"""Opening, migrating, backing up and restoring the database.

SQLite (the embedded default) runs with WAL, foreign keys and a busy timeout; write transactions
start with ``BEGIN IMMEDIATE`` so that two writers queue instead of failing half-way. Opening an
SQLite file that is behind copies it to a timestamped backup, then upgrades it in-process.
A shared PostgreSQL database is only upgraded by ``hospital-osh db upgrade``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from hospital_osh import paths
from hospital_osh.i18n import _
from hospital_osh.services.errors import Conflict, DatabaseProblem

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class MigrationState:
    current: str | None
    head: str
    known: bool  # the database's revision exists in this version's migrations

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    @property
    def empty(self) -> bool:
        return self.current is None


def resolve_url(target: str | os.PathLike[str] | None) -> URL:
    """``None``: the default file; a string with ``://``: an SQLAlchemy URL; else a file path."""
    if target is None:
        return make_url(f"sqlite:///{paths.default_database_path()}")
    value = os.fspath(target)
    if "://" in value:
        url = make_url(value)
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
        return url
    return make_url(f"sqlite:///{Path(value).expanduser().resolve()}")


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        immediate = connection.get_execution_options().get("immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """An open database: an engine, sessions for reading, transactions for writing."""

    def __init__(self, url: URL):
        self.url = url
        self.is_sqlite = url.get_backend_name() == "sqlite"
        self.path: Path | None = Path(url.database) if self.is_sqlite and url.database else None
        if self.is_sqlite:
            self.engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
            _configure_sqlite(self.engine)
        else:
            self.engine = create_engine(url, pool_pre_ping=True)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    # -- public API ---------------------------------------------------------------------------

    def display_name(self) -> str:
        return str(self.path) if self.path else self.url.render_as_string(hide_password=True)

    def session(self) -> Session:
        """A session for reading (use as a context manager)."""
        return self._sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One write transaction: commits on success, rolls everything back on any error."""
        session = self._sessions()
        try:
            if self.is_sqlite:
                session.connection(execution_options={"immediate": True})
            yield session
            session.commit()
        except StaleDataError as error:
            session.rollback()
            raise Conflict(
                _(
                    "Someone else changed this record since you opened it. "
                    "Close it, open it again and repeat your change."
                )
            ) from error
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()

    # -- migrations ---------------------------------------------------------------------------

    def migration_state(self) -> MigrationState:
        from alembic.migration import MigrationContext
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(_alembic_config(None))
        head = script.get_current_head()
        assert head is not None
        with self.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        known = current is None or _revision_exists(script, current)
        return MigrationState(current=current, head=head, known=known)

    def upgrade(self, revision: str = "head") -> None:
        from alembic import command

        with self.engine.begin() as connection:
            command.upgrade(_alembic_config(connection), revision)

    def downgrade(self, revision: str) -> None:
        from alembic import command

        with self.engine.begin() as connection:
            command.downgrade(_alembic_config(connection), revision)

    def check_not_newer(self) -> MigrationState:
        state = self.migration_state()
        if not state.known:
            raise DatabaseProblem(
                _(
                    "This database was written by a newer version of hospital_osh "
                    "(schema {revision}). Install the newer version to open it."
                ).format(revision=state.current)
            )
        return state


def _revision_exists(script, revision: str) -> bool:  # type: ignore[no-untyped-def]
    from alembic.util import CommandError

    try:
        return script.get_revision(revision) is not None
    except (CommandError, KeyError):
        return False


def _alembic_config(connection):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "hospital_osh:migrations")
    config.attributes["connection"] = connection
    return config


# -- opening ----------------------------------------------------------------------------------


def open_database(
    target: str | os.PathLike[str] | None = None, *, migrate: bool = True
) -> Database:
    """Open ``target`` ready for use, or raise DatabaseProblem with a message a user can act on.

    SQLite files are created, checked, backed up and upgraded as needed. PostgreSQL databases
    must already be at the current schema (``hospital-osh db upgrade``) unless ``migrate`` is
    false, in which case the caller handles the migration state itself.
    """
    url = resolve_url(target)
    if url.get_backend_name() == "sqlite" and url.database:
        _check_sqlite_file(Path(url.database))
    database = Database(url)
    try:
        state = database.check_not_newer()
        if migrate and not state.up_to_date:
            if database.is_sqlite:
                if not state.empty and database.path is not None:
                    backup_file(database, reason=f"pre-upgrade-{state.current}")
                database.upgrade()
            else:
                raise DatabaseProblem(
                    _(
                        "The shared database is at an older schema. Ask the administrator to run "
                        "'hospital-osh db upgrade' on it first."
                    )
                )
    except DatabaseProblem:
        database.dispose()
        raise
    except SQLAlchemyError as error:
        database.dispose()
        raise DatabaseProblem(
            _("Cannot open the database {name}: {reason}").format(
                name=database.display_name(), reason=_first_line(error)
            )
        ) from error
    return database


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _check_sqlite_file(path: Path) -> None:
    folder = path.parent
    if not folder.is_dir():
        raise DatabaseProblem(_("The folder {folder} does not exist.").format(folder=folder))
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise DatabaseProblem(
            _(
                "No permission to write in {folder}. Choose another location for the database."
            ).format(folder=folder)
        )
    if not path.exists() or path.stat().st_size == 0:
        return
    problem = sqlite_file_problem(path)
    if problem:
        backup = latest_backup(path)
        if backup:
            message = _("{path} cannot be used: {problem}. The latest backup is {backup}.").format(
                path=path, problem=problem, backup=backup
            )
        else:
            message = _("{path} cannot be used: {problem}. No backup of it was found.").format(
                path=path, problem=problem
            )
        raise DatabaseProblem(message)


def sqlite_file_problem(path: Path, *, full: bool = False) -> str | None:
    """Return why ``path`` is not a healthy SQLite database, or None when it is."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        return str(error)
    if header != SQLITE_HEADER:
        return _("it is not a hospital_osh database file")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        try:
            pragma = "integrity_check" if full else "quick_check"
            rows = connection.execute(f"PRAGMA {pragma}").fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        return _("the file is damaged ({reason})").format(reason=error)
    if rows != [("ok",)]:
        return _("the file is damaged ({reason})").format(reason=rows[0][0] if rows else "?")
    return None


# -- backup and restore ------------------------------------------------------------------------


def backups_dir(db_path: Path) -> Path:
    return db_path.parent / "backups"


def latest_backup(db_path: Path) -> Path | None:
    folder = backups_dir(db_path)
    if not folder.is_dir():
        return None
    candidates = sorted(folder.glob(f"{db_path.stem}-*.sqlite"), key=lambda p: p.stat().st_mtime)
    return candidates[-1] if candidates else None


def _timestamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")


def _fsync(path: Path) -> None:
    """Push a file (or a folder's entries) to disk, so that a power cut keeps what we renamed."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) if path.is_dir() else os.O_RDONLY
    try:
        descriptor = os.open(path, flags)
    except OSError:
        return  # folders cannot be opened on Windows; NTFS journals the rename itself
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _online_copy(source: sqlite3.Connection, out: Path) -> None:
    """Copy the open database ``source`` to ``out`` whole or not at all.

    SQLite's backup API copies a consistent snapshot while other connections go on reading and
    writing; the copy is written to ``out.partial``, checked, synced and then renamed, so an
    interrupted copy (power cut, killed process) never leaves a half file under the real name.
    """
    partial = out.with_name(out.name + ".partial")
    try:
        target = sqlite3.connect(partial)
        try:
            source.backup(target)
            rows = target.execute("PRAGMA quick_check").fetchall()
        finally:
            target.close()
        if rows != [("ok",)]:
            raise sqlite3.DatabaseError(str(rows[0][0]) if rows else "?")
        _fsync(partial)
        os.replace(partial, out)
        _fsync(out.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def backup_file(database: Database, out: Path | None = None, *, reason: str = "backup") -> Path:
    """Copy an SQLite database with SQLite's online backup API (safe while it is in use)."""
    if not database.is_sqlite or database.path is None:
        raise DatabaseProblem(
            _("Backups of a shared PostgreSQL database are made on the server (pg_dump).")
        )
    if out is None:
        folder = backups_dir(database.path)
        folder.mkdir(parents=True, exist_ok=True)
        out = folder / f"{database.path.stem}-{reason}-{_timestamp()}.sqlite"
    out = Path(out)
    if not out.parent.is_dir():
        raise DatabaseProblem(_("The folder {folder} does not exist.").format(folder=out.parent))
    source = sqlite3.connect(database.path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        _online_copy(source, out)
    except (sqlite3.Error, OSError) as error:
        raise DatabaseProblem(_("The backup failed: {reason}").format(reason=error)) from error
    finally:
        source.close()
    return out


def check_restorable(source: Path) -> None:
    """Raise DatabaseProblem unless ``source`` is a healthy hospital_osh database that this
    version can open: an SQLite file, passing a full integrity check, holding our schema at a
    revision this version knows."""
    source = Path(source)
    if not source.is_file():
        raise DatabaseProblem(_("The file {path} does not exist.").format(path=source))
    problem = sqlite_file_problem(source, full=True)
    if problem:
        raise DatabaseProblem(
            _("{path} cannot be restored: {problem}.").format(path=source, problem=problem)
        )
    candidate = Database(resolve_url(source))
    try:
        state = candidate.check_not_newer()
    except SQLAlchemyError as error:
        raise DatabaseProblem(
            _("{path} cannot be restored: {problem}.").format(
                path=source, problem=_first_line(error)
            )
        ) from error
    finally:
        candidate.dispose()
    if state.empty:
        raise DatabaseProblem(
            _("{path} cannot be restored: it is not a hospital_osh database file.").format(
                path=source
            )
        )


def restore_file(db_path: Path, source: Path) -> Path | None:
    """Replace ``db_path`` by the backup ``source`` after checking it; return where the replaced
    database was put aside (None if there was none). Nothing is replaced if ``source`` is bad.

    Crash-safe: at every instant ``db_path`` is either the old database or the new one, whole.
    The old one is first copied aside (online backup API, after folding the WAL into the file);
    the checked copy of ``source`` then takes its name in one atomic rename.
    """
    source = Path(source)
    check_restorable(source)
    staged = db_path.with_name(db_path.name + ".restoring")
    try:
        shutil.copyfile(source, staged)
        _fsync(staged)
    except OSError as error:
        staged.unlink(missing_ok=True)
        raise DatabaseProblem(_("The restore failed: {reason}").format(reason=error)) from error
    aside: Path | None = None
    if db_path.exists() and db_path.stat().st_size > 0:
        aside = db_path.with_name(f"{db_path.stem}.replaced-{_timestamp()}{db_path.suffix}")
        connection = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            # Fold the WAL into the file so that the file alone is the whole database.
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            _online_copy(connection, aside)
        except (sqlite3.Error, OSError) as error:
            staged.unlink(missing_ok=True)
            raise DatabaseProblem(_("The restore failed: {reason}").format(reason=error)) from error
        finally:
            connection.close()
    # The WAL is empty after the checkpoint; an old WAL must never meet the new file.
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    os.replace(staged, db_path)
    _fsync(db_path.parent)
    return aside


def integrity_report(database: Database) -> list[str]:
    """Problems found by a full check (empty list when all is well)."""
    problems: list[str] = []
    if database.is_sqlite and database.path is not None:
        problem = sqlite_file_problem(database.path, full=True)
        if problem:
            problems.append(problem)
    state = database.migration_state()
    if not state.known:
        problems.append(_("the schema is newer than this version of hospital_osh"))
    elif not state.up_to_date:
        problems.append(
            _("the schema is at {current}, this version expects {head}").format(
                current=state.current or "-", head=state.head
            )
        )
    else:
        with database.session() as session:
            session.execute(text("SELECT 1"))
    return problems
