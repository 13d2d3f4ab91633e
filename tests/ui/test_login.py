"""The login dialog: success applies the user's language; a wrong password, a locked account and
a disabled user each get their own message; the locked mode asks only for the password."""

from __future__ import annotations

from PySide6.QtCore import Qt

from hospital_osh import i18n
from hospital_osh.domain.accounts import MAX_FAILED_LOGINS
from hospital_osh.services import users
from hospital_osh.services.database import Database
from hospital_osh.ui.dialogs.login_dialog import LoginDialog
from hospital_osh.ui.tasks import TaskRunner
from tests.ui.conftest import PASSWORDS, actor_of


def _dialog(qtbot, database: Database, runner: TaskRunner, **options) -> LoginDialog:  # type: ignore[no-untyped-def]
    dialog = LoginDialog(database, runner, hospital_name="Test City", **options)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _try(qtbot, dialog: LoginDialog, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    dialog.username_edit.setText(username)
    dialog.password_edit.clear()
    qtbot.keyClicks(dialog.password_edit, password)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def test_success_accepts_with_the_actor_and_applies_the_users_language(
    qtbot, hospital_db, sync_runner
) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, hospital_db, sync_runner)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        _try(qtbot, dialog, "officer", PASSWORDS["officer"])
    assert dialog.actor is not None
    assert (dialog.actor.username, dialog.actor.role) == ("officer", "osh_officer")
    assert dialog.actor.display_name == "Li Officer"
    assert i18n.current_language() == "zh_CN"  # officer's stored language


def test_real_threaded_runner_delivers_the_result(qtbot, hospital_db) -> None:  # type: ignore[no-untyped-def]
    runner = TaskRunner()
    try:
        dialog = _dialog(qtbot, hospital_db, runner)
        with qtbot.waitSignal(dialog.accepted, timeout=10000):
            _try(qtbot, dialog, "admin", PASSWORDS["admin"])
        assert dialog.actor is not None and dialog.actor.username == "admin"
    finally:
        runner.shutdown()


def test_wrong_password_says_so_and_keeps_the_user_name(qtbot, hospital_db, sync_runner) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, hospital_db, sync_runner)
    _try(qtbot, dialog, "admin", "not the password")
    assert dialog.result() == 0 and dialog.actor is None
    assert dialog.message_label.isVisible()
    assert dialog.message_label.text() == "Wrong user name or password."
    assert dialog.username_edit.text() == "admin"
    assert dialog.password_edit.text() == ""


def test_lockout_after_five_failures_has_its_own_message(qtbot, hospital_db, sync_runner) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, hospital_db, sync_runner)
    for _attempt in range(MAX_FAILED_LOGINS - 1):
        _try(qtbot, dialog, "viewer", "wrong wrong wrong")
        assert dialog.message_label.text() == "Wrong user name or password."
    _try(qtbot, dialog, "viewer", "wrong wrong wrong")
    assert dialog.message_label.text() == (
        "Too many failed logins: the account is locked for 15 minutes."
    )
    _try(qtbot, dialog, "viewer", PASSWORDS["viewer"])  # even the right password is refused
    assert dialog.message_label.text().startswith("This account is locked until")
    assert dialog.actor is None


def test_disabled_user_has_its_own_message(qtbot, hospital_db, sync_runner) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, hospital_db, sync_runner)
    _try(qtbot, dialog, "reporter", PASSWORDS["reporter"])
    assert dialog.message_label.text() == "This user is disabled. Ask an administrator."
    assert dialog.actor is None


def test_empty_fields_are_flagged_beside_them(qtbot, hospital_db, sync_runner) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, hospital_db, sync_runner)
    dialog.submit()
    assert dialog.form.error_text("username") == "Enter your user name."
    dialog.username_edit.setText("admin")
    dialog.submit()
    assert dialog.form.errors() == {"password": "Enter your password."}


def test_picking_a_language_retranslates_and_is_saved_for_the_user(
    qtbot, hospital_db, sync_runner
) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, hospital_db, sync_runner)
    assert dialog.windowTitle() == "Log in"
    with qtbot.waitSignal(dialog.language_changed) as signal:
        dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("zh_CN"))
    assert signal.args == ["zh_CN"]
    assert dialog.windowTitle() == "登录"
    assert dialog.ok_button.text() == "登录"
    with qtbot.waitSignal(dialog.accepted):
        _try(qtbot, dialog, "admin", PASSWORDS["admin"])  # admin's stored language is en
    assert i18n.current_language() == "zh_CN"
    with hospital_db.session() as session:
        assert users.get_user(session, "admin").language == "zh_CN"


def test_locked_mode_asks_only_for_the_password_of_that_user(
    qtbot, hospital_db, sync_runner
) -> None:  # type: ignore[no-untyped-def]
    actor = actor_of(hospital_db, "admin")
    dialog = _dialog(qtbot, hospital_db, sync_runner, locked_user=actor, idle_minutes=15)
    assert dialog.username_edit.isReadOnly() and dialog.username_edit.text() == "admin"
    assert not dialog.language_combo.isVisible()
    assert "15 idle minutes" in dialog.subtitle_label.text()
    assert dialog.cancel_button.text() == "Log out"
    dialog.password_edit.setText("wrong password!")
    dialog.submit()
    assert dialog.message_label.text() == "Wrong user name or password."
    with qtbot.waitSignal(dialog.accepted):
        dialog.password_edit.setText(PASSWORDS["admin"])
        dialog.submit()
    assert dialog.actor is not None and dialog.actor.username == "admin"
