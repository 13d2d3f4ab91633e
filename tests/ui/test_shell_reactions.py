"""The window with the real pages: a language chosen in Settings retranslates the whole window
and every page; a backup restored in Settings reopens the database (keeping the session only
when the restored database knows the user unchanged); the idle lock keeps open dialogs."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher

from hospital_osh import i18n
from hospital_osh.domain.roles import Role
from hospital_osh.services import hospital, users
from hospital_osh.services.database import backup_file
from hospital_osh.ui import app as app_module
from hospital_osh.ui.app import Shell
from hospital_osh.ui.dialogs.login_dialog import LoginDialog
from hospital_osh.ui.dialogs.worker_dialog import WorkerDialog
from hospital_osh.ui.main_window import MainWindow
from hospital_osh.ui.pages.settings_page import SettingsPage
from hospital_osh.ui.pages.staff_page import StaffPage
from hospital_osh.ui.widgets.settings_database import DatabaseSettings
from tests.ui.conftest import PASSWORDS, actor_of


def _log_in(qtbot, shell: Shell, username: str, password: str) -> MainWindow:  # type: ignore[no-untyped-def]
    dialog = shell.dialog
    assert isinstance(dialog, LoginDialog)
    qtbot.addWidget(dialog)
    dialog.username_edit.setText(username)
    dialog.password_edit.setText(password)
    with qtbot.waitSignal(shell.window_opened) as opened:
        dialog.submit()
    window = opened.args[0]
    qtbot.addWidget(window)
    return window


def _city(database) -> str:  # type: ignore[no-untyped-def]
    with database.session() as session:
        profile = hospital.get_profile(session)
    assert profile is not None
    return profile.city


def _set_city(database, actor, city: str) -> None:  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        profile = hospital.get_profile(session)
        assert profile is not None
        hospital.save_profile(
            session, actor, profile.__class__(**{**profile.values(), "city": city})
        )


# -- language ---------------------------------------------------------------------------------


def test_language_chosen_in_settings_retranslates_window_and_pages(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin", page_classes=[StaffPage, SettingsPage])
    staff = window.show_page("staff")
    assert isinstance(staff, StaffPage)
    settings = window.show_page("settings")
    assert isinstance(settings, SettingsPage)
    section = settings.show_section("language")
    with qtbot.waitSignal(window.language_switched) as switched:
        section.buttons["zh_CN"].click()
    assert switched.args == ["zh_CN"] and i18n.current_language() == "zh_CN"
    assert window.file_menu.title() == "文件(&F)"
    assert window.new_action.text() == "新建(&N)"
    assert window.page_actions["staff"].text() == "职工"
    assert [window.sidebar.item(r).text() for r in range(window.sidebar.count())] == [
        "职工",
        "设置",
    ]
    assert window.page_title.text() == "设置"
    assert window.language_label.text() == "语言：简体中文"
    assert window.user_label.text().startswith("用户：")
    assert settings.list.item(0).text() == "医院概况"
    assert staff.search.placeholderText() != "Search name or staff number"
    assert "Search" not in staff.search.placeholderText()
    section.buttons["en"].click()
    assert window.file_menu.title() == "&File" and window.page_actions["staff"].text() == "Staff"


# -- restore ----------------------------------------------------------------------------------


@pytest.fixture
def shell(qtbot, hospital_db_path: Path, sync_runner, asker, temp_settings):  # type: ignore[no-untyped-def]
    database = app_module.open_database(hospital_db_path)
    shell = Shell(database, sync_runner, temp_settings, ask=asker)
    shell.start()
    yield shell
    if shell.window is not None:
        shell.window.close_without_asking()
    if shell.dialog is not None:
        shell.dialog.close()
    shell.database.dispose()


def _restore(qtbot, window: MainWindow, backup: Path) -> None:  # type: ignore[no-untyped-def]
    page = window.show_page("settings")
    assert isinstance(page, SettingsPage)
    section = page.show_section("database")
    assert isinstance(section, DatabaseSettings)
    with qtbot.waitSignal(window.database_replaced, timeout=10_000) as replaced:
        section.restore_from(backup)
    assert replaced.args == [window.context.database.path]


def test_restore_reopens_the_database_and_keeps_the_session(qtbot, shell, asker) -> None:  # type: ignore[no-untyped-def]
    window = _log_in(qtbot, shell, "admin", PASSWORDS["admin"])
    old_database = shell.database
    backup = backup_file(old_database)
    _set_city(old_database, window.context.actor, "苏州")  # recorded after the backup
    settings = window.show_page("settings")
    assert isinstance(settings, SettingsPage)
    settings.show_section("profile").city.setText("typed, not saved")  # type: ignore[attr-defined]
    assert window.pages["settings"].has_unsaved_changes()
    asker.answers = [True]  # yes, restore
    with qtbot.waitSignal(shell.window_opened, timeout=10_000) as opened:
        _restore(qtbot, window, backup)
    again = opened.args[0]
    qtbot.addWidget(again)
    assert again is not window and shell.window is again
    assert shell.database is not old_database and again.context.database is shell.database
    assert again.context.actor.username == "admin" and again.context.actor.role == Role.ADMIN
    assert again.current_key() == "settings"  # where the user was
    assert _city(shell.database) == "测试市"  # the backup's content, read through the new one
    assert shell.dialog is None  # no login asked
    assert len(asker.asked) == 1  # the restore question only: no 'unsaved changes' on close


def test_restore_asks_for_a_login_when_the_account_differs(
    qtbot, shell, asker, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The backup was made before this administrator's account existed."""
    monkeypatch.setattr(
        users, "_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    backup = backup_file(shell.database)
    with shell.database.transaction() as session:
        users.create_user(
            session,
            actor_of(shell.database, "admin"),
            username="newadmin",
            display_name="New Admin",
            role=Role.ADMIN,
            password="a long enough password",
            language="en",
        )
    window = _log_in(qtbot, shell, "newadmin", "a long enough password")
    asker.answers = [True]
    _restore(qtbot, window, backup)
    assert shell.window is None
    dialog = shell.dialog
    assert isinstance(dialog, LoginDialog) and dialog.isVisible()
    qtbot.addWidget(dialog)
    assert dialog.notice_label.isVisible()
    assert "Log in again" in dialog.notice_label.text()
    again = _log_in(qtbot, shell, "admin", PASSWORDS["admin"])  # an account of the backup
    assert again.context.database is shell.database


def test_a_restored_database_that_cannot_open_ends_with_a_message(
    qtbot, shell, asker, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from hospital_osh.services.errors import DatabaseProblem

    window = _log_in(qtbot, shell, "admin", PASSWORDS["admin"])
    backup = backup_file(shell.database)

    def refuse(target: object) -> None:
        raise DatabaseProblem("The restored file is unreadable.")

    monkeypatch.setattr(app_module, "open_database", refuse)
    asker.answers = [True]
    with qtbot.waitSignal(shell.finished, timeout=10_000):
        _restore(qtbot, window, backup)
    assert asker.messages[-1] == "The restored file is unreadable."
    assert shell.window is None


# -- idle lock --------------------------------------------------------------------------------


def test_idle_lock_hides_an_open_dialog_and_gives_it_back(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    """A short timeout under pytest-qt: the re-login dialog covers the window; the worker
    dialog the user was typing in is hidden, then comes back with its input."""
    window = make_window("admin", page_classes=[StaffPage], idle_minutes=1)
    staff = window.show_page("staff")
    dialog = WorkerDialog(window.context, staff)
    dialog.open()
    qtbot.waitExposed(dialog)
    dialog.name.setText("半途的名字")
    with qtbot.waitSignal(window.locked, timeout=3000):
        window.idle_watcher.set_interval_ms(50)
    assert not dialog.isVisible()  # nothing readable over the locked window
    lock = window.lock_dialog
    assert lock is not None and lock.isVisible() and lock.locked
    with qtbot.waitSignal(window.unlocked):
        lock.password_edit.setText(PASSWORDS["admin"])
        lock.submit()
    assert dialog.isVisible() and dialog.name.text() == "半途的名字" and dialog.is_dirty()
    dialog.mark_clean()
    dialog.close()


def test_logging_out_from_the_lock_drops_hidden_dialogs_without_asking(
    qtbot, make_window, asker
) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin", page_classes=[StaffPage])
    staff = window.show_page("staff")
    dialog = WorkerDialog(window.context, staff)
    dialog.open()
    dialog.name.setText("someone")
    window.lock()
    assert not dialog.isVisible()
    with qtbot.waitSignal(window.closed) as closed:
        window.lock_dialog.reject()  # type: ignore[union-attr]
    assert closed.args == [True]
    assert asker.asked == []  # whoever sits there now is not asked about the input
    assert dialog.result() == WorkerDialog.DialogCode.Rejected


def test_a_new_idle_time_saved_in_settings_applies_at_once(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin", page_classes=[SettingsPage], idle_minutes=None)
    assert window.idle_watcher.minutes == 15 and window.idle_watcher.timer.isActive()
    page = window.pages["settings"]
    section = page.show_section("general")
    section.edits["session_timeout_minutes"].setText("30")
    assert section.save()
    assert window.idle_watcher.minutes == 30
    assert window.idle_watcher.timer.interval() == 30 * 60_000
    section.edits["session_timeout_minutes"].setText("0")
    assert section.save()
    assert not window.idle_watcher.timer.isActive()  # 0: never locks


def test_closing_the_window_asks_about_a_half_typed_settings_dialog(
    qtbot, make_window, asker
) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin", page_classes=[SettingsPage])
    section = window.pages["settings"].show_section("users")
    dialog = section.add()
    dialog.display_name.setText("李娜")
    asker.answers = [False]  # keep editing
    assert not window.close()
    assert window.isVisible() and dialog.isVisible() and dialog.display_name.text() == "李娜"
    assert asker.asked == ["You have unsaved changes. Close and discard them?"]
