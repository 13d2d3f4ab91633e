"""The full record: completeness by name, warnings and contradictions at the field while typing,
complete with messages at the fields, optimistic-version conflicts, audit, read-only roles."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hospital_osh.domain.roles import Role
from hospital_osh.services import audit
from hospital_osh.services.exposures import (
    QuickReport,
    get_exposure,
    quick_report,
    update_exposure,
)
from hospital_osh.ui.dialogs.exposure_dialog import SECTIONS, ExposureDialog
from hospital_osh.ui.widgets.code_combo import select_data
from tests.ui.fixtures_exposures import *  # noqa: F403 - pytest fixtures
from tests.ui.fixtures_exposures import NOW


def _report(context, ids, **changes):  # type: ignore[no-untyped-def]
    values = {
        "occurred_at": dt.datetime(2026, 3, 10, 9, 30),
        "exposure_type": "percutaneous",
        "department_id": ids["ICU"],
        "description": "Stuck while recapping",
        "source_identified": "yes",
        "worker_id": ids["S0001"],
    }
    report = QuickReport(**(values | changes))
    with context.database.transaction() as session:
        receipt = quick_report(session, context.actor, report, NOW)
    with context.database.session() as session:
        return get_exposure(session, context.actor, receipt.id)


def _dialog(qtbot, context, info) -> ExposureDialog:  # type: ignore[no-untyped-def]
    dialog = ExposureDialog(context, now=lambda: NOW)
    qtbot.addWidget(dialog)
    dialog.load(info)
    dialog.resize(1000, 700)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _tab(dialog: ExposureDialog, key: str) -> int:
    return [section[0] for section in SECTIONS].index(key)


def test_completeness_lists_the_missing_fields_by_name(qtbot, exposure_context, ids) -> None:  # type: ignore[no-untyped-def]
    context = exposure_context(Role.OSH_OFFICER, "officer")
    dialog = _dialog(qtbot, context, _report(context, ids))
    text = dialog.completeness.text()
    assert text.startswith("Incomplete:")
    for name in ("Age", "Location", "Device", "Depth", "Source HBsAg", "China exposure grade"):
        assert name in text  # the staff record had no birth date, so no age was copied
    assert "Sex" not in text and "Job category" not in text  # copied from the staff record
    assert dialog.tabs.tabText(_tab(dialog, "sharps")) == "Sharps (7 missing)"
    select_data(dialog.field_widget("depth"), "deep")
    assert "Depth" not in dialog.completeness.text()
    assert dialog.tabs.tabText(_tab(dialog, "sharps")) == "Sharps (6 missing)"
    assert "Level 3" in dialog.grade_hint.text()  # the China grade suggested from the answers


def _fill_complete_sharps(dialog: ExposureDialog) -> None:
    dialog.field_widget("age").setValue(31)
    for name, code in (
        ("location_type", "icu"),
        ("body_site", "finger"),
        ("device_type", "iv_catheter_stylet"),
        ("device_safety_engineered", "no"),
        ("purpose", "start_iv"),
        ("circumstance", "recapping"),
        ("depth", "moderate"),
        ("gloves", "single"),
        ("device_contaminated", "yes"),
        ("source_hbsag", "positive"),
        ("source_anti_hcv", "negative"),
        ("source_hiv", "negative"),
    ):
        assert select_data(dialog.field_widget(name), code), name


def test_warnings_and_contradictions_appear_at_the_field_while_typing(  # type: ignore[no-untyped-def]
    qtbot, exposure_context, ids
) -> None:
    context = exposure_context(Role.OSH_OFFICER, "officer")
    dialog = _dialog(qtbot, context, _report(context, ids))
    select_data(dialog.field_widget("device_safety_engineered"), "no")
    select_data(dialog.field_widget("safety_activated"), "fully")
    with qtbot.waitSignal(dialog.check_timer.timeout, timeout=2000):
        pass
    sharps = dialog.forms["sharps"]
    assert sharps.error_text("safety_activated") == (
        "The device has no safety feature, so it cannot have been activated."
    )
    dialog.field_widget("occurred_at").setDateTime(
        dialog.field_widget("occurred_at").dateTime().addDays(-400)
    )  # reported 400 days later
    dialog.dates["source_hbsag_date"].set_value(dt.date(2024, 1, 5))
    dialog._check()
    assert dialog.forms["event"].warning_text("reported_at").startswith("Reported 400 days after")
    assert (
        dialog.forms["source"]
        .warning_text("source_hbsag_date")
        .startswith("This result is 395 days older than the exposure")
    )
    dialog.field_widget("occurred_at").setDateTime(
        dialog.field_widget("occurred_at").dateTime().addDays(400)
    )
    dialog.dates["source_hbsag_date"].set_value(dt.date(2026, 3, 1))
    dialog._check()
    assert dialog.forms["source"].warning_text("source_hbsag_date") == ""
    assert dialog.forms["event"].warning_text("reported_at") == ""
    assert dialog.is_dirty()


def test_complete_lists_every_missing_field_at_its_field_and_keeps_the_input(  # type: ignore[no-untyped-def]
    qtbot, exposure_context, ids
) -> None:
    context = exposure_context(Role.OSH_OFFICER, "officer")
    info = _report(context, ids)
    dialog = _dialog(qtbot, context, info)
    select_data(dialog.field_widget("depth"), "deep")
    dialog.tabs.setCurrentIndex(_tab(dialog, "status"))
    assert not dialog.complete()
    assert dialog.tabs.currentIndex() == _tab(dialog, "worker")  # the first section to fix
    assert dialog.forms["worker"].error_text("age") == "Required to complete the record."
    assert dialog.forms["sharps"].error_text("gloves") == "Required to complete the record."
    assert "fields need attention" in dialog.banner.text()
    assert dialog.field_widget("depth").currentData() == "deep"  # nothing lost
    with context.database.session() as session:
        assert get_exposure(session, context.actor, info.id).depth is None  # nothing saved

    _fill_complete_sharps(dialog)
    select_data(dialog.field_widget("china_grade"), "level_3")
    select_data(dialog.field_widget("china_source_grade"), "unknown")
    select_data(dialog.field_widget("safety_activated"), "fully")  # contradicts 'no'
    assert not dialog.complete()
    assert dialog.forms["sharps"].error_text("safety_activated").startswith("The device has")
    assert dialog.tabs.currentIndex() == _tab(dialog, "sharps")
    select_data(dialog.field_widget("safety_activated"), None)
    with qtbot.waitSignal(dialog.saved) as blocker:
        assert dialog.complete()
    saved = blocker.args[0]
    assert saved.complete and saved.status == "under_assessment"  # moved on from 'reported'
    assert dialog.completeness.text().startswith("Complete")
    assert dialog.banner.text() == "Saved; the record is complete."
    assert not dialog.is_dirty()
    with context.database.session() as session:
        events = audit.list_events(session, context.actor, audit.AuditFilter())
    actions = [(e.action, e.entity) for e in events if e.entity == "exposure"]
    assert ("complete", "exposure") in actions  # the save went through the service, audited


def test_someone_elses_change_is_a_conflict_and_the_input_stays(  # type: ignore[no-untyped-def]
    qtbot, exposure_context, ids
) -> None:
    context = exposure_context(Role.OSH_OFFICER, "officer")
    info = _report(context, ids)
    dialog = _dialog(qtbot, context, info)
    other = exposure_context(Role.ADMIN, "admin")
    with other.database.transaction() as session:
        update_exposure(session, other.actor, replace(info, device_brand="Other brand"), NOW)
    dialog.field_widget("device_brand").setEditText("BD Insyte")
    assert not dialog.save()
    assert "Someone else changed this record" in dialog.banner.text()
    assert dialog.field_widget("device_brand").currentText() == "BD Insyte"
    with context.database.session() as session:
        assert get_exposure(session, context.actor, info.id).device_brand == "Other brand"


def test_save_keeps_an_incomplete_record_and_shows_its_new_version(  # type: ignore[no-untyped-def]
    qtbot, exposure_context, ids
) -> None:
    context = exposure_context(Role.ADMIN, "admin")
    info = _report(context, ids)
    dialog = _dialog(qtbot, context, info)
    dialog.field_widget("device_brand").setEditText("BD Insyte")
    select_data(dialog.field_widget("status"), "under_follow_up")
    assert dialog.save()
    assert dialog.banner.text() == "Saved; the record is still incomplete."
    assert dialog.to_info().version == info.version + 1
    assert dialog.save()  # saving again does not conflict with itself
    with context.database.session() as session:
        saved = get_exposure(session, context.actor, info.id)
    assert (saved.device_brand, saved.status) == ("BD Insyte", "under_follow_up")


def test_committee_member_sees_the_record_read_only_and_masked(  # type: ignore[no-untyped-def]
    qtbot, exposure_context, ids
) -> None:
    officer = exposure_context(Role.OSH_OFFICER, "officer")
    info = _report(officer, ids, source_identified="yes")
    with officer.database.transaction() as session:
        update_exposure(session, officer.actor, replace(info, source_hbsag="positive"), NOW)
    member = exposure_context(Role.COMMITTEE_MEMBER, "member")
    with member.database.session() as session:
        masked = get_exposure(session, member.actor, info.id)
    dialog = _dialog(qtbot, member, masked)
    assert not dialog.editable and "read only" in dialog.subtitle.text()
    assert "职工1" not in dialog.picker.edit.text()
    assert dialog.description.isReadOnly() and "recapping" not in dialog.description.toPlainText()
    for name in ("source_hbsag", "source_reference", "source_hiv_date"):
        assert not dialog.forms["source"].isRowVisible(dialog.field_widget(name))
    assert not dialog.field_widget("depth").isEnabled()
    assert not dialog.save()
    assert not dialog.is_dirty()
