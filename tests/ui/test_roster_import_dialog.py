"""Roster import: read off the GUI thread, preview with errors marked, explicit choice about
existing staff numbers, all-or-nothing import through the runner."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush

from hospital_osh.services.workers import WorkerFilter, count_workers, list_workers
from hospital_osh.ui.dialogs.roster_import_dialog import RosterImportDialog
from hospital_osh.ui.itemmodels.roster_preview_table_model import RosterPreviewTableModel
from hospital_osh.ui.pages.staff_page import StaffPage
from tests.ui.fixtures_staff import *  # noqa: F403 - pytest fixtures

HEADER = "staff_no,name,sex,birth_date,job_category,department_code,employment_type,hire_date\n"
CLEAN = HEADER + (
    "N001,王芳,女,1985-02-03,护士,ICU,在编,2010-07-01\n"
    "N002,Li Lei,male,1979/11/20,doctor,LAB,contract,2005-09-01\n"
    "N003,张伟,男,,保洁,,派遣,\n"
)
WITH_ERROR = HEADER + (
    "N001,王芳,女,1985-02-03,护士,ICU,在编,2010-07-01\n"
    "N002,Li Lei,male,1979/11/20,doctor,NOPE,contract,2005-09-01\n"
)


def _write(tmp_path: Path, text: str, name: str = "roster.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _dialog(qtbot, context) -> RosterImportDialog:  # type: ignore[no-untyped-def]
    dialog = RosterImportDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _read(qtbot, dialog: RosterImportDialog, path: Path):  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(dialog.preview_ready, timeout=10_000) as ready:
        dialog.load_file(path)
        assert dialog.progress.isVisible()  # the reading runs off the GUI thread
        assert not dialog.import_button.isEnabled()
    return ready.args[0]


def _import(qtbot, dialog: RosterImportDialog):  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(dialog.imported, timeout=10_000) as done:
        dialog.import_button.click()
    return done.args[0]


def test_error_row_is_marked_and_blocks_the_import(qtbot, context, departments, tmp_path) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, context)
    preview = _read(qtbot, dialog, _write(tmp_path, WITH_ERROR))
    assert preview.error_count == 1 and preview.new_count == 1
    assert not dialog.import_button.isEnabled()
    assert not dialog.can_import()
    assert dialog.import_roster() is None  # nothing is written
    assert "Rows with errors: 1" in dialog.summary.text()
    assert "Nothing is imported while any row has an error" in dialog.status.text()
    model = dialog.model
    department = 1 + preview.columns.index("department_code")
    status = model.columnCount() - 1
    bad = model.index(1, department)
    assert model.data(bad) == "NOPE"
    assert isinstance(model.data(bad, Qt.ItemDataRole.BackgroundRole), QBrush)
    assert "NOPE" in model.data(bad, Qt.ItemDataRole.ToolTipRole)
    assert model.data(model.index(1, status)) == "Errors: 1"
    assert "NOPE" in model.data(model.index(1, status), Qt.ItemDataRole.ToolTipRole)
    assert "NOPE" in dialog.messages.toPlainText() and dialog.messages.isVisible()
    assert model.data(model.index(0, status)) == "New"
    assert model.data(model.index(0, department), Qt.ItemDataRole.BackgroundRole) is None
    with context.database.session() as session:
        assert count_workers(session, context.actor, WorkerFilter(active=None)) == 0


def test_missing_columns_are_a_file_problem(qtbot, context, tmp_path) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, context)
    preview = _read(qtbot, dialog, _write(tmp_path, "staff_no,name\nN1,A\n"))
    assert preview.problems
    assert "Missing columns" in dialog.status.text()
    assert dialog.status.property("role") == "error"
    assert not dialog.import_button.isEnabled()


def test_existing_staff_need_an_explicit_choice(qtbot, context, departments, tmp_path) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, context)
    _read(qtbot, dialog, _write(tmp_path, CLEAN))
    assert not dialog.choice_box.isVisible()  # nothing exists yet: no question
    result = _import(qtbot, dialog)
    assert (result.created, result.updated, result.skipped) == (3, 0, 0)
    assert "3 workers added, 0 updated, 0 skipped" in dialog.status.text()
    assert not dialog.import_button.isEnabled()  # a second click would import twice

    changed = CLEAN.replace("Li Lei", "Li Lei-Ming") + "N004,陈静,女,1990-01-01,药师,LAB,合同,\n"
    dialog = _dialog(qtbot, context)
    preview = _read(qtbot, dialog, _write(tmp_path, changed, "roster2.csv"))
    assert (preview.new_count, preview.existing_count, preview.error_count) == (1, 3, 0)
    assert dialog.choice_box.isVisible()
    assert dialog.existing_choice() is None  # no hidden default
    assert not dialog.import_button.isEnabled()
    assert "Choose what to do" in dialog.status.text()
    dialog.skip_radio.click()
    assert dialog.import_button.isEnabled()
    dialog.update_radio.click()
    result = _import(qtbot, dialog)
    assert (result.created, result.updated, result.skipped) == (1, 1, 2)  # 2 were unchanged
    with context.database.session() as session:
        names = {r.staff_no: r.name for r in list_workers(session, context.actor)}
    assert names == {"N001": "王芳", "N002": "Li Lei-Ming", "N003": "张伟", "N004": "陈静"}


def test_skip_keeps_stored_workers(qtbot, context, departments, tmp_path) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, context)
    _read(qtbot, dialog, _write(tmp_path, CLEAN))
    _import(qtbot, dialog)
    dialog = _dialog(qtbot, context)
    _read(qtbot, dialog, _write(tmp_path, CLEAN.replace("王芳", "王芳芳"), "again.csv"))
    dialog.set_existing_choice("skip")
    result = _import(qtbot, dialog)
    assert (result.created, result.updated, result.skipped) == (0, 0, 3)
    with context.database.session() as session:
        assert list_workers(session, context.actor)[0].name == "王芳"


def test_preview_model_passes_modeltester(  # type: ignore[no-untyped-def]
    qtmodeltester, qtbot, context, departments, tmp_path
) -> None:
    dialog = _dialog(qtbot, context)
    preview = _read(qtbot, dialog, _write(tmp_path, WITH_ERROR))
    model = RosterPreviewTableModel()
    model.set_preview(preview)
    qtmodeltester.check(model)
    qtmodeltester.check(model, force_py=True)
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Line"
    assert model.data(model.index(0, 0)) == "2"  # the header is line 1


def test_staff_page_refreshes_after_an_import(qtbot, context, departments, tmp_path) -> None:  # type: ignore[no-untyped-def]
    page = StaffPage(context)
    qtbot.addWidget(page)
    page.show()
    dialog = page.open_import()
    assert dialog is not None and dialog.isVisible()
    _read(qtbot, dialog, _write(tmp_path, CLEAN))
    with qtbot.waitSignal(page.workers_changed, timeout=10_000):
        dialog.import_button.click()
    assert page.total_label.text() == "Workers: 3"
    dialog.close_button.click()
    assert page.import_dialog is None


def test_closing_after_a_preview_asks_first(qtbot, make_context, departments, tmp_path) -> None:  # type: ignore[no-untyped-def]
    context = make_context(answers=[False, False, False, True])
    dialog = _dialog(qtbot, context)
    path = _write(tmp_path, CLEAN)
    _read(qtbot, dialog, path)
    assert dialog.has_unimported_file()
    dialog.close_button.click()  # "No": the preview stays
    assert dialog.isVisible()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    dialog.close()  # the window's close box
    assert dialog.isVisible()
    assert len(context.ask.asked) == 3
    assert "nothing has been imported yet" in context.ask.asked[0]
    assert dialog.preview() is not None and dialog.model.rowCount() == 3
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # "Yes": closes without importing
    assert not dialog.isVisible()
    with context.database.session() as session:
        assert count_workers(session, context.actor, WorkerFilter(active=None)) == 0


def test_closing_asks_nothing_when_nothing_would_be_lost(  # type: ignore[no-untyped-def]
    qtbot, make_context, departments, tmp_path
) -> None:
    context = make_context(answers=[False])
    dialog = _dialog(qtbot, context)
    dialog.close_button.click()  # no file read yet
    assert not dialog.isVisible()

    dialog = _dialog(qtbot, context)
    _read(qtbot, dialog, _write(tmp_path, WITH_ERROR))
    assert not dialog.has_unimported_file()  # nothing in it could be imported
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()

    dialog = _dialog(qtbot, context)
    _read(qtbot, dialog, _write(tmp_path, CLEAN))
    _import(qtbot, dialog)
    dialog.close_button.click()
    assert not dialog.isVisible()
    assert context.ask.asked == []


def test_the_window_knows_of_a_preview_not_imported(
    qtbot, make_context, departments, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    page = StaffPage(make_context())
    qtbot.addWidget(page)
    page.show()
    dialog = page.open_import()
    assert dialog is not None
    assert not page.has_unsaved_changes()
    _read(qtbot, dialog, _write(tmp_path, CLEAN))
    assert page.has_unsaved_changes()
    with qtbot.waitSignal(page.workers_changed, timeout=10_000):
        dialog.import_button.click()
    assert not page.has_unsaved_changes()


def test_the_dialog_opens_on_choose_file(qtbot, context) -> None:  # type: ignore[no-untyped-def]
    dialog = RosterImportDialog(context)
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):
        dialog.show()
    assert dialog.focusWidget() is dialog.choose_button
