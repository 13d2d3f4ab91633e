"""Backups of the embedded SQLite database: the daily automatic copy, rotation, and restore.

Hospitals run on old PCs that lose power, so the application copies its database once a day,
on the first start-up of the day, into ``backups/`` beside it and keeps the last N such copies
(the ``backup_keep`` setting). The copy uses SQLite's online backup API, so it is consistent while
the application (or another workstation) goes on writing, and it is written whole or not at all.
The copy of an encrypted database is encrypted with the same key, and the database's recovery
file (``<db>.recovery``) is copied beside it, so that a restored copy can get its key back.
Manual backups and the copies made before a schema upgrade are never rotated away.

``restore`` checks the chosen file fully (an SQLite file, integrity ok, a hospital_osh database at
a schema this version knows) before it replaces anything, and keeps the replaced database aside.
The file-level work lives in ``services.database``; this module holds the policy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from hospital_osh.services import settings
from hospital_osh.services.database import (
    Database,
    backup_file,
    backups_dir,
    check_restorable,
    restore_file,
)
from hospital_osh.services.keys import recovery_path

__all__ = [
    "DailyBackup",
    "automatic_backups",
    "backup_now",
    "check_restorable",
    "daily_backup_if_due",
    "prune",
    "restore",
]

DAILY = "daily"


@dataclass(frozen=True)
class DailyBackup:
    """What ``daily_backup_if_due`` did: the new copy (None when one was already made today)
    and the old automatic copies it removed to keep ``backup_keep``."""

    made: Path | None
    removed: tuple[Path, ...]


def _daily_prefix(db_path: Path) -> str:
    return f"{db_path.stem}-{DAILY}-"


def automatic_backups(db_path: Path) -> list[Path]:
    """The daily copies of ``db_path``, oldest first (their names sort by time)."""
    folder = backups_dir(db_path)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{_daily_prefix(db_path)}*.sqlite"), key=lambda p: p.name)


def _made_on(db_path: Path, backup: Path) -> dt.date | None:
    stamp = backup.name[len(_daily_prefix(db_path)) :][:8]
    try:
        return dt.datetime.strptime(stamp, "%Y%m%d").date()
    except ValueError:
        return None


def backup_keep(database: Database) -> int:
    """How many automatic copies to keep (the hospital's ``backup_keep`` setting)."""
    with database.session() as session:
        return int(settings.get_setting(session, "backup_keep"))


def prune(db_path: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` daily copies (and copies left half-made by a crash);
    return what was deleted. Manual and pre-upgrade backups are left alone."""
    removed: list[Path] = []
    folder = backups_dir(db_path)
    if folder.is_dir():
        for partial in folder.glob(f"{db_path.stem}-*.sqlite.partial"):
            partial.unlink(missing_ok=True)
    daily = automatic_backups(db_path)
    for old in daily[: max(0, len(daily) - max(1, keep))]:
        old.unlink(missing_ok=True)
        recovery_path(old).unlink(missing_ok=True)  # the copy's recovery file goes with it
        removed.append(old)
    return removed


def daily_backup_if_due(database: Database, now: dt.datetime | None = None) -> DailyBackup:
    """Copy the database if no automatic copy was made today, then rotate old copies.

    Call it once when the application has opened the database. A shared PostgreSQL database is
    backed up on the server (pg_dump), so nothing is done for it. A failure raises
    DatabaseProblem with a message to show; the database itself is left as it was.
    """
    if not database.is_sqlite or database.path is None:
        return DailyBackup(None, ())
    now = now or dt.datetime.now()
    path = database.path
    made: Path | None = None
    if not any(_made_on(path, copy) == now.date() for copy in automatic_backups(path)):
        folder = backups_dir(path)
        folder.mkdir(parents=True, exist_ok=True)
        out = folder / f"{_daily_prefix(path)}{now:%Y%m%d-%H%M%S-%f}.sqlite"
        made = backup_file(database, out)
    removed = prune(path, backup_keep(database))
    return DailyBackup(made, tuple(removed))


def backup_now(database: Database, out: Path | None = None) -> Path:
    """A manual online backup (into ``backups/`` when ``out`` is None); never rotated away."""
    return backup_file(database, out)


def restore(db_path: Path, source: Path) -> Path | None:
    """Replace the database at ``db_path`` by the backup ``source``, validated first; return
    where the replaced database was kept (None when there was none). ``check_restorable``
    says in advance whether a file would be accepted."""
    return restore_file(db_path, source)
