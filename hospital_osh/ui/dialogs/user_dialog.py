"""Add a user, change a user's name and role, or set a new password (administrators)."""

from __future__ import annotations

from enum import Enum

from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget
from sqlalchemy.orm import Session

from hospital_osh.domain.accounts import MIN_PASSWORD_LENGTH
from hospital_osh.domain.roles import ROLES
from hospital_osh.i18n import LANGUAGES, _, current_language, language_name
from hospital_osh.services.users import UserInfo, create_user, set_password, update_user
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.edit_dialog import EditDialog
from hospital_osh.ui.widgets.code_combo import fill_code_combo, fill_combo, select_data


class UserDialogMode(Enum):
    CREATE = "create"
    EDIT = "edit"
    PASSWORD = "password"


_FIELDS = {
    UserDialogMode.CREATE: ("username", "display_name", "role", "language", "password", "confirm"),
    UserDialogMode.EDIT: ("username", "display_name", "role"),
    UserDialogMode.PASSWORD: ("username", "password", "confirm"),
}


class UserDialog(EditDialog):
    """One dialog, three modes, so that the three user forms look and behave the same.
    ``saved`` carries the user name."""

    def __init__(
        self,
        context: AppContext,
        mode: UserDialogMode = UserDialogMode.CREATE,
        user: UserInfo | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(context, parent, min_width=480)
        self.mode = mode
        self.user = user
        self.username = QLineEdit(self)
        self.username.setMaxLength(40)
        self.display_name = QLineEdit(self)
        self.role = QComboBox(self)
        self.language = QComboBox(self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm = QLineEdit(self)
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        for name in ("username", "display_name", "role", "language", "password", "confirm"):
            self.form.add_row(name, "", getattr(self, name))
            self.form.set_field_visible(name, name in _FIELDS[mode])
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
        self.mark_clean()

    # -- public API ---------------------------------------------------------------------------

    def retranslate(self) -> None:
        super().retranslate()
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

    # -- EditDialog ---------------------------------------------------------------------------

    def snapshot(self) -> tuple[object, ...]:
        return (
            self.username.text(),
            self.display_name.text(),
            self.role.currentData(),
            self.language.currentData(),
            self.password.text(),
            self.confirm.text(),
        )

    def check(self) -> dict[str, str]:
        """Two different passwords are caught here; their length is the service's to judge."""
        if (
            self.mode is not UserDialogMode.EDIT
            and self.password.text() != self.confirm.text()
            and len(self.password.text()) >= MIN_PASSWORD_LENGTH
        ):
            return {"confirm": _("The two passwords differ. Type them again.")}
        return {}

    def write(self, session: Session) -> str:
        username = self.username.text().strip()
        actor = self.context.actor
        if self.mode is UserDialogMode.CREATE:
            create_user(
                session,
                actor,
                username=username,
                display_name=self.display_name.text(),
                role=self.role.currentData(),
                password=self.password.text(),
                language=self.language.currentData(),
            )
        elif self.mode is UserDialogMode.EDIT:
            update_user(
                session,
                actor,
                username,
                display_name=self.display_name.text(),
                role=self.role.currentData(),
            )
        else:
            set_password(session, actor, username, self.password.text())
        return username
