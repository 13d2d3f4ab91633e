"""Log in, or unlock a window locked after idle time (the same dialog in 'locked' mode).

The check runs through the task runner as a write (``users.login`` counts failed attempts and
locks the account after too many). The service's message says which problem it was: a wrong
password, a locked account or a disabled user; the dialog shows it as is.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from hospital_osh import i18n
from hospital_osh.i18n import _
from hospital_osh.services import users
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.errors import UserError
from hospital_osh.ui import style
from hospital_osh.ui.language import apply_language, language_choices
from hospital_osh.ui.tasks import TaskRunner, TaskState
from hospital_osh.ui.widgets.form import FormLayout


class LoginDialog(QDialog):
    """Ask for a user name and password; ``actor`` holds who logged in once accepted."""

    # -- signals ------------------------------------------------------------------------------
    language_changed = Signal(str)
    """Emitted with the new code after the user picked another language in the dialog."""
    submitted = Signal()
    """Emitted when the credentials go to be checked off the GUI thread (the GUI thread is
    free for a while: the shell prepares the main window meanwhile)."""

    def __init__(
        self,
        database: Database,
        runner: TaskRunner,
        *,
        hospital_name: str = "",
        locked_user: Actor | None = None,
        idle_minutes: int = 0,
        notice: str = "",
        parent: QWidget | None = None,
    ):
        """``notice``: an English source text (marked N_) shown above the form, translated."""
        super().__init__(parent)
        self._database = database
        self._runner = runner
        self._hospital_name = hospital_name
        self._locked_user = locked_user
        self._idle_minutes = idle_minutes
        self._language_touched = False
        self._notice = notice
        self.actor: Actor | None = None
        self.language: str = i18n.current_language()
        self.setModal(True)
        self.setMinimumWidth(440)

        self.title_label = QLabel()
        self.title_label.setObjectName("dialogTitle")
        self.subtitle_label = QLabel(hospital_name)
        style.set_role(self.subtitle_label, "hint")
        self.subtitle_label.setVisible(bool(hospital_name) or self.locked)
        self.subtitle_label.setWordWrap(True)

        self.notice_label = QLabel()
        self.notice_label.setWordWrap(True)
        style.set_role(self.notice_label, "notice")
        self.notice_label.setVisible(bool(notice))

        self.username_edit = QLineEdit()
        self.username_edit.setMaxLength(40)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.language_combo = QComboBox()
        for code, name in language_choices():
            self.language_combo.addItem(name, code)
        self.language_combo.setCurrentIndex(
            max(0, self.language_combo.findData(i18n.current_language()))
        )
        self.language_combo.currentIndexChanged.connect(self._on_language_picked)

        self.form = FormLayout()
        self.form.add_row("username", "", self.username_edit)
        self.form.add_row("password", "", self.password_edit)
        self.form.add_row("language", "", self.language_combo)

        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        style.set_role(self.message_label, "error")
        self.message_label.hide()

        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setProperty("accent", True)
        self.ok_button.setDefault(True)
        self.cancel_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        style.set_margins(layout, 24, 12)
        layout.addWidget(self.title_label)
        layout.addWidget(self.subtitle_label)
        layout.addSpacing(6)
        layout.addWidget(self.notice_label)
        layout.addLayout(self.form)
        layout.addWidget(self.message_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        if locked_user is not None:
            self.username_edit.setText(locked_user.username)
            self.username_edit.setReadOnly(True)
            self.form.set_field_visible("language", False)
            self.password_edit.setFocus()
        else:
            self.username_edit.setFocus()
        self.retranslate()

    # -- public API ---------------------------------------------------------------------------

    @property
    def locked(self) -> bool:
        return self._locked_user is not None

    def retranslate(self) -> None:
        if self.locked:
            self.setWindowTitle(_("Window locked"))
            self.title_label.setText(_("The window is locked"))
            assert self._locked_user is not None
            name = self._locked_user.display_name or self._locked_user.username
            if self._idle_minutes:
                text = _(
                    "It was locked after {minutes} idle minutes. {name}, enter your password "
                    "to continue."
                ).format(minutes=self._idle_minutes, name=name)
            else:
                text = _("{name}, enter your password to continue.").format(name=name)
            self.subtitle_label.setText(text)
            self.ok_button.setText(_("Unlock"))
            self.cancel_button.setText(_("Log out"))
        else:
            self.setWindowTitle(_("Log in"))
            self.title_label.setText(_("Hospital occupational safety and health"))
            self.ok_button.setText(_("Log in"))
            self.cancel_button.setText(_("Cancel"))
        self.notice_label.setText(_(self._notice) if self._notice else "")
        self.form.set_label_text("username", _("User name:"))
        self.form.set_label_text("password", _("Password:"))
        self.form.set_label_text("language", _("Language:"))

    def submit(self) -> None:
        """Check the credentials (through the runner); accept on success."""
        username = self.username_edit.text().strip()
        password = self.password_edit.text()
        self.form.clear_errors()
        if not username:
            self.form.show_errors({"username": _("Enter your user name.")})
            return
        if not password:
            self.form.show_errors({"password": _("Enter your password.")})
            return
        chosen = (
            str(self.language_combo.currentData())
            if self._language_touched and not self.locked
            else None
        )
        database = self._database

        def job(state: TaskState) -> tuple[Actor, str]:
            actor = users.login(database, username, password)
            with database.session() as session:
                language = users.get_user(session, actor.username).language
            if chosen and chosen != language:
                with database.transaction() as session:
                    users.update_user(session, actor, actor.username, language=chosen)
                language = chosen
            return actor, language

        self._set_busy(True)
        self.submitted.emit()
        self._runner.run(job, on_done=self._logged_in, on_error=self._failed, write=True)

    # -- private ------------------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        self.ok_button.setEnabled(not busy)
        self.username_edit.setEnabled(not busy)
        self.password_edit.setEnabled(not busy)

    def _logged_in(self, result: tuple[Actor, str]) -> None:
        self._set_busy(False)
        actor, language = result
        locked_user = self._locked_user
        if locked_user is not None and actor.username != locked_user.username:
            self._failed(UserError(_("Wrong user name or password.")))  # defensive: read-only
            return
        self.actor = actor
        self.language = language
        if not self.locked and language != i18n.current_language():
            apply_language(language)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        if isinstance(error, UserError):
            message = str(error)
        else:
            message = _("Cannot log in: {reason}").format(reason=error)
        self.message_label.setText(message)
        self.message_label.show()
        self.password_edit.clear()
        self.password_edit.setFocus()

    def _on_language_picked(self, index: int) -> None:
        code = str(self.language_combo.itemData(index))
        self._language_touched = True
        if code != i18n.current_language():
            apply_language(code)
            self.retranslate()
            self.language_changed.emit(code)
