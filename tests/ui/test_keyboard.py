"""Full keyboard use: Tab follows each form from the top, Enter saves, Esc cancels (asking
first), Ctrl+N / Ctrl+F reach the page, every page command is in the Actions menu with its
shortcut, and F1 lists the shortcuts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from hospital_osh.services import workers
from hospital_osh.ui.dialogs.department_dialog import DepartmentDialog
from hospital_osh.ui.dialogs.user_dialog import UserDialog, UserDialogMode
from hospital_osh.ui.dialogs.worker_dialog import WorkerDialog
from hospital_osh.ui.pages.audit_page import AuditPage
from hospital_osh.ui.pages.settings_page import SettingsPage
from hospital_osh.ui.pages.staff_page import StaffPage


def _tab_through(qtbot, window: QWidget, count: int) -> list[QWidget]:  # type: ignore[no-untyped-def]
    """The widgets the focus visits (the window's own focus: offscreen windows are not
    necessarily active)."""
    seen = []
    for _round in range(count):
        widget = window.focusWidget()
        seen.append(widget)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    return seen


def _shown(qtbot, dialog):  # type: ignore[no-untyped-def]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    return dialog


def test_tab_goes_down_the_worker_form_then_save_and_cancel(qtbot, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    dialog = _shown(qtbot, WorkerDialog(make_ui_context("admin")))
    assert dialog.focusWidget() is dialog.staff_no  # not the Save button
    seen = _tab_through(qtbot, dialog, 11)
    assert seen[:3] == [dialog.staff_no, dialog.name, dialog.sex]
    save = dialog.save_button()
    assert seen.index(save) > seen.index(dialog.active) > seen.index(dialog.department)
    assert seen[seen.index(save) + 1].text() == "Cancel"


def test_enter_saves_and_esc_asks_before_dropping_input(qtbot, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    context = make_ui_context("admin")
    dialog = _shown(qtbot, DepartmentDialog(context))
    qtbot.keyClicks(dialog.code, "OR2")
    context.ask.answers = [False]  # Esc: "discard?" - no, keep editing
    qtbot.keyClick(dialog.code, Qt.Key.Key_Escape)
    assert dialog.isVisible() and context.ask.asked
    qtbot.keyClick(dialog.code, Qt.Key.Key_Return)  # Enter saves: the names are missing
    assert dialog.isVisible() and dialog.form.errors()  # the errors beside the fields
    assert dialog.code.text() == "OR2"
    dialog.name_zh.setText("第二手术室")
    with qtbot.waitSignal(dialog.saved) as saved:
        qtbot.keyClick(dialog.name_zh, Qt.Key.Key_Return)
    assert saved.args[0].code == "OR2" and not dialog.isVisible()


def test_a_read_only_first_field_is_skipped_for_the_cursor(qtbot, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    from hospital_osh.services.users import get_user

    context = make_ui_context("admin")
    with context.database.session() as session:
        officer = get_user(session, "officer")
    dialog = _shown(qtbot, UserDialog(context, UserDialogMode.EDIT, officer))
    assert dialog.focusWidget() is dialog.display_name


def test_settings_form_tab_order_and_enter_saves(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin", page_classes=[SettingsPage])
    page = window.pages["settings"]
    section = page.show_section("profile")
    section.name_en.setFocus()
    seen = _tab_through(qtbot, window, 7)
    assert seen[:3] == [section.name_en, section.facility_code, section.province]
    assert section.save_button in seen
    section.city.setText("新城市")
    qtbot.keyClick(section.city, Qt.Key.Key_Return)
    assert section.status.text() == "The hospital profile was saved."
    assert not page.has_unsaved_changes()


def test_page_commands_are_in_the_actions_menu_with_shortcuts(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin", page_classes=[StaffPage, AuditPage])
    staff = window.show_page("staff")
    assert isinstance(staff, StaffPage)
    window.actions_menu.aboutToShow.emit()
    entries = {a.text(): a.shortcut().toString() for a in window.actions_menu.actions()}
    assert entries == {
        "New worker…": "",
        "Edit…": "Ctrl+E",
        "Mark as left": "Ctrl+D",
        "Import roster…": "Ctrl+I",
    }
    assert window.actions_menu.menuAction().isVisible()
    staff.table.selectRow(0)
    with qtbot.waitActive(window):  # shortcuts fire in the active window only
        window.activateWindow()
    staff.table.setFocus()
    qtbot.keyClick(staff.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert staff.worker_dialog is not None and staff.worker_dialog.isVisible()
    staff.worker_dialog.reject()
    window.show_page("audit")
    window.actions_menu.aboutToShow.emit()
    assert [a.shortcut().toString() for a in window.actions_menu.actions()] == [
        "Ctrl+Shift+V",
        "Ctrl+Shift+X",
    ]


def test_ctrl_n_and_ctrl_f_reach_the_staff_page(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin", page_classes=[StaffPage])
    staff = window.show_page("staff")
    with qtbot.waitActive(window):  # shortcuts fire in the active window only
        window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.focusWidget() is staff.search
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = staff.worker_dialog
    assert dialog is not None and dialog.isVisible() and dialog.to_info() == workers.WorkerInfo()
    dialog.reject()


def test_settings_shortcuts_follow_the_current_section(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin", page_classes=[SettingsPage])
    page = window.pages["settings"]
    assert isinstance(page, SettingsPage)
    page.show_section("profile")
    visible = [a for a in window.actions_menu.actions() if a.isVisible()]
    assert [(a.text(), a.shortcut().toString()) for a in visible] == [("Save profile", "Ctrl+S")]
    section = page.show_section("departments")
    visible = [a.text() for a in window.actions_menu.actions() if a.isVisible()]
    assert visible == ["Add department…", "Edit…", "Deactivate"]
    page.new_item()  # Ctrl+N on this section
    assert section.dialog is not None and section.dialog.isVisible()
    section.dialog.reject()


def test_f1_lists_the_shortcuts(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin", page_classes=[StaffPage])
    window.show_page("staff")
    rows = dict(window.shortcut_list())
    assert rows["Ctrl+N"] == "New" and rows["Ctrl+F"] == "Find" and rows["Ctrl+E"] == "Edit"
    assert rows["F1"] == "Keyboard shortcuts" and rows["Ctrl+1"] == "Staff"
    box = window.shortcuts_box()
    qtbot.addWidget(box)
    assert "Ctrl+Shift+L" in box.text() and "Esc" in box.text()


def test_the_shortcut_list_speaks_chinese_without_mnemonics(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin", page_classes=[StaffPage])
    window.switch_language("zh_CN", persist=False)
    rows = dict(window.shortcut_list())
    assert rows["Ctrl+Q"] == "退出" and rows["Ctrl+1"] == "职工"  # not "退出(Q)"
