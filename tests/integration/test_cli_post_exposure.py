"""``hospital-osh protocol offsets|adjust|reset``: the schedule items with the protocol's and the
hospital's days (text and JSON), a change and its return (audited), and bad input exiting 2
with one line on stderr and nothing changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from hospital_osh.cli import FEATURE_COMMAND_MODULES, main
from hospital_osh.models import AuditEvent
from hospital_osh.services import post_exposure as pe
from hospital_osh.services import settings
from hospital_osh.services.context import SYSTEM
from hospital_osh.services.database import Database, resolve_url

ITEM = "china_hcv_follow_up/hcv_rna_4w"
KEYS = {
    "protocol",
    "schedule",
    "item",
    "test",
    "label",
    "protocol_due_day",
    "protocol_window",
    "due_day",
    "window",
    "adjusted",
    "reason",
}


@pytest.fixture
def db_path(sqlite_path: Path) -> Path:
    """A migrated SQLite file with no offsets of the hospital's own."""
    return sqlite_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--lang", "en", *args])
    out, err = capsys.readouterr()
    return code, out, err


def rows(db_path: Path, protocol: str = "china") -> dict[str, pe.ScheduleRowView]:
    database = Database(resolve_url(db_path))
    try:
        with database.session() as session:
            return {f"{r.schedule}/{r.item_id}": r for r in pe.schedule_rows(session, protocol)}
    finally:
        database.dispose()


def events(db_path: Path) -> list[str]:
    database = Database(resolve_url(db_path))
    try:
        with database.session() as session:
            return list(
                session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "protocol"))
            )
    finally:
        database.dispose()


def test_the_command_is_registered() -> None:
    assert "hospital_osh.cli_post_exposure" in FEATURE_COMMAND_MODULES


def test_offsets_lists_every_item_in_text_and_json(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--db", str(db_path), "protocol", "offsets")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == len(rows(db_path))
    assert f"{ITEM}\tHCV RNA\tday 28, window 28 to 42" in lines
    code, out, err = run(capsys, "--db", str(db_path), "protocol", "offsets", "--json")
    assert code == 0 and err == ""
    items = json.loads(out)
    assert all(set(item) == KEYS for item in items)
    hcv = next(i for i in items if f"{i['schedule']}/{i['item']}" == ITEM)
    assert hcv == {
        "protocol": "china",
        "schedule": "china_hcv_follow_up",
        "item": "hcv_rna_4w",
        "test": "hcv_rna",
        "label": "HCV RNA",
        "protocol_due_day": 28,
        "protocol_window": [28, 42],
        "due_day": 28,
        "window": [28, 42],
        "adjusted": False,
        "reason": "",
    }
    code, out, _err = run(capsys, "--db", str(db_path), "protocol", "offsets", "--protocol", "cdc")
    assert code == 0 and all(line.startswith("cdc_") for line in out.splitlines())


def test_offsets_follow_the_hospitals_protocol_setting(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = Database(resolve_url(db_path))
    with database.transaction() as session:
        settings.set_setting(session, SYSTEM, pe.SETTING, "cdc")
    database.dispose()
    code, out, _err = run(capsys, "--db", str(db_path), "protocol", "offsets", "--json")
    assert code == 0 and {i["protocol"] for i in json.loads(out)} == {"cdc"}


def test_adjust_then_reset(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reason = "Our laboratory runs HCV RNA on Tuesdays."
    args = ("--due-day", "42", "--window", "42", "56", "--reason", reason)
    code, out, err = run(capsys, "--db", str(db_path), "protocol", "adjust", ITEM, *args)
    assert (code, err) == (0, "")
    assert out.strip().endswith(f"hospital: day 42, window 42 to 56 ({reason})")
    row = rows(db_path)[ITEM]
    assert (row.adjusted, row.due, row.window_start, row.window_end, row.reason) == (
        True,
        42,
        42,
        56,
        reason,
    )
    code, out, _err = run(capsys, "--db", str(db_path), "protocol", "offsets", "--json")
    hcv = next(i for i in json.loads(out) if i["item"] == "hcv_rna_4w")
    assert (hcv["adjusted"], hcv["due_day"], hcv["window"]) == (True, 42, [42, 56])
    code, out, err = run(capsys, "--db", str(db_path), "protocol", "reset", ITEM)
    assert (code, err) == (0, "")
    assert out.strip() == f"{ITEM}\tHCV RNA\tday 28, window 28 to 42"
    assert not rows(db_path)[ITEM].adjusted
    assert events(db_path) == ["adjust_offsets", "reset_offsets"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("adjust", ITEM, "--due-day", "42", "--window", "50", "56", "--reason", "x"),
            "hospital-osh: HCV RNA (china_hcv_follow_up / hcv_rna_4w): the window (day 50 to "
            "day 56) does not contain the due day 42.",
        ),
        (
            ("adjust", ITEM, "--due-day", "42", "--window", "42", "56", "--reason", " "),
            "hospital-osh: HCV RNA (china_hcv_follow_up / hcv_rna_4w): give the reason for the "
            "change.",
        ),
        (
            ("adjust", "china_hcv_follow_up/nope", "--due-day", "4", "--window", "0", "9"),
            "the following arguments are required: --reason",
        ),
        (
            ("adjust", "nope", "--due-day", "1", "--window", "0", "2", "--reason", "x"),
            "'nope' is not a schedule item; write it as SCHEDULE/ITEM",
        ),
        (
            ("adjust", ITEM, "--due-day", "soon", "--window", "0", "2", "--reason", "x"),
            "'soon' is not a whole number of days.",
        ),
        (
            ("adjust", "china_x/y", "--due-day", "1", "--window", "0", "2", "--reason", "x"),
            "hospital-osh: The protocol has no schedule item 'y' in 'china_x'.",
        ),
        (("reset", ITEM), "hospital-osh: The row already has the protocol's values."),
        (("offsets", "--protocol", "who"), "invalid choice: 'who'"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_changes_nothing(
    db_path: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    try:
        code, out, err = run(capsys, "--db", str(db_path), "protocol", *args)
    except SystemExit as stopped:  # argparse refuses before the command runs, with the usage
        code, captured = stopped.code, capsys.readouterr()
        out, err = captured.out, captured.err.splitlines()[-1] + "\n"
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert message in err
    assert not any(r.adjusted for r in rows(db_path).values())
    assert events(db_path) == []
