"""Service helpers the exposure screens use: finding the exposed worker (as each role may),
checking a form without saving, the advice before and after saving, sorting on the list's
extra columns, the quick report's device, and editing a local code entry's labels."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from hospital_osh.models import AuditEvent, Exposure
from hospital_osh.services import exposures as ex
from hospital_osh.services import local_codes
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.errors import NotFound, PermissionDenied, ValidationError
from tests.conftest import actor
from tests.integration.exposure_data import NOW, Place, complete_sharps, setup_hospital

OFFICER = actor("osh_officer", "officer")
REPORTER = actor("reporter", "ward_nurse")


@pytest.fixture
def place(database: Database, admin: Actor) -> Place:
    return setup_hospital(database, admin)


def test_officers_find_workers_by_name_or_number(database: Database, place: Place) -> None:
    with database.session() as session:
        by_name = ex.find_workers(session, OFFICER, "小红")
        by_number = ex.find_workers(session, OFFICER, "d00")  # case-insensitive part
        too_short = ex.find_workers(session, OFFICER, "李")
        wildcard = ex.find_workers(session, OFFICER, "%%")
    assert [(w.id, w.name, w.staff_no) for w in by_name] == [(place.nurse, "李小红", "N001")]
    assert by_name[0].job_category == "nurse" and by_name[0].department_en == "Intensive care"
    assert [w.id for w in by_number] == [place.doctor]
    assert too_short == [] and wildcard == []  # LIKE wildcards are matched literally


def test_a_reporter_finds_only_the_full_number_and_no_identity(
    database: Database, place: Place
) -> None:
    with database.session() as session:
        assert ex.find_workers(session, REPORTER, "李小红") == []
        assert ex.find_workers(session, REPORTER, "N00") == []
        found = ex.find_workers(session, REPORTER, "N001")
    assert len(found) == 1 and found[0].id == place.nurse
    assert (found[0].name, found[0].staff_no) == (ex.HIDDEN, ex.HIDDEN)
    assert found[0].department_zh == "重症医学科"
    with database.session() as session, pytest.raises(PermissionDenied):
        ex.find_workers(session, actor("viewer"), "N001")


def test_check_exposure_reports_without_saving(database: Database, place: Place) -> None:
    info = complete_sharps(
        place,
        device_safety_engineered="no",
        safety_activated="fully",
        occurred_at=dt.datetime(2024, 1, 1, 8, 0),
        reported_at=dt.datetime(2026, 3, 9, 11, 15),
    )
    with database.session() as session:
        errors, warnings = ex.check_exposure(session, OFFICER, info, NOW)
        count = session.scalar(select(func.count(Exposure.id)))
    assert errors == {
        "safety_activated": "The device has no safety feature, so it cannot have been activated."
    }
    assert warnings["reported_at"].startswith("Reported 798 days after the exposure")
    assert count == 0  # nothing was saved
    with database.session() as session:
        errors, _warnings = ex.check_exposure(
            session, OFFICER, replace(info, age=None), NOW, completing=True
        )
    assert errors["age"] == "Required to complete the record."


def test_guidance_before_and_after_saving() -> None:
    before = ex.guidance("percutaneous", 0.5)
    after = ex.guidance("percutaneous", 0.5, "EXP-2026-0042")
    assert "Save this report" in before[1].text and before[1].urgent
    assert "EXP-2026-0042" in after[1].text
    assert ex.guidance("mucous_membrane", 80)[0].text.startswith("Flush")
    assert not ex.guidance("mucous_membrane", 80)[-1].urgent  # the 72-hour window has passed


def test_quick_report_keeps_the_device_of_a_sharps_injury_only(
    database: Database, place: Place
) -> None:
    report = ex.QuickReport(
        occurred_at=dt.datetime(2026, 3, 10, 9, 0),
        exposure_type="percutaneous",
        department_id=place.icu,
        description="Stuck",
        source_identified="no",
        staff_no="N001",
        device_type="suture_needle",
    )
    with database.transaction() as session:
        sharps = ex.quick_report(session, REPORTER, report, NOW)
        splash = ex.quick_report(
            session, REPORTER, replace(report, exposure_type="mucous_membrane"), NOW
        )
    with database.session() as session:
        assert ex.get_exposure(session, OFFICER, sharps.id).device_type == "suture_needle"
        assert ex.get_exposure(session, OFFICER, splash.id).device_type is None


def test_the_list_sorts_on_source_and_completeness(database: Database, place: Place) -> None:
    with database.transaction() as session:
        ex.record_exposure(session, OFFICER, complete_sharps(place), NOW)
        ex.record_exposure(
            session, OFFICER, complete_sharps(place, source_identified="no", age=None), NOW
        )
    with database.session() as session:
        by_source = ex.list_exposures(session, OFFICER, sort="source_identified", descending=False)
        by_record = ex.list_exposures(session, OFFICER, sort="incomplete", descending=True)
    assert [r.source_identified for r in by_source] == ["no", "yes"]
    assert [r.incomplete for r in by_record] == [True, False]


def test_editing_a_local_entry_changes_labels_only_and_is_audited(
    database: Database, admin: Actor
) -> None:
    entry = local_codes.LocalCodeInfo("device_brand", "bd_insyte", "BD 留置针", "BD Insyte")
    with database.transaction() as session:
        local_codes.add_local_code(session, admin, entry)
        changed = local_codes.update_local_code(
            session, admin, replace(entry, label_en=" BD Insyte Autoguard ")
        )
    assert changed.label_en == "BD Insyte Autoguard" and changed.code == "bd_insyte"
    with database.session() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity == "local_code")
        ).all()
    assert sorted(actions) == ["create", "update"]
    with database.transaction() as session:
        with pytest.raises(ValidationError) as error:
            local_codes.update_local_code(session, admin, replace(entry, label_zh="", label_en=""))
        assert set(error.value.fields) == {"label_zh"}
        with pytest.raises(NotFound):
            local_codes.update_local_code(session, admin, replace(entry, code="no_such"))
        with pytest.raises(PermissionDenied):
            local_codes.update_local_code(session, OFFICER, entry)
