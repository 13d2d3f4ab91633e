"""Opening, migrating, backing up and restoring the database.

SQLite (the embedded default) runs with WAL, foreign keys and a busy timeout; write transactions
start with ``BEGIN IMMEDIATE`` so that two writers queue instead of failing half-way. Opening an
SQLite file that is behind copies it to a timestamped backup, then upgrades it in-process.
A shared PostgreSQL database is only upgraded by ``hospital-osh db upgrade``.

An SQLite file is encrypted with SQLCipher (the whole file, its WAL and its backups); its key
comes from ``services.keys`` and is set as the first statement of every connection. A plaintext
file (made by an older version) still opens; ``encrypt_file`` converts it. Everything that opens
the file directly goes through ``connect_raw``, which applies the key.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from hospital_osh import paths
from hospital_osh.i18n import _
from hospital_osh.services import keys
from hospital_osh.services.errors import Conflict, DatabaseProblem
from hospital_osh.services.keys import DataKey

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 30_000
# New SQLite databases are encrypted (docs/encryption.md); ``Database(url, encrypt=False)``
# makes a plaintext one (tests of the conversion, benchmarks against the old format).
ENCRYPT_NEW_DATABASES = True


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


def sqlcipher() -> Any:
    """The DB-API module for every SQLite file: SQLCipher's build of SQLite.

    One SQLite library per process: two copies in one process (the standard ``sqlite3`` and
    this one) release each other's POSIX file locks, which can corrupt a shared database."""
    global _sqlcipher_quiet
    from sqlcipher3 import dbapi2

    if not _sqlcipher_quiet:
        # SQLCipher logs every failed page check to stderr; the user gets our message instead.
        quiet = dbapi2.connect(":memory:")
        try:
            quiet.execute("PRAGMA cipher_log_level = NONE").fetchall()
        finally:
            quiet.close()
        _sqlcipher_quiet = True
    return dbapi2


_sqlcipher_quiet = False


def _configure_sqlite(engine: Engine, key_source: Callable[[], DataKey | None]) -> None:
    @event.listens_for(engine, "do_connect")
    def _keyed_connect(dialect, _record, cargs, cparams):  # type: ignore[no-untyped-def]
        # The key must be the very first statement; nothing reads the file before it.
        key = key_source()
        connection = dialect.loaded_dbapi.connect(*cargs, **cparams)
        if key is not None:
            connection.execute(key.pragma())
        return connection

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

    def __init__(self, url: URL, *, encrypt: bool | None = None):
        """``encrypt`` decides whether a new (missing or empty) SQLite file is encrypted
        (default: ENCRYPT_NEW_DATABASES); an existing file opens as it is. Raises KeyMissing
        when the file is one of ours, encrypted, and its key is not on this computer."""
        self.url = url
        self.is_sqlite = url.get_backend_name() == "sqlite"
        file = url.database if url.database not in (None, "", ":memory:") else None
        self.path: Path | None = Path(file) if self.is_sqlite and file else None
        self.key: DataKey | None = None
        self._new_key = False  # a key is made when the first connection creates the file
        self._key_lock = threading.Lock()
        if self.is_sqlite:
            if self.path is not None and self.path.exists() and self.path.stat().st_size > 0:
                self.key = key_for_file(self.path)
            elif self.path is not None:
                self._new_key = ENCRYPT_NEW_DATABASES if encrypt is None else encrypt
            self.engine = create_engine(
                url, module=sqlcipher(), connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}
            )
            _configure_sqlite(self.engine, self._key_for_connection)
        else:
            self.engine = create_engine(url, pool_pre_ping=True)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def _key_for_connection(self) -> DataKey | None:
        """The key for a new connection. A new file's key is made (and stored) only when the
        first connection is about to create the file, so a path that is never opened leaves
        no orphan key in the key store."""
        with self._key_lock:
            if self._new_key and self.path is not None:
                if self.path.exists() and self.path.stat().st_size > 0:
                    self.key = key_for_file(self.path)  # another process created it meanwhile
                else:
                    self.key = keys.new_key()
                    keys.store_key(self.key)
                self._new_key = False
            return self.key

    # -- public API ---------------------------------------------------------------------------

    @property
    def encrypted(self) -> bool:
        """Whether the file is (or, once created, will be) encrypted."""
        return self.key is not None or self._new_key

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
        """Where the schema stands. An up-to-date database costs one SELECT: Alembic (~0.15 s
        to import, more to read the versions) is loaded only when the revision is not the head
        this version ships, to tell an older database from a newer one."""
        from sqlalchemy import inspect

        from hospital_osh.migrations import HEAD_REVISION

        with self.engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                rows: list[str] = []
            else:
                rows = list(
                    connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
                )
        if rows == [HEAD_REVISION]:
            return MigrationState(current=HEAD_REVISION, head=HEAD_REVISION, known=True)
        if not rows:
            return MigrationState(current=None, head=HEAD_REVISION, known=True)
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(_alembic_config(None))
        head = script.get_current_head()
        assert head is not None
        if len(rows) > 1:  # branches: Alembic's own reading, with its error for several heads
            from alembic.migration import MigrationContext

            with self.engine.connect() as connection:
                current = MigrationContext.configure(connection).get_current_revision()
        else:
            current = rows[0]
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
    database = Database(url)  # no connection yet
    try:
        if url.get_backend_name() == "sqlite" and url.database:
            _check_sqlite_file(Path(url.database), database.engine)
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


def _check_sqlite_file(path: Path, engine: Engine) -> None:
    """Raise DatabaseProblem, naming the latest backup, if ``path`` cannot be used.

    A whole-file ``quick_check`` costs seconds on a large file, so it runs only when the last
    session did not end cleanly: SQLite deletes the ``-wal`` file when the last connection
    closes, so a non-empty one means a process died (or another one has the file open now,
    when the check is merely cautious). Otherwise the check costs milliseconds: the file
    opens, the schema reads and every table's first page reads (``engine``, so that the
    connection is made as the application makes it). Damage elsewhere in a cleanly closed
    file is found daily: the automatic backup checks its copy, ``hospital-osh check`` the file.
    """
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
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        problem = sqlite_file_problem(path)
    else:
        try:
            with engine.connect() as connection:
                tables = connection.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'"
                ).scalars()
                for table in list(tables):
                    quoted = '"' + table.replace('"', '""') + '"'
                    connection.exec_driver_sql(f"SELECT 1 FROM {quoted} LIMIT 1").all()
        except SQLAlchemyError as error:
            if isinstance(getattr(error, "orig", None), sqlcipher().OperationalError):
                raise  # locked, busy, no permission: not damage; open_database says so
            problem = sqlite_file_problem(path)  # the reason, worded for the user
            if problem is None:
                raise
        else:
            problem = None
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
    """Return why ``path`` is not a healthy SQLite database, or None when it is.

    An encrypted file is checked with its key; KeyMissing is raised when it is one of ours and
    its key is not on this computer (the message names the recovery command)."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        return str(error)
    key = None
    if header != SQLITE_HEADER:
        key = key_for_file(path)
        if key is None:
            return _(
                "it is not a hospital_osh database file (or it is encrypted and its key is not "
                "on this computer: see 'hospital-osh key recover')"
            )
    dbapi = sqlcipher()
    try:
        connection = connect_raw(path, readonly=True, key=key)
        try:
            pragma = "integrity_check" if full else "quick_check"
            rows = connection.execute(f"PRAGMA {pragma}").fetchall()
        finally:
            connection.close()
    except dbapi.DatabaseError as error:
        return _("the file is damaged ({reason})").format(reason=error)
    if rows != [("ok",)]:
        return _("the file is damaged ({reason})").format(reason=rows[0][0] if rows else "?")
    return None


# -- keys and direct access to the file ---------------------------------------------------------

_FIND_KEY: Any = object()


def key_for_file(path: Path) -> DataKey | None:
    """The key an existing file needs: None for a plaintext (or empty, or missing) file, the
    key from this computer for an encrypted one.

    KeyMissing when the file is encrypted, its recovery file beside it names it, and the key
    is not here. None also when nothing shows the file is ours (no key, no recovery file):
    opening it then fails as 'not a database', which is what a stray file deserves."""
    database_id = keys.file_database_id(path)
    if database_id is None:
        return None
    key = keys.find_key(database_id)
    if key is not None:
        return key
    try:
        record = keys.read_recovery(keys.recovery_path(path))
    except DatabaseProblem:
        record = None
    if record is not None and record.get("database_id") == database_id:
        raise keys.missing_key(path, database_id)
    return None


def connect_raw(
    path: Path,
    *,
    readonly: bool = False,
    key: DataKey | None = _FIND_KEY,
    timeout: float = 30,
    isolation_level: str | None = "",
) -> Any:
    """A DB-API connection to the SQLite file ``path`` with its key applied (the key is found
    from the file unless given; pass the key to create a new encrypted file, None for a
    plaintext one). The only way this code base opens a database file without SQLAlchemy."""
    path = Path(path)
    if key is _FIND_KEY:
        key = key_for_file(path)
    dbapi = sqlcipher()
    if readonly:
        target, uri = path.resolve().as_uri() + "?mode=ro", True
    else:
        target, uri = str(path), False
    connection = dbapi.connect(target, uri=uri, timeout=timeout, isolation_level=isolation_level)
    if key is not None:
        connection.execute(key.pragma())
    return connection


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


def _online_copy(source: Any, out: Path, key: DataKey | None) -> None:
    """Copy the open database ``source`` to ``out`` whole or not at all.

    SQLite's backup API copies a consistent snapshot while other connections go on reading and
    writing; the copy is written to ``out.partial``, checked, synced and then renamed, so an
    interrupted copy (power cut, killed process) never leaves a half file under the real name.
    The copy of an encrypted database is encrypted with the same ``key``.
    """
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)  # a leftover of a killed copy: never append to it
    try:
        target = connect_raw(partial, key=key)
        try:
            source.backup(target)
            rows = target.execute("PRAGMA quick_check").fetchall()
        finally:
            target.close()
        if rows != [("ok",)]:
            raise sqlcipher().DatabaseError(str(rows[0][0]) if rows else "?")
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
    source = connect_raw(database.path, key=database.key, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        _online_copy(source, out, database.key)
        # The recovery file travels with the copy: a restored backup can get its key back.
        keys.copy_recovery(database.path, out)
    except (sqlcipher().Error, OSError) as error:
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
        try:
            current_key = key_for_file(db_path)
            connection = connect_raw(db_path, key=current_key, timeout=BUSY_TIMEOUT_MS / 1000)
        except (DatabaseProblem, sqlcipher().Error) as error:
            staged.unlink(missing_ok=True)
            raise DatabaseProblem(_("The restore failed: {reason}").format(reason=error)) from error
        try:
            # Fold the WAL into the file so that the file alone is the whole database.
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            _online_copy(connection, aside, current_key)
            keys.copy_recovery(db_path, aside)
        except (sqlcipher().Error, OSError) as error:
            staged.unlink(missing_ok=True)
            raise DatabaseProblem(_("The restore failed: {reason}").format(reason=error)) from error
        finally:
            connection.close()
    # The WAL is empty after the checkpoint; an old WAL must never meet the new file.
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    os.replace(staged, db_path)
    _fsync(db_path.parent)
    _restore_recovery_file(db_path, source)
    return aside


def _restore_recovery_file(db_path: Path, source: Path) -> None:
    """After a restore, the recovery file beside the database must be the restored one's: the
    backup's own when it has one; the old one goes when it belongs to another key (the copy
    put aside keeps it)."""
    record = keys.read_recovery(keys.recovery_path(source))
    target = keys.recovery_path(db_path)
    if record is not None:
        keys.write_recovery(target, record)
        return
    try:
        current = keys.read_recovery(target)
    except DatabaseProblem:
        current = None
    if current is not None and current.get("database_id") != keys.file_database_id(db_path):
        target.unlink(missing_ok=True)


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


# -- encrypting an older, plaintext database ---------------------------------------------------


@dataclass(frozen=True)
class EncryptionDone:
    """What ``encrypt_file`` did: the new key's id, the rows copied, where the plaintext copy
    was kept (None: wiped), and older backups that are still plaintext."""

    database_id: str
    rows: int
    kept: Path | None
    plaintext_backups: tuple[Path, ...]


def _row_counts(connection: Any) -> dict[str, int]:
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    counts: dict[str, int] = {}
    for name in names:
        quoted = '"' + name.replace('"', '""') + '"'
        counts[name] = connection.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]
    return counts


def _wipe(handle: Any) -> None:
    """Overwrite an unlinked plaintext file's content before it is freed (best effort: flash
    disks may keep old blocks; docs/encryption.md says so)."""
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    block = b"\0" * (1 << 20)
    written = 0
    while written < size:
        step = min(len(block), size - written)
        handle.write(block[:step])
        written += step
    handle.flush()
    os.fsync(handle.fileno())


def encrypt_file(
    path: Path, passphrase: str, repeated: str, *, keep_plaintext: bool = False
) -> EncryptionDone:
    """Convert the plaintext database at ``path`` into an encrypted one, whole or not at all.

    ``sqlcipher_export`` writes an encrypted copy beside it; the copy is checked (integrity,
    the same number of rows in every table), gets its audit event, and its key goes into this
    computer's key store and, wrapped with the recovery ``passphrase``, into ``<db>.recovery``.
    Only then does it take the database's name in one atomic rename: a crash before leaves the
    plaintext database as it was, a crash after leaves the encrypted one. The plaintext copy is
    kept as ``<name>.plaintext-<time>`` when asked, otherwise overwritten and removed.
    Close the application on every computer first: a write made meanwhile would be lost.
    A file-level operation like ``restore_file`` (whoever can replace the file can run it), so
    it is audited as the system, not checked against a role.
    """
    from hospital_osh.services import audit
    from hospital_osh.services.context import SYSTEM

    keys.check_passphrase(passphrase, repeated)
    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        raise DatabaseProblem(_("The file {path} does not exist.").format(path=path))
    if not keys.is_plaintext(path):
        if key_for_file(path) is not None:
            raise DatabaseProblem(_("{path} is already encrypted.").format(path=path))
        raise DatabaseProblem(
            _("{path} cannot be encrypted: it is not a hospital_osh database file.").format(
                path=path
            )
        )
    problem = sqlite_file_problem(path, full=True)
    if problem:
        raise DatabaseProblem(
            _("{path} cannot be encrypted: {problem}.").format(path=path, problem=problem)
        )
    plain = Database(resolve_url(path))
    try:
        state = plain.check_not_newer()
    finally:
        plain.dispose()
    if state.empty:
        raise DatabaseProblem(
            _("{path} cannot be encrypted: it is not a hospital_osh database file.").format(
                path=path
            )
        )
    key = keys.new_key()
    record = keys.wrap(key, passphrase)
    partial = path.with_name(path.name + ".encrypting")
    sidecar = keys.recovery_path(path)
    dbapi = sqlcipher()

    def _remove_partial() -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{partial}{suffix}").unlink(missing_ok=True)

    _remove_partial()  # what a killed earlier attempt left
    wrote_sidecar = False
    try:
        keys.store_key(key)
        source = connect_raw(path, key=None, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            source.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            before = _row_counts(source)
            source.execute(
                "ATTACH DATABASE ? AS encrypted KEY ?",
                (str(partial), f"x'{key.secret.hex()}{key.salt_hex}'"),
            )
            source.execute("SELECT sqlcipher_export('encrypted')")
            source.execute("DETACH DATABASE encrypted")
        finally:
            source.close()
        copy = Database(resolve_url(partial))
        try:
            with copy.transaction() as session:
                audit.record(
                    session,
                    SYSTEM,
                    "database_encrypt",
                    "database",
                    key.database_id,
                    audit.created({"rows": sum(before.values()), "tables": len(before)}),
                )
            with copy.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            copy.dispose()
        for suffix in ("-wal", "-shm"):
            Path(f"{partial}{suffix}").unlink(missing_ok=True)
        check = connect_raw(partial, readonly=True, key=key)
        try:
            rows = check.execute("PRAGMA integrity_check").fetchall()
            after = _row_counts(check)
        finally:
            check.close()
        for suffix in ("-wal", "-shm"):  # the check's own (empty): gone before the switch, so
            Path(f"{partial}{suffix}").unlink(missing_ok=True)  # a kill after it leaves none
        after["audit_event"] -= 1  # the event just added
        if rows != [("ok",)] or after != before:
            raise DatabaseProblem(
                _("The encrypted copy differs from the database; nothing was changed.")
            )
        _fsync(partial)
        keys.write_recovery(sidecar, record)
        wrote_sidecar = True
        # A second name for the plaintext file (a hard link: no copy, works on NTFS too), so
        # that it can be kept, or overwritten once the encrypted file has taken its place.
        aside = path.with_name(f"{path.stem}.plaintext-{_timestamp()}{path.suffix}")
        try:
            os.link(path, aside)
        except OSError:
            shutil.copyfile(path, aside)
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        try:
            os.replace(partial, path)  # the one step that switches: atomic
        except BaseException:
            aside.unlink(missing_ok=True)
            raise
        _fsync(path.parent)
        wrote_sidecar = False  # from here on the sidecar belongs to the database
        kept: Path | None = aside
        if not keep_plaintext:
            try:
                with aside.open("r+b") as old:
                    _wipe(old)
                aside.unlink()
                kept = None
            except OSError:
                pass  # the database is encrypted; the plaintext copy is reported as kept
    except (dbapi.Error, OSError, SQLAlchemyError) as error:
        raise DatabaseProblem(
            _("Encrypting the database failed; nothing was changed: {reason}").format(reason=error)
        ) from error
    finally:
        if wrote_sidecar:
            sidecar.unlink(missing_ok=True)
        _remove_partial()
    folder = backups_dir(path)
    old_backups = (
        tuple(p for p in sorted(folder.glob("*.sqlite")) if keys.is_plaintext(p))
        if folder.is_dir()
        else ()
    )
    return EncryptionDone(key.database_id, sum(before.values()), kept, old_backups)
