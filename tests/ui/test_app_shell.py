"""The application shell: sidebar from the registry per role, menus and shortcuts, language
switch without restart, remembered geometry and page, unsaved-changes question, idle lock,
setup-or-login start, log out, and a clear refusal of a bad database."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel, QWidget

from hospital_osh import i18n
from hospital_osh.domain.roles import Role
from hospital_osh.services import users
from hospital_osh.services.context import Actor
from hospital_osh.ui import app as app_module
from hospital_osh.ui.app import Shell, run_app, user_settings
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.login_dialog import LoginDialog
from hospital_osh.ui.dialogs.setup_wizard import SetupWizard
from hospital_osh.ui.main_window import LAST_PAGE_KEY, MainWindow
from hospital_osh.ui.pages import PAGE_CLASSES, pages_for
from hospital_osh.ui.pages.base import Page
from tests.ui.conftest import PASSWORDS


class _FakePage(Page):
    """A page that records what the window asked of it."""

    calls: list[str]
    dirty = False

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.calls = []
        self.label = QLabel(type(self).__name__, self)

    def activated(self) -> None:
        self.calls.append("activated")

    def retranslate(self) -> None:
        self.calls.append(f"retranslate:{i18n.current_language()}")

    def new_item(self) -> None:
        self.calls.append("new")

    def focus_search(self) -> None:
        self.calls.append("find")

    def has_unsaved_changes(self) -> bool:
        return self.dirty


class FirstPage(_FakePage):
    key = "first"
    title = "Audit log"  # any msgid with a translation will do
    icon = "users"
    order = 10


class SecondPage(_FakePage):
    key = "second"
    title = "Departments"
    icon = "settings"
    order = 20


class AdminOnlyPage(_FakePage):
    key = "admin_only"
    title = "Hospital"
    order = 5

    @classmethod
    def visible_for(cls, actor: Actor) -> bool:
        return actor.role == Role.ADMIN


FAKES: list[type[Page]] = [SecondPage, FirstPage, AdminOnlyPage]


def _sidebar_keys(window: MainWindow) -> list[str]:
    return [window.sidebar.item(row).data(0x0100) for row in range(window.sidebar.count())]


@pytest.mark.parametrize("username", ["admin", "officer", "viewer"])
def test_sidebar_comes_from_the_registry_for_each_role(make_window, username) -> None:  # type: ignore[no-untyped-def]
    window = make_window(username)
    actor = window.context.actor
    expected = [
        cls.key
        for cls in sorted(PAGE_CLASSES, key=lambda c: (c.order, c.key))
        if cls.visible_for(actor)
    ]
    assert _sidebar_keys(window) == expected == window.page_keys()
    assert ("audit" in expected) == (username != "viewer")
    assert [window.sidebar.item(row).text() for row in range(window.sidebar.count())] == [
        cls.title for cls in pages_for(actor)
    ]
    assert all(
        not window.sidebar.item(row).icon().isNull() for row in range(window.sidebar.count())
    )


def test_sidebar_order_visibility_and_lazy_pages(make_window) -> None:  # type: ignore[no-untyped-def]
    admin = make_window("admin", page_classes=FAKES)
    assert admin.page_keys() == ["admin_only", "first", "second"]
    assert list(admin.pages) == ["admin_only"]  # only the page shown so far exists
    viewer = make_window("viewer", page_classes=FAKES)
    assert viewer.page_keys() == ["first", "second"]
    viewer.sidebar.setCurrentRow(1)
    assert viewer.current_key() == "second"
    assert viewer.page_title.text() == "Departments"
    assert viewer.pages["second"].calls == ["activated"]


def test_menus_have_shortcuts_and_reach_the_current_page(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin", page_classes=FAKES)
    assert window.page_actions["admin_only"].shortcut() == QKeySequence("Ctrl+1")
    assert window.page_actions["second"].shortcut() == QKeySequence("Ctrl+3")
    assert window.new_action.shortcut() == QKeySequence(QKeySequence.StandardKey.New)
    assert window.find_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Find)
    assert not window.quit_action.shortcut().isEmpty()
    assert not window.logout_action.shortcut().isEmpty()
    assert not window.lock_action.shortcut().isEmpty()
    with qtbot.waitSignal(window.page_changed) as signal:
        window.page_actions["second"].trigger()
    assert signal.args == ["second"]
    window.new_action.trigger()
    window.find_action.trigger()
    assert window.pages["second"].calls[-2:] == ["new", "find"]
    assert [a.text() for a in window.language_group.actions()] == ["简体中文", "English"]


def test_status_bar_shows_user_role_database_and_language(make_window, hospital_db) -> None:  # type: ignore[no-untyped-def]
    window = make_window("officer", page_classes=FAKES)
    assert window.user_label.text() == "User: Li Officer"
    assert window.role_label.text() == "Role: OSH officer"
    assert window.database_label.toolTip() == hospital_db.display_name()
    assert window.database_label.text().startswith("Database: ")
    assert window.language_label.text() == "Language: English"


def test_language_switch_retranslates_everything_and_is_remembered(
    qtbot, make_window, hospital_db
) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin", page_classes=FAKES)
    window.show_page("first")
    assert window.windowTitle() == "Test — Hospital OSH"
    assert window.file_menu.title() == "&File"
    with qtbot.waitSignal(window.language_switched):
        zh_action = next(a for a in window.language_group.actions() if a.data() == "zh_CN")
        zh_action.trigger()
    assert i18n.current_language() == "zh_CN"
    assert window.windowTitle() == "Test — 医院职业安全与健康"
    assert window.file_menu.title() == "文件(&F)"
    assert window.help_menu.title() == "帮助(&H)"
    assert window.page_actions["first"].text() == "审计日志"
    assert window.sidebar.item(1).text() == "审计日志"
    assert window.page_title.text() == "审计日志"
    assert window.role_label.text() == "角色：系统管理员"
    assert window.language_label.text() == "语言：简体中文"
    assert zh_action.isChecked()
    for page in window.pages.values():
        assert page.calls[-1] == "retranslate:zh_CN"  # type: ignore[attr-defined]
    with hospital_db.session() as session:
        assert users.get_user(session, "admin").language == "zh_CN"
    about = window.about_box()
    qtbot.addWidget(about)
    assert "医院职业安全与健康管理" in about.text()


class LanguagePage(_FakePage):
    """Like the Settings page: switches the language itself and says so."""

    key = "language"
    title = "Language"
    language_changed = Signal(str)


def test_a_page_that_switches_the_language_retranslates_the_window(make_window) -> None:  # type: ignore[no-untyped-def]
    from hospital_osh.ui.language import apply_language

    window = make_window("admin", page_classes=[FirstPage, LanguagePage])
    page = window.show_page("language")
    apply_language("zh_CN")
    page.language_changed.emit("zh_CN")  # type: ignore[attr-defined]
    assert window.file_menu.title() == "文件(&F)"
    assert window.page_title.text() == "语言"


def test_qt_standard_buttons_follow_the_language(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QDialogButtonBox

    window = make_window("admin", page_classes=FAKES)
    window.switch_language("zh_CN", persist=False)
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"


def test_last_page_and_geometry_are_remembered(qtbot, make_window, temp_settings) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin", page_classes=FAKES)
    assert window.current_key() == "admin_only"  # nothing remembered yet: the first page
    window.show_page("second")
    window.resize(700, 500)
    window.close()
    assert temp_settings.value(LAST_PAGE_KEY) == "second"
    again = make_window("admin", page_classes=FAKES)
    assert again.current_key() == "second"
    assert (again.width(), again.height()) == (700, 500)
    # a remembered page the next user may not see falls back to the first visible one
    temp_settings.setValue(LAST_PAGE_KEY, "admin_only")
    viewer = make_window("viewer", page_classes=FAKES)
    assert viewer.current_key() == "first"


def test_user_settings_never_touch_the_real_ones(tmp_path: Path) -> None:
    settings = user_settings()
    assert settings.format() == QSettings.Format.IniFormat
    assert Path(settings.fileName()).parent == tmp_path


def test_closing_asks_when_a_page_has_unsaved_changes(qtbot, make_window, asker) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin", page_classes=FAKES)
    window.show_page("first")
    window.pages["first"].dirty = True  # type: ignore[attr-defined]
    asker.answers = [False]  # keep editing
    assert not window.close()
    assert window.isVisible()
    assert asker.asked == ["You have unsaved changes. Close and discard them?"]
    asker.answers = [True]  # discard
    with qtbot.waitSignal(window.closed) as signal:
        assert window.close()
    assert signal.args == [False]


def test_log_out_closes_and_says_so(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin", page_classes=FAKES)
    with qtbot.waitSignal(window.closed) as signal:
        window.logout_action.trigger()
    assert signal.args == [True]


def test_idle_window_locks_and_unlocks_with_the_password(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin", page_classes=FAKES, idle_minutes=1)
    assert window.idle_watcher.timer.interval() == 60_000
    with qtbot.waitSignal(window.locked, timeout=3000):
        window.idle_watcher.set_interval_ms(30)
    assert window.is_locked
    assert window.body_stack.currentWidget() is window.lock_cover  # content hidden
    assert not window.menuBar().isEnabled()
    dialog = window.lock_dialog
    assert dialog is not None and dialog.locked and dialog.isVisible()
    dialog.password_edit.setText("not it at all")
    dialog.submit()
    assert window.is_locked and dialog.message_label.text() == "Wrong user name or password."
    with qtbot.waitSignal(window.unlocked):
        dialog.password_edit.setText(PASSWORDS["admin"])
        dialog.submit()
    assert not window.is_locked and window.menuBar().isEnabled()
    assert window.body_stack.currentIndex() == 0
    assert window.idle_watcher.timer.isActive()


def test_user_input_postpones_the_lock(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    window = make_window("admin", page_classes=FAKES, idle_minutes=1)
    window.idle_watcher.set_interval_ms(250)
    for _round in range(5):  # 5 x 100 ms of activity: longer than the idle interval
        qtbot.wait(100)
        qtbot.keyClick(window.sidebar, Qt.Key.Key_Down)
    assert not window.is_locked
    with qtbot.waitSignal(window.locked, timeout=3000):
        pass  # no more input: it locks


def test_cancel_in_the_lock_dialog_logs_out(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin", page_classes=FAKES)
    window.lock()
    with qtbot.waitSignal(window.closed) as signal:
        window.lock_dialog.reject()  # type: ignore[union-attr]
    assert signal.args == [True]


def test_timeout_setting_zero_means_never(make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin", page_classes=FAKES, idle_minutes=0)
    assert not window.idle_watcher.timer.isActive()


def test_timeout_comes_from_the_setting(make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin", page_classes=FAKES, idle_minutes=None)
    assert window.idle_watcher.minutes == 15  # the setting's default


def test_role_without_pages_sees_a_message(make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window("viewer", page_classes=[AdminOnlyPage])
    assert window.page_keys() == []
    assert window.stack.currentWidget() is window.empty_label
    assert "no pages" in window.empty_label.text()


# -- start: setup or login, log out, quit ------------------------------------------------------


def test_shell_starts_with_setup_on_an_empty_database(
    qtbot, database, sync_runner, temp_settings
) -> None:  # type: ignore[no-untyped-def]
    shell = Shell(database, sync_runner, temp_settings)
    shell.start()
    assert isinstance(shell.dialog, SetupWizard)
    qtbot.addWidget(shell.dialog)
    with qtbot.waitSignal(shell.finished):
        shell.dialog.reject()


def test_shell_logs_in_opens_the_window_and_returns_to_login_on_log_out(
    qtbot, hospital_db, sync_runner, temp_settings
) -> None:  # type: ignore[no-untyped-def]
    shell = Shell(hospital_db, sync_runner, temp_settings)
    shell.start()
    dialog = shell.dialog
    assert isinstance(dialog, LoginDialog)
    qtbot.addWidget(dialog)
    assert dialog.subtitle_label.text() == "Test City People's Hospital"
    dialog.username_edit.setText("viewer")
    dialog.password_edit.setText(PASSWORDS["viewer"])
    with qtbot.waitSignal(shell.window_opened) as signal:
        dialog.submit()
    window = signal.args[0]
    qtbot.addWidget(window)
    assert window.context.actor.username == "viewer"
    assert "audit" not in window.page_keys()
    window.log_out()
    assert isinstance(shell.dialog, LoginDialog) and shell.dialog is not dialog
    qtbot.addWidget(shell.dialog)
    with qtbot.waitSignal(shell.finished):
        shell.dialog.reject()


def test_run_app_refuses_a_bad_database_with_a_message(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    shown: list[str] = []
    monkeypatch.setattr(
        app_module.QMessageBox, "critical", lambda parent, title, text: shown.append(text)
    )
    bad = tmp_path / "not-a-database.sqlite"
    bad.write_bytes(b"this is not SQLite at all" * 10)
    assert run_app(str(bad), "en", False) == 2
    assert len(shown) == 1 and "not a hospital_osh database file" in shown[0]


def test_run_app_logs_in_opens_the_window_and_returns_when_it_closes(
    hospital_db_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The whole start, with the real threaded runner: a scripted user logs in and quits."""
    from PySide6.QtCore import QTimer

    seen: list[str] = []

    class ScriptedShell(Shell):
        def show_login(self) -> None:
            super().show_login()
            dialog = self.dialog
            assert isinstance(dialog, LoginDialog)
            dialog.username_edit.setText("admin")
            dialog.password_edit.setText(PASSWORDS["admin"])
            QTimer.singleShot(0, dialog.submit)

        def _logged_in(self, actor: Actor | None) -> None:
            super()._logged_in(actor)
            assert self.window is not None
            seen.append(self.window.windowTitle())
            QTimer.singleShot(0, self.window.close)

    monkeypatch.setattr(app_module, "Shell", ScriptedShell)
    assert run_app(str(hospital_db_path), "en", False) == 0
    assert seen == ["Test City People's Hospital — Hospital OSH"]


def test_demo_start_builds_the_demo_database_off_the_gui_thread(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from hospital_osh import paths
    from hospital_osh.services import hospital
    from hospital_osh.services.database import open_database
    from hospital_osh.ui.tasks import TaskRunner

    target = tmp_path / "demo.sqlite"
    monkeypatch.setattr(paths, "demo_database_path", lambda: target)
    runner = TaskRunner()
    try:
        assert app_module._prepare_demo(runner) == str(target)
    finally:
        runner.shutdown()
    database = open_database(target)
    try:
        with database.session() as session:
            assert hospital.is_initialised(session)
    finally:
        database.dispose()


def test_open_widgets_take_the_new_locale_for_dates_and_numbers(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    """Calendars and spin boxes already on screen follow a language switch (month names,
    first day of the week), not only the widgets made afterwards."""
    from PySide6.QtCore import QLocale
    from PySide6.QtWidgets import QDateEdit

    window = make_window("admin", page_classes=FAKES)
    edit = QDateEdit(window.pages["admin_only"])
    edit.setCalendarPopup(True)
    assert edit.locale().language() == QLocale.Language.English
    window.switch_language("zh_CN", persist=False)
    assert edit.locale().language() == QLocale.Language.Chinese
    assert edit.calendarWidget().locale().language() == QLocale.Language.Chinese
    assert edit.locale().toString(1234.5, "f", 1) == QLocale(QLocale.Language.Chinese).toString(
        1234.5, "f", 1
    )
