"""Add a user, change a user's name and role, or set a new password (administrators)."""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.domain.accounts import MIN_PASSWORD_LENGTH
from hospital_osh.domain.roles import ROLES
from hospital_osh.i18n import LANGUAGES, _, current_language, language_name
from hospital_osh.services.errors import UserError, ValidationError
from hospital_osh.services.users import UserInfo, create_user, set_password, update_user
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.widgets.code_combo import fill_code_combo, fill_combo, select_data
from hospital_osh.ui.widgets.form import FormLayout


class UserDialogMode(Enum):
    CREATE = "create"
    EDIT = "edit"
    PASSWORD = "password"


_FIELDS = {
    UserDialogMode.CREATE: ("username", "display_name", "role", "language", "password", "confirm"),
    UserDialogMode.EDIT: ("username", "display_name", "role"),
    UserDialogMode.PASSWORD: ("username", "password", "confirm"),
}


class UserDialog(QDialog):
    """One dialog, three modes, so that the three user forms look and behave the same."""

    # -- signals ------------------------------------------------------------------------------
    saved = Signal(str)
    """Emitted with the user name after the change was saved."""

    def __init__(
        self,
        context: AppContext,
        mode: UserDialogMode = UserDialogMode.CREATE,
        user: UserInfo | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.context = context
        self.mode = mode
        self.user = user
        self.setMinimumWidth(480)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        style.set_role(self.message, "error")
        self.message.hide()
        self.username = QLineEdit(self)
        self.username.setMaxLength(40)
        self.display_name = QLineEdit(self)
        self.role = QComboBox(self)
        self.language = QComboBox(self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm = QLineEdit(self)
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.form = FormLayout()
        for name in ("username", "display_name", "role", "language", "password", "confirm"):
            self.form.add_row(name, "", getattr(self, name))
        for name in self.form.field_names():
            self.form.set_field_visible(name, name in _FIELDS[mode])
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.retranslate()
        if user is not None:
            self.username.setText(user.username)
            self.display_name.setText(user.display_name)
            select_data(self.role, user.role)
            select_data(self.language, user.language)
        else:
            select_data(self.role, "osh_officer")
            select_data(self.language, current_language())
        self.username.setReadOnly(mode is not UserDialogMode.CREATE)
        self._baseline = self._values()

    # -- public API ---------------------------------------------------------------------------

    def is_dirty(self) -> bool:
        return self._values() != self._baseline

    def save(self) -> bool:
        self.form.clear_errors()
        self.message.hide()
        if (
            self.mode is not UserDialogMode.EDIT
            and self.password.text() != self.confirm.text()
            and len(self.password.text()) >= MIN_PASSWORD_LENGTH
        ):
            self.form.show_errors({"confirm": _("The two passwords differ. Type them again.")})
            return False
        username = self.username.text().strip()
        try:
            with self.context.database.transaction() as session:
                if self.mode is UserDialogMode.CREATE:
                    create_user(
                        session,
                        self.context.actor,
                        username=username,
                        display_name=self.display_name.text(),
                        role=self.role.currentData(),
                        password=self.password.text(),
                        language=self.language.currentData(),
                    )
                elif self.mode is UserDialogMode.EDIT:
                    update_user(
                        session,
                        self.context.actor,
                        username,
                        display_name=self.display_name.text(),
                        role=self.role.currentData(),
                    )
                else:
                    set_password(session, self.context.actor, username, self.password.text())
        except ValidationError as error:
            leftover = self.form.show_errors(error.fields)
            if leftover:
                self._show_message("\n".join(leftover.values()))
            return False
        except UserError as error:
            self._show_message(str(error))
            return False
        self._baseline = self._values()
        self.saved.emit(username)
        self.accept()
        return True

    def retranslate(self) -> None:
        titles = {
            UserDialogMode.CREATE: _("New user"),
            UserDialogMode.EDIT: _("Edit user"),
            UserDialogMode.PASSWORD: _("Set a new password"),
        }
        self.setWindowTitle(titles[self.mode])
        self.form.set_label_text("username", _("User name"))
        self.form.set_label_text("display_name", _("Full name"))
        self.form.set_label_text("role", _("Role"))
        self.form.set_label_text("language", _("Language"))
        self.form.set_label_text(
            "password", _("New password") if self.mode is UserDialogMode.PASSWORD else _("Password")
        )
        self.form.set_label_text("confirm", _("Repeat the password"))
        self.username.setPlaceholderText(_("Letters, digits, dots, dashes, underscores"))
        self.password.setPlaceholderText(_("At least {n} characters").format(n=MIN_PASSWORD_LENGTH))
        fill_code_combo(self.role, ROLES)
        fill_combo(self.language, [(language_name(code), code) for code in LANGUAGES])
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(_("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))

    # -- QDialog ------------------------------------------------------------------------------

    def reject(self) -> None:
        if self.is_dirty() and not self.context.ask.discard_changes(self):
            return
        self._baseline = self._values()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.is_dirty() and not self.context.ask.discard_changes(self):
            event.ignore()
            return
        self._baseline = self._values()
        super().closeEvent(event)

    # -- private ------------------------------------------------------------------------------

    def _values(self) -> tuple[object, ...]:
        return (
            self.username.text(),
            self.display_name.text(),
            self.role.currentData(),
            self.language.currentData(),
            self.password.text(),
            self.confirm.text(),
        )

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
