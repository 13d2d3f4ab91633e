"""The ``key`` commands: the encryption key of the embedded SQLite database.

``key status`` says whether the database is encrypted, where its key is kept and whether a
recovery passphrase is set (exit 1 when something needs doing). ``key encrypt`` converts a
plaintext database made by an older version. ``key recover`` puts the key back on this computer
from the recovery passphrase (a new PC, a restored backup). ``key passphrase`` sets or changes
the recovery passphrase. Passphrases are asked on the terminal (twice when new), or taken from
``HOSPITAL_OSH_RECOVERY_PASSPHRASE`` for scripts. See docs/encryption.md.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from hospital_osh.i18n import _

EXIT_OK, EXIT_PROBLEM = 0, 1
PASSPHRASE_ENV = "HOSPITAL_OSH_RECOVERY_PASSPHRASE"


def add_parsers(commands: Any) -> None:
    parser = commands.add_parser(
        "key",
        help=_("the encryption key of the database"),
        description=_(
            "The database file is encrypted; its key is kept in this computer's key store and, "
            "wrapped with the recovery passphrase, in the .recovery file beside the database. "
            "See docs/encryption.md."
        ),
    )
    actions = parser.add_subparsers(
        dest="key_command", metavar="ACTION", required=True, parser_class=commands._parser_class
    )
    actions.add_parser(
        "status", help=_("is the database encrypted, where is its key, is recovery set up")
    )
    encrypt = actions.add_parser(
        "encrypt",
        help=_("encrypt a database made by an older version (asks for a recovery passphrase)"),
        description=_(
            "Close the application on every computer first. The database is copied into an "
            "encrypted file, checked, and only then replaces the plaintext one; the plaintext "
            "file is overwritten and removed unless --keep-plaintext is given."
        ),
    )
    encrypt.add_argument(
        "--keep-plaintext",
        action="store_true",
        help=_("keep the plaintext file beside the database (delete it yourself later)"),
    )
    actions.add_parser(
        "recover",
        help=_("put the key back on this computer with the recovery passphrase"),
    )
    actions.add_parser("passphrase", help=_("set or change the recovery passphrase"))


def _sqlite_path(args: argparse.Namespace) -> Path:
    from hospital_osh.cli import CommandError
    from hospital_osh.services.database import resolve_url

    url = resolve_url(args.db)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise CommandError(
            _(
                "Only the embedded SQLite database file is encrypted by hospital_osh; a "
                "PostgreSQL server keeps its data on encrypted storage (docs/encryption.md)."
            )
        )
    return Path(url.database)


def _ask(prompt: str) -> str:
    from hospital_osh.cli import CommandError

    if os.environ.get(PASSPHRASE_ENV):
        return os.environ[PASSPHRASE_ENV]
    if not sys.stdin or not sys.stdin.isatty():
        raise CommandError(
            _("Type the recovery passphrase on a terminal, or give it in {env}.").format(
                env=PASSPHRASE_ENV
            )
        )
    return getpass.getpass(prompt)


def _new_passphrase() -> tuple[str, str]:
    """A new passphrase, twice (the environment variable counts as typed twice)."""
    from hospital_osh.services.keys import MIN_PASSPHRASE_LENGTH

    if os.environ.get(PASSPHRASE_ENV):
        value = os.environ[PASSPHRASE_ENV]
        return value, value
    print(
        _(
            "Choose a recovery passphrase of at least {n} characters. Write it on paper and "
            "keep it in a safe place: without it, a database whose key is lost (a new "
            "computer, a reinstalled system) cannot be read by anyone."
        ).format(n=MIN_PASSPHRASE_LENGTH)
    )
    first = _ask(_("Recovery passphrase: "))
    return first, _ask(_("Repeat the recovery passphrase: "))


def cmd_key(args: argparse.Namespace) -> int:
    from hospital_osh.services.context import SYSTEM
    from hospital_osh.services.errors import ValidationError

    path = _sqlite_path(args)
    try:
        if args.key_command == "status":
            return _status(path)
        if args.key_command == "encrypt":
            return _encrypt(path, args.keep_plaintext)
        if args.key_command == "recover":
            return _recover(path)
        return _passphrase(args, SYSTEM)
    except ValidationError as error:
        from hospital_osh.cli import CommandError

        raise CommandError(" ".join(error.fields.values())) from None


def _status(path: Path) -> int:
    from hospital_osh.services import keys

    info = keys.status(path)
    print(_("Database: {path}").format(path=path))
    if not path.is_file():
        print(_("The file does not exist yet; it will be encrypted when it is created."))
        return EXIT_OK
    if not info.encrypted:
        print(_("Not encrypted. Encrypt it with: hospital-osh key encrypt"))
        return EXIT_PROBLEM
    print(_("Encrypted (SQLCipher); database id {id}.").format(id=info.database_id))
    if info.key_location:
        print(_("Key on this computer: {where}").format(where=info.key_location))
    else:
        print(_("The key is not on this computer: run hospital-osh key recover"))
    if info.recovery_file:
        print(_("Recovery file: {path}").format(path=info.recovery_file))
    else:
        print(_("No recovery passphrase is set: run hospital-osh key passphrase"))
    return EXIT_OK if info.key_location and info.recovery_file else EXIT_PROBLEM


def _encrypt(path: Path, keep_plaintext: bool) -> int:
    from hospital_osh.services.database import encrypt_file

    passphrase, repeated = _new_passphrase()
    done = encrypt_file(path, passphrase, repeated, keep_plaintext=keep_plaintext)
    print(
        _("{path} is encrypted ({rows} rows copied and checked).").format(path=path, rows=done.rows)
    )
    if done.kept:
        print(
            _(
                "The plaintext copy was kept as {path}: delete it once you no longer need it."
            ).format(path=done.kept)
        )
    if done.plaintext_backups:
        print(
            _(
                "{count} older backups in {folder} are not encrypted and hold the same "
                "confidential data; delete them once a new backup is made."
            ).format(count=len(done.plaintext_backups), folder=done.plaintext_backups[0].parent)
        )
    return EXIT_OK


def _recover(path: Path) -> int:
    from hospital_osh.services import keys

    where = keys.recover_key(path, _ask(_("Recovery passphrase: ")))
    print(_("The key of {path} is back on this computer ({where}).").format(path=path, where=where))
    return EXIT_OK


def _passphrase(args: argparse.Namespace, actor: Any) -> int:
    from hospital_osh.services import keys
    from hospital_osh.services.database import open_database

    database = open_database(args.db)
    try:
        passphrase, repeated = _new_passphrase()
        with database.transaction() as session:
            target = keys.set_recovery_passphrase(session, database, actor, passphrase, repeated)
    finally:
        database.dispose()
    print(
        _("The recovery passphrase is set; {path} holds the key wrapped with it.").format(
            path=target
        )
    )
    return EXIT_OK


COMMANDS = {"key": cmd_key}
