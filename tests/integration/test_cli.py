"""The ``hospital-osh`` command's exit codes and messages, which scripts and health authorities
rely on: 0 success, 1 a check found a problem, 2 bad input with one line on stderr.

Commands run in-process through ``cli.main`` (fast); only the checks that need a fresh
interpreter (no traceback, no Qt loaded) start a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from hospital_osh import __version__, i18n
from hospital_osh.cli import main
from hospital_osh.domain.accounts import MIN_PASSWORD_LENGTH
from hospital_osh.services import users
from hospital_osh.services.context import SYSTEM
from hospital_osh.services.database import (
    Database,
    connect_raw,
    resolve_url,
    sqlite_file_problem,
)

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-42"


class Cli:
    """Runs ``hospital-osh --db PATH ...`` in-process and returns (exit code, stdout, stderr)."""

    def __init__(self, db: Path, capsys: pytest.CaptureFixture[str]):
        self.db = db
        self._capsys = capsys

    def __call__(self, *args: str, db: bool = True) -> tuple[int, str, str]:
        self._capsys.readouterr()  # drop anything printed before
        argv = (["--db", str(self.db)] if db else []) + list(args)
        try:
            code = main(argv)
        except SystemExit as exit:  # argparse: --version, usage errors
            code = exit.code if isinstance(exit.code, int) else 1
        out, err = self._capsys.readouterr()
        return code, out, err


@pytest.fixture
def cli(sqlite_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(sqlite_path, capsys)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Production Argon2 costs ~0.1 s a hash; these tests are about the command, not the hash."""
    hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(users, "_hasher", lambda: hasher)


def one_line(err: str) -> str:
    """The single stderr line a user error must produce."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def _tamper_audit(db: Path) -> int:
    """Alter the newest audit event behind the application's back; return its id."""
    connection = connect_raw(db)
    try:
        (event_id,) = connection.execute("SELECT max(id) FROM audit_event").fetchone()
        connection.execute("UPDATE audit_event SET actor = 'mallory' WHERE id = ?", (event_id,))
        connection.commit()
    finally:
        connection.close()
    return int(event_id)


# -- version, database state --------------------------------------------------------------------


def test_version(cli: Cli) -> None:
    code, out, _ = cli("--version", db=False)
    assert (code, out.strip()) == (0, f"hospital-osh {__version__}")


def test_db_status_at_head_and_behind(cli: Cli, tmp_path: Path) -> None:
    code, out, _ = cli("db", "status")
    assert code == 0 and "Schema revision" in out
    empty = Cli(tmp_path / "empty.sqlite", cli._capsys)  # a database with no schema is behind
    code, out, _ = empty("db", "status")
    assert code == 1 and "Schema revision: - " in out


def test_db_upgrade_brings_a_database_to_head(cli: Cli, tmp_path: Path) -> None:
    fresh = Cli(tmp_path / "fresh.sqlite", cli._capsys)
    assert fresh("db", "status")[0] == 1
    code, out, _ = fresh("db", "upgrade")
    assert code == 0 and "up to date" in out
    assert fresh("db", "status")[0] == 0


def test_unknown_subcommand_is_bad_input(cli: Cli) -> None:
    code, _, err = cli("frobnicate")
    assert code == 2
    assert "frobnicate" in err.strip().splitlines()[-1]
    assert "Traceback" not in err


# -- check, audit ------------------------------------------------------------------------------


def test_check_passes_then_finds_a_tampered_audit_trail(cli: Cli) -> None:
    assert cli("settings", "set", "backup_keep", "20")[0] == 0  # writes an audit event
    code, out, _ = cli("check")
    assert code == 0 and "all checks passed" in out
    event_id = _tamper_audit(cli.db)
    code, _, err = cli("check")
    assert code == 1
    assert f"event {event_id}" in err


def test_audit_verify_names_the_altered_event(cli: Cli) -> None:
    assert cli("users", "add", "alice", "--role", "osh_officer", "--password", PASSWORD)[0] == 0
    assert cli("users", "disable", "alice")[0] == 0
    code, out, _ = cli("audit", "verify")
    assert code == 0 and "2 events verified" in out
    event_id = _tamper_audit(cli.db)
    code, out, err = cli("audit", "verify")
    assert code == 1 and out == ""
    assert f"Audit trail broken at event {event_id}:" in one_line(err)


# -- backup, restore -----------------------------------------------------------------------------


def test_backup_writes_a_valid_database(cli: Cli, tmp_path: Path) -> None:
    assert cli("users", "add", "alice", "--role", "viewer", "--password", PASSWORD)[0] == 0
    out_file = tmp_path / "copy.sqlite"
    code, out, _ = cli("backup", "--out", str(out_file))
    assert code == 0 and str(out_file) in out
    assert sqlite_file_problem(out_file, full=True) is None
    connection = connect_raw(out_file)
    try:
        assert connection.execute("SELECT username FROM app_user").fetchall() == [("alice",)]
    finally:
        connection.close()


def test_restore_a_backup(cli: Cli, tmp_path: Path) -> None:
    backup = tmp_path / "before.sqlite"
    assert cli("backup", "--out", str(backup))[0] == 0
    assert cli("users", "add", "alice", "--role", "viewer", "--password", PASSWORD)[0] == 0
    code, out, _ = cli("restore", str(backup))
    assert code == 0 and "kept as" in out
    code, out, _ = cli("users", "list")
    assert code == 0 and "alice" not in out


def test_restore_refuses_a_file_that_is_not_a_database(cli: Cli, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("minutes of the committee meeting")
    code, _, err = cli("restore", str(notes))
    assert code == 2
    assert "not a hospital_osh database" in one_line(err)


# -- users -------------------------------------------------------------------------------------


def test_users_add_list_passwd_disable_unlock(cli: Cli) -> None:
    add = ["users", "add", "alice", "--role", "osh_officer", "--name", "Alice Wu"]
    code, out, _ = cli(*add, "--password", PASSWORD)
    assert code == 0 and "alice" in out
    code, out, _ = cli("users", "list")
    assert code == 0
    assert out.splitlines() == ["alice\tosh_officer\tactive\tAlice Wu"]
    assert cli("users", "passwd", "alice", "--password", "another-secret-99")[0] == 0
    database = Database(resolve_url(cli.db))
    try:
        with database.transaction() as session:
            users.lock(session, SYSTEM, "alice")
        assert cli("users", "unlock", "alice")[0] == 0
        users.login(database, "alice", "another-secret-99")  # unlocked, new password works
    finally:
        database.dispose()
    assert cli("users", "disable", "alice")[0] == 0
    assert cli("users", "list")[1].split("\t")[2] == "disabled"


def test_users_password_from_the_environment(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOSPITAL_OSH_PASSWORD", PASSWORD)
    assert cli("users", "add", "bob", "--role", "viewer")[0] == 0
    database = Database(resolve_url(cli.db))
    try:
        assert users.login(database, "bob", PASSWORD).username == "bob"
    finally:
        database.dispose()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["users", "add", "bob", "--role", "viewer", "--password", "short"], "at least 10"),
        (["users", "add", "bob", "--role", "surgeon", "--password", PASSWORD], "Unknown role"),
        (["users", "add", "alice", "--role", "viewer", "--password", PASSWORD], "is taken"),
        (["users", "passwd", "alice", "--password", "short"], "at least 10"),
        (["users", "disable", "nobody"], "There is no user 'nobody'"),
    ],
    ids=["short-password", "unknown-role", "duplicate", "passwd-short", "unknown-user"],
)
def test_users_bad_input(cli: Cli, args: list[str], message: str) -> None:
    assert cli("users", "add", "alice", "--role", "viewer", "--password", PASSWORD)[0] == 0
    before = cli("users", "list")[1]
    code, _, err = cli(*args)
    assert code == 2
    assert message in one_line(err)
    assert cli("users", "list")[1] == before  # nothing changed


def test_users_add_without_a_password_and_no_terminal(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HOSPITAL_OSH_PASSWORD", raising=False)
    code, _, err = cli("users", "add", "bob", "--role", "viewer")
    assert code == 2 and "--password" in one_line(err)


# -- settings ----------------------------------------------------------------------------------


def test_settings_list_get_set(cli: Cli) -> None:
    code, out, _ = cli("settings", "list")
    assert code == 0 and "backup_keep\t10" in out.splitlines()
    assert cli("settings", "set", "backup_keep", " 30 ")[0] == 0
    code, out, _ = cli("settings", "get", "backup_keep")
    assert (code, out) == (0, "30\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["settings", "get", "colour"], "Unknown setting 'colour'"),
        (["settings", "set", "colour", "blue"], "Unknown setting 'colour'"),
        (["settings", "set", "backup_keep", "many"], "whole number from 1 to 365"),
        (["settings", "set", "backup_keep", "0"], "whole number from 1 to 365"),
    ],
)
def test_settings_bad_input(cli: Cli, args: list[str], message: str) -> None:
    code, _, err = cli(*args)
    assert code == 2 and message in one_line(err)
    assert cli("settings", "get", "backup_keep")[1] == "10\n"


# -- language ----------------------------------------------------------------------------------


def test_lang_zh_cn_gives_errors_in_chinese(cli: Cli) -> None:
    msgid = "The password must have at least {n} characters."
    english = msgid.format(n=MIN_PASSWORD_LENGTH)
    i18n.set_language("zh_CN")
    chinese = i18n._(msgid).format(n=MIN_PASSWORD_LENGTH)
    i18n.set_language("en")
    assert chinese != english, "the catalogue lacks this message"
    args = ["users", "add", "bob", "--role", "viewer", "--password", "short"]
    code, _, err = cli("--lang", "zh_CN", *args, db=True)
    assert code == 2 and chinese in one_line(err)
    code, _, err = cli(*args)
    assert code == 2 and english in one_line(err)


# -- in a fresh interpreter --------------------------------------------------------------------


def _hospital_osh(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hospital_osh", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "HOSPITAL_OSH_LANG": "en"},
        check=False,
    )


def test_a_user_error_prints_one_line_and_no_traceback(sqlite_path: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database")
    result = _hospital_osh("--db", str(sqlite_path), "restore", str(notes))
    assert result.returncode == 2
    assert result.stderr.startswith("hospital-osh: ")
    assert "not a hospital_osh database" in one_line(result.stderr)


def test_database_commands_do_not_load_qt(sqlite_path: Path) -> None:
    """The command line runs on servers without Qt's system libraries."""
    probe = (
        "import json, sys\n"
        "from hospital_osh.cli import main\n"
        "codes = [main(['--db', sys.argv[1], *c.split()]) for c in sys.argv[2:]]\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules})\n"
        "print(json.dumps({'codes': codes, 'loaded': loaded}), file=sys.stderr)\n"
    )
    commands = ["db status", "check", "users list", "audit verify", "settings list"]
    result = subprocess.run(
        [sys.executable, "-c", probe, str(sqlite_path), *commands],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "HOSPITAL_OSH_LANG": "en"},
        check=True,
    )
    answer = json.loads(result.stderr.strip().splitlines()[-1])
    assert answer["codes"] == [0] * len(commands)
    assert "sqlalchemy" in answer["loaded"]  # the probe did reach the database
    assert not {"PySide6", "shiboken6"} & set(answer["loaded"])
