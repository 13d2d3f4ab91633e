"""The recovery dialog (a missing key: the passphrase brings it back) and the recovery passphrase
asked by first-run setup."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog

from hospital_osh import i18n
from hospital_osh.services import keys
from hospital_osh.services.context import SYSTEM
from hospital_osh.services.database import Database, open_database, resolve_url
from hospital_osh.services.hospital import HospitalProfile, default_departments
from hospital_osh.ui import app as app_module
from hospital_osh.ui.dialogs import recovery_dialog
from hospital_osh.ui.dialogs.recovery_dialog import RecoveryDialog, open_or_recover
from hospital_osh.ui.dialogs.setup_wizard import ADMIN, AdminAccount, SetupWizard, save_setup
from hospital_osh.ui.tasks import TaskRunner

PASSPHRASE = "written-on-paper-2026"


@pytest.fixture
def protected(sqlite_path: Path) -> Path:
    database = open_database(sqlite_path)
    try:
        with database.transaction() as session:
            keys.set_recovery_passphrase(session, database, SYSTEM, PASSPHRASE, PASSPHRASE)
    finally:
        database.dispose()
    return sqlite_path


def _dialog(qtbot, path: Path, runner: TaskRunner) -> RecoveryDialog:  # type: ignore[no-untyped-def]
    dialog = RecoveryDialog(path, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_the_right_passphrase_brings_the_key_back(
    qtbot,  # type: ignore[no-untyped-def]
    protected: Path,
    sync_runner: TaskRunner,
    new_machine: Callable[[], Path],
) -> None:
    folder = new_machine()
    with pytest.raises(keys.KeyMissing):
        open_database(protected)
    dialog = _dialog(qtbot, protected, sync_runner)
    dialog.passphrase_edit.setText(PASSPHRASE)
    with qtbot.waitSignal(dialog.accepted):
        dialog.recover()
    assert Path(dialog.location).parent == folder
    open_database(protected).dispose()


def test_a_wrong_passphrase_is_said_beside_the_field_keeping_the_input(
    qtbot,  # type: ignore[no-untyped-def]
    protected: Path,
    sync_runner: TaskRunner,
    new_machine: Callable[[], Path],
) -> None:
    folder = new_machine()
    dialog = _dialog(qtbot, protected, sync_runner)
    dialog.recover()
    assert dialog.form.error_text("passphrase") == "Type the recovery passphrase."
    dialog.passphrase_edit.setText("not the passphrase")
    dialog.recover()
    assert "passphrase is wrong" in dialog.form.error_text("passphrase")
    assert dialog.passphrase_edit.text() == "not the passphrase"
    assert dialog.isVisible() and dialog.result() == 0
    assert not folder.exists() or not any(folder.iterdir())


def test_without_the_recovery_file_the_dialog_says_where_to_get_it(
    qtbot,  # type: ignore[no-untyped-def]
    protected: Path,
    sync_runner: TaskRunner,
    new_machine: Callable[[], Path],
) -> None:
    new_machine()
    keys.recovery_path(protected).rename(protected.with_name("elsewhere.recovery"))
    dialog = _dialog(qtbot, protected, sync_runner)
    assert not dialog.recover_button.isEnabled()
    assert "osh.sqlite.recovery is not beside the database" in dialog.problem_label.text()


def test_open_or_recover_asks_then_opens(
    protected: Path,
    sync_runner: TaskRunner,
    new_machine: Callable[[], Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    new_machine()
    asked: list[Path] = []

    def exec_(self: RecoveryDialog) -> int:
        asked.append(self._path)
        keys.recover_key(self._path, PASSPHRASE)
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(RecoveryDialog, "exec", exec_)
    database = open_or_recover(str(protected), sync_runner)
    database.dispose()
    assert asked == [protected]


def test_run_app_shows_the_recovery_dialog_and_a_cancel_gives_the_message(
    protected: Path, new_machine: Callable[[], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    new_machine()
    shown: list[str] = []
    monkeypatch.setattr(
        app_module.QMessageBox, "critical", lambda parent, title, text: shown.append(text)
    )
    monkeypatch.setattr(
        recovery_dialog.RecoveryDialog, "exec", lambda self: QDialog.DialogCode.Rejected.value
    )
    assert app_module.run_app(str(protected), "en", False) == 2
    assert len(shown) == 1 and "key recover" in shown[0]


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_recovery_dialog_screenshot(
    qtbot,  # type: ignore[no-untyped-def]
    protected: Path,
    sync_runner: TaskRunner,
    new_machine: Callable[[], Path],
    language: str,
    tmp_path: Path,
) -> None:
    i18n.set_language(language)
    new_machine()
    dialog = _dialog(qtbot, protected, sync_runner)
    dialog.passphrase_edit.setText("wrong one")
    dialog.recover()
    dialog.adjustSize()
    assert not dialog.grab().isNull()
    dialog.grab().save(str(tmp_path / f"recovery-{language}.png"))
    if language == "zh_CN":
        assert dialog.recover_button.text() != "Recover key"


# -- first-run setup -------------------------------------------------------------------------------


def _wizard_at_admin(qtbot, database: Database | None, runner: TaskRunner) -> SetupWizard:  # type: ignore[no-untyped-def]
    wizard = SetupWizard(database, runner)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.go_to(ADMIN)
    wizard.username_edit.setText("chief")
    wizard.display_name_edit.setText("Zhou Chief")
    wizard.password_edit.setText("a long enough secret")
    wizard.password2_edit.setText("a long enough secret")
    return wizard


def test_setup_asks_a_recovery_passphrase_twice_for_an_encrypted_database(
    qtbot,  # type: ignore[no-untyped-def]
    database: Database,
    sync_runner: TaskRunner,
) -> None:
    wizard = _wizard_at_admin(qtbot, database, sync_runner)
    assert wizard.needs_passphrase() == database.encrypted
    if not database.encrypted:
        pytest.skip("PostgreSQL: the server's storage is encrypted, not the file")
    form = wizard._forms[ADMIN]
    assert wizard.passphrase_edit.isVisible()
    assert "paper" in wizard.recovery_hint.text()
    assert not wizard.check_step(ADMIN)
    assert "at least 10 characters" in form.error_text("passphrase")
    wizard.passphrase_edit.setText(PASSPHRASE)
    wizard.passphrase2_edit.setText(PASSPHRASE + "?")
    assert not wizard.check_step(ADMIN)
    assert form.errors() == {"passphrase2": "The two passphrases differ."}
    wizard.passphrase2_edit.setText(PASSPHRASE)
    assert wizard.check_step(ADMIN)
    assert wizard.admin_account().recovery_passphrase == PASSPHRASE


def test_setup_saves_the_recovery_file_with_everything_else(
    database: Database, tmp_path: Path
) -> None:
    if not database.encrypted or database.path is None:
        pytest.skip("only an encrypted SQLite file has a recovery file")
    profile = HospitalProfile(name_zh="医院", facility_code="X1")
    account = AdminAccount("chief", "Chief", "a long enough secret", "en", PASSPHRASE)
    save_setup(database, profile, account, default_departments())
    record = keys.read_recovery(keys.recovery_path(database.path))
    assert record is not None and database.key is not None
    assert keys.unwrap(record, PASSPHRASE) == database.key


def test_a_plaintext_database_asks_no_passphrase(
    qtbot,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    sync_runner: TaskRunner,
) -> None:
    plain = Database(resolve_url(tmp_path / "plain.sqlite"), encrypt=False)
    plain.upgrade()
    try:
        wizard = _wizard_at_admin(qtbot, plain, sync_runner)
        assert not wizard.needs_passphrase()
        assert not wizard.passphrase_edit.isVisible()
        assert wizard.check_step(ADMIN)
        assert wizard.admin_account().recovery_passphrase == ""
    finally:
        plain.dispose()
