"""The key of an encrypted SQLite database: where it is kept, and its recovery copy.

An embedded database is one SQLCipher file encrypted with a random 32-byte data key (used as a raw
key, so opening a connection costs no key derivation). The key is never stored beside the file:

* on this computer, in the operating system's key store (Windows Credential Manager, macOS
  Keychain, Secret Service) through ``keyring``; where no usable key store exists (a headless
  Linux PC, CI) in a key file readable by the user only, under the user's data folder
  (``HOSPITAL_OSH_KEY_DIR`` moves that folder; the tests use it and never touch the real store);
* for recovery (a new PC, a restored backup), wrapped with an administrator's recovery passphrase
  (Argon2id derives a key-encryption key, AES-256-GCM wraps the data key) in ``<db>.recovery``
  beside the database. That file is useless without the passphrase, and it travels with backups.

The database id is a random UUID, also used as SQLCipher's salt: the first 16 bytes of every file
encrypted with the key (the database, its backups, a plain file copy) are that id, so the right key
is found before the file can be read. See docs/encryption.md for the procedure.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import os
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hospital_osh import paths
from hospital_osh.i18n import _
from hospital_osh.services.errors import DatabaseProblem, ValidationError

KEY_SERVICE = "hospital_osh"
KEY_DIR_ENV = "HOSPITAL_OSH_KEY_DIR"
KEY_BYTES = 32
SQLITE_HEADER = b"SQLite format 3\x00"
RECOVERY_SUFFIX = ".recovery"
RECOVERY_FORMAT = "hospital_osh-recovery"
MIN_PASSPHRASE_LENGTH = 10
# The documented passphrase of demo databases (``hospital-osh demo``): fictional data only.
DEMO_PASSPHRASE = "demo-recovery-2026"

# Argon2id, RFC 9106's second recommended setting (64 MiB, 3 passes): about 0.15 s on a pilot PC.
ARGON2_TIME_COST = 3
ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_PARALLELISM = 4


class KeyMissing(DatabaseProblem):
    """The database is encrypted and its key is not on this computer (recover it)."""

    def __init__(self, message: str, path: Path, database_id: str):
        super().__init__(message)
        self.path = path
        self.database_id = database_id


class WrongPassphrase(DatabaseProblem):
    """The recovery passphrase does not unwrap the key; nothing was changed."""


@dataclass(frozen=True)
class DataKey:
    """A database's id and its 32-byte data key."""

    database_id: str
    secret: bytes

    def __repr__(self) -> str:  # never print the key by accident
        return f"DataKey({self.database_id})"

    @property
    def salt_hex(self) -> str:
        return uuid.UUID(self.database_id).hex

    def pragma(self) -> str:
        """``PRAGMA key`` with the raw key and the id as salt (no key derivation)."""
        return f"PRAGMA key = \"x'{self.secret.hex()}{self.salt_hex}'\""

    def attach_clause(self) -> str:
        """The KEY clause of ``ATTACH DATABASE ... AS x KEY ...`` for this key."""
        return f"KEY \"x'{self.secret.hex()}{self.salt_hex}'\""


def new_key() -> DataKey:
    return DataKey(str(uuid.uuid4()), secrets.token_bytes(KEY_BYTES))


# -- what a file is --------------------------------------------------------------------------------


def file_database_id(path: Path) -> str | None:
    """The id of an encrypted database file (its first 16 bytes), None for a plaintext SQLite
    file, an empty or missing file. Any other file yields an id that no key matches."""
    try:
        with Path(path).open("rb") as handle:
            head = handle.read(16)
    except OSError:
        return None
    if len(head) < 16 or head == SQLITE_HEADER:
        return None
    return str(uuid.UUID(bytes=head))


def is_plaintext(path: Path) -> bool:
    try:
        with Path(path).open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


# -- the key store ---------------------------------------------------------------------------------

_cache: dict[str, bytes] = {}


def key_dir() -> Path:
    """Where key files live when the operating system has no usable key store."""
    override = os.environ.get(KEY_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return paths.user_data_dir() / "keys"


def _key_file(database_id: str) -> Path:
    return key_dir() / f"{uuid.UUID(database_id)}.key"


def _keyring() -> Any | None:
    """The keyring module when a real key store backs it; None on headless systems and always
    when ``HOSPITAL_OSH_KEY_DIR`` is set (tests, portable installs)."""
    if os.environ.get(KEY_DIR_ENV):
        return None
    try:
        import keyring

        backend = keyring.get_keyring()
    except Exception:  # a broken backend configuration: use the key file
        return None
    if getattr(backend, "priority", 0) < 1:
        return None
    return keyring


def _read_key_file(database_id: str) -> bytes | None:
    try:
        text = _key_file(database_id).read_text(encoding="ascii").strip()
        secret = bytes.fromhex(text)
    except (OSError, ValueError):
        return None
    return secret if len(secret) == KEY_BYTES else None


def _write_key_file(database_id: str, secret: bytes) -> Path:
    folder = key_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        folder.chmod(0o700)
    target = _key_file(database_id)
    partial = target.with_name(target.name + f".{os.getpid()}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(descriptor, secret.hex().encode("ascii"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.replace(partial, target)
    return target


def find_key(database_id: str) -> DataKey | None:
    """The key of ``database_id`` on this computer, or None."""
    secret = _cache.get(database_id) or _read_key_file(database_id)
    if secret is None:
        store = _keyring()
        if store is not None:
            try:
                stored = store.get_password(KEY_SERVICE, database_id)
                secret = bytes.fromhex(stored) if stored else None
            except Exception:  # a locked or broken store reads as "no key here"
                secret = None
    if secret is None or len(secret) != KEY_BYTES:
        return None
    _cache[database_id] = secret
    return DataKey(database_id, secret)


def store_key(key: DataKey) -> str:
    """Keep ``key`` on this computer; return where, in words for the user."""
    _cache[key.database_id] = key.secret
    store = _keyring()
    if store is not None:
        try:
            store.set_password(KEY_SERVICE, key.database_id, key.secret.hex())
            if store.get_password(KEY_SERVICE, key.database_id) == key.secret.hex():
                return _("the operating system's key store")
        except Exception:  # fall back to the key file below
            pass
    return str(_write_key_file(key.database_id, key.secret))


def key_location(database_id: str) -> str | None:
    """Where the key of ``database_id`` is kept on this computer (None: not here)."""
    if _read_key_file(database_id) is not None:
        return str(_key_file(database_id))
    store = _keyring()
    if store is not None:
        try:
            if store.get_password(KEY_SERVICE, database_id):
                return _("the operating system's key store")
        except Exception:
            return None
    return None


def forget_cached_keys() -> None:
    """Drop the keys this process remembers (tests simulate another computer with it)."""
    _cache.clear()


# -- the recovery copy -----------------------------------------------------------------------------


def recovery_path(db_path: Path) -> Path:
    return Path(db_path).with_name(Path(db_path).name + RECOVERY_SUFFIX)


def check_passphrase(passphrase: str, repeated: str) -> None:
    """Refuse a recovery passphrase that is too short or not typed the same twice."""
    if len(passphrase.strip()) < MIN_PASSPHRASE_LENGTH:
        raise ValidationError(
            {
                "passphrase": _(
                    "The recovery passphrase must have at least {n} characters."
                ).format(n=MIN_PASSPHRASE_LENGTH)
            }
        )
    if passphrase != repeated:
        raise ValidationError({"repeat": _("The two passphrases differ.")})


def _kek(passphrase: str, salt: bytes, time_cost: int, memory_kib: int, lanes: int) -> bytes:
    from argon2.low_level import Type, hash_secret_raw

    return hash_secret_raw(
        passphrase.encode("utf-8"),
        salt,
        time_cost=time_cost,
        memory_cost=memory_kib,
        parallelism=lanes,
        hash_len=32,
        type=Type.ID,
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def wrap(key: DataKey, passphrase: str) -> dict[str, Any]:
    """The recovery record of ``key``: the key encrypted under the passphrase (AES-256-GCM, the
    database id as associated data so a record cannot be swapped onto another database)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt = secrets.token_bytes(16)
    nonce = secrets.token_bytes(12)
    kek = _kek(passphrase, salt, ARGON2_TIME_COST, ARGON2_MEMORY_KIB, ARGON2_PARALLELISM)
    wrapped = AESGCM(kek).encrypt(nonce, key.secret, key.database_id.encode("ascii"))
    return {
        "format": RECOVERY_FORMAT,
        "version": 1,
        "database_id": key.database_id,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "kdf": {
            "name": "argon2id",
            "salt": _b64(salt),
            "time_cost": ARGON2_TIME_COST,
            "memory_kib": ARGON2_MEMORY_KIB,
            "parallelism": ARGON2_PARALLELISM,
        },
        "cipher": "AES-256-GCM",
        "nonce": _b64(nonce),
        "wrapped_key": _b64(wrapped),
    }


def unwrap(record: dict[str, Any], passphrase: str) -> DataKey:
    """The data key in ``record``; WrongPassphrase when the passphrase does not open it."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        kdf = record["kdf"]
        database_id = str(uuid.UUID(record["database_id"]))
        kek = _kek(
            passphrase,
            base64.b64decode(kdf["salt"]),
            int(kdf["time_cost"]),
            int(kdf["memory_kib"]),
            int(kdf["parallelism"]),
        )
        secret = AESGCM(kek).decrypt(
            base64.b64decode(record["nonce"]),
            base64.b64decode(record["wrapped_key"]),
            database_id.encode("ascii"),
        )
    except InvalidTag:
        raise WrongPassphrase(
            _("The recovery passphrase is wrong. Nothing was changed; try again.")
        ) from None
    except (KeyError, TypeError, ValueError) as error:
        raise DatabaseProblem(
            _("The recovery file is damaged ({reason}).").format(reason=error)
        ) from error
    return DataKey(database_id, secret)


def read_recovery(path: Path) -> dict[str, Any] | None:
    """The recovery record at ``path`` (None when there is none)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as error:
        raise DatabaseProblem(
            _("Cannot read the recovery file {path}: {reason}").format(path=path, reason=error)
        ) from error
    try:
        record = json.loads(text)
    except ValueError:
        record = None
    if not isinstance(record, dict) or record.get("format") != RECOVERY_FORMAT:
        raise DatabaseProblem(_("{path} is not a hospital_osh recovery file.").format(path=path))
    return record


def write_recovery(path: Path, record: dict[str, Any]) -> None:
    """Write the recovery record whole or not at all (a partial file, synced, then renamed)."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8") as handle:
            json.dump(record, handle, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def copy_recovery(db_path: Path, out: Path) -> None:
    """Put a copy of the recovery file of ``db_path`` beside ``out`` (a backup of it)."""
    record = read_recovery(recovery_path(db_path))
    if record is not None:
        write_recovery(recovery_path(out), record)


def missing_key(path: Path, database_id: str) -> KeyMissing:
    """The error for an encrypted database whose key is not on this computer."""
    db = f' --db "{path}"'
    if recovery_path(path).is_file():
        message = _(
            "The database {path} is encrypted and its key is not on this computer. Recover "
            "the key with the recovery passphrase: hospital-osh{db} key recover"
        ).format(path=path, db=db)
    else:
        message = _(
            "The database {path} is encrypted and its key is not on this computer, and its "
            "recovery file {recovery} is missing. Copy the recovery file beside the database "
            "(from the computer or backup it came from), then run: hospital-osh{db} key recover"
        ).format(path=path, recovery=recovery_path(path).name, db=db)
    return KeyMissing(message, Path(path), database_id)


# -- operations ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyStatus:
    """What ``key status`` shows about an SQLite database file."""

    path: Path
    encrypted: bool
    database_id: str | None
    key_location: str | None  # None: the key is not on this computer
    recovery_file: Path | None  # None: no recovery passphrase set


def status(db_path: Path) -> KeyStatus:
    db_path = Path(db_path)
    database_id = file_database_id(db_path)
    sidecar = recovery_path(db_path)
    record = read_recovery(sidecar)
    return KeyStatus(
        path=db_path,
        encrypted=database_id is not None,
        database_id=database_id,
        key_location=key_location(database_id) if database_id else None,
        recovery_file=sidecar if record and record.get("database_id") == database_id else None,
    )


def set_recovery_passphrase(
    session: Any, database: Any, actor: Any, passphrase: str, repeated: str
) -> Path:
    """Wrap the open database's key with a new recovery passphrase into ``<db>.recovery``
    (replacing an older one), audited in the caller's transaction (first-run setup saves it
    with the profile and the administrator). Needs the key: an open encrypted database.

    The file is written last, so that a failure before it rolls the audit event back; only a
    failed commit right after could leave the new file without its event."""
    from hospital_osh.domain.roles import Permission
    from hospital_osh.services import audit

    # The administrator's (like the hospital's settings): the passphrase opens every record.
    actor.require(Permission.MANAGE_HOSPITAL)
    check_passphrase(passphrase, repeated)
    if database.path is None or database.key is None:
        raise DatabaseProblem(
            _(
                "The database {name} is not encrypted; encrypt it first: hospital-osh key encrypt"
            ).format(name=database.display_name())
        )
    target = recovery_path(database.path)
    audit.record(
        session,
        actor,
        "recovery_passphrase_change" if target.is_file() else "recovery_passphrase_set",
        "database",
        database.key.database_id,
    )
    session.flush()
    write_recovery(target, wrap(database.key, passphrase))
    return target


def recover_key(db_path: Path, passphrase: str) -> str:
    """Unwrap the key of the database at ``db_path`` with the recovery passphrase, check that it
    opens the file, keep it on this computer; return where it was put. Nothing changes on a
    wrong passphrase."""
    from hospital_osh.services.database import connect_raw, sqlcipher

    db_path = Path(db_path)
    database_id = file_database_id(db_path)
    if database_id is None:
        if not db_path.is_file():
            raise DatabaseProblem(_("The file {path} does not exist.").format(path=db_path))
        raise DatabaseProblem(
            _("The database {path} is not encrypted; it needs no key.").format(path=db_path)
        )
    sidecar = recovery_path(db_path)
    record = read_recovery(sidecar)
    if record is None:
        raise DatabaseProblem(
            _(
                "The recovery file {recovery} is missing. Copy it beside the database from the "
                "computer or the backup the database came from, then try again."
            ).format(recovery=sidecar)
        )
    if record.get("database_id") != database_id:
        raise DatabaseProblem(
            _(
                "The recovery file {recovery} belongs to another database. Copy the recovery file "
                "that came with this database beside it."
            ).format(recovery=sidecar)
        )
    key = unwrap(record, passphrase)
    try:
        connection = connect_raw(db_path, readonly=True, key=key)
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            connection.close()
    except sqlcipher().DatabaseError as error:
        raise DatabaseProblem(
            _("The recovered key does not open {path} ({reason}).").format(
                path=db_path, reason=error
            )
        ) from error
    return store_key(key)


def protect_demo(database: Any) -> str | None:
    """Give a new encrypted demo database the documented demo recovery passphrase (its data
    is fictional); return the line to print, None when nothing was done."""
    from hospital_osh.services.context import SYSTEM

    if database.path is None or database.key is None:
        return None
    if recovery_path(database.path).is_file():
        return None
    with database.transaction() as session:
        set_recovery_passphrase(session, database, SYSTEM, DEMO_PASSPHRASE, DEMO_PASSPHRASE)
    return _("The demo database is encrypted; its recovery passphrase is {passphrase}").format(
        passphrase=DEMO_PASSPHRASE
    )
