"""The export package (contract, privacy, checksums), the historical import (dry run, all or
nothing, re-import, GBK, XLSX, formulas), the export -> import round trip, the XLSX tables."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from hospital_osh.domain.roles import Role
from hospital_osh.exchange import export, importer, layout
from hospital_osh.exchange.xlsx import write_summary_xlsx
from hospital_osh.models import AuditEvent, Exposure, Hospital, Worker
from hospital_osh.services import hospital
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.errors import PermissionDenied, UserError
from hospital_osh.services.summary import build_summary
from tests.conftest import actor
from tests.integration import summary_data as data
from tests.integration.exposure_data import setup_hospital

CREATED = dt.datetime(2026, 5, 1, 4, 0)


def make_package(database: Database, admin: Actor, out: Path, **options: Any) -> Path:
    start = options.pop("start", data.START)
    end = options.pop("end", data.END)
    with database.transaction() as session:
        export.export_package(
            session, admin, start, end, out, now=CREATED, invariant=True, **options
        )
    return out


@pytest.fixture
def package(database: Database, admin: Actor, tmp_path: Path) -> Path:
    data.build(database, admin)
    return make_package(database, admin, tmp_path / "q1.zip")


def _csv(archive: zipfile.ZipFile) -> list[dict[str, str]]:
    raw = archive.read(layout.EXPOSURES)
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


# -- export ---------------------------------------------------------------------------------------


def test_the_package_follows_the_contract(package: Path) -> None:
    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read(layout.MANIFEST))
        assert names == {
            "manifest.json",
            "summary.json",
            "exposures.csv",
            "followups.csv",
            "hazards.csv",
            "actions.csv",
            "report_zh_CN.pdf",
            "report_en.pdf",
        }
        assert manifest["format"] == "hospital-osh-exchange" and manifest["format_version"] == 1
        assert manifest["hospital"]["code"] == "TEST-0001"
        assert manifest["period"] == {"from": "2026-01-01", "to": "2026-03-31"}
        assert manifest["created_at"] == "2026-05-01T04:00:00Z"
        assert set(manifest["files"]) == names - {"manifest.json"}
        for name, digest in manifest["files"].items():
            assert hashlib.sha256(archive.read(name)).hexdigest() == digest
        # What the installation does not record yet is named, not faked.
        assert manifest["not_included"] == {}
        hazards_header = archive.read(layout.HAZARDS).decode("utf-8-sig").splitlines()[0]
        assert tuple(hazards_header.split(",")) == layout.HAZARD_COLUMNS
        header = archive.read(layout.EXPOSURES).decode("utf-8-sig").splitlines()[0]
        assert tuple(header.split(",")) == layout.EXPOSURE_COLUMNS
        rows = _csv(archive)
        summary = json.loads(archive.read(layout.SUMMARY))
    assert len(rows) == summary["exposures"]["total"] == 6
    first = rows[0]
    expected_key = hmac.new(b"a" * 64, b"N001", hashlib.sha256).hexdigest()[:16]
    assert first["worker_key"] == expected_key
    assert (first["age_band"], first["tenure_band"]) == ("25-34", "5-9")  # 30 years, 7.4 in post
    assert first["occurred_at"] == "2026-01-10T10:00" and first["department_type"] == "icu"
    assert rows[2]["age_band"] == "45-54" and rows[2]["tenure_band"] == "10+"
    assert rows[5]["worker_key"] == "" and rows[5]["age_band"] == "<25"  # a typed-in student


def test_nothing_identifying_leaves_the_hospital(package: Path) -> None:
    with zipfile.ZipFile(package) as archive:
        texts = [archive.read(name) for name in archive.namelist() if not name.endswith(".pdf")]
    blob = b"\n".join(texts).decode("utf-8-sig")
    for secret in (
        "李小红",
        "Wang Qiang",
        "陈同学",
        "N001",
        "D001",
        "1995",
        "自由文本",
        "free text",
    ):
        assert secret not in blob, secret
    assert "a" * 64 not in blob  # the pseudonym key itself


def test_preview_shows_what_would_leave_and_writes_nothing(
    database: Database, admin: Actor, tmp_path: Path
) -> None:
    data.build(database, admin)
    with database.session() as session:
        before = session.scalar(select(func.count(AuditEvent.id)))
        preview = export.preview(session, admin, data.START, data.END)
        after = session.scalar(select(func.count(AuditEvent.id)))
    assert before == after and not list(tmp_path.glob("*.zip"))
    assert preview.exposure_rows == 6 and len(preview.sample) == 5
    assert preview.columns == layout.EXPOSURE_COLUMNS
    assert "names of workers" in preview.never_exported
    assert "followups.csv" in [name for name, _what in preview.files]
    assert all("worker_name" not in row for row in preview.sample)


def test_the_export_is_audited_and_needs_the_exchange_permission(
    database: Database, admin: Actor, tmp_path: Path
) -> None:
    data.build(database, admin)
    with database.session() as session:
        before = session.scalar(select(func.count(AuditEvent.id))) or 0
    make_package(database, admin, tmp_path / "a.zip")
    with database.session() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id).offset(before)).all()
    assert len(events) == 1  # one export, one event
    event = events[0]
    assert event.action == "export" and event.entity == "exchange_package"
    assert "a.zip" in event.changes and event.actor == admin.username
    with database.transaction() as session, pytest.raises(PermissionDenied):
        export.export_package(
            session, actor(Role.COMMITTEE_MEMBER), data.START, data.END, tmp_path / "b.zip"
        )
    assert not (tmp_path / "b.zip").exists()


def test_export_rows_are_refused_when_asked_for_not_when_first_read(
    database: Database, admin: Actor
) -> None:
    from hospital_osh.services.errors import ValidationError
    from hospital_osh.services.summary import export_rows

    data.build(database, admin)
    with database.session() as session:
        with pytest.raises(PermissionDenied):
            export_rows(session, actor(Role.VIEWER), data.START, data.END)  # never iterated
        with pytest.raises(ValidationError):
            export_rows(session, admin, data.END, data.START)
        rows = export_rows(session, admin, data.START, data.END, batch=4)
        assert len(list(rows)) == 6  # across two batches


def test_writing_a_report_is_audited_and_needs_the_reports_permission(
    database: Database, admin: Actor, tmp_path: Path
) -> None:
    files = [tmp_path / "q1.pdf", tmp_path / "q1.json"]
    with database.transaction() as session:
        export.record_report(session, admin, data.START, data.END, files)
    with database.session() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None and (event.action, event.entity) == ("export", "summary_report")
    assert json.loads(event.changes)["files"] == [None, ["q1.pdf", "q1.json"]]
    with database.transaction() as session, pytest.raises(PermissionDenied):
        export.record_report(session, actor(Role.REPORTER), data.START, data.END, files)


# -- round trip -----------------------------------------------------------------------------------


def _fresh_hospital(database: Database, admin: Actor) -> None:
    """The same hospital (profile, secret, departments, roster) in an empty database."""
    with database.transaction() as session:
        hospital.save_profile(session, admin, data.PROFILE, bootstrap=True)
        session.scalar(select(Hospital)).pseudonym_secret = data.SECRET  # type: ignore[union-attr]
    setup_hospital(database, admin)


# Post-exposure answers of the data set's exposures (by position in Q1), so that every
# post-exposure column of exposures.csv carries a value through the round trip.
RECORDED = {
    0: {"worker_hbv_status": "non_responder", "hbig_given": "yes", "hbv_vaccine_given": "yes"},
    1: {
        "hiv_pep_started": "yes",
        "hiv_pep_started_at": "2026-02-05T09:30",
        "hiv_pep_completed": "yes",
    },
    3: {"hiv_pep_started": "no"},
}


def assess_all(database: Database, admin: Actor) -> None:
    """Give every exposure of Q1 its post-exposure assessment, with the answers above."""
    from hospital_osh.services import post_exposure

    with database.transaction() as session:
        ids = session.scalars(
            select(Exposure.id)
            .where(Exposure.occurred_at >= dt.datetime(2026, 1, 1))
            .where(Exposure.occurred_at < dt.datetime(2026, 4, 1))
            .order_by(Exposure.occurred_at)
        ).all()
        for index, exposure_id in enumerate(ids):
            post_exposure.ensure_assessed(
                session, admin, exposure_id, recorded=RECORDED.get(index), now=data.NOW
            )


def test_export_import_round_trip_is_lossless(
    database: Database, tmp_path: Path, admin: Actor, _sqlite_template: Path
) -> None:
    import shutil

    from hospital_osh.services.database import resolve_url

    data.build(database, admin)
    assess_all(database, admin)
    package = make_package(database, admin, tmp_path / "q1.zip")

    copy = tmp_path / "other.sqlite"
    shutil.copyfile(_sqlite_template, copy)
    other = Database(resolve_url(copy))
    try:
        _fresh_hospital(other, admin)
        exported = tmp_path / "exposures.csv"
        with zipfile.ZipFile(package) as archive:
            exported.write_bytes(archive.read(layout.EXPOSURES))
            original = _csv(archive)
            followups_before = archive.read(layout.FOLLOWUPS)
        with other.session() as session:
            plan = importer.read_import(session, admin, exported, now=data.NOW)
        assert plan.ok, plan.messages()
        with other.transaction() as session:
            result = importer.apply_import(session, admin, plan)
        assert result.created == 6
        again = make_package(other, admin, tmp_path / "again.zip")
        with zipfile.ZipFile(again) as archive:
            round_trip = _csv(archive)
            followups_after = archive.read(layout.FOLLOWUPS)
    finally:
        other.dispose()
    assert len(round_trip) == len(original)
    # The import gave the records the same assessment, so the same follow-up schedule.
    assert followups_before.count(b"\n") > 5 and followups_after == followups_before
    assert original[0]["hbig_given"] == "yes" and original[1]["hiv_pep_completed"] == "yes"
    assert original[1]["hiv_pep_started_at"] == "2026-02-05T09:30"
    assert original[3]["hiv_pep_started"] == "no"
    assert original[0]["worker_hbv_status"] == "non_responder"
    # A typed-in worker (no staff number, so no birth or hire date on file) keeps its bands.
    typed_in = [row for row in original if row["worker_key"] == ""]
    assert typed_in and all(row["age_band"] for row in typed_in)
    assert round_trip == original  # every exported column, every row, in order


# -- import ---------------------------------------------------------------------------------------

HEADER = ",".join(layout.EXPOSURE_COLUMNS)


def _row(**values: str) -> str:
    base = {
        "uuid": "11111111-1111-4111-8111-111111111111",
        "hospital_code": "TEST-0001",
        "occurred_at": "2025-06-01T09:00",
        "reported_at": "2025-06-01T10:30",
        "exposure_type": "percutaneous",
        "department_type": "icu",
        "job_category": "nurse",
        "sex": "female",
        "device_type": "syringe_needle",
        "source_identified": "no",
        "status": "reported",
        "outcome": "pending",
    }
    base.update(values)
    return ",".join(base.get(c, "") for c in layout.EXPOSURE_COLUMNS)


@pytest.fixture
def hospital_ready(database: Database, admin: Actor) -> Database:
    _fresh_hospital(database, admin)
    return database


def _read(database: Database, path: Path, who: Actor | None = None) -> importer.ImportPlan:
    with database.session() as session:
        return importer.read_import(session, who or actor(Role.OSH_OFFICER), path, now=data.NOW)


def _count(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count(Exposure.id))) or 0


def test_dry_run_reports_every_bad_row_with_line_and_column(
    hospital_ready: Database, tmp_path: Path
) -> None:
    path = tmp_path / "history.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                _row(),
                _row(uuid="22222222-2222-4222-8222-222222222222", device_type="laser_sword"),
                _row(uuid="not-a-uuid", occurred_at="01/06/2025"),
                _row(uuid="33333333-3333-4333-8333-333333333333", hospital_code="OTHER"),
            ]
        ),
        encoding="utf-8",
    )
    plan = _read(hospital_ready, path)
    assert not plan.ok and len(plan.rows) == 1
    messages = plan.messages()
    assert any("Row 3, column device_type" in m and "laser_sword" in m for m in messages)
    assert any("Row 4, column uuid" in m for m in messages)
    assert any("Row 4, column occurred_at" in m for m in messages)
    assert any("Row 5, column hospital_code" in m and "OTHER" in m for m in messages)
    with hospital_ready.transaction() as session, pytest.raises(UserError):
        importer.apply_import(session, actor(Role.OSH_OFFICER), plan)
    assert _count(hospital_ready) == 0  # all or nothing


def test_import_links_staff_creates_workers_and_skips_known_uuids(
    hospital_ready: Database, tmp_path: Path
) -> None:
    path = tmp_path / "history.csv"
    header = HEADER + ",staff_no,worker_name"
    path.write_text(
        "\n".join(
            [
                header,
                _row() + ",N001,",
                _row(uuid="22222222-2222-4222-8222-222222222222", job_category="cleaner")
                + ',C900,=HYPERLINK("http://x")',
            ]
        ),
        encoding="utf-8",
    )
    officer = actor(Role.OSH_OFFICER)
    plan = _read(hospital_ready, path)
    assert plan.ok, plan.messages()
    assert plan.workers_to_create == 1
    with hospital_ready.transaction() as session:
        result = importer.apply_import(session, officer, plan)
    assert (result.created, result.skipped, result.workers_created) == (2, 0, 1)
    assert result.references == ("EXP-2025-0001", "EXP-2025-0002")
    with hospital_ready.session() as session:
        worker = session.scalar(select(Worker).where(Worker.staff_no == "C900"))
        assert worker is not None and worker.name == '=HYPERLINK("http://x")'  # data, not a formula
        linked = session.scalar(select(Exposure).where(Exposure.worker_id == worker.id))
        assert linked is not None and linked.job_category == "cleaner"
        nurse = session.scalar(
            select(Exposure).where(Exposure.uuid == "11111111-1111-4111-8111-111111111111")
        )
        assert nurse is not None and nurse.worker is not None and nurse.worker.staff_no == "N001"
        assert nurse.age == 29  # from the roster's birth date on the day of the exposure
    again = _read(hospital_ready, path)
    assert again.ok and not again.rows and len(again.skipped) == 2
    assert _count(hospital_ready) == 2


def test_bands_are_kept_only_where_nothing_more_exact_is_known(
    hospital_ready: Database, admin: Actor, tmp_path: Path
) -> None:
    path = tmp_path / "bands.csv"
    typed_in = _row(age_band="35-44", tenure_band="5-9")
    with_age = _row(uuid="22222222-2222-4222-8222-222222222222", age_band="<25")
    staff = _row(uuid="33333333-3333-4333-8333-333333333333", age_band="25-34")
    path.write_text(
        "\n".join(
            [
                HEADER + ",worker_name,age,staff_no",
                typed_in + ",Visitor A,,",
                with_age + ",Student B,22,",
                staff + ",,,N001",  # the roster knows N001's birth date: 29 on the day
            ]
        ),
        encoding="utf-8",
    )
    plan = _read(hospital_ready, path)
    assert plan.ok, plan.messages()
    bands = [row.bands for row in plan.rows]
    assert bands == [{"age_band": "35-44", "tenure_band": "5-9"}, {}, {}]
    with hospital_ready.transaction() as session:
        importer.apply_import(session, actor(Role.OSH_OFFICER), plan)
    with hospital_ready.session() as session:
        stored = {
            row.uuid[:2]: (row.age, row.age_band, row.years_in_post, row.tenure_band)
            for row in session.scalars(select(Exposure))
        }
    assert stored == {
        "11": (None, "35-44", None, "5-9"),
        "22": (22, None, None, None),
        "33": (29, None, 6.7, None),  # the roster's hire date gives the years in post
    }
    out = make_package(
        hospital_ready,
        admin,
        tmp_path / "june.zip",
        start=dt.date(2025, 6, 1),
        end=dt.date(2025, 6, 30),
    )
    with zipfile.ZipFile(out) as archive:
        rows = {row["uuid"][:2]: (row["age_band"], row["tenure_band"]) for row in _csv(archive)}
    assert rows == {"11": ("35-44", "5-9"), "22": ("<25", ""), "33": ("25-34", "5-9")}
    wrong = tmp_path / "wrong.csv"
    wrong.write_text(
        HEADER
        + ",staff_no\n"
        + _row(uuid="44444444-4444-4444-8444-444444444444", age_band="55+")
        + ",N001\n",
        encoding="utf-8",
    )
    messages = _read(hospital_ready, wrong).messages()
    assert any("column age_band" in m and "25-34" in m for m in messages), messages


def test_a_csv_mixing_utf8_and_gbk_is_refused_naming_the_line(
    hospital_ready: Database, tmp_path: Path
) -> None:
    path = tmp_path / "mixed.csv"
    header = (HEADER + ",worker_name\n").encode("utf-8")
    first = (_row() + ",张三丰\n").encode("utf-8")
    second = (_row(uuid="22222222-2222-4222-8222-222222222222") + ",李四\n").encode("gbk")
    path.write_bytes(header + first + second)
    plan = _read(hospital_ready, path)
    assert not plan.ok and not plan.rows
    assert plan.problems == [
        "The file mixes text encodings: line 3 is in GBK/GB18030, but line 2 is in UTF-8. "
        'Save the whole file in one encoding (in Excel: "CSV UTF-8") and try again.'
    ]
    path.write_bytes(header + second + first)  # GBK first: the UTF-8 row is the odd one
    problem = _read(hospital_ready, path).problems[0]
    assert "line 3 is in UTF-8, but line 2 is in GBK/GB18030" in problem
    path.write_bytes(b"\xef\xbb\xbf" + header + first + second)  # a BOM promises UTF-8
    problem = _read(hospital_ready, path).problems[0]
    assert "starts with a UTF-8 mark, but line 3 is in GBK/GB18030" in problem
    assert _count(hospital_ready) == 0


def test_a_gbk_csv_is_detected_and_read(hospital_ready: Database, tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    text = HEADER + ",staff_no,worker_name\n" + _row() + ",Z001,张三丰\n"
    path.write_bytes(text.encode("gbk"))
    plan = _read(hospital_ready, path)
    assert plan.ok, plan.messages()
    assert any("GBK" in notice for notice in plan.notices)
    assert plan.rows[0].info.worker_name == "张三丰"


def test_an_xlsx_file_is_read_with_values_only(hospital_ready: Database, tmp_path: Path) -> None:
    path = tmp_path / "history.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(layout.EXPOSURE_COLUMNS))
    sheet.append(_row().split(","))
    workbook.save(path)
    plan = _read(hospital_ready, path)
    assert plan.ok, plan.messages()
    assert plan.rows[0].info.occurred_at == dt.datetime(2025, 6, 1, 9, 0)


def test_unknown_columns_and_types_are_refused(hospital_ready: Database, tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text(HEADER + ",favourite_colour\n" + _row() + ",blue\n", encoding="utf-8")
    plan = _read(hospital_ready, path)
    assert not plan.ok and "favourite_colour" in plan.problems[0]
    other = tmp_path / "old.xls"
    other.write_bytes(b"\xd0\xcf\x11\xe0")
    assert not _read(hospital_ready, other).ok


def test_import_needs_the_exchange_permission(hospital_ready: Database, tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text(HEADER + "\n" + _row() + "\n", encoding="utf-8")
    with hospital_ready.session() as session, pytest.raises(PermissionDenied):
        importer.read_import(session, actor(Role.COMMITTEE_MEMBER), path)


# -- XLSX -----------------------------------------------------------------------------------------


def test_the_xlsx_holds_the_report_tables_with_typed_numbers(
    database: Database, admin: Actor, tmp_path: Path
) -> None:
    data.build(database, admin)
    with database.session() as session:
        summary = build_summary(session, admin, data.START, data.END)
    # A hospital's own label that looks like a formula must stay text.
    summary["local_labels"] = {"device_type": {"suture_needle": {"zh": "=1+1", "en": "=1+1"}}}
    out = tmp_path / "tables.xlsx"
    write_summary_xlsx(summary, "en", out)
    workbook = openpyxl.load_workbook(out)
    assert "Key figures" in workbook.sheetnames
    key = workbook["Key figures"]
    values = {row[0]: row[1] for row in key.iter_rows(min_row=3, values_only=True)}
    assert values["Exposures"] == 6
    assert values["Exposures per 100 FTE"] == pytest.approx(6 / 90 * 100)
    assert "'=1+1" in [c.value for c in workbook["Exposures by device and sex"]["A"]]
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str):
                    assert not value or value[0] not in "=+-@", (sheet.title, value)


def test_hazards_and_actions_leave_as_codes_only(
    database: Database, admin: Actor, tmp_path: Path
) -> None:
    from hospital_osh.services import actions, hazards

    place = data.build(database, admin)
    today = dt.date.today()
    with database.transaction() as session:
        hazards.create_hazard(
            session,
            admin,
            hazards.HazardInfo(
                department_id=place.icu,
                location="Bay 3 secret location",
                activity="Preparing cytotoxic infusions",
                potential_harm="Reproductive toxicity",
                category="chemical",
                identification_method="walk_through",
                exposed_female=12,
                exposed_male=3,
                reproductive_hazard=True,
                owner="Dr Zhou",
                assessed_on=today - dt.timedelta(days=1),
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
                due_date=today + dt.timedelta(days=20),
                source_kind="healthwise",
                source_id=1,
                source_item="M2-01",
            ),
        )
    start, end = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    package = make_package(database, admin, tmp_path / "year.zip", start=start, end=end)
    with zipfile.ZipFile(package) as archive:
        hazard_rows = list(
            csv.DictReader(io.StringIO(archive.read("hazards.csv").decode("utf-8-sig")))
        )
        action_rows = list(
            csv.DictReader(io.StringIO(archive.read("actions.csv").decode("utf-8-sig")))
        )
        summary = json.loads(archive.read(layout.SUMMARY))
        blob = archive.read("hazards.csv") + archive.read("actions.csv")
    assert len(hazard_rows) == 1 and hazard_rows[0]["category"] == "chemical"
    assert hazard_rows[0]["current_level"] and hazard_rows[0]["exposed_female"] == "12"
    assert len(action_rows) == 1 and action_rows[0]["status"] == "proposed"
    for text in ("secret location", "cytotoxic", "Zhou", "hoist", "王护士长"):
        assert text.encode() not in blob, text
    assert summary["hazards"]["total"] == 1 and summary["actions"]["total"] == 1
    assert "hazards" not in summary["sections_missing"]


def test_followups_leave_with_status_and_result(
    database: Database, admin: Actor, tmp_path: Path
) -> None:
    from hospital_osh.models.post_exposure import FollowUp

    data.build(database, admin)
    with database.transaction() as session:
        first = session.scalar(
            select(Exposure)
            .where(Exposure.occurred_at >= dt.datetime(2026, 1, 1))
            .order_by(Exposure.occurred_at)
        )
        assert first is not None
        for values in (
            {
                "code": "anti_hbs",
                "state": "done",
                "done_date": dt.date(2026, 2, 9),
                "result_value": 120.0,
                "due": dt.date(2026, 2, 10),
            },
            {"code": "hiv_ag_ab", "state": "open", "due": dt.date(2026, 2, 21)},
            {"code": "hbig", "state": "done", "due": dt.date(2026, 1, 10)},  # not a test
        ):
            due = values.pop("due")
            session.add(
                FollowUp(
                    exposure_id=first.id,
                    plan_key=f"{values['code']}:0",
                    due_date=due,
                    window_start=due - dt.timedelta(days=7),
                    window_end=due + dt.timedelta(days=7),
                    **values,
                )
            )
        uuid = first.uuid
    package = make_package(database, admin, tmp_path / "f.zip")
    with zipfile.ZipFile(package) as archive:
        raw = archive.read(layout.FOLLOWUPS)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(rows[0]) == layout.FOLLOWUP_COLUMNS
    assert rows == [
        {
            "exposure_uuid": uuid,
            "test": "anti_hbs",
            "due_date": "2026-02-10",
            "done_date": "2026-02-09",
            "status": "done",
            "result": "120",
        },
        {
            "exposure_uuid": uuid,
            "test": "hiv_ag_ab",
            "due_date": "2026-02-21",
            "done_date": "",
            "status": "overdue",
            "result": "",
        },
    ]
