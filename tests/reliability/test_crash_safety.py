"""Crash safety: a process killed with SIGKILL in the middle of a save, a roster import, a backup,
a restore or a schema upgrade leaves a database that passes ``PRAGMA integrity_check``, whose
audit chain verifies, and in which each operation is wholly there or wholly absent.

Each scenario runs a child process (``crash_child``) that repeats its work and prints a line
after each commit; the parent kills it at a random moment, many times over. Every line printed
before the kill names work that must be found whole (durability); anything else must be absent
or whole. The seed is in each failure message (set OSH_CRASH_SEED to replay a run).
"""

from __future__ import annotations

import os
import random
import shutil
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import text

from hospital_osh.services.database import Database, open_database, resolve_url
from tests.reliability.helpers import assert_healthy, query, run_and_kill

SEED = int(os.environ.get("OSH_CRASH_SEED", random.SystemRandom().randrange(1 << 30)))
ROUNDS = [pytest.param(4, id="quick"), pytest.param(8, id="heavy", marks=pytest.mark.slow)]


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> random.Random:
    return random.Random(f"{SEED}-{request.node.name}")


def _bulk_workers(path: Path, prefix: str, count: int) -> None:
    """Rows written directly (no audit events needed for what the test only reads back)."""
    database = Database(resolve_url(path))
    try:
        with database.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO worker (uuid, staff_no, name, sex, job_category, "
                    "employment_type, active, version) VALUES (:uuid, :staff_no, :name, "
                    "'female', 'nurse', 'permanent', true, 1)"
                ),
                [
                    {"uuid": f"{prefix}-{n:08d}", "staff_no": f"{prefix}-{n}", "name": "X" * 60}
                    for n in range(count)
                ],
            )
        with database.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        database.dispose()


def _events(path: Path, entity: str) -> Counter[tuple[str, str]]:
    rows = query(path, "SELECT entity_id, action FROM audit_event WHERE entity = ?", entity)
    return Counter((str(entity_id), str(action)) for entity_id, action in rows)


# -- a save: a worker created, then edited, each one transaction with its audit event ---------


@pytest.mark.parametrize("rounds", ROUNDS)
def test_killed_during_saves(sqlite_path: Path, rng: random.Random, rounds: int) -> None:
    promised: dict[str, str] = {}  # staff number -> name a commit line promised
    for round_ in range(rounds):
        killed = run_and_kill(rng.uniform(0.05, 0.6), "save", sqlite_path)
        for line in killed.lines:
            verb, staff_no = line.split()
            promised[staff_no] = "Edited" if verb == "edited" else promised.get(staff_no, "?")
        where = f"seed {SEED}, round {round_}"
        assert_healthy(sqlite_path)
        events = _events(sqlite_path, "worker")
        stored = [
            (str(worker_id), str(staff_no), str(name), int(str(version)))
            for worker_id, staff_no, name, version in query(
                sqlite_path, "SELECT id, staff_no, name, version FROM worker"
            )
        ]
        for worker_id, _staff_no, name, version in stored:
            assert events[(worker_id, "create")] == 1, where
            assert events[(worker_id, "update")] == version - 1, where
            assert name == "Edited" if version == 2 else name.startswith("Worker"), where
        assert sum(events.values()) == sum(version for *_, version in stored), where
        names = {staff_no: name for _id, staff_no, name, _v in stored}
        for staff_no, name in promised.items():
            assert staff_no in names, f"{where}: committed {staff_no} was lost"
            if name == "Edited":
                assert names[staff_no] == "Edited", where
    assert promised, "no save committed in any round: the kills came too early to test anything"


# -- a roster import: all rows or none ----------------------------------------------------------

_ROSTER_ROWS = 150


def _roster_file(folder: Path, prefix: str) -> Path:
    path = folder / f"{prefix}.csv"
    lines = ["staff_no,name,sex,birth_date,job_category,department_code,employment_type,hire_date"]
    lines += [f"{prefix}-{n},李{n},female,,nurse,,permanent," for n in range(_ROSTER_ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("rounds", ROUNDS)
def test_killed_during_roster_imports(
    sqlite_path: Path, tmp_path: Path, rng: random.Random, rounds: int
) -> None:
    imported: set[str] = set()
    files: list[Path] = []
    for round_ in range(rounds):
        batch = [_roster_file(tmp_path, f"R{round_}x{n}") for n in range(4)]
        files += batch
        killed = run_and_kill(rng.uniform(0.1, 1.5), "roster", sqlite_path, *batch)
        imported |= {line.split()[1] for line in killed.lines}
        where = f"seed {SEED}, round {round_}"
        assert_healthy(sqlite_path)
        events = _events(sqlite_path, "worker")
        for file in files:
            prefix = file.stem
            ids = query(sqlite_path, "SELECT id FROM worker WHERE staff_no LIKE ?", f"{prefix}-%")
            assert len(ids) in (0, _ROSTER_ROWS), f"{where}: {prefix} half imported ({len(ids)})"
            assert all(events[(str(i), "create")] == 1 for (i,) in ids), where
            if str(file) in imported:
                assert len(ids) == _ROSTER_ROWS, f"{where}: committed {prefix} was lost"
        (total,) = query(sqlite_path, "SELECT count(*) FROM worker")[0]
        assert sum(events.values()) == total, where
    assert imported, "no import committed in any round"


# -- a backup: the copy is whole or absent, the database untouched ------------------------------


@pytest.mark.parametrize("rounds", ROUNDS)
def test_killed_during_backups(
    sqlite_path: Path, tmp_path: Path, rng: random.Random, rounds: int
) -> None:
    _bulk_workers(sqlite_path, "B", 3000)
    out = tmp_path / "copy.sqlite"
    made = 0
    for round_ in range(rounds):
        out.unlink(missing_ok=True)
        killed = run_and_kill(rng.uniform(0.0, 0.4), "backup", sqlite_path, out)
        made += len(killed.lines)
        where = f"seed {SEED}, round {round_}"
        assert_healthy(sqlite_path)
        assert query(sqlite_path, "SELECT count(*) FROM worker") == [(3000,)], where
        if killed.lines:
            assert out.exists(), where
        if out.exists():
            assert_healthy(out)
            assert query(out, "SELECT count(*) FROM worker") == [(3000,)], where
    assert made, "no backup finished in any round"


# -- a restore: the database is the old one or the new one, never missing or mixed ----------


@pytest.mark.parametrize("rounds", ROUNDS)
def test_killed_during_restores(
    sqlite_path: Path, tmp_path: Path, rng: random.Random, rounds: int
) -> None:
    big, small = tmp_path / "big.sqlite", tmp_path / "small.sqlite"
    shutil.copyfile(sqlite_path, small)
    _bulk_workers(small, "S", 10)
    shutil.copyfile(sqlite_path, big)
    _bulk_workers(big, "B", 3000)
    shutil.copyfile(big, sqlite_path)
    restored = 0
    checked: set[Path] = set()
    for round_ in range(rounds):
        killed = run_and_kill(rng.uniform(0.0, 0.5), "restore", sqlite_path, small, big)
        restored += len(killed.lines)
        where = f"seed {SEED}, round {round_}"
        assert sqlite_path.exists(), f"{where}: the database is gone"
        assert_healthy(sqlite_path)
        assert query(sqlite_path, "SELECT count(*) FROM worker") in ([(10,)], [(3000,)]), where
        asides = set(sqlite_path.parent.glob(f"{sqlite_path.stem}.replaced-*"))
        for aside in asides - checked:
            if aside.suffix == sqlite_path.suffix:
                assert_healthy(aside)  # every database put aside is whole too
        checked |= asides
    database = open_database(sqlite_path)
    database.dispose()
    assert restored, "no restore finished in any round"


# -- a schema upgrade of a populated database from the first revision ----------------------


def _revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    from hospital_osh.services.database import _alembic_config

    script = ScriptDirectory.from_config(_alembic_config(None))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


@pytest.fixture
def old_database(tmp_path: Path) -> Path:
    """A database at the first revision holding departments and workers."""
    path = tmp_path / "old.sqlite"
    database = Database(resolve_url(path))
    database.upgrade(_revisions()[0])
    database.dispose()
    _bulk_workers(path, "M", 2000)
    return path


@pytest.mark.parametrize("rounds", ROUNDS)
def test_killed_during_a_schema_upgrade(
    old_database: Path, tmp_path: Path, rng: random.Random, rounds: int
) -> None:
    revisions = _revisions()
    if len(revisions) < 2:
        pytest.skip("one revision only: nothing to upgrade")
    trial = tmp_path / "trial" / "db.sqlite"
    trial.parent.mkdir()
    shutil.copyfile(old_database, trial)
    started = time.perf_counter()
    assert run_and_kill(60, "migrate", trial).finished
    duration = time.perf_counter() - started
    for round_ in range(rounds):
        folder = tmp_path / f"round{round_}"
        folder.mkdir()
        path = folder / "db.sqlite"
        shutil.copyfile(old_database, path)
        killed = run_and_kill(rng.uniform(0.0, duration * 1.2), "migrate", path)
        where = f"seed {SEED}, round {round_}"
        assert_healthy(path)
        (current,) = query(path, "SELECT version_num FROM alembic_version")[0]
        assert current in revisions, where
        if killed.lines:  # it said it had finished: the upgrade must be complete
            assert current == revisions[-1], where
        assert query(path, "SELECT count(*), min(staff_no) FROM worker") == [(2000, "M-0")], where
        database = open_database(path)  # the next start completes the upgrade
        try:
            assert database.migration_state().up_to_date, where
        finally:
            database.dispose()
        assert_healthy(path)
        assert query(path, "SELECT count(*), max(name) FROM worker") == [(2000, "X" * 60)], where
