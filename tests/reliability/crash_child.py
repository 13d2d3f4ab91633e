"""The process the crash-safety tests kill: it does one kind of work in a loop and prints a line
after each unit of work is committed, so the parent knows what must survive the kill.

    python -m tests.reliability.crash_child SCENARIO DB [ARG...]

Scenarios: ``save`` (create and edit workers, one transaction + audit event each), ``roster``
(import roster files ARG... one after the other, all rows or none), ``backup`` (online backups
of DB to ARG, over and over), ``restore`` (restore the backups ARG... in turn), ``migrate``
(open DB, which backs it up and upgrades it to the newest schema).
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import sys
from pathlib import Path

from hospital_osh.services import roster, workers
from hospital_osh.services.context import SYSTEM
from hospital_osh.services.database import (
    Database,
    backup_file,
    open_database,
    resolve_url,
    restore_file,
)


def say(line: str) -> None:
    print(line, flush=True)


def save(database: Database) -> None:
    tag = os.getpid()
    for number in itertools.count():
        staff_no = f"S{tag}-{number}"
        with database.transaction() as session:
            created = workers.create_worker(
                session, SYSTEM, workers.WorkerInfo(staff_no=staff_no, name=f"Worker {number}")
            )
        say(f"created {staff_no}")
        with database.transaction() as session:
            workers.update_worker(session, SYSTEM, dataclasses.replace(created, name="Edited"))
        say(f"edited {staff_no}")


def import_rosters(database: Database, files: list[str]) -> None:
    say("ready")
    for name in files:
        with database.session() as session:
            preview = roster.read_roster(session, Path(name))
        assert preview.ok, preview.messages()[:3]
        with database.transaction() as session:
            roster.apply_roster(session, SYSTEM, preview, existing="update")
        say(f"imported {name}")


def backups(database: Database, out: str) -> None:
    say("ready")
    for number in itertools.count():
        backup_file(database, Path(out))
        say(f"backup {number}")


def restores(path: Path, sources: list[str]) -> None:
    say("ready")
    for source in itertools.cycle(sources):
        restore_file(path, Path(source))
        say(f"restored {source}")


def main(argv: list[str]) -> None:
    scenario, target, *rest = argv
    path = Path(target)
    if scenario == "migrate":
        say("ready")
        open_database(path).dispose()
        say("migrated")
        return
    if scenario == "restore":
        restores(path, rest)
        return
    database = Database(resolve_url(path))
    try:
        if scenario == "save":
            say("ready")
            save(database)
        elif scenario == "roster":
            import_rosters(database, rest)
        elif scenario == "backup":
            backups(database, rest[0])
        else:
            raise SystemExit(f"unknown scenario {scenario}")
    finally:
        database.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
