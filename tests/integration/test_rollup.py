"""The authority roll-up: three hospitals against hand-computed pooled figures, small-cell
suppression, and refusal of tampered, truncated, foreign and newer packages; the CLI commands
and their exit codes."""

from __future__ import annotations

import copy
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pypdf
import pytest
from sqlalchemy import select

from hospital_osh import cli
from hospital_osh.exchange import layout
from hospital_osh.exchange.rollup import PackageError, read_package, rollup
from hospital_osh.models import AuditEvent
from hospital_osh.reports.rollup_report import rollup_pdf_bytes
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from tests.integration import summary_data as data
from tests.integration.test_exchange import make_package


def write_package(path: Path, manifest: dict[str, Any], summary: dict[str, Any]) -> Path:
    """A package with valid checksums (what another hospital's installation would send)."""
    body = json.dumps(summary).encode("utf-8")
    manifest = {**manifest, "files": {layout.SUMMARY: layout.sha256_hex(body)}}
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(layout.SUMMARY, body)
        archive.writestr(layout.MANIFEST, json.dumps(manifest))
    return path


def _load(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read(layout.MANIFEST)), json.loads(archive.read(layout.SUMMARY))


@pytest.fixture
def packages(database: Database, admin: Actor, tmp_path: Path) -> list[Path]:
    """Hospital A: the data set's year 2026 (7 exposures, 90 FTE-years, 200 bed-years).
    Hospital B: 12 exposures, 100 FTE-years, 300 bed-years. Hospital C: 20 exposures, no FTE
    figures, 400 bed-years."""
    data.build(database, admin)
    a = make_package(
        database,
        admin,
        tmp_path / "a.zip",
        start=data.START,
        end=data.START.replace(month=12, day=31),
    )
    manifest, summary = _load(a)

    def other(code: str, name: str, total: int, changes: dict[str, Any]) -> Path:
        m = copy.deepcopy(manifest)
        m["hospital"] = {**m["hospital"], "code": code, "name_en": name, "name_zh": name}
        s = copy.deepcopy(summary)
        s["exposures"].update(total=total, **changes.pop("exposures"))
        s["rates"]["denominators"].update(changes.pop("denominators"))
        if "followup" in changes:
            s["followup"].update(changes.pop("followup"))
        return write_package(tmp_path / f"{code}.zip", m, s)

    b = other(
        "B-0002",
        "Hospital B",
        12,
        {
            "exposures": {
                "percutaneous": 10,
                "by_sex": {"female": 9, "male": 3},
                "by_job_category": {"nurse": 8, "doctor": 4},
                "sex_split": {
                    "job_category": {"nurse": {"female": 8}, "doctor": {"female": 1, "male": 3}}
                },
                "by_device_type": {"syringe_needle": 6, "suture_needle": 4},
                "safety_engineered": {"yes": 5, "no": 5},
                "safety_activated": {"fully": 3},
            },
            "followup": {"cases_requiring": 4, "completed": 3, "seroconversions": {"hcv": 1}},
            "denominators": {"fte_years": 100.0, "bed_years": 300.0},
        },
    )
    c = other(
        "C-0003",
        "Hospital C",
        20,
        {
            "exposures": {
                "percutaneous": 15,
                "by_sex": {"female": 17, "male": 3},
                "by_job_category": {"nurse": 12, "cleaner": 8},
                "sex_split": {
                    "job_category": {"nurse": {"female": 12}, "cleaner": {"female": 5, "male": 3}}
                },
                "by_device_type": {"syringe_needle": 15},
                "safety_engineered": {"no": 15},
                "safety_activated": {},
            },
            "denominators": {"fte_years": None, "bed_years": 400.0},
        },
    )
    return [a, b, c]


def test_three_hospitals_pool_as_computed_by_hand(packages: list[Path]) -> None:
    result = rollup(packages)
    assert result["hospitals"] == 3 and result["totals"]["exposures"] == 7 + 12 + 20
    pooled = result["pooled"]
    # FTE: only A and B have figures: (7 + 12) / (90 + 100) x 100.
    assert pooled["per_100_fte_years"] == pytest.approx(19 / 190 * 100)
    assert pooled["hospitals_with_fte"] == 2
    # Beds: all three: 39 / (200 + 300 + 400) x 100.
    assert pooled["per_100_occupied_bed_years"] == pytest.approx(39 / 900 * 100)
    # Safety-engineered: A 2 yes 1 no, B 5/5, C 0/15 -> 7 / 28.
    assert pooled["safety_engineered_share"] == pytest.approx(7 / 28)
    rates = {row["code"]: row["per_100_fte_years"] for row in result["per_hospital"]}
    assert rates["TEST-0001"] == pytest.approx(7 / 90 * 100)
    assert rates["B-0002"] == pytest.approx(12.0) and rates["C-0003"] is None
    spread = result["rate_distribution"]["per_100_occupied_bed_years"]
    assert spread["n"] == 3 and spread["median"] == pytest.approx(4.0)  # 3.5, 4.0, 5.0
    assert spread["min"] == pytest.approx(3.5) and spread["max"] == pytest.approx(5.0)
    # Follow-up: A and C have no cases requiring it; B completed 3 of 4.
    assert result["followup"]["cases_requiring"] == 4 and result["followup"]["completed"] == 3
    assert result["followup"]["completion"] == pytest.approx(0.75)
    assert result["followup"]["hcv_seroconversions"] == 1
    completion = {row["code"]: row["followup_completion"] for row in result["per_hospital"]}
    assert completion == {"TEST-0001": None, "B-0002": 0.75, "C-0003": None}
    # Device profile: 1 + 6 + 15 syringe needles.
    assert result["by_device_type"]["syringe_needle"] == 22


def test_small_cells_are_suppressed_and_totals_kept(packages: list[Path]) -> None:
    result = rollup(packages)
    rows = {row["code"]: row for row in result["per_hospital"]}
    assert rows["B-0002"]["by_sex"] == {"female": 9, "male": "<5"}
    assert rows["B-0002"]["by_job_category"] == {"nurse": 8, "doctor": "<5"}
    assert rows["C-0003"]["exposures"] == 20  # totals are exact
    # Pooled: nurses 4 + 8 + 12, doctors 2 + 4, students 1, cleaners 8.
    assert result["by_job_category"] == {
        "cleaner": 8,
        "doctor": 6,
        "nurse": 24,
        "student_intern": "<5",
    }
    assert result["sex_by_job_category"]["cleaner"] == {"female": 5, "male": "<5"}
    text = _pdf_text(rollup_pdf_bytes(result, "en", invariant=True))
    assert "<5" in text and "Hospital B" in text and "10" in text
    zh = _pdf_text(rollup_pdf_bytes(result, "zh_CN", invariant=True))
    assert "<5" in zh


def _pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_a_duplicate_package_is_counted_once_and_reported(
    packages: list[Path], tmp_path: Path
) -> None:
    twin = tmp_path / "b-again.zip"
    twin.write_bytes(packages[1].read_bytes())
    result = rollup([*packages, twin])
    assert result["totals"]["exposures"] == 39
    assert result["duplicates"] == [
        {
            "file": "b-again.zip",
            "duplicate_of": "B-0002.zip",
            "hospital": "B-0002",
            "from": "2026-01-01",
            "to": "2026-12-31",
            "identical": True,
        }
    ]


def _rewrite(source: Path, target: Path, change: Any) -> Path:
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    change(members)
    with zipfile.ZipFile(target, "w") as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return target


def test_a_tampered_package_is_refused_by_name(packages: list[Path], tmp_path: Path) -> None:
    def edit(members: dict[str, bytes]) -> None:
        members[layout.EXPOSURES] = members[layout.EXPOSURES].replace(b"nurse", b"doctor", 1)

    tampered = _rewrite(packages[0], tmp_path / "tampered.zip", edit)
    with pytest.raises(PackageError) as caught:
        rollup([packages[1], tampered])
    assert "tampered.zip" in str(caught.value) and "exposures.csv" in str(caught.value)

    def add(members: dict[str, bytes]) -> None:
        members["extra.csv"] = b"x"

    with pytest.raises(PackageError, match=r"extra\.csv"):
        read_package(_rewrite(packages[0], tmp_path / "extra.zip", add))


def test_truncated_foreign_and_newer_packages_are_refused(
    packages: list[Path], tmp_path: Path
) -> None:
    truncated = tmp_path / "cut.zip"
    truncated.write_bytes(packages[0].read_bytes()[:2000])
    with pytest.raises(PackageError, match="corrupt or truncated"):
        read_package(truncated)
    manifest, summary = _load(packages[1])
    newer = write_package(tmp_path / "newer.zip", {**manifest, "format_version": 2}, summary)
    with pytest.raises(PackageError, match="newer format"):
        read_package(newer)
    foreign = write_package(tmp_path / "foreign.zip", {**manifest, "format": "other"}, summary)
    with pytest.raises(PackageError, match="not a hospital-osh exchange package"):
        read_package(foreign)
    overlapping = write_package(
        tmp_path / "overlap.zip",
        {**manifest, "period": {"from": "2026-06-01", "to": "2027-05-31"}},
        summary,
    )
    with pytest.raises(PackageError, match="overlaps"):
        rollup([packages[1], overlapping])


# -- the command line -----------------------------------------------------------------------------


def test_cli_report_export_import_and_rollup(
    sqlite_path: Path, tmp_path: Path, admin: Actor, capsys: pytest.CaptureFixture[str]
) -> None:
    from hospital_osh.services.database import resolve_url

    database = Database(resolve_url(sqlite_path))
    data.build(database, admin)
    database.dispose()
    db = ["--db", str(sqlite_path)]
    period = ["--from", "2026-01-01", "--to", "2026-03-31"]
    out = tmp_path / "report.pdf"
    assert (
        cli.main(
            [
                *db,
                "report",
                *period,
                "--lang",
                "both",
                "--out",
                str(out),
                "--json",
                str(tmp_path / "s.json"),
                "--xlsx",
                str(tmp_path / "t.xlsx"),
            ]
        )
        == 0
    )
    assert (tmp_path / "report_zh_CN.pdf").exists() and (tmp_path / "report_en.pdf").exists()
    assert json.loads((tmp_path / "s.json").read_text("utf-8"))["exposures"]["total"] == 6
    database = Database(resolve_url(sqlite_path))
    try:  # the figures left the program: one audit event names the period and the files
        with database.session() as session:
            event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    finally:
        database.dispose()
    assert event is not None and (event.action, event.entity) == ("export", "summary_report")
    changes = json.loads(event.changes)
    assert changes["period"] == [None, {"from": "2026-01-01", "to": "2026-03-31"}]
    assert changes["files"][1] == ["report_zh_CN.pdf", "report_en.pdf", "s.json", "t.xlsx"]
    assert cli.main([*db, "export", *period, "--out", str(tmp_path / "p.zip")]) == 0
    assert (
        cli.main(
            [
                "rollup",
                str(tmp_path / "p.zip"),
                "--out",
                str(tmp_path / "r.pdf"),
                "--json",
                str(tmp_path / "r.json"),
            ]
        )
        == 0
    )
    capsys.readouterr()

    # Bad input: exit 2 and one clear line naming the problem.
    assert (
        cli.main([*db, "report", "--from", "2026-03-01", "--to", "2026-02-01", "--out", str(out)])
        == 2
    )
    assert "before it starts" in capsys.readouterr().err
    cut = tmp_path / "cut.zip"
    cut.write_bytes((tmp_path / "p.zip").read_bytes()[:1500])
    assert cli.main(["rollup", str(cut), "--out", str(tmp_path / "x.pdf")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cut.zip" in err[0] and "truncated" in err[0]
    manifest, summary = _load(tmp_path / "p.zip")
    newer = write_package(tmp_path / "n.zip", {**manifest, "format_version": 9}, summary)
    assert cli.main(["rollup", str(newer), "--out", str(tmp_path / "x.pdf")]) == 2
    assert "newer format" in capsys.readouterr().err
    assert cli.main(["--lang", "zh_CN", "rollup", str(cut), "--out", str(tmp_path / "x.pdf")]) == 2
    assert "cut.zip" in capsys.readouterr().err

    # Import: a dry run writes nothing; row errors give exit 2 with row numbers.
    bad = tmp_path / "bad.csv"
    bad.write_text(",".join(layout.EXPOSURE_COLUMNS) + "\n" + "x" * 3 + "\n", encoding="utf-8")
    assert cli.main([*db, "import", str(bad), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "Row 2, column uuid" in err and "nothing was imported" in err
    assert cli.main([*db, "import", str(tmp_path / "missing.csv")]) == 2


def test_memory_does_not_grow_with_the_packages_content(
    packages: list[Path], tmp_path: Path
) -> None:
    """Packages are verified and added one at a time: 40 full packages (PDFs included) need
    about what 4 need; only one small line per hospital is kept."""
    import tracemalloc

    with zipfile.ZipFile(packages[0]) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(members[layout.MANIFEST])
    copies = []
    for number in range(40):
        path = tmp_path / f"h{number:02d}.zip"
        changed = {**manifest, "hospital": {**manifest["hospital"], "code": f"H{number:02d}"}}
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, body in members.items():
                if name != layout.MANIFEST:
                    archive.writestr(name, body)
            archive.writestr(layout.MANIFEST, json.dumps(changed))
        copies.append(path)
    total = sum(len(body) for body in members.values()) * len(copies)

    def peak(paths: list[Path]) -> int:
        tracemalloc.start()
        result = rollup(paths)
        _current, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert result["hospitals"] == len(paths)
        return top

    small, large = peak(copies[:4]), peak(copies)
    assert large < 2.5 * small, (small, large)
    assert large < total / 4  # far less than the packages hold


def test_the_rollup_tables_as_xlsx_keep_suppression(packages: list[Path], tmp_path: Path) -> None:
    import openpyxl

    from hospital_osh.exchange.xlsx import write_rollup_xlsx

    out = tmp_path / "national.xlsx"
    write_rollup_xlsx(rollup(packages), "zh_CN", out)
    workbook = openpyxl.load_workbook(out)
    sheet = workbook["各医院比较"]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=3, values_only=True) if row[1]}
    assert rows["B-0002"][2] == 12 and rows["B-0002"][4] == "<5"  # exact total, suppressed cell
    assert rows["B-0002"][5] == pytest.approx(12.0)
