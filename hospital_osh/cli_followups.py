"""The ``followups`` command: due and overdue follow-up items, for people and for scripts.

``hospital-osh followups`` prints what is due or overdue today (hospital-local date);
``--due-by DATE`` also lists what becomes due by then; ``--all`` lists every open item. ``--json``
prints one object per item (``exposure_uuid``, ``exposure_ref``, ``test``, ``due_date``,
``window_start``, ``window_end``, ``status``), e.g. for a daily e-mail sent by the hospital's own
scheduler. The output never carries names, staff numbers or results (serostatus), whoever runs it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from hospital_osh.i18n import _

EXIT_OK = 0
JSON_KEYS = (
    "exposure_uuid",
    "exposure_ref",
    "test",
    "due_date",
    "window_start",
    "window_end",
    "status",
)
PAGE = 5000


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("'{value}' is not a date; write it as YYYY-MM-DD.").format(value=value)
        ) from None


def add_parsers(commands: Any) -> None:
    parser = commands.add_parser(
        "followups",
        help=_("due and overdue follow-up tests"),
        description=_(
            "List the follow-up tests, treatments and visits that are due or overdue (by the "
            "hospital's local date). The output never shows names, staff numbers or test "
            "results: only the case number, the test and its dates and status."
        ),
    )
    parser.add_argument(
        "--due-by",
        type=_date,
        metavar="DATE",
        help=_("also list items that become due by this date (default: today)"),
    )
    parser.add_argument(
        "--all", action="store_true", help=_("list every open item, whatever its date")
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help=_(
            "one JSON object per item: exposure_uuid, exposure_ref, test, due_date, "
            "window_start, window_end, status"
        ),
    )


def item_json(row: Any) -> dict[str, str]:
    """The JSON object of one item (no names, no results)."""
    return {
        "exposure_uuid": row.exposure_uuid,
        "exposure_ref": row.exposure_ref,
        "test": row.code,
        "due_date": row.due_date.isoformat(),
        "window_start": row.window_start.isoformat(),
        "window_end": row.window_end.isoformat(),
        "status": row.status,
    }


def cmd_followups(args: argparse.Namespace) -> int:
    from hospital_osh.services import followups
    from hospital_osh.services.context import SYSTEM
    from hospital_osh.services.database import open_database

    database = open_database(args.db)
    try:
        with database.session() as session:
            today = followups.today_in_hospital(session)
            if args.all:
                filters = followups.FollowupFilter(scope="open", due_by=args.due_by)
            else:
                filters = followups.FollowupFilter(scope="due_or_overdue", due_by=args.due_by)
            rows = []
            while True:
                page = followups.list_followups(
                    session, SYSTEM, filters, today=today, offset=len(rows), limit=PAGE
                )
                rows += page
                if len(page) < PAGE:
                    break
    finally:
        database.dispose()
    if args.json:
        json.dump([item_json(r) for r in rows], sys.stdout, ensure_ascii=False, indent=1)
        print()
        return EXIT_OK
    if not rows:
        print(_("No follow-up items are due."))
        return EXIT_OK
    for row in rows:
        print(
            _("{reference}\t{item}\tdue {due}\twindow {start} to {end}\t{status}").format(
                reference=row.exposure_ref,
                item=row.label,
                due=row.due_date.isoformat(),
                start=row.window_start.isoformat(),
                end=row.window_end.isoformat(),
                status=followups.status_label(row.status),
            )
        )
    return EXIT_OK


COMMANDS = {"followups": cmd_followups}
