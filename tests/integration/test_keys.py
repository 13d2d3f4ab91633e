"""The key store, the recovery file and the ``key`` commands."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from hospital_osh.cli import main
from hospital_osh.models import AuditEvent
from hospital_osh.services import keys
from hospital_osh.services.context import SYSTEM
from hospital_osh.services.database import Database, open_database, resolve_url
from hospital_osh.services.errors import DatabaseProblem, PermissionDenied, ValidationError
from tests.conftest import actor

PASSPHRASE = "a-long-enough-phrase"


class Cli:
    def __init__(self, capsys: pytest.CaptureFixture[str]):
        self._capsys = capsys

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        self._capsys.readouterr()
        try:
            code = main(list(argv))
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else 1
        out, err = self._capsys.readouterr()
        return code, out, err


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("HOSPITAL_OSH_RECOVERY_PASSPHRASE", PASSPHRASE)
    return Cli(capsys)


def _plaintext(path: Path) -> Path:
    database = Database(resolve_url(path), encrypt=False)
    database.upgrade()
    database.dispose()
    return path


def _events(path: Path, action: str) -> int:
    database = open_database(path)
    try:
        with database.session() as session:
            return len(session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all())
    finally:
        database.dispose()


# -- wrapping ----------------------------------------------------------------------------------


def test_wrap_and_unwrap_round_trip_and_bind_the_database_id() -> None:
    key = keys.new_key()
    record = keys.wrap(key, PASSPHRASE)
    assert key.secret.hex() not in json.dumps(record)
    assert keys.unwrap(record, PASSPHRASE) == key
    with pytest.raises(keys.WrongPassphrase):
        keys.unwrap(record, PASSPHRASE + "x")
    swapped = dict(record, database_id=keys.new_key().database_id)
    with pytest.raises(keys.WrongPassphrase):  # a record moved onto another database
        keys.unwrap(swapped, PASSPHRASE)


def test_a_damaged_recovery_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite.recovery"
    path.write_text("{not json")
    with pytest.raises(DatabaseProblem, match="not a hospital_osh recovery file"):
        keys.read_recovery(path)
    record = keys.wrap(keys.new_key(), PASSPHRASE)
    del record["nonce"]
    with pytest.raises(DatabaseProblem, match="recovery file is damaged"):
        keys.unwrap(record, PASSPHRASE)


@pytest.mark.parametrize(
    ("passphrase", "repeated", "field", "message"),
    [
        ("short", "short", "passphrase", "at least 10 characters"),
        ("          x", "          x", "passphrase", "at least 10 characters"),
        (PASSPHRASE, PASSPHRASE + "!", "repeat", "differ"),
    ],
)
def test_passphrase_rules(passphrase: str, repeated: str, field: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        keys.check_passphrase(passphrase, repeated)
    assert message in caught.value.fields[field]


# -- the key store -------------------------------------------------------------------------------


def test_key_file_is_private_and_outside_the_database_folder(sqlite_path: Path) -> None:
    database = open_database(sqlite_path)
    try:
        assert database.key is not None
        location = keys.key_location(database.key.database_id)
    finally:
        database.dispose()
    assert location is not None
    key_file = Path(location)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert key_file.parent.resolve() != sqlite_path.parent.resolve()
    assert not list(sqlite_path.parent.glob("*.key"))


class _FakeKeyring:
    """A key store that works (priority 1), as Windows Credential Manager would."""

    def __init__(self) -> None:
        self.saved: dict[tuple[str, str], str] = {}
        self.priority = 1

    def get_keyring(self) -> _FakeKeyring:
        return self

    def set_password(self, service: str, user: str, value: str) -> None:
        self.saved[(service, user)] = value

    def get_password(self, service: str, user: str) -> str | None:
        return self.saved.get((service, user))


@pytest.fixture
def os_key_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[_FakeKeyring]:
    store = _FakeKeyring()
    monkeypatch.delenv(keys.KEY_DIR_ENV)
    monkeypatch.setattr(keys, "_keyring", lambda: store)
    monkeypatch.setattr(keys, "key_dir", lambda: tmp_path / "no-key-files-here")
    keys.forget_cached_keys()
    yield store
    keys.forget_cached_keys()


def test_the_operating_systems_key_store_is_used_when_it_works(
    os_key_store: _FakeKeyring, tmp_path: Path
) -> None:
    path = tmp_path / "osh.sqlite"
    database = open_database(path)
    assert database.key is not None
    database_id = database.key.database_id
    database.dispose()
    assert list(os_key_store.saved) == [(keys.KEY_SERVICE, database_id)]
    assert not (tmp_path / "no-key-files-here").exists()
    keys.forget_cached_keys()
    open_database(path).dispose()  # found again in the store


def test_a_broken_key_store_falls_back_to_the_key_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    class Broken(_FakeKeyring):
        def set_password(self, service: str, user: str, value: str) -> None:
            raise RuntimeError("no D-Bus session")

    monkeypatch.delenv(keys.KEY_DIR_ENV)
    monkeypatch.setattr(keys, "_keyring", lambda: Broken())
    monkeypatch.setattr(keys, "key_dir", lambda: tmp_path / "keys")
    where = keys.store_key(keys.new_key())
    assert Path(where).parent == tmp_path / "keys"


# -- the commands --------------------------------------------------------------------------------


def test_key_encrypt_converts_a_plaintext_database_keeping_every_row(
    cli: Cli, tmp_path: Path
) -> None:
    path = _plaintext(tmp_path / "old.sqlite")
    code, out, err = cli("--db", str(path), "key", "status")
    assert code == 1 and "Not encrypted" in out
    code, out, err = cli("--db", str(path), "key", "encrypt")
    assert code == 0, err
    assert "is encrypted" in out
    assert not keys.is_plaintext(path)
    assert keys.recovery_path(path).is_file()
    assert not list(tmp_path.glob("old.plaintext-*"))
    assert not list(tmp_path.glob("*.encrypting*"))
    assert _events(path, "database_encrypt") == 1
    code, out, err = cli("--db", str(path), "check")
    assert code == 0, err
    code, out, _ = cli("--db", str(path), "key", "status")
    assert code == 0 and "Recovery file" in out and "Key on this computer" in out
    code, _, err = cli("--db", str(path), "key", "encrypt")
    assert code == 2 and "already encrypted" in err


def test_key_encrypt_can_keep_the_plaintext_copy(cli: Cli, tmp_path: Path) -> None:
    path = _plaintext(tmp_path / "old.sqlite")
    code, out, err = cli("--db", str(path), "key", "encrypt", "--keep-plaintext")
    assert code == 0, err
    kept = list(tmp_path.glob("old.plaintext-*.sqlite"))
    assert len(kept) == 1 and keys.is_plaintext(kept[0])
    assert str(kept[0]) in out


def test_key_encrypt_refuses_a_short_passphrase_and_changes_nothing(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _plaintext(tmp_path / "old.sqlite")
    before = path.read_bytes()
    monkeypatch.setenv("HOSPITAL_OSH_RECOVERY_PASSPHRASE", "short")
    code, _, err = cli("--db", str(path), "key", "encrypt")
    assert code == 2 and "at least 10 characters" in err
    assert path.read_bytes() == before
    assert not keys.recovery_path(path).exists()


def test_key_encrypt_lists_plaintext_backups(cli: Cli, tmp_path: Path) -> None:
    path = _plaintext(tmp_path / "old.sqlite")
    (tmp_path / "backups").mkdir()
    code, out, err = cli(
        "--db", str(path), "backup", "--out", str(tmp_path / "backups" / "a.sqlite")
    )
    assert code == 0, err
    code, out, err = cli("--db", str(path), "key", "encrypt")
    assert code == 0, err
    assert "1 older backups" in out


def test_without_a_terminal_the_passphrase_must_come_from_the_environment(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _plaintext(tmp_path / "old.sqlite")
    monkeypatch.delenv("HOSPITAL_OSH_RECOVERY_PASSPHRASE")
    code, _, err = cli("--db", str(path), "key", "encrypt")
    assert code == 2 and "HOSPITAL_OSH_RECOVERY_PASSPHRASE" in err


def test_key_passphrase_then_recover_on_a_new_machine(
    cli: Cli, sqlite_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = cli("--db", str(sqlite_path), "key", "passphrase")
    assert code == 0, err
    assert _events(sqlite_path, "recovery_passphrase_set") == 1
    monkeypatch.setenv("HOSPITAL_OSH_RECOVERY_PASSPHRASE", PASSPHRASE + "-2")
    code, out, err = cli("--db", str(sqlite_path), "key", "passphrase")
    assert code == 0, err
    assert _events(sqlite_path, "recovery_passphrase_change") == 1
    monkeypatch.setenv(keys.KEY_DIR_ENV, str(tmp_path / "new-pc"))
    keys.forget_cached_keys()
    code, _, err = cli("--db", str(sqlite_path), "check")
    assert code == 2 and "key recover" in err
    monkeypatch.setenv("HOSPITAL_OSH_RECOVERY_PASSPHRASE", PASSPHRASE)  # the old one
    code, _, err = cli("--db", str(sqlite_path), "key", "recover")
    assert code == 2 and "passphrase is wrong" in err
    monkeypatch.setenv("HOSPITAL_OSH_RECOVERY_PASSPHRASE", PASSPHRASE + "-2")
    code, out, err = cli("--db", str(sqlite_path), "key", "recover")
    assert code == 0, err
    assert "back on this computer" in out
    code, _, err = cli("--db", str(sqlite_path), "check")
    assert code == 0, err
    keys.forget_cached_keys()


def test_recover_without_the_recovery_file_says_where_to_get_it(
    cli: Cli, sqlite_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(keys.KEY_DIR_ENV, str(tmp_path / "new-pc"))
    keys.forget_cached_keys()
    code, _, err = cli("--db", str(sqlite_path), "key", "recover")
    assert code == 2 and "recovery file" in err and "is missing" in err
    keys.forget_cached_keys()


def test_key_commands_refuse_postgresql(cli: Cli) -> None:
    code, _, err = cli("--db", "postgresql://osh@localhost/osh", "key", "status")
    assert code == 2 and "PostgreSQL" in err


def test_demo_gets_the_documented_recovery_passphrase(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "demo.sqlite"
    code, out, err = cli("--db", str(path), "demo", "--records", "5", "--staff", "20")
    assert code == 0, err
    assert keys.DEMO_PASSPHRASE in out
    record = keys.read_recovery(keys.recovery_path(path))
    assert record is not None
    assert keys.unwrap(record, keys.DEMO_PASSPHRASE).database_id == keys.file_database_id(path)


def test_setting_the_passphrase_needs_the_backup_permission(sqlite_path: Path) -> None:
    database = open_database(sqlite_path)
    try:
        with pytest.raises(PermissionDenied), database.transaction() as session:
            keys.set_recovery_passphrase(session, database, actor("viewer"), PASSPHRASE, PASSPHRASE)
        assert not keys.recovery_path(sqlite_path).exists()
        with database.transaction() as session:
            keys.set_recovery_passphrase(session, database, SYSTEM, PASSPHRASE, PASSPHRASE)
    finally:
        database.dispose()


def test_a_plaintext_database_cannot_get_a_passphrase(tmp_path: Path) -> None:
    path = _plaintext(tmp_path / "old.sqlite")
    database = open_database(path)
    try:
        with pytest.raises(DatabaseProblem, match="not encrypted"), database.transaction() as s:
            keys.set_recovery_passphrase(s, database, SYSTEM, PASSPHRASE, PASSPHRASE)
    finally:
        database.dispose()


def test_a_database_never_connected_stores_no_key(tmp_path: Path) -> None:
    key_dir = keys.key_dir()
    before = set(key_dir.iterdir()) if key_dir.is_dir() else set()
    with pytest.raises(DatabaseProblem, match="does not exist"):
        open_database(tmp_path / "missing-folder" / "osh.sqlite")
    Database(resolve_url(tmp_path / "never.sqlite")).dispose()
    after = set(key_dir.iterdir()) if key_dir.is_dir() else set()
    assert after == before
