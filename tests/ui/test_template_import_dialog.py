"""The checklist template import (``TabularImportDialog``'s flow): the check runs through the
runner, Import is offered only for the details checked, a failed import stores nothing and
says why, and closing with a checked file not imported asks first."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from hospital_osh.models import ChecklistTemplate
from hospital_osh.services import healthwise
from hospital_osh.ui.dialogs.template_import_dialog import TemplateImportDialog
from hospital_osh.ui.pages.healthwise_page import HealthwisePage

HEADER = "module_code,module_title_en,module_title_zh,checkpoint_code,title_en,title_zh\n"
GOOD = (
    HEADER + "1,Hazards,危害,1.1,Make OSH a priority,重视安全\n1,,,1.2,Map the hazards,识别危害\n"
)
DUPLICATE = HEADER + "1,Hazards,危害,1.1,Make OSH a priority,重视安全\n1,,,1.1,Again,再次\n"


def _write(tmp_path: Path, text: str, name: str = "checklist.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _dialog(qtbot, context) -> TemplateImportDialog:  # type: ignore[no-untyped-def]
    dialog = TemplateImportDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _details(dialog: TemplateImportDialog) -> None:
    dialog.code.setText("hw-official")
    dialog.version.setText("2015-zh")
    dialog.name_zh.setText("医疗卫生服务工作改善")
    dialog.name_en.setText("HealthWISE")


def _check(qtbot, dialog: TemplateImportDialog, path: Path) -> None:  # type: ignore[no-untyped-def]
    _details(dialog)
    with qtbot.waitSignal(dialog.read_finished, timeout=10_000):
        dialog.load_file(path)  # what "Choose file…" does with the file chosen


def _page(qtbot, context) -> HealthwisePage:  # type: ignore[no-untyped-def]
    page = HealthwisePage(context, open_file=print)
    qtbot.addWidget(page)
    page.show()
    return page


def _template_count(database) -> int:  # type: ignore[no-untyped-def]
    with database.session() as session:
        return int(session.scalar(select(func.count(ChecklistTemplate.id))) or 0)


def test_template_import_is_checked_first_and_all_or_nothing(
    qtbot, tmp_path, hospital_db, make_ui_context
) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, make_ui_context("officer"))
    dialog = page.open_import()
    assert dialog is not None
    _details(dialog)
    dialog.path_edit.setText(str(_write(tmp_path, DUPLICATE, "bad.csv")))  # typed, not chosen
    with qtbot.waitSignal(dialog.read_finished, timeout=10_000):
        qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    problems = dialog.messages.toPlainText().splitlines()
    assert any(
        p.startswith("Row 3: The checkpoint code 1.1 is already used in row 2") for p in problems
    )
    assert dialog.status.text().startswith("Nothing can be imported: correct this problem first")
    assert not dialog.import_button.isEnabled()
    assert dialog.run_import() is None
    assert _template_count(hospital_db) == 0  # nothing stored
    dialog.path_edit.setText(str(_write(tmp_path, GOOD, "good.csv")))
    assert not dialog.import_button.isEnabled()  # changed input: check again
    with qtbot.waitSignal(dialog.read_finished, timeout=10_000):
        assert dialog.check() is not None
    assert "Ready to import: 1 modules, 2 checkpoints" in dialog.status.text()
    assert not dialog.messages.isVisible()
    assert _template_count(hospital_db) == 0  # the check stores nothing
    dialog.version.setText("2016-zh")
    assert not dialog.import_button.isEnabled()  # the details checked were others
    assert dialog.status.text() == "Check the file before importing it."
    dialog.version.setText("2015-zh")
    with qtbot.waitSignal(dialog.imported, timeout=10_000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert _template_count(hospital_db) == 1
    assert page.template_table.item(0, 4).text() == "Imported"
    assert not dialog.isVisible() and page.import_dialog is None  # closed once imported


def test_closing_a_checked_file_not_imported_asks_first(
    qtbot, tmp_path, hospital_db, make_ui_context
) -> None:  # type: ignore[no-untyped-def]
    context = make_ui_context("officer")
    context.ask.answers = [False, False, False, True]
    dialog = _dialog(qtbot, context)
    _check(qtbot, dialog, _write(tmp_path, GOOD))
    assert dialog.has_unimported_file() and dialog.import_button.isEnabled()
    dialog.close_button.click()  # "No": the checked file stays
    assert dialog.isVisible()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    dialog.close()  # the window's close box
    assert dialog.isVisible()
    assert len(context.ask.asked) == 3
    assert "nothing has been imported yet" in context.ask.asked[0]
    assert dialog.import_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # "Yes": closes without importing
    assert not dialog.isVisible()
    assert _template_count(hospital_db) == 0


def test_closing_asks_nothing_when_nothing_would_be_lost(
    qtbot, tmp_path, hospital_db, make_ui_context
) -> None:  # type: ignore[no-untyped-def]
    context = make_ui_context("officer")
    context.ask.answers = [False]
    dialog = _dialog(qtbot, context)
    dialog.close_button.click()  # no file checked yet
    assert not dialog.isVisible()

    dialog = _dialog(qtbot, context)
    _check(qtbot, dialog, _write(tmp_path, DUPLICATE))
    assert not dialog.has_unimported_file()  # nothing in it could be imported
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert context.ask.asked == []


def test_before_a_check_the_dialog_says_what_to_do(qtbot, hospital_db, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, make_ui_context("officer"))
    assert dialog.status.text() == "Check the file before importing it."
    assert not dialog.check_button.isEnabled() and dialog.check() is None  # no file yet
    assert not dialog.import_button.isEnabled() and dialog.run_import() is None
    dialog.path_edit.setText("/nowhere/checklist.csv")  # a path may be typed
    assert dialog.check_button.isEnabled()
    assert dialog.focusWidget() is dialog.code  # the details come first, then the file


def test_a_template_stored_meanwhile_is_not_imported_twice(
    qtbot, tmp_path, hospital_db, make_ui_context
) -> None:  # type: ignore[no-untyped-def]
    context = make_ui_context("officer")
    dialog = _dialog(qtbot, context)
    path = _write(tmp_path, GOOD)
    _check(qtbot, dialog, path)
    with context.database.transaction() as session:  # another officer was quicker
        healthwise.import_template(
            session,
            context.actor,
            path,
            code="hw-official",
            version="2015-zh",
            name_zh="医疗卫生服务工作改善",
            name_en="HealthWISE",
        )
    dialog.import_button.click()
    assert dialog.isVisible() and dialog.result() is None
    assert dialog.status.text().startswith("Nothing was imported: ")
    assert "already exists" in dialog.status.text()
    assert _template_count(hospital_db) == 1


def test_the_window_knows_of_a_checked_file_not_imported(
    qtbot, tmp_path, hospital_db, make_ui_context
) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, make_ui_context("officer"))
    dialog = page.open_import()
    assert dialog is not None
    assert not page.has_unsaved_changes()
    _check(qtbot, dialog, _write(tmp_path, GOOD))
    assert page.has_unsaved_changes()
    with qtbot.waitSignal(dialog.imported, timeout=10_000):
        dialog.import_button.click()
    assert not page.has_unsaved_changes()
    assert page.template_table.rowCount() == 1
