"""Encryption at rest: a copied database file (its WAL, its backups) reveals no serostatus; a
missing key is named with its remedy; the recovery passphrase brings the key back on a new
computer and a wrong one changes nothing; converting a plaintext database keeps every row and
survives SIGKILL at any moment (plaintext whole, or encrypted whole)."""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from hospital_osh.models import FollowUp
from hospital_osh.services import followups, keys
from hospital_osh.services import post_exposure as pe
from hospital_osh.services.context import SYSTEM, Actor
from hospital_osh.services.database import (
    Database,
    backup_file,
    open_database,
    resolve_url,
    restore_file,
)
from hospital_osh.services.errors import DatabaseProblem
from tests.integration.pe_data import ASSESSED, add_exposure, hospital, source
from tests.reliability.helpers import assert_healthy, child_env, query

PASSPHRASE = "paper-in-the-safe-42"
SOURCE_REFERENCE = "SRC-ZEBRA-7731"
NOTE = "Source patient known HIV positive, on ART"
# What a reader of the raw bytes must not find: the source's result, the worker's later positive
# test (a seroconversion), the words around them in rows, the audit trail and JSON snapshots.
SECRETS = (
    SOURCE_REFERENCE.encode(),
    NOTE.encode(),
    b"source_hiv",
    b"seroconversion",
    b"positive",
)
D = dt.date.fromisoformat


def _write_confidential(database: Database, admin: Actor) -> None:
    """A positive source and, later, the worker's positive HBsAg: a seroconversion."""
    place = hospital(database, admin)
    exposure = add_exposure(
        database,
        admin,
        place,
        source_reference=SOURCE_REFERENCE,
        description=NOTE,
        **source(source_hiv="positive", source_hbsag="positive", source_anti_hcv="negative"),
    )
    with database.transaction() as session:
        pe.assess_exposure(session, admin, exposure, now=ASSESSED)
    with database.session() as session:
        rows = list(session.scalars(select(FollowUp).where(FollowUp.exposure_id == exposure)))
    later = [r for r in rows if r.code == "hbsag" and r.due_date > D("2026-04-01")]
    assert later, "the schedule has a later HBsAg test"
    with database.transaction() as session:
        followups.enter_result(
            session,
            admin,
            later[0].id,
            followups.ResultEntry(later[0].due_date, "positive"),
            today=D("2026-12-01"),
        )


def _leaks(*files: Path) -> list[str]:
    found = []
    for path in files:
        data = path.read_bytes() if path.exists() else b""
        found += [f"{path.name}: {s.decode()}" for s in SECRETS if s in data]
    return found


def test_a_copied_database_wal_and_backup_reveal_no_serostatus(
    sqlite_path: Path, tmp_path: Path, admin: Actor
) -> None:
    database = open_database(sqlite_path)
    try:
        assert database.encrypted
        _write_confidential(database, admin)
        wal_copy = tmp_path / "copied.sqlite-wal"
        shutil.copyfile(f"{sqlite_path}-wal", wal_copy)  # the WAL as it is while in use
        backup = backup_file(database, tmp_path / "backup.sqlite")
    finally:
        database.dispose()
    copy = tmp_path / "copied.sqlite"
    shutil.copyfile(sqlite_path, copy)
    assert wal_copy.stat().st_size > 0
    assert _leaks(copy, wal_copy, backup) == []
    for path in (copy, backup):
        connection = sqlite3.connect(path)  # what someone with the file alone can do
        with pytest.raises(sqlite3.DatabaseError):
            connection.execute("SELECT count(*) FROM sqlite_master").fetchall()
        connection.close()
    # With the key the same bytes hold the data: the test would see a leak if there were one.
    assert query(
        backup, "SELECT count(*) FROM exposure WHERE source_reference = ?", SOURCE_REFERENCE
    ) == [(1,)]
    assert query(backup, "SELECT count(*) FROM followup WHERE result = 'positive'") != [(0,)]


def test_the_same_writes_in_a_plaintext_database_are_readable(tmp_path: Path, admin: Actor) -> None:
    """The control: without encryption, the leak check finds the secrets."""
    path = tmp_path / "plain.sqlite"
    database = Database(resolve_url(path), encrypt=False)
    try:
        database.upgrade()
        _write_confidential(database, admin)
        with database.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        database.dispose()
    assert len(_leaks(path)) == len(SECRETS)


def test_open_without_the_key_names_the_recovery_command(
    sqlite_path: Path, new_machine: Callable[[], Path]
) -> None:
    _protected(sqlite_path)
    new_machine()
    with pytest.raises(keys.KeyMissing, match=r"hospital-osh --db .* key recover") as caught:
        open_database(sqlite_path)
    assert caught.value.path == sqlite_path


def _protected(sqlite_path: Path) -> tuple[Path, bytes]:
    database = open_database(sqlite_path)
    try:
        with database.transaction() as session:
            keys.set_recovery_passphrase(session, database, SYSTEM, PASSPHRASE, PASSPHRASE)
        with database.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        database.dispose()
    return keys.recovery_path(sqlite_path), sqlite_path.read_bytes()


def test_recover_on_a_new_machine_then_open(
    sqlite_path: Path, new_machine: Callable[[], Path]
) -> None:
    sidecar, _ = _protected(sqlite_path)
    folder = new_machine()
    with pytest.raises(keys.KeyMissing):
        open_database(sqlite_path)
    where = keys.recover_key(sqlite_path, PASSPHRASE)
    key_file = Path(where)
    assert key_file.parent == folder
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.parent.resolve() != sqlite_path.parent.resolve()
    assert sqlite_path.read_bytes().find(key_file.read_bytes()) == -1
    assert sidecar.read_text().find(key_file.read_text()) == -1  # the key is wrapped there
    keys.forget_cached_keys()
    database = open_database(sqlite_path)
    try:
        assert database.migration_state().up_to_date
    finally:
        database.dispose()
    assert_healthy(sqlite_path)


def test_a_wrong_passphrase_is_refused_and_changes_nothing(
    sqlite_path: Path, new_machine: Callable[[], Path]
) -> None:
    sidecar, before = _protected(sqlite_path)
    sidecar_before = sidecar.read_bytes()
    folder = new_machine()
    with pytest.raises(keys.WrongPassphrase, match="passphrase is wrong"):
        keys.recover_key(sqlite_path, "not-the-passphrase")
    assert sqlite_path.read_bytes() == before
    assert sidecar.read_bytes() == sidecar_before
    assert not folder.exists() or not any(folder.iterdir())
    with pytest.raises(keys.KeyMissing):
        open_database(sqlite_path)


def test_a_recovery_file_of_another_database_is_refused(
    sqlite_path: Path, tmp_path: Path, new_machine: Callable[[], Path]
) -> None:
    sidecar, _ = _protected(sqlite_path)
    other = tmp_path / "other.sqlite"
    open_database(other).dispose()
    shutil.copyfile(sidecar, keys.recovery_path(other))
    new_machine()
    with pytest.raises(DatabaseProblem, match="belongs to another database"):
        keys.recover_key(other, PASSPHRASE)


def test_backup_and_restore_of_an_encrypted_database(
    sqlite_path: Path, tmp_path: Path, admin: Actor
) -> None:
    _protected(sqlite_path)
    database = open_database(sqlite_path)
    try:
        place = hospital(database, admin)
        add_exposure(database, admin, place, source_reference="BEFORE-BACKUP")
        backup = backup_file(database, tmp_path / "monday.sqlite")
        add_exposure(database, admin, place, source_reference="AFTER-BACKUP")
        database_id = database.key.database_id if database.key else ""
    finally:
        database.dispose()
    assert keys.file_database_id(backup) == database_id  # encrypted with the same key
    assert keys.recovery_path(backup).read_bytes() == keys.recovery_path(sqlite_path).read_bytes()
    aside = restore_file(sqlite_path, backup)
    assert aside is not None and keys.file_database_id(aside) == database_id
    assert keys.recovery_path(aside).is_file()
    refs = sorted(r for (r,) in query(sqlite_path, "SELECT source_reference FROM exposure"))
    assert refs == ["BEFORE-BACKUP"]
    assert_healthy(sqlite_path)


def test_a_restored_backup_on_a_new_machine_is_recovered_with_its_recovery_file(
    sqlite_path: Path, tmp_path: Path, new_machine: Callable[[], Path]
) -> None:
    _protected(sqlite_path)
    (tmp_path / "usb").mkdir()
    database = open_database(sqlite_path)
    try:
        backup = backup_file(database, tmp_path / "usb" / "copy.sqlite")
    finally:
        database.dispose()
    new_machine()
    target = tmp_path / "new-pc" / "osh.sqlite"
    target.parent.mkdir()
    with pytest.raises(keys.KeyMissing, match="key recover"):
        restore_file(target, backup)
    assert not target.exists()
    keys.recover_key(backup, PASSPHRASE)
    restore_file(target, backup)
    assert keys.recovery_path(target).is_file()
    assert_healthy(target)


# -- converting a plaintext database ---------------------------------------------------------


@pytest.fixture(scope="module")
def plaintext_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plaintext database as older versions made it, with demo data."""
    from hospital_osh.services import demo

    path = tmp_path_factory.mktemp("plain") / "plain.sqlite"
    database = Database(resolve_url(path), encrypt=False)
    try:
        database.upgrade()
        demo.build(database, records=150, staff=120, today=D("2026-11-01"))
        with database.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        database.dispose()
    return path


TABLES = ("worker", "exposure", "followup", "audit_event", "app_user", "department")


def _counts(path: Path) -> dict[str, int]:
    return {t: int(str(query(path, f"SELECT count(*) FROM {t}")[0][0])) for t in TABLES}


def test_a_plaintext_database_still_opens(plaintext_demo: Path, tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copyfile(plaintext_demo, path)
    database = open_database(path)
    try:
        assert not database.encrypted
    finally:
        database.dispose()
    assert keys.is_plaintext(path)


def _encrypt_child(path: Path) -> subprocess.Popen[str]:
    env = child_env()
    env["HOSPITAL_OSH_RECOVERY_PASSPHRASE"] = PASSPHRASE
    return subprocess.Popen(
        [sys.executable, "-m", "hospital_osh", "--db", str(path), "key", "encrypt"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize(
    "rounds", [pytest.param(4, id="quick"), pytest.param(8, id="heavy", marks=pytest.mark.slow)]
)
def test_encrypting_is_all_or_nothing_under_sigkill(
    plaintext_demo: Path, tmp_path: Path, rounds: int
) -> None:
    seed = int(os.environ.get("OSH_CRASH_SEED", random.SystemRandom().randrange(1 << 30)))
    rng = random.Random(seed)
    before = _counts(plaintext_demo)
    # How long a whole conversion takes here, to spread the kills over it.
    timing = tmp_path / "timing.sqlite"
    shutil.copyfile(plaintext_demo, timing)
    started = time.perf_counter()
    finished = _encrypt_child(timing)
    _, err = finished.communicate(timeout=300)
    assert finished.returncode == 0, err
    span = time.perf_counter() - started
    outcomes = set()
    for round_ in range(rounds):
        where = f"seed {seed}, round {round_}"
        path = tmp_path / f"round{round_}.sqlite"
        shutil.copyfile(plaintext_demo, path)
        child = _encrypt_child(path)
        try:
            child.wait(timeout=rng.uniform(0.2, span * 1.2))  # some rounds finish
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        child.communicate()
        encrypted = not keys.is_plaintext(path)
        outcomes.add(encrypted)
        assert_healthy(path)
        after = _counts(path)
        if encrypted:
            assert keys.recovery_path(path).is_file(), where
            after["audit_event"] -= 1  # the conversion's own event
        assert after == before, where
        leftovers = [p.name for p in path.parent.glob(f"{path.name}.encrypting*")]
        if encrypted:
            assert not leftovers, where
    assert outcomes, "no round ran"
