"""The export package's data files are fixed by the contract (shared/design/EXCHANGE.md): making
the export faster must not change one byte of them.

The fixed data set (``summary_data`` plus post-exposure assessments, follow-up results, a hazard
and an action item, all at fixed dates) is exported and every data file is compared with the
checksum the export gave before the streaming rewrite (issue 10). Record UUIDs are random, so
they are replaced by their order of first appearance before hashing; everything else (columns,
order, codes, dates, pseudonyms, quoting, BOM, line ends, JSON layout) is compared as written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hospital_osh.exchange import export, layout
from hospital_osh.models import Exposure
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from tests.integration import summary_data as data
from tests.integration.test_exchange import CREATED, assess_all

UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# SHA-256 of each data file (UUIDs normalised), from the export before the rewrite.
EXPECTED = {
    layout.EXPOSURES: "5a73e30c025ce9332e12a324a7cc9b8c647286af0d195d59c8f168caeb7991a0",
    layout.FOLLOWUPS: "4dcbd7de0abda80e81ce9a32623d17268113e4f608f9f31417f41f9681258099",
    layout.HAZARDS: "56cc3f92a7545b9701dc9940efc0c39438c456913c84eb122d0fedc7568359e7",
    layout.ACTIONS: "1dd08efe9e8be75529c931464ccf66125a0f6e96432e40e53619ea86f0d1dc08",
    layout.SUMMARY: "6d033f2c655647df6cee5c3dfe23e5f54b6297169704d5722e8965962fb4129a",
}


def _normalise(raw: bytes, seen: dict[bytes, bytes]) -> bytes:
    """Each distinct UUID becomes ``uuid-N`` in the order it first appears (in any file)."""

    def number(match: re.Match[bytes]) -> bytes:
        return seen.setdefault(match.group(0), b"uuid-%d" % len(seen))

    return UUID.sub(number, raw)


# Sections whose figures other areas' services compute (immunisation.coverage,
# hazards.cell_counts, actions.action_counts): their own tests guard them.
OTHER_AREAS = ("immunity", "hazards", "actions")


def _summary_bytes(raw: bytes) -> bytes:
    """summary.json as written, except what moves with the calendar or the release (the tests
    overdue today, the program's version) and the sections of other areas."""
    value: dict[str, Any] = json.loads(raw)
    value["followup"]["overdue_now"] = 0
    value["generator"]["version"] = "-"
    for name in OTHER_AREAS:
        value.pop(name)
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def _fixed_data_set(database: Database, admin: Actor) -> None:
    from hospital_osh.models.actions import ActionItem
    from hospital_osh.models.hazards import Hazard
    from hospital_osh.models.post_exposure import FollowUp
    from hospital_osh.services import actions, hazards

    place = data.build(database, admin)
    assess_all(database, admin)
    with database.transaction() as session:
        hazards.create_hazard(
            session,
            admin,
            hazards.HazardInfo(
                department_id=place.icu,
                location="Bay 3",
                activity="Preparing cytotoxic infusions",
                potential_harm="Reproductive toxicity",
                category="chemical",
                identification_method="walk_through",
                exposed_female=12,
                exposed_male=3,
                reproductive_hazard=True,
                owner="Dr Zhou",
                assessed_on=dt.date(2026, 2, 1),
                initial_likelihood=4,
                initial_severity=4,
                controls=(hazards.ControlInfo("Biological safety cabinet", "engineering"),),
            ),
        )
        actions.create_action(
            session,
            admin,
            actions.ActionInfo(
                title="Install a ceiling hoist in bay 3",
                owner_name="王护士长",
                due_date=dt.date(2026, 3, 20),
                source_kind="healthwise",
                source_id=1,
                source_item="M2-01",
                hierarchy_level="engineering",
                gender_relevant=True,
            ),
        )
    with database.transaction() as session:
        for hazard in session.scalars(select(Hazard)):
            hazard.created_at = dt.datetime(2026, 2, 1, 8, 0)
        for item in session.scalars(select(ActionItem)):
            item.created_at = dt.datetime(2026, 2, 2, 8, 0)
        # Results of every kind the CSV writes: a number, a qualitative result, a test not done.
        first = session.scalar(
            select(Exposure)
            .where(Exposure.occurred_at >= dt.datetime(2026, 1, 1))
            .order_by(Exposure.occurred_at)
        )
        assert first is not None
        tests = session.scalars(
            select(FollowUp)
            .where(FollowUp.exposure_id == first.id)
            .order_by(FollowUp.due_date, FollowUp.id)
        ).all()
        assert len(tests) >= 3
        tests[0].state, tests[0].done_date, tests[0].result_value = "done", tests[0].due_date, 87.5
        tests[1].state, tests[1].done_date, tests[1].result = "done", tests[1].due_date, "negative"
        tests[2].state = "cancelled"


@pytest.fixture
def package(database: Database, admin: Actor, tmp_path: Path) -> Iterator[zipfile.ZipFile]:
    _fixed_data_set(database, admin)
    out = tmp_path / "q1.zip"
    with database.transaction() as session:
        export.export_package(
            session, admin, data.START, data.END, out, now=CREATED, invariant=True
        )
    with zipfile.ZipFile(out) as archive:
        yield archive


def test_the_data_files_are_unchanged_by_the_streaming_rewrite(
    package: zipfile.ZipFile,
) -> None:
    seen: dict[bytes, bytes] = {}
    found = {}
    for name in (layout.EXPOSURES, layout.FOLLOWUPS, layout.HAZARDS, layout.ACTIONS):
        found[name] = hashlib.sha256(_normalise(package.read(name), seen)).hexdigest()
    summary = _summary_bytes(package.read(layout.SUMMARY))
    found[layout.SUMMARY] = hashlib.sha256(summary).hexdigest()
    assert found == EXPECTED


def test_the_manifest_checksums_are_those_of_the_files(package: zipfile.ZipFile) -> None:
    manifest = json.loads(package.read(layout.MANIFEST))
    names = set(package.namelist()) - {layout.MANIFEST}
    assert set(manifest["files"]) == names
    for name in names:
        assert manifest["files"][name] == hashlib.sha256(package.read(name)).hexdigest(), name
    assert manifest["rows"] == {layout.EXPOSURES: 6}
    assert manifest["created_at"] == CREATED.isoformat() + "Z"


def test_the_tables_are_read_as_they_are_written(database: Database, admin: Actor) -> None:
    """Each table of the package is an iterator read while the zip is written (never a list
    of the period's rows); the permission and the period are checked when it is asked for."""
    from hospital_osh.domain.roles import Role
    from hospital_osh.services import summary
    from hospital_osh.services.errors import PermissionDenied, ValidationError
    from tests.conftest import actor

    _fixed_data_set(database, admin)
    tables = (
        summary.export_rows,
        summary.followup_export_rows,
        summary.hazard_export_rows,
        summary.action_export_rows,
    )
    with database.session() as session:
        for table in tables:
            with pytest.raises(PermissionDenied):
                table(session, actor(Role.VIEWER), data.START, data.END)
            with pytest.raises(ValidationError):
                table(session, admin, data.END, data.START)
            rows = table(session, admin, data.START, data.END)
            assert isinstance(rows, Iterator) and not isinstance(rows, list | tuple), table
            assert next(rows), table


def _reports(database: Database, admin: Actor, folder: Path, *, parallel: bool) -> dict[str, bytes]:
    """The PDFs of the fixed data set's package, with or without the second process."""
    out = folder / f"parallel-{parallel}.zip"
    with database.transaction() as session:
        export.export_package(
            session,
            admin,
            data.START,
            data.END,
            out,
            now=CREATED,
            invariant=True,
            parallel=parallel,
        )
    with zipfile.ZipFile(out) as archive:
        return {name: archive.read(name) for name in layout.REPORTS.values()}


def test_reports_built_in_a_second_process_are_the_same_bytes(
    database: Database, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large period's PDFs come from a second process; the package must not tell."""
    _fixed_data_set(database, admin)
    from_child: list[bool] = []
    report_bytes = export._report_bytes

    def spy(worker: Any, summary: Any, language: str, options: Any) -> bytes:
        # True only for a PDF the second process really built (not the in-process fallback)
        from_child.append(worker is not None and worker.pdf(language) is not None)
        return report_bytes(worker, summary, language, options)

    monkeypatch.setattr(export, "_report_bytes", spy)
    reports = {p: _reports(database, admin, tmp_path, parallel=p) for p in (False, True)}
    assert from_child == [False, False, True, True]
    assert reports[True] == reports[False]
    assert all(pdf.startswith(b"%PDF") for pdf in reports[True].values())


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(("/nonexistent/python",), id="cannot-start"),
        pytest.param((sys.executable, "-c", "import sys; sys.exit(3)"), id="dies"),
        pytest.param((sys.executable, "-c", "print('00000010%PDF-1.4')"), id="cut-short"),
    ],
)
def test_without_a_working_second_process_the_reports_are_built_here(
    database: Database,
    admin: Actor,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: tuple[str, ...],
) -> None:
    """A machine that cannot start the process, or loses it, still gets a whole package, the
    same as one built without it."""
    _fixed_data_set(database, admin)
    monkeypatch.setattr(export, "_WORKER_COMMAND", command)
    reports = {p: _reports(database, admin, tmp_path, parallel=p) for p in (True, False)}
    assert reports[True] == reports[False]
    assert all(pdf.startswith(b"%PDF") for pdf in reports[True].values())
