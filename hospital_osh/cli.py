"""The ``hospital-osh`` command. Stable: scripts and health authorities rely on it.

Exit status: 0 success, 1 a check found a problem, 2 bad input (one line on stderr, in the chosen
language, never a traceback). Heavy modules (SQLAlchemy, Qt) are imported only by the commands
that need them, so ``--version`` answers at once.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from hospital_osh import __version__
from hospital_osh.i18n import _, default_language, normalise_language, set_language

EXIT_OK, EXIT_PROBLEM, EXIT_BAD_INPUT = 0, 1, 2


class CommandError(Exception):
    """A user error found by the command line itself (e.g. a missing file)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message}\n")


def _language_arg(value: str) -> str:
    try:
        return normalise_language(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("unknown language '{value}' (use zh_CN or en)").format(value=value)
        ) from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="hospital-osh",
        description=_(
            "Occupational safety and health for hospitals. "
            "Without a command, opens the application."
        ),
    )
    parser.add_argument("--version", action="version", version=f"hospital-osh {__version__}")
    parser.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        default=os.environ.get("HOSPITAL_OSH_DB"),
        help=_(
            "database file or SQLAlchemy URL (default: HOSPITAL_OSH_DB or a "
            "file in the user data folder)"
        ),
    )
    parser.add_argument("--lang", type=_language_arg, help=_("language: zh_CN or en"))
    parser.add_argument(
        "--demo", action="store_true", help=_("open the application on a ready demo database")
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    db = commands.add_parser("db", help=_("migrations, for a shared server"))
    db_commands = db.add_subparsers(
        dest="db_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    db_commands.add_parser("upgrade", help=_("upgrade the database to this version's schema"))
    db_commands.add_parser("status", help=_("show the schema revision"))

    commands.add_parser("check", help=_("check integrity, migration state and the audit trail"))
    backup = commands.add_parser("backup", help=_("copy the database to a file"))
    backup.add_argument("--out", required=True, type=Path, metavar="FILE")
    restore = commands.add_parser("restore", help=_("replace the database by a backup"))
    restore.add_argument("file", type=Path, metavar="FILE")

    users = commands.add_parser("users", help=_("manage user accounts"))
    user_commands = users.add_subparsers(
        dest="users_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    add = user_commands.add_parser("add", help=_("add a user"))
    add.add_argument("username")
    add.add_argument(
        "--role", required=True, help="admin, osh_officer, committee_member, reporter, viewer"
    )
    add.add_argument("--name", help=_("display name (default: the user name)"))
    add.add_argument(
        "--user-lang", type=_language_arg, default="zh_CN", help=_("the user's language")
    )
    add.add_argument(
        "--password", help=_("password (default: asked for, or HOSPITAL_OSH_PASSWORD)")
    )
    user_commands.add_parser("list", help=_("list users"))
    passwd = user_commands.add_parser("passwd", help=_("set a user's password"))
    passwd.add_argument("username")
    passwd.add_argument("--password")
    disable = user_commands.add_parser("disable", help=_("disable a user"))
    disable.add_argument("username")
    unlock = user_commands.add_parser("unlock", help=_("unlock a locked user"))
    unlock.add_argument("username")

    audit_parser = commands.add_parser("audit", help=_("the audit trail"))
    audit_commands = audit_parser.add_subparsers(
        dest="audit_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    audit_commands.add_parser("verify", help=_("verify the hash chain"))

    settings = commands.add_parser("settings", help=_("hospital settings"))
    settings_commands = settings.add_subparsers(
        dest="settings_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    settings_commands.add_parser("list", help=_("list settings"))
    get = settings_commands.add_parser("get", help=_("show one setting"))
    get.add_argument("key")
    set_ = settings_commands.add_parser("set", help=_("change one setting"))
    set_.add_argument("key")
    set_.add_argument("value")

    demo = commands.add_parser("demo", help=_("fill a database with realistic demo data"))
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument(
        "--records",
        type=int,
        default=None,
        help=_("number of exposure records (default: a few years' worth)"),
    )
    demo.add_argument("--staff", type=int, default=None, help=_("number of workers"))
    demo.add_argument(
        "--hazards",
        type=int,
        default=None,
        help=_("number of hazard register entries (default: one per template)"),
    )
    demo.add_argument(
        "--actions",
        type=int,
        default=None,
        help=_("about how many action items (default: two HealthWISE rounds per ward)"),
    )

    tour = commands.add_parser("tour", help=_("save a screenshot of every view"))
    tour.add_argument("--out", required=True, type=Path, metavar="DIR")
    tour.add_argument("--size", default="1280x800")
    # Also after the command, as the user guide writes it; absent, the global --lang holds.
    tour.add_argument(
        "--lang", type=_language_arg, default=argparse.SUPPRESS, help=_("language: zh_CN or en")
    )
    tour.add_argument("--user", default="admin")
    for module in _feature_modules():
        module.add_parsers(commands)
    return parser


# Feature areas keep their commands in modules of their own (``hospital_osh/cli_<area>.py``), each
# with ``add_parsers(commands)`` and a ``COMMANDS`` dict; they must import heavy modules lazily.
FEATURE_COMMAND_MODULES: tuple[str, ...] = (
    "hospital_osh.cli_exchange",
    "hospital_osh.cli_followups",
    "hospital_osh.cli_keys",
    "hospital_osh.cli_post_exposure",
)


def _feature_modules() -> list:  # type: ignore[type-arg]
    import importlib

    return [importlib.import_module(name) for name in FEATURE_COMMAND_MODULES]


# -- commands ---------------------------------------------------------------------------------


def _open(args: argparse.Namespace, *, migrate: bool = True):  # type: ignore[no-untyped-def]
    from hospital_osh.services.database import open_database

    return open_database(args.db, migrate=migrate)


def _password(args: argparse.Namespace) -> str:
    if args.password:
        return str(args.password)
    if os.environ.get("HOSPITAL_OSH_PASSWORD"):
        return os.environ["HOSPITAL_OSH_PASSWORD"]
    if not sys.stdin or not sys.stdin.isatty():
        raise CommandError(_("Give the password with --password or HOSPITAL_OSH_PASSWORD."))
    first = getpass.getpass(_("Password: "))
    if getpass.getpass(_("Repeat the password: ")) != first:
        raise CommandError(_("The two passwords differ."))
    return first


def cmd_db(args: argparse.Namespace) -> int:
    database = _open(args, migrate=False)
    try:
        state = database.check_not_newer()
        if args.db_command == "upgrade":
            if not state.up_to_date:
                if database.is_sqlite and not state.empty:
                    from hospital_osh.services.database import backup_file

                    backup_file(database, reason=f"pre-upgrade-{state.current}")
                database.upgrade()
            print(_("Database schema is up to date ({revision}).").format(revision=state.head))
            return EXIT_OK
        print(_("Database: {name}").format(name=database.display_name()))
        print(
            _("Schema revision: {current} (this version: {head})").format(
                current=state.current or "-", head=state.head
            )
        )
        return EXIT_OK if state.up_to_date else EXIT_PROBLEM
    finally:
        database.dispose()


def cmd_check(args: argparse.Namespace) -> int:
    from hospital_osh.services import audit
    from hospital_osh.services.database import integrity_report

    database = _open(args, migrate=False)
    try:
        problems = integrity_report(database)
        if not problems:
            with database.session() as session:
                report = audit.verify_chain(session)
            if not report.ok:
                problems.append(report.message())
    finally:
        database.dispose()
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return EXIT_PROBLEM
    print(_("Database {name}: all checks passed.").format(name=database.display_name()))
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    from hospital_osh.services.database import backup_file

    database = _open(args)
    try:
        out = backup_file(database, args.out)
    finally:
        database.dispose()
    print(_("Backup written to {path}.").format(path=out))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from hospital_osh.services.database import resolve_url, restore_file

    url = resolve_url(args.db)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise CommandError(
            _(
                "Restore works on an SQLite database file; restore a PostgreSQL "
                "database on the server (pg_restore)."
            )
        )
    aside = restore_file(Path(url.database), args.file)
    print(_("Database restored from {path}.").format(path=args.file))
    if aside:
        print(_("The replaced database was kept as {path}.").format(path=aside))
    return EXIT_OK


def cmd_users(args: argparse.Namespace) -> int:
    from hospital_osh.services import users
    from hospital_osh.services.context import SYSTEM

    database = _open(args)
    try:
        if args.users_command == "list":
            with database.session() as session:
                for info in users.list_users(session, SYSTEM):
                    state = _("active") if info.active else _("disabled")
                    print(f"{info.username}\t{info.role}\t{state}\t{info.display_name}")
            return EXIT_OK
        if args.users_command == "add":
            password = _password(args)
            with database.transaction() as session:
                users.create_user(
                    session,
                    SYSTEM,
                    username=args.username,
                    display_name=args.name or args.username,
                    role=args.role,
                    password=password,
                    language=args.user_lang,
                )
            print(_("User {username} added.").format(username=args.username))
        elif args.users_command == "passwd":
            password = _password(args)
            with database.transaction() as session:
                users.set_password(session, SYSTEM, args.username, password)
            print(_("Password of {username} changed.").format(username=args.username))
        elif args.users_command == "disable":
            with database.transaction() as session:
                users.set_active(session, SYSTEM, args.username, False)
            print(_("User {username} disabled.").format(username=args.username))
        elif args.users_command == "unlock":
            with database.transaction() as session:
                users.unlock(session, SYSTEM, args.username)
            print(_("User {username} unlocked.").format(username=args.username))
        return EXIT_OK
    finally:
        database.dispose()


def cmd_audit(args: argparse.Namespace) -> int:
    from hospital_osh.services import audit

    database = _open(args)
    try:
        with database.session() as session:
            report = audit.verify_chain(session)
    finally:
        database.dispose()
    print(report.message(), file=sys.stdout if report.ok else sys.stderr)
    return EXIT_OK if report.ok else EXIT_PROBLEM


def cmd_settings(args: argparse.Namespace) -> int:
    from hospital_osh.services import settings
    from hospital_osh.services.context import SYSTEM

    database = _open(args)
    try:
        if args.settings_command == "set":
            with database.transaction() as session:
                settings.set_setting(session, SYSTEM, args.key, args.value)
            print(_("{key} = {value}").format(key=args.key, value=args.value.strip()))
            return EXIT_OK
        with database.session() as session:
            if args.settings_command == "get":
                print(settings.get_setting(session, args.key))
            else:
                for key, value in settings.all_settings(session).items():
                    print(f"{key}\t{value}")
        return EXIT_OK
    finally:
        database.dispose()


def cmd_demo(args: argparse.Namespace) -> int:
    from hospital_osh.services import demo

    database = _open(args)
    try:
        summary = demo.build(
            database,
            seed=args.seed,
            records=args.records,
            staff=args.staff,
            hazards=args.hazards,
            actions=args.actions,
        )
        from hospital_osh.services.keys import protect_demo

        recovery = protect_demo(database)  # the documented demo passphrase (docs/encryption.md)
    finally:
        database.dispose()
    print(summary.message())
    if recovery:
        print(recovery)
    return EXIT_OK


def cmd_tour(args: argparse.Namespace) -> int:
    from hospital_osh.ui.tour import run_tour

    return run_tour(
        db=args.db, out=args.out, size=args.size, user=args.user, language=args.lang, demo=args.demo
    )


def cmd_gui(args: argparse.Namespace) -> int:
    from hospital_osh.ui.app import run_app

    return run_app(db=args.db, language=args.lang, demo=args.demo)


COMMANDS: dict[str | None, Callable[[argparse.Namespace], int]] = {
    None: cmd_gui,
    "db": cmd_db,
    "check": cmd_check,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "users": cmd_users,
    "audit": cmd_audit,
    "settings": cmd_settings,
    "demo": cmd_demo,
    "tour": cmd_tour,
}


def _early_language(argv: Sequence[str]) -> str:
    """Find ``--lang`` before building the parser, so that help and errors are translated."""
    for index, item in enumerate(argv):
        value = None
        if item == "--lang" and index + 1 < len(argv):
            value = argv[index + 1]
        elif item.startswith("--lang="):
            value = item.split("=", 1)[1]
        if value:
            try:
                return normalise_language(value)
            except ValueError:
                break
    return default_language()


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    set_language(_early_language(argv))
    args = build_parser().parse_args(argv)
    from hospital_osh.services.errors import UserError

    handlers = dict(COMMANDS)
    for module in _feature_modules():
        handlers.update(module.COMMANDS)
    try:
        return handlers[args.command](args)
    except (UserError, CommandError) as error:
        print(f"hospital-osh: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130


def gui_main() -> int:
    return main([])
