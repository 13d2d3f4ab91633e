"""``hospital-osh followups``: due and overdue items by default, ``--all``, ``--due-by``, the JSON
objects scripts rely on, no names or results in the output, bad input exits 2."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from hospital_osh.cli import main
from hospital_osh.domain.protocol_vocab import EXCHANGE_TESTS
from hospital_osh.services import followups
from hospital_osh.services import post_exposure as pe
from hospital_osh.services.context import SYSTEM
from hospital_osh.services.database import Database, resolve_url
from tests.integration.pe_data import add_exposure, hospital, source

KEYS = {"exposure_uuid", "exposure_ref", "test", "due_date", "window_start", "window_end", "status"}


@pytest.fixture
def db_path(sqlite_path: Path) -> Path:
    """A database with one assessed exposure of 9 March 2026 (HIV-positive source)."""
    database = Database(resolve_url(sqlite_path))
    place = hospital(database, SYSTEM)
    exposure = add_exposure(database, SYSTEM, place, **source(source_hiv="positive"))
    with database.transaction() as session:
        pe.assess_exposure(session, SYSTEM, exposure, now=dt.datetime(2026, 3, 9, 4, tzinfo=dt.UTC))
        first = followups.list_followups(session, SYSTEM, today=dt.date(2026, 3, 9))[0]
        followups.enter_result(
            session,
            SYSTEM,
            first.id,
            followups.ResultEntry(dt.date(2026, 3, 9), result="negative", value=50.0),
            today=dt.date(2026, 3, 9),
        )
    database.dispose()
    return sqlite_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_lists_due_and_overdue_items(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--db", str(db_path), "followups", "--json")
    assert code == 0 and err == ""
    items = json.loads(out)
    assert items and all(set(item) == KEYS for item in items)
    assert {item["status"] for item in items} == {"overdue"}  # today is long after March 2026
    assert all(item["exposure_ref"].startswith("EXP-2026-") for item in items)
    allowed = EXCHANGE_TESTS | {"hbig", "hbv_vaccine", "pep_review"}
    assert {item["test"] for item in items} <= allowed
    first = items[0]
    assert dt.date.fromisoformat(first["window_start"]) <= dt.date.fromisoformat(first["due_date"])
    assert "李小红" not in out and "N001" not in out and "negative" not in out


def test_all_and_due_by(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "--db", str(db_path), "followups", "--json")
    _, everything, _ = run(capsys, "--db", str(db_path), "followups", "--all", "--json")
    _, early, _ = run(
        capsys, "--db", str(db_path), "followups", "--all", "--due-by", "2026-03-12", "--json"
    )
    due, every, by_date = json.loads(out), json.loads(everything), json.loads(early)
    assert len(every) >= len(due) > 0
    assert by_date and all(item["window_start"] <= "2026-03-12" for item in by_date)
    assert len(by_date) < len(every)
    assert {item["exposure_uuid"] for item in every} == {due[0]["exposure_uuid"]}


def test_text_output_and_help(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", str(db_path), "followups")
    lines = out.strip().splitlines()
    assert code == 0 and lines and all(line.startswith("EXP-2026-0001\t") for line in lines)
    assert "Overdue" in out and "李小红" not in out
    with pytest.raises(SystemExit) as exit_:
        main(["followups", "--help"])
    assert exit_.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "never shows names, staff numbers or test results" in text


def test_bad_date_exits_2(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--db", str(db_path), "followups", "--due-by", "March"])
    assert exit_.value.code == 2
    assert "'March' is not a date; write it as YYYY-MM-DD." in capsys.readouterr().err


def test_no_items(sqlite_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", str(sqlite_path), "followups")
    assert code == 0 and out.strip() == "No follow-up items are due."
    code, out, _ = run(capsys, "--db", str(sqlite_path), "followups", "--json")
    assert json.loads(out) == []


def test_settings_command_switches_the_protocol(
    sqlite_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "--db", str(sqlite_path), "settings", "get", "post_exposure_protocol")[
        1
    ] == ("china\n")
    code, out, _ = run(
        capsys, "--db", str(sqlite_path), "settings", "set", "post_exposure_protocol", "cdc"
    )
    assert code == 0 and out.strip() == "post_exposure_protocol = cdc"
    assert (
        "post_exposure_protocol\tcdc"
        in run(capsys, "--db", str(sqlite_path), "settings", "list")[1]
    )
    code, _, err = run(
        capsys, "--db", str(sqlite_path), "settings", "set", "post_exposure_protocol", "who"
    )
    assert code == 2 and "Choose one of: china, cdc." in err
