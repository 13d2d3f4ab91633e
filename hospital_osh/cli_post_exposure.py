"""The ``protocol`` command: the follow-up schedule's offsets, the protocol's and the hospital's.

``hospital-osh protocol offsets [--protocol china|cdc] [--json]`` lists every schedule item
(test or treatment, due day and window after the exposure) with the hospital's own values
beside the protocol's; ``protocol adjust SCHEDULE/ITEM --due-day N --window A B --reason TEXT``
sets the hospital's values (checked and audited like the Settings section does), and
``protocol reset SCHEDULE/ITEM`` returns the item to the protocol's. Without ``--protocol`` the
hospital's protocol (setting ``post_exposure_protocol``) is meant. Exit 0 on success, 2 with one
line on stderr for bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from hospital_osh.i18n import _

EXIT_OK = 0
PROTOCOLS = ("china", "cdc")  # domain.protocols.PROTOCOL_FILES, kept here so --help stays light


def _item(value: str) -> tuple[str, str]:
    schedule, slash, item = value.strip().partition("/")
    if not slash or not schedule or not item:
        raise argparse.ArgumentTypeError(
            _(
                "'{value}' is not a schedule item; write it as SCHEDULE/ITEM, e.g. "
                "china_hcv_follow_up/hcv_rna_4w (see 'protocol offsets')."
            ).format(value=value)
        )
    return schedule, item


def _day(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("'{value}' is not a whole number of days.").format(value=value)
        ) from None


def add_parsers(commands: Any) -> None:
    parser = commands.add_parser(
        "protocol",
        help=_("the follow-up schedule of the post-exposure protocol"),
        description=_(
            "Show the follow-up schedule of a post-exposure protocol and the hospital's own due "
            "days and windows, change them (with the reason) or return to the protocol's."
        ),
    )
    actions = parser.add_subparsers(
        dest="protocol_command",
        metavar="ACTION",
        required=True,
        parser_class=type(parser),
    )

    def with_protocol(action: argparse.ArgumentParser) -> None:
        action.add_argument(
            "--protocol",
            choices=PROTOCOLS,
            help=_("the protocol (default: the hospital's, setting post_exposure_protocol)"),
        )

    offsets = actions.add_parser(
        "offsets", help=_("list the schedule items with the protocol's and the hospital's days")
    )
    with_protocol(offsets)
    offsets.add_argument(
        "--json",
        action="store_true",
        help=_(
            "one JSON object per item: protocol, schedule, item, test, label, protocol_due_day, "
            "protocol_window, due_day, window, adjusted, reason"
        ),
    )
    adjust = actions.add_parser("adjust", help=_("set the hospital's due day and window"))
    adjust.add_argument("item", type=_item, metavar="SCHEDULE/ITEM")
    adjust.add_argument("--due-day", type=_day, required=True, metavar="N")
    adjust.add_argument(
        "--window", type=_day, nargs=2, required=True, metavar=("FROM", "TO"), dest="window"
    )
    adjust.add_argument("--reason", required=True, metavar="TEXT")
    with_protocol(adjust)
    reset = actions.add_parser("reset", help=_("return an item to the protocol's due day"))
    reset.add_argument("item", type=_item, metavar="SCHEDULE/ITEM")
    with_protocol(reset)


def row_json(row: Any) -> dict[str, Any]:
    """The JSON object of one schedule item."""
    return {
        "protocol": row.protocol_id,
        "schedule": row.schedule,
        "item": row.item_id,
        "test": row.code,
        "label": row.label,
        "protocol_due_day": row.protocol_due,
        "protocol_window": list(row.protocol_window),
        "due_day": row.due,
        "window": [row.window_start, row.window_end],
        "adjusted": row.adjusted,
        "reason": row.reason,
    }


def _line(row: Any) -> str:
    line = _("{item}\t{label}\tday {due}, window {start} to {end}").format(
        item=f"{row.schedule}/{row.item_id}",
        label=row.label,
        due=row.protocol_due,
        start=row.protocol_window[0],
        end=row.protocol_window[1],
    )
    if not row.adjusted:
        return line
    own = _("hospital: day {due}, window {start} to {end} ({reason})").format(
        due=row.due, start=row.window_start, end=row.window_end, reason=row.reason
    )
    return f"{line}\t{own}"


def cmd_protocol(args: argparse.Namespace) -> int:
    from hospital_osh.services import post_exposure as pe
    from hospital_osh.services import settings
    from hospital_osh.services.context import SYSTEM
    from hospital_osh.services.database import open_database

    database = open_database(args.db)
    try:
        with database.session() as session:
            chosen = args.protocol or settings.get_setting(session, pe.SETTING)
        protocol_id = chosen if chosen in PROTOCOLS else PROTOCOLS[0]
        if args.protocol_command == "offsets":
            with database.session() as session:
                rows = pe.schedule_rows(session, protocol_id)
            if args.json:
                json.dump([row_json(r) for r in rows], sys.stdout, ensure_ascii=False, indent=1)
                print()
            else:
                for row in rows:
                    print(_line(row))
            return EXIT_OK
        schedule, item = args.item
        with database.transaction() as session:
            if args.protocol_command == "adjust":
                start, end = args.window
                entry = pe.AdjustmentInput(
                    protocol_id, schedule, item, args.due_day, start, end, args.reason
                )
                row = pe.set_adjustment(session, SYSTEM, entry)
            else:
                row = pe.reset_adjustment(session, SYSTEM, protocol_id, schedule, item)
        print(_line(row))
        return EXIT_OK
    finally:
        database.dispose()


COMMANDS = {"protocol": cmd_protocol}
