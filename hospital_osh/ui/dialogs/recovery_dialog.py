"""Recover the key of an encrypted database with the recovery passphrase.

Shown instead of an error when the application opens an encrypted database whose key is not on
this computer (a new PC, a reinstalled system, a database copied from elsewhere). The passphrase
unwraps the key kept in ``<db>.recovery`` beside the database; the key then goes into this
computer's key store and the database opens. A wrong passphrase is said beside the field, the
typed text stays, and nothing is changed. See docs/encryption.md.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.i18n import _
from hospital_osh.services import keys
from hospital_osh.services.database import Database, open_database
from hospital_osh.services.errors import UserError
from hospital_osh.ui import style
from hospital_osh.ui.tasks import TaskRunner, TaskState
from hospital_osh.ui.widgets.form import FormLayout


class RecoveryDialog(QDialog):
    """Asks for the recovery passphrase of ``path``; accepted once the key is back here."""

    def __init__(self, path: Path, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self._path = Path(path)
        self._runner = runner
        self.location = ""  # where the key was put, once recovered
        self.setModal(True)
        self.setMinimumWidth(560)

        self.title_label = QLabel()
        self.title_label.setObjectName("dialogTitle")
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.TextFormat.PlainText)
        self.passphrase_edit = QLineEdit()
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.form = FormLayout()
        self.form.add_row("passphrase", "", self.passphrase_edit)
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setTextFormat(Qt.TextFormat.PlainText)
        style.set_role(self.problem_label, "error")
        self.problem_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.recover_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.recover)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        style.set_margins(layout, 24, 10)
        layout.addWidget(self.title_label)
        layout.addWidget(self.explanation)
        layout.addLayout(self.form)
        layout.addWidget(self.problem_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.retranslate()
        self._check_recovery_file()
        self.passphrase_edit.setFocus()

    # -- public API ---------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setWindowTitle(_("Recover the database key"))
        self.title_label.setText(_("This database is encrypted"))
        self.explanation.setText(
            _(
                "The database {path} is encrypted and its key is not on this computer (a new "
                "computer, a reinstalled system, or a database copied from elsewhere). Type the "
                "recovery passphrase that the administrator wrote down when the database was "
                "set up; the key is then kept on this computer and the database opens."
            ).format(path=self._path)
        )
        self.form.set_label_text("passphrase", _("Recovery passphrase:"))
        self.recover_button.setText(_("Recover key"))
        self.cancel_button.setText(_("Cancel"))

    def recover(self) -> None:
        """Unwrap the key off the GUI thread (Argon2 takes a moment); errors beside the field."""
        passphrase = self.passphrase_edit.text()
        if not passphrase:
            self.form.show_errors({"passphrase": _("Type the recovery passphrase.")})
            return
        self.form.clear_errors()
        path = self._path

        def job(state: TaskState) -> str:
            return keys.recover_key(path, passphrase)

        self._set_busy(True)
        self._runner.run(job, on_done=self._recovered, on_error=self._failed, write=True)

    # -- private ------------------------------------------------------------------------------

    def _check_recovery_file(self) -> None:
        """Without the recovery file no passphrase helps: say where to get it."""
        if keys.recovery_path(self._path).is_file():
            return
        self.problem_label.setText(
            _(
                "The recovery file {name} is not beside the database. Copy it from the computer "
                "or the backup the database came from into {folder}, then open the database "
                "again."
            ).format(name=keys.recovery_path(self._path).name, folder=self._path.parent)
        )
        self.problem_label.show()
        self.passphrase_edit.setEnabled(False)
        self.recover_button.setEnabled(False)

    def _set_busy(self, busy: bool) -> None:
        self.recover_button.setEnabled(not busy)
        self.passphrase_edit.setEnabled(not busy)

    def _recovered(self, location: str) -> None:
        self._set_busy(False)
        self.location = location
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        if isinstance(error, keys.WrongPassphrase):
            self.form.show_errors({"passphrase": str(error)})
        elif isinstance(error, UserError):
            self.problem_label.setText(str(error))
            self.problem_label.show()
        else:
            self.problem_label.setText(_("Recovery failed: {reason}").format(reason=error))
            self.problem_label.show()


def open_or_recover(target: str | None, runner: TaskRunner) -> Database:
    """``open_database(target)``; when the key is missing, ask for the recovery passphrase and
    try again. Raises the KeyMissing problem when the user cancels."""
    while True:
        try:
            return open_database(target)
        except keys.KeyMissing as missing:
            dialog = RecoveryDialog(missing.path, runner)
            try:
                if dialog.exec() != QDialog.DialogCode.Accepted:
                    raise
            finally:
                dialog.deleteLater()
