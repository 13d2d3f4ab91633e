"""Commands of reports and data exchange: ``report``, ``export``, ``import`` and ``rollup``.

Bad input (a period ending before it starts, a corrupt, tampered, foreign or newer package, a file
with row errors) ends with exit status 2 and one translated line on stderr naming the problem
(row errors of an import follow, one per line). Heavy modules are imported inside the commands.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from hospital_osh.i18n import _, current_language

EXIT_OK, EXIT_BAD_INPUT = 0, 2
REPORT_LANGUAGES = ("zh_CN", "en", "both")


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("'{value}' is not a date; write it as YYYY-MM-DD.").format(value=value)
        ) from None


def _report_language(value: str) -> str:
    from hospital_osh.i18n import normalise_language

    if value.strip().lower() == "both":
        return "both"
    try:
        return normalise_language(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("unknown language '{value}' (use zh_CN, en or both)").format(value=value)
        ) from None


def add_parsers(commands: Any) -> None:
    report = commands.add_parser("report", help=_("the summary report of a period (PDF)"))
    report.add_argument("--from", dest="start", type=_date, required=True, metavar="DATE")
    report.add_argument("--to", dest="end", type=_date, required=True, metavar="DATE")
    report.add_argument(
        "--lang",
        dest="report_language",
        type=_report_language,
        default=None,
        help=_("report language: zh_CN, en or both"),
    )
    report.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    report.add_argument("--json", type=Path, metavar="FILE", help=_("also write summary.json"))
    report.add_argument("--xlsx", type=Path, metavar="FILE", help=_("also write the tables"))

    export = commands.add_parser("export", help=_("the package for NIOHPC and authorities"))
    export.add_argument("--from", dest="start", type=_date, required=True, metavar="DATE")
    export.add_argument("--to", dest="end", type=_date, required=True, metavar="DATE")
    export.add_argument("--out", type=Path, required=True, metavar="FILE.zip")

    importer = commands.add_parser("import", help=_("historical exposure records (CSV or XLSX)"))
    importer.add_argument("file", type=Path, metavar="FILE")
    importer.add_argument(
        "--dry-run", action="store_true", help=_("check the file and write nothing")
    )

    rollup = commands.add_parser("rollup", help=_("combine many hospitals' packages"))
    rollup.add_argument("packages", type=Path, nargs="+", metavar="PACKAGE.zip")
    rollup.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    rollup.add_argument("--json", type=Path, metavar="FILE")
    rollup.add_argument("--xlsx", type=Path, metavar="FILE")
    rollup.add_argument(
        "--lang",
        dest="report_language",
        type=_report_language,
        default=None,
        help=_("report language: zh_CN, en or both"),
    )


def _languages(choice: str | None) -> list[str]:
    if choice == "both":
        return ["zh_CN", "en"]
    return [choice or current_language()]


def _outputs(out: Path, languages: list[str]) -> list[tuple[str, Path]]:
    """One file per language: ``report.pdf`` or ``report_zh_CN.pdf`` and ``report_en.pdf``."""
    if len(languages) == 1:
        return [(languages[0], out)]
    return [(lang, out.with_name(f"{out.stem}_{lang}{out.suffix}")) for lang in languages]


def _write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True), "utf-8")


def _open(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from hospital_osh.services.database import open_database

    return open_database(args.db)


def cmd_report(args: argparse.Namespace) -> int:
    from hospital_osh.exchange.export import record_report
    from hospital_osh.exchange.xlsx import write_summary_xlsx
    from hospital_osh.reports.summary import build_summary_pdf
    from hospital_osh.services.context import SYSTEM
    from hospital_osh.services.summary import build_summary, check_period

    check_period(args.start, args.end)
    database = _open(args)
    written: list[Path] = []
    try:
        with database.session() as session:
            summary = build_summary(session, SYSTEM, args.start, args.end)
        languages = _languages(args.report_language)
        for language, path in _outputs(args.out, languages):
            build_summary_pdf(summary, language, path)
            written.append(path)
            print(_("Report written to {path}.").format(path=path))
        if args.json:
            _write_json(args.json, summary)
            written.append(args.json)
            print(_("Figures written to {path}.").format(path=args.json))
        if args.xlsx:
            write_summary_xlsx(summary, languages[0], args.xlsx)
            written.append(args.xlsx)
            print(_("Tables written to {path}.").format(path=args.xlsx))
    finally:
        if written:  # what did leave is recorded, even when a later file failed
            with database.transaction() as session:
                record_report(session, SYSTEM, args.start, args.end, written)
        database.dispose()
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from hospital_osh.exchange.export import export_package
    from hospital_osh.services.context import SYSTEM
    from hospital_osh.services.summary import check_period

    check_period(args.start, args.end)
    database = _open(args)
    try:
        with database.transaction() as session:
            result = export_package(session, SYSTEM, args.start, args.end, args.out)
    finally:
        database.dispose()
    print(
        _("Package written to {path}: {rows} exposures.").format(
            path=result.path, rows=result.exposure_rows
        )
    )
    for name, reason in result.not_included.items():
        print(_("Not included: {file} ({reason}).").format(file=name, reason=_(reason)))
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from hospital_osh.exchange.importer import apply_import, read_import
    from hospital_osh.services.context import SYSTEM

    if not args.file.is_file():
        print(
            "hospital-osh: " + _("The file {path} does not exist.").format(path=args.file),
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    database = _open(args)
    try:
        with database.session() as session:
            plan = read_import(session, SYSTEM, args.file)
        for notice in plan.notices:
            print(notice)
        if not plan.ok:
            rows = len({issue.line for issue in plan.errors})
            print(
                "hospital-osh: "
                + _(
                    "{file}: {problems} file problems and {rows} rows with errors; nothing "
                    "was imported."
                ).format(file=args.file.name, problems=len(plan.problems), rows=rows),
                file=sys.stderr,
            )
            for message in plan.messages():
                print(message, file=sys.stderr)
            return EXIT_BAD_INPUT
        if args.dry_run:
            print(
                _(
                    "Dry run: {new} exposures would be imported, {skipped} are already "
                    "recorded, {workers} workers would be created. Nothing was written."
                ).format(
                    new=len(plan.rows), skipped=len(plan.skipped), workers=plan.workers_to_create
                )
            )
            return EXIT_OK
        with database.transaction() as session:
            result = apply_import(session, SYSTEM, plan)
    finally:
        database.dispose()
    print(
        _(
            "Imported {created} exposures ({skipped} already recorded were skipped, {workers} "
            "workers created)."
        ).format(created=result.created, skipped=result.skipped, workers=result.workers_created)
    )
    return EXIT_OK


def cmd_rollup(args: argparse.Namespace) -> int:
    from hospital_osh.exchange.rollup import rollup
    from hospital_osh.exchange.xlsx import write_rollup_xlsx
    from hospital_osh.reports.rollup_report import build_rollup_pdf

    combined = rollup(args.packages)
    for duplicate in combined["duplicates"]:
        print(
            _("{file} repeats {other} and was counted once.").format(
                file=duplicate["file"], other=duplicate["duplicate_of"]
            ),
            file=sys.stderr,
        )
    languages = _languages(args.report_language)
    for language, path in _outputs(args.out, languages):
        build_rollup_pdf(combined, language, path)
        print(_("Report written to {path}.").format(path=path))
    if args.json:
        _write_json(args.json, combined)
        print(_("Figures written to {path}.").format(path=args.json))
    if args.xlsx:
        write_rollup_xlsx(combined, languages[0], args.xlsx)
        print(_("Tables written to {path}.").format(path=args.xlsx))
    print(
        _("{packages} packages of {hospitals} hospitals combined.").format(
            packages=len(combined["packages"]), hospitals=combined["hospitals"]
        )
    )
    return EXIT_OK


COMMANDS = {
    "report": cmd_report,
    "export": cmd_export,
    "import": cmd_import,
    "rollup": cmd_rollup,
}
