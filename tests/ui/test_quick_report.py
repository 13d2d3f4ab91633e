"""The quick report: filed by keyboard alone (QTest key clicks, no mouse), validation at the
field keeps the input, the hours since the exposure and the next steps, roles."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QDateTimeEdit, QPlainTextEdit

from hospital_osh.domain.roles import Role
from hospital_osh.i18n import set_language
from hospital_osh.services.exposures import HIDDEN, ExposureFilter, get_exposure, list_exposures
from hospital_osh.ui.dialogs.quick_report_dialog import QuickReportDialog
from tests.ui.fixtures_exposures import *  # noqa: F403 - pytest fixtures
from tests.ui.fixtures_exposures import NOW


def _dialog(qtbot, context) -> QuickReportDialog:  # type: ignore[no-untyped-def]
    dialog = QuickReportDialog(context, now=lambda: NOW)
    qtbot.addWidget(dialog)
    dialog.resize(1000, 660)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=2000)
    return dialog


def _focused():  # type: ignore[no-untyped-def]
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def _type(qtbot, text: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClicks(_focused(), text)


def _key(qtbot, key: Qt.Key, times: int = 1, modifier=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    for _ in range(times):
        qtbot.keyClick(_focused(), key, modifier)


def test_a_reporter_files_a_needle_stick_by_keyboard_alone(qtbot, exposure_context, ids) -> None:  # type: ignore[no-untyped-def]
    context = exposure_context(Role.REPORTER, "nurse1")
    dialog = _dialog(qtbot, context)
    assert _focused() is dialog.picker.edit  # the cursor starts in the staff box
    assert dialog.clock.hours_label.text() == "0.0"

    _type(qtbot, "S0002")  # a reporter finds a colleague by the full staff number
    _key(qtbot, Qt.Key.Key_Return)
    choice = dialog.picker.choice()
    assert choice is not None and choice.id == ids["S0002"]
    assert choice.name == HIDDEN  # confirmed by job and department, not by name
    assert "S0002" in dialog.picker.edit.text() and "Nurse" in dialog.picker.edit.text()
    assert dialog.isVisible()  # Enter in the staff box picks; it does not submit

    _key(qtbot, Qt.Key.Key_Tab)  # when: year, month, day, hour...
    assert isinstance(_focused(), QDateTimeEdit)
    _key(qtbot, Qt.Key.Key_Tab, 3)
    _key(qtbot, Qt.Key.Key_Down)  # an hour earlier than now
    assert dialog.occurred_at.dateTime().toPython() == dt.datetime(2026, 3, 10, 14, 0)
    assert dialog.clock.hours_label.text() == "1.0"  # the hours since, at once
    _key(qtbot, Qt.Key.Key_Tab, 2)
    assert _focused() is dialog.department
    _type(qtbot, "E")  # Emergency department
    _key(qtbot, Qt.Key.Key_Tab, 2)  # the location may wait for the officer
    assert _focused() is dialog.exposure_type
    assert not dialog.device_type.isVisible()
    _type(qtbot, "P")  # Percutaneous: the device question appears
    assert dialog.device_type.isVisible()
    assert "wash it with soap" in dialog.steps.text()  # first aid for a wound
    _key(qtbot, Qt.Key.Key_Tab)
    assert _focused() is dialog.device_type
    _type(qtbot, "Su")  # Suture needle
    _key(qtbot, Qt.Key.Key_Tab)
    assert isinstance(_focused(), QPlainTextEdit)
    _type(qtbot, "Stuck by the suture needle while closing")
    _key(qtbot, Qt.Key.Key_Tab)  # Tab leaves the text box
    assert _focused() is dialog.source_identified
    _type(qtbot, "N")
    with qtbot.waitSignal(dialog.reported) as blocker:
        _key(qtbot, Qt.Key.Key_Return, modifier=Qt.KeyboardModifier.ControlModifier)

    receipt = blocker.args[0]
    assert receipt.reference == "EXP-2026-0001"
    assert dialog.reference.text() == "EXP-2026-0001"  # the case number, large
    assert dialog.pages.currentIndex() == 1 and dialog.receipt_clock.hours() == 1.0
    assert "EXP-2026-0001" in dialog.receipt_steps.text()
    with context.database.session() as session:
        info = get_exposure(session, context.actor, receipt.id)
        rows = list_exposures(session, context.actor, ExposureFilter())
    assert (info.worker_id, info.department_id) == (ids["S0002"], ids["ED"])
    assert (info.exposure_type, info.device_type, info.source_identified) == (
        "percutaneous",
        "suture_needle",
        "no",
    )
    assert info.occurred_at == dt.datetime(2026, 3, 10, 14, 0) and info.reported_at == NOW
    assert info.reported_by == "nurse1" and info.job_category == "nurse"
    assert [row.reference for row in rows] == ["EXP-2026-0001"]  # its own report
    _key(qtbot, Qt.Key.Key_Return)  # Enter closes the receipt
    assert not dialog.isVisible()


def test_failed_save_keeps_every_answer_and_says_why_at_the_field(qtbot, exposure_context) -> None:  # type: ignore[no-untyped-def]
    context = exposure_context(Role.OSH_OFFICER, "officer")
    dialog = _dialog(qtbot, context)
    _type(qtbot, "S000")  # an officer searches by part of a number (or a name)
    _key(qtbot, Qt.Key.Key_Down)  # into the matches
    assert dialog.picker.results.count() == 5 and _focused() is dialog.picker.results
    _key(qtbot, Qt.Key.Key_Down)
    _key(qtbot, Qt.Key.Key_Return)  # the second match
    assert dialog.picker.choice() is not None and dialog.picker.choice().name == "职工2"
    dialog.description.setFocus()
    _type(qtbot, "Splash into the eyes")
    _key(qtbot, Qt.Key.Key_Return, modifier=Qt.KeyboardModifier.ControlModifier)

    assert dialog.pages.currentIndex() == 0 and dialog.receipt is None
    errors = dialog.form.errors()
    assert set(errors) == {"department_id", "exposure_type", "source_identified"}
    assert errors["department_id"] == "Required."
    assert dialog.description.toPlainText() == "Splash into the eyes"  # nothing lost
    assert dialog.picker.choice().name == "职工2"
    assert _focused() is dialog.department  # the first field to fix
    _type(qtbot, "I")
    dialog.exposure_type.setFocus()
    _type(qtbot, "M")  # mucous membrane: flush, not squeeze
    assert "Flush the eyes" in dialog.steps.text()
    dialog.source_identified.setFocus()
    _type(qtbot, "Y")
    with qtbot.waitSignal(dialog.reported):
        _key(qtbot, Qt.Key.Key_Return, modifier=Qt.KeyboardModifier.ControlModifier)
    assert dialog.form.errors() == {}


def test_a_visitor_is_typed_in_and_a_future_time_is_refused(qtbot, exposure_context, ids) -> None:  # type: ignore[no-untyped-def]
    context = exposure_context(Role.OSH_OFFICER, "officer")
    dialog = _dialog(qtbot, context)
    _key(qtbot, Qt.Key.Key_Tab, modifier=Qt.KeyboardModifier.ShiftModifier)
    assert _focused() is dialog.worker_kind
    _type(qtbot, "V")  # Visitor: the name and job questions replace the staff box
    assert dialog.worker_name.isVisible() and not dialog.picker.isVisible()
    _key(qtbot, Qt.Key.Key_Tab)
    _type(qtbot, "Zhang Visitor")
    dialog.occurred_at.setDateTime(dialog.occurred_at.dateTime().addSecs(2 * 3600))
    assert dialog.form.warning_text("occurred_at") == "The exposure time is in the future."
    dialog.department.setFocus()
    _type(qtbot, "C")
    dialog.exposure_type.setFocus()
    _type(qtbot, "B")
    dialog.source_identified.setFocus()
    _type(qtbot, "N")
    dialog.description.setPlainText("Bitten by a confused patient")
    assert not dialog.save()
    assert dialog.form.error_text("occurred_at").startswith("The exposure time is in the future.")
    assert dialog.worker_name.text() == "Zhang Visitor"
    dialog.occurred_at.setDateTime(dialog.occurred_at.dateTime().addSecs(-30 * 3600))
    assert dialog.clock.hours() == 28.0
    assert dialog.clock.window_labels[1][1].text() == "passed"  # the 24-hour window
    assert dialog.save()
    with context.database.session() as session:
        info = get_exposure(session, context.actor, dialog.receipt.id)
    assert (info.worker_kind, info.worker_name, info.worker_id) == (
        "visitor",
        "Zhang Visitor",
        None,
    )
    assert info.department_id == ids["LAB"] and info.exposure_type == "bite"


def test_esc_asks_before_discarding_typed_input(qtbot, exposure_context) -> None:  # type: ignore[no-untyped-def]
    context = exposure_context(Role.REPORTER, "nurse1", answers=[False, True])
    dialog = _dialog(qtbot, context)
    _key(qtbot, Qt.Key.Key_Escape)  # nothing typed: closes without asking
    assert not dialog.isVisible() and context.ask.asked == []
    dialog.show()
    dialog.reset()
    dialog.description.setPlainText("Stuck")
    dialog.reject()  # answered No: stays open
    assert dialog.isVisible() and len(context.ask.asked) == 1
    dialog.reject()  # answered Yes
    assert not dialog.isVisible()


def test_the_advice_speaks_chinese(qtbot, exposure_context) -> None:  # type: ignore[no-untyped-def]
    set_language("zh_CN")
    dialog = _dialog(qtbot, exposure_context(Role.REPORTER, "nurse1"))
    assert dialog.windowTitle() != "Quick exposure report"
    assert "OSH" not in dialog.steps.text()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in dialog.steps.text())
    assert isinstance(dialog.source_identified, QComboBox)
    assert dialog.source_identified.itemText(1) == "是"
