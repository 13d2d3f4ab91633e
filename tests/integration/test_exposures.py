"""Exposure records: quick report, completion, edits, roles, masking, audit, lists, local codes."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from hospital_osh import i18n
from hospital_osh.models import AuditEvent, Exposure
from hospital_osh.services import exposures as ex
from hospital_osh.services import local_codes
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from tests.conftest import actor
from tests.integration.exposure_data import NOW, Place, complete_sharps, setup_hospital

OFFICER = actor("osh_officer", "officer")
VIEWER = actor("viewer")
COMMITTEE = actor("committee_member")
REPORTER = actor("reporter", "ward_nurse")
OTHER_REPORTER = actor("reporter", "other_nurse")


@pytest.fixture
def place(database: Database, admin: Actor) -> Place:
    return setup_hospital(database, admin)


def _quick(place: Place, **changes: object) -> ex.QuickReport:
    values: dict[str, object] = dict(
        occurred_at=NOW - dt.timedelta(hours=1, minutes=30),
        exposure_type="percutaneous",
        department_id=place.icu,
        description="拔针时刺伤手指",
        source_identified="yes",
        staff_no="N001",
    )
    values.update(changes)
    return ex.QuickReport(**values)  # type: ignore[arg-type]


def _record(database: Database, info: ex.ExposureInfo, who: Actor = OFFICER) -> ex.SaveResult:
    with database.transaction() as session:
        return ex.record_exposure(session, who, info, now=NOW)


def _audit(database: Database, entity_id: int) -> list[AuditEvent]:
    with database.session() as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.entity == "exposure", AuditEvent.entity_id == str(entity_id))
                .order_by(AuditEvent.id)
            )
        )


# -- quick report ----------------------------------------------------------------------------------


def test_quick_report_returns_case_number_and_guidance(database: Database, place: Place) -> None:
    with database.transaction() as session:
        receipt = ex.quick_report(session, REPORTER, _quick(place), now=NOW)
    assert receipt.reference == "EXP-2026-0001"
    assert receipt.hours_since == 1.5
    texts = [step.text for step in receipt.steps]
    assert any("soap and running water" in text for text in texts)
    assert any("EXP-2026-0001" in text for text in texts)
    assert any("1.5 hours" in text and "2 hours" in text for text in texts)
    with database.session() as session:
        info = ex.get_exposure(session, OFFICER, receipt.id)
    # The staff member's attributes are copied as they were on the day.
    assert (info.worker_name, info.job_category, info.sex) == ("李小红", "nurse", "female")
    assert info.age == 30 and info.years_in_post == 7.5
    assert info.home_department_id == place.icu and info.status == "reported"
    assert info.reported_by == "ward_nurse" and info.reported_at == NOW
    assert "device_type" in info.missing and not info.complete
    assert len(_audit(database, receipt.id)) == 1


def test_quick_report_guidance_speaks_the_users_language(database: Database, place: Place) -> None:
    i18n.set_language("zh_CN")
    with database.transaction() as session:
        receipt = ex.quick_report(
            session,
            REPORTER,
            _quick(
                place, exposure_type="mucous_membrane", occurred_at=NOW - dt.timedelta(hours=30)
            ),
            now=NOW,
        )
    texts = " ".join(step.text for step in receipt.steps)
    assert "生理盐水" in texts and "72" in texts and "Flush" not in texts
    assert [step.urgent for step in receipt.steps][-1] is True


def test_quick_report_of_a_typed_in_visitor(database: Database, place: Place) -> None:
    with database.transaction() as session:
        receipt = ex.quick_report(
            session,
            REPORTER,
            _quick(
                place,
                staff_no="",
                worker_name="陈同学",
                worker_kind="student",
                job_category="student_intern",
            ),
            now=NOW,
        )
    with database.session() as session:
        info = ex.get_exposure(session, OFFICER, receipt.id)
    assert (info.worker_id, info.worker_kind, info.worker_name) == (None, "student", "陈同学")
    assert "years_in_post" not in info.missing  # not asked of people who are not on staff


def test_quick_report_names_what_is_missing(database: Database, place: Place) -> None:
    with database.transaction() as session, pytest.raises(ValidationError) as caught:
        ex.quick_report(
            session,
            REPORTER,
            ex.QuickReport(occurred_at=NOW, exposure_type="bite", department_id=place.icu),
            now=NOW,
        )
    assert set(caught.value.fields) == {"worker", "source_identified", "description"}


def test_quick_report_refuses_an_unknown_staff_number(database: Database, place: Place) -> None:
    with database.transaction() as session, pytest.raises(ValidationError) as caught:
        ex.quick_report(session, REPORTER, _quick(place, staff_no="X999"), now=NOW)
    assert "X999" in caught.value.fields["worker"]


def test_quick_report_in_the_future_is_an_error(database: Database, place: Place) -> None:
    with database.transaction() as session, pytest.raises(ValidationError) as caught:
        ex.quick_report(
            session, REPORTER, _quick(place, occurred_at=NOW + dt.timedelta(hours=2)), now=NOW
        )
    assert "future" in caught.value.fields["occurred_at"]
    with database.session() as session:
        assert session.scalar(select(func.count(Exposure.id))) == 0
        assert (
            session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.entity == "exposure"))
            == 0
        )


def test_viewer_and_committee_cannot_report(database: Database, place: Place) -> None:
    for who in (VIEWER, COMMITTEE):
        with database.transaction() as session, pytest.raises(PermissionDenied):
            ex.quick_report(session, who, _quick(place), now=NOW)


# -- reference numbers -----------------------------------------------------------------------------


def test_reference_numbers_run_per_year(database: Database, place: Place) -> None:
    references = []
    for occurred in (
        dt.datetime(2025, 12, 31, 23, 0),
        dt.datetime(2026, 1, 1, 8, 0),
        dt.datetime(2025, 6, 1, 9, 0),
        dt.datetime(2026, 2, 1, 9, 0),
    ):
        with database.transaction() as session:
            receipt = ex.quick_report(
                session, REPORTER, _quick(place, occurred_at=occurred), now=NOW
            )
        references.append(receipt.reference)
    assert references == ["EXP-2025-0001", "EXP-2026-0001", "EXP-2025-0002", "EXP-2026-0002"]


# -- the officer's full record, completion and edits -----------------------------------------------


def test_officer_records_a_complete_exposure(database: Database, place: Place) -> None:
    result = _record(database, complete_sharps(place))
    info = result.exposure
    assert info.complete and info.reference == "EXP-2026-0001"
    assert info.hours_to_report == 0.8 and info.staff_no == "N001"
    assert info.department_en == "Intensive care" and info.job_category == "nurse"
    assert result.warnings == {}
    with database.session() as session:
        row = session.get(Exposure, info.id)
        assert row is not None and row.incomplete is False and row.missing == ""


def test_complete_lists_missing_fields_then_moves_on(database: Database, place: Place) -> None:
    with database.transaction() as session:
        receipt = ex.quick_report(session, REPORTER, _quick(place), now=NOW)
    with database.session() as session:
        info = ex.get_exposure(session, OFFICER, receipt.id)
    with database.transaction() as session, pytest.raises(ValidationError) as caught:
        ex.complete_exposure(session, OFFICER, info, now=NOW)
    assert {"device_type", "depth", "gloves", "source_hbsag", "location_type"} <= set(
        caught.value.fields
    )
    filled = complete_sharps(place)
    details = ex.EDITABLE[ex.EDITABLE.index("location_type") :]
    info = replace(
        info,
        **{
            name: getattr(filled, name) for name in details if name not in ("description", "status")
        },
    )
    with database.transaction() as session:
        result = ex.complete_exposure(session, OFFICER, info, now=NOW)
    assert result.exposure.status == "under_assessment"
    assert result.exposure.complete and result.exposure.completed_at is not None
    events = _audit(database, receipt.id)
    assert [e.action for e in events] == ["create", "complete"]
    changes = json.loads(events[-1].changes)
    assert changes["status"] == ["reported", "under_assessment"]
    assert changes["device_type"] == [None, "iv_catheter_stylet"]


def test_missing_fields_have_translated_names(database: Database, place: Place) -> None:
    info = ex.ExposureInfo(exposure_type="percutaneous", source_identified="no")
    i18n.set_language("zh_CN")
    labels = {m.field: m.label for m in ex.missing_fields(info)}
    assert labels["device_type"] == i18n._("Device") != "Device"
    assert labels["china_grade"] != "China exposure grade"


def test_edit_is_audited_with_old_and_new_values(database: Database, place: Place) -> None:
    info = _record(database, complete_sharps(place)).exposure
    with database.transaction() as session:
        result = ex.update_exposure(session, OFFICER, replace(info, depth="deep"), now=NOW)
    assert result.exposure.depth == "deep" and result.exposure.version == info.version + 1
    events = _audit(database, info.id or 0)
    assert [e.action for e in events] == ["create", "update"]
    assert json.loads(events[-1].changes) == {"depth": ["moderate", "deep"]}


def test_edit_with_errors_changes_nothing(database: Database, place: Place) -> None:
    info = _record(database, complete_sharps(place)).exposure
    contradictory = replace(info, device_safety_engineered="no", safety_activated="fully")
    with database.transaction() as session, pytest.raises(ValidationError) as caught:
        ex.update_exposure(session, OFFICER, contradictory, now=NOW)
    assert set(caught.value.fields) == {"safety_activated"}
    with database.session() as session:
        assert ex.get_exposure(session, OFFICER, info.id or 0).device_safety_engineered == "yes"
    assert len(_audit(database, info.id or 0)) == 1


def test_edit_of_a_stale_version_conflicts(database: Database, place: Place) -> None:
    info = _record(database, complete_sharps(place)).exposure
    with database.transaction() as session:
        ex.update_exposure(session, OFFICER, replace(info, gloves="double"), now=NOW)
    with pytest.raises(Conflict), database.transaction() as session:
        ex.update_exposure(session, OFFICER, replace(info, gloves="none"), now=NOW)


def test_warnings_come_back_with_the_saved_record(database: Database, place: Place) -> None:
    late = complete_sharps(
        place,
        occurred_at=dt.datetime(2024, 11, 1, 9, 0),
        source_hbsag_date=dt.date(2023, 1, 5),
    )
    result = _record(database, late)
    assert set(result.warnings) == {"reported_at", "source_hbsag_date"}
    assert result.exposure.id is not None


def test_closing_needs_a_complete_record(database: Database, place: Place) -> None:
    info = _record(database, complete_sharps(place, depth=None)).exposure
    with database.transaction() as session, pytest.raises(ValidationError) as caught:
        ex.update_exposure(session, OFFICER, replace(info, status="closed"), now=NOW)
    assert "status" in caught.value.fields


def test_unknown_codes_are_refused(database: Database, place: Place) -> None:
    with pytest.raises(ValidationError) as caught:
        _record(database, complete_sharps(place, device_type="laser_sword", gloves="mittens"))
    assert set(caught.value.fields) == {"device_type", "gloves"}


def test_reporter_may_only_file_quick_reports(database: Database, place: Place) -> None:
    with pytest.raises(PermissionDenied):
        _record(database, complete_sharps(place), who=REPORTER)
    info = _record(database, complete_sharps(place)).exposure
    for call in (ex.update_exposure, ex.complete_exposure):
        with database.transaction() as session, pytest.raises(PermissionDenied):
            call(session, REPORTER, info, now=NOW)
    for who in (VIEWER, COMMITTEE):
        with database.transaction() as session, pytest.raises(PermissionDenied):
            ex.update_exposure(session, who, info, now=NOW)


# -- what each role sees ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", [VIEWER, COMMITTEE], ids=["viewer", "committee"])
def test_names_and_serostatus_are_masked(database: Database, place: Place, who: Actor) -> None:
    info = _record(database, complete_sharps(place)).exposure
    with database.session() as session:
        seen = ex.get_exposure(session, who, info.id or 0)
        rows = ex.list_exposures(session, who)
        assert ex.count_exposures(session, who, ex.ExposureFilter(search="李小红")) == 0
        with pytest.raises(PermissionDenied):
            ex.count_exposures(session, who, ex.ExposureFilter(source_status="hbv_positive"))
        assert ex.count_exposures(session, who, ex.ExposureFilter(source_status="identified")) == 1
    assert seen.worker_name == ex.HIDDEN and seen.staff_no == ex.HIDDEN
    assert seen.description == ex.HIDDEN and seen.identities_hidden
    assert seen.source_hbsag == ex.HIDDEN and seen.source_reference == ex.HIDDEN
    assert seen.source_hbsag_date is None and seen.serostatus_hidden
    assert (seen.device_type, seen.job_category, seen.age) == ("iv_catheter_stylet", "nurse", 30)
    assert [r.worker_name for r in rows] == [ex.HIDDEN]
    assert "李小红" not in repr(seen) + repr(rows) and "ZY123456" not in repr(seen)


def test_officer_sees_everything(database: Database, place: Place) -> None:
    info = _record(database, complete_sharps(place)).exposure
    with database.session() as session:
        seen = ex.get_exposure(session, OFFICER, info.id or 0)
        assert ex.count_exposures(session, OFFICER, ex.ExposureFilter(search="小红")) == 1
        assert (
            ex.count_exposures(session, OFFICER, ex.ExposureFilter(source_status="hbv_positive"))
            == 1
        )
    assert seen.worker_name == "李小红" and seen.source_hbsag == "positive"
    assert not seen.identities_hidden and not seen.serostatus_hidden


def test_reporter_sees_only_its_own_reports(database: Database, place: Place) -> None:
    with database.transaction() as session:
        mine = ex.quick_report(session, REPORTER, _quick(place), now=NOW)
        theirs = ex.quick_report(session, OTHER_REPORTER, _quick(place, staff_no="D001"), now=NOW)
    with database.session() as session:
        rows = ex.list_exposures(session, REPORTER)
        assert [r.reference for r in rows] == [mine.reference]
        assert rows[0].worker_name == "李小红"  # the reporter typed it in
        assert ex.count_exposures(session, REPORTER) == 1
        assert ex.count_exposures(session, OFFICER) == 2
        own = ex.get_exposure(session, REPORTER, mine.id)
        assert own.worker_name == "李小红" and own.serostatus_hidden
        with pytest.raises(NotFound):
            ex.get_exposure(session, REPORTER, theirs.id)


# -- the exposures page: filters and sorting -------------------------------------------------------


def test_filters_and_sorting(database: Database, place: Place) -> None:
    first = _record(database, complete_sharps(place)).exposure
    second = _record(
        database,
        complete_sharps(
            place,
            worker_id=place.doctor,
            occurred_at=dt.datetime(2025, 7, 1, 10, 0),
            reported_at=dt.datetime(2025, 7, 1, 20, 0),
            department_id=place.ward,
            location_type="operating_recovery",
            device_type="suture_needle",
            purpose="suturing",
            source_hbsag="negative",
            source_hiv="positive",
            source_hiv_viral_load=200,
            china_grade="level_2",
            china_source_grade="mild",
        ),
    ).exposure
    third = _record(
        database,
        ex.ExposureInfo(
            worker_id=place.nurse,
            occurred_at=dt.datetime(2026, 1, 5, 8, 0),
            reported_at=dt.datetime(2026, 1, 5, 9, 0),
            department_id=place.icu,
            exposure_type="mucous_membrane",
            source_identified="no",
            status="under_follow_up",
        ),
    ).exposure

    def refs(filters: ex.ExposureFilter | None = None, **kw: object) -> list[str]:
        filters = filters or ex.ExposureFilter()
        with database.session() as session:
            rows = ex.list_exposures(session, OFFICER, filters, **kw)  # type: ignore[arg-type]
            if not kw:
                assert ex.count_exposures(session, OFFICER, filters) == len(rows)
        return [r.reference for r in rows]

    a, b, c = first.reference, second.reference, third.reference
    assert refs() == [a, c, b]  # newest exposure first
    assert refs(sort="occurred_at", descending=False) == [b, c, a]
    assert refs(sort="reference", descending=False) == [b, a, c]
    assert refs(sort="hours_to_report", descending=True)[0] == b
    assert refs(sort="worker", descending=False) == [b, a, c]  # then by id
    assert refs(ex.ExposureFilter(start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 5))) == [c]
    assert refs(ex.ExposureFilter(end=dt.date(2025, 12, 31))) == [b]
    assert refs(ex.ExposureFilter(exposure_type="mucous_membrane")) == [c]
    assert refs(ex.ExposureFilter(department_id=place.ward)) == [b]
    assert refs(ex.ExposureFilter(job_category="doctor")) == [b]
    assert refs(ex.ExposureFilter(device_type="suture_needle")) == [b]
    assert refs(ex.ExposureFilter(status="under_follow_up")) == [c]
    assert refs(ex.ExposureFilter(source_status="unidentified")) == [c]
    assert refs(ex.ExposureFilter(source_status="hiv_positive")) == [b]
    assert refs(ex.ExposureFilter(source_status="positive")) == [a, b]
    assert refs(ex.ExposureFilter(incomplete=True)) == [c]
    assert refs(ex.ExposureFilter(incomplete=False)) == [a, b]
    assert refs(ex.ExposureFilter(search="exp-2025")) == [b]
    assert refs(ex.ExposureFilter(search="Wang")) == [b]
    assert refs(offset=1, limit=1) == [c]
    with database.session() as session:
        rows = ex.list_exposures(session, OFFICER, sort="department", descending=False)
        assert [r.department_code for r in rows] == ["ICU", "ICU", "SUR"]
        assert rows[0].missing_count == 0 and rows[1].missing_count > 0


def test_viewer_cannot_sort_by_hidden_names(database: Database, place: Place) -> None:
    _record(database, complete_sharps(place))
    _record(
        database,
        complete_sharps(place, worker_id=place.doctor, occurred_at=dt.datetime(2026, 3, 1, 9, 0)),
    )
    with database.session() as session:
        by_name = ex.list_exposures(session, VIEWER, sort="worker", descending=False)
        by_date = ex.list_exposures(session, VIEWER, sort="occurred_at", descending=False)
    assert [r.id for r in by_name] == [r.id for r in by_date]


# -- local code entries ----------------------------------------------------------------------------


def test_local_codes_extend_lists_without_code_changes(
    database: Database, place: Place, admin: Actor
) -> None:
    entry = local_codes.LocalCodeInfo("device_type", "pen_needle", "胰岛素笔用针头", "Pen needle")
    with database.transaction() as session:
        local_codes.add_local_code(session, admin, entry)
    with database.session() as session:
        codes = [e.code for e in local_codes.entries(session, "device_type")]
        assert codes[-1] == "pen_needle" and "syringe_insulin" in codes
        pen = local_codes.entries(session, "device_type")[-1]
        assert local_codes.display_label(pen, "zh_CN") == "胰岛素笔用针头"
        assert local_codes.display_label(pen, "en") == "Pen needle"
    info = _record(database, complete_sharps(place, device_type="pen_needle")).exposure
    assert info.local_labels[("device_type", "pen_needle")] == ("胰岛素笔用针头", "Pen needle")
    with database.transaction() as session:
        local_codes.set_local_code_active(session, admin, "device_type", "pen_needle", False)
    with database.session() as session:
        assert "pen_needle" not in [e.code for e in local_codes.entries(session, "device_type")]
    # Old records keep their code and can still be edited.
    with database.transaction() as session:
        ex.update_exposure(session, OFFICER, replace(info, depth="deep"), now=NOW)
    with database.session() as session:
        events = session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity == "local_code")
        ).all()
    assert events == ["create", "deactivate"]


def test_local_codes_are_checked(database: Database, admin: Actor) -> None:
    bad = [
        (local_codes.LocalCodeInfo("exposure_status", "paused", "暂停", "Paused"), "list_name"),
        (local_codes.LocalCodeInfo("device_type", "Pen Needle", "笔针", ""), "code"),
        (local_codes.LocalCodeInfo("device_type", "lancet", "采血针", "Lancet"), "code"),
        (local_codes.LocalCodeInfo("device_brand", "acme", "", ""), "label_zh"),
    ]
    for info, field in bad:
        with database.transaction() as session, pytest.raises(ValidationError) as caught:
            local_codes.add_local_code(session, admin, info)
        assert field in caught.value.fields
    with database.transaction() as session, pytest.raises(PermissionDenied):
        local_codes.add_local_code(
            session, OFFICER, local_codes.LocalCodeInfo("device_brand", "acme", "", "Acme")
        )
