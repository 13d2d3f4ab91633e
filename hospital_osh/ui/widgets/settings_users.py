"""Settings › Users and roles (administrators): add, edit, reset password, lock, disable."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QPushButton, QWidget
from sqlalchemy.orm import Session

from hospital_osh.domain.accounts import is_locked
from hospital_osh.domain.codes import N_
from hospital_osh.domain.roles import ROLES, Permission
from hospital_osh.i18n import _, format_datetime, language_name
from hospital_osh.services.users import UserInfo, list_users, lock, set_active, unlock
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.user_dialog import UserDialog, UserDialogMode
from hospital_osh.ui.widgets.settings_section import ListSection

_HEADERS = (N_("User name"), N_("Full name"), N_("Role"), N_("Status"), N_("Language"))


def utcnow() -> dt.datetime:
    """Naive UTC, the form the services store ``locked_until`` in."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _locked(user: UserInfo) -> bool:
    return is_locked(user.locked_until, utcnow())


class UserSettings(ListSection):
    """Each action is one service call; the services keep the last administrator."""

    key = "users"
    title = N_("Users and roles")
    icon = "user-round-cog"
    permission = Permission.MANAGE_USERS
    headers = _HEADERS
    stretch_column = 1

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.add_button = QPushButton(self)
        self.edit_button = QPushButton(self)
        self.password_button = QPushButton(self)
        self.lock_button = QPushButton(self)
        self.active_button = QPushButton(self)
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit_selected)
        self.password_button.clicked.connect(self.reset_password)
        self.lock_button.clicked.connect(self.toggle_lock)
        self.active_button.clicked.connect(self.toggle_active)
        self.add_buttons(
            self.add_button,
            self.edit_button,
            self.password_button,
            self.lock_button,
            self.active_button,
        )
        self.retranslate()

    # -- public API ---------------------------------------------------------------------------

    def add(self) -> UserDialog:
        return self._open(UserDialogMode.CREATE, None)

    def edit_selected(self) -> UserDialog | None:
        user = self.selected()
        return self._open(UserDialogMode.EDIT, user) if user is not None else None

    def reset_password(self) -> UserDialog | None:
        user = self.selected()
        return self._open(UserDialogMode.PASSWORD, user) if user is not None else None

    def toggle_lock(self) -> None:
        user = self.selected()
        if user is None:
            return
        actor, name = self.context.actor, user.username
        if _locked(user):
            self.act(_("Unlock user"), None, lambda s: unlock(s, actor, name))
        else:
            self.act(
                _("Lock user"),
                _(
                    "Lock {user}? They cannot log in until an administrator unlocks the account."
                ).format(user=name),
                lambda s: lock(s, actor, name),
            )

    def toggle_active(self) -> None:
        user = self.selected()
        if user is None:
            return
        actor, name = self.context.actor, user.username
        if user.active:
            self.act(
                _("Disable user"),
                _(
                    "Disable {user}? They can no longer log in; their name stays in the "
                    "records and the audit trail."
                ).format(user=name),
                lambda s: set_active(s, actor, name, False),
            )
        else:
            self.act(_("Enable user"), None, lambda s: set_active(s, actor, name, True))

    def retranslate(self) -> None:
        self.set_intro(
            _(
                "Who may log in, and what each person's role lets them do. Users are disabled "
                "rather than deleted, so the audit trail keeps their names."
            )
        )
        self.add_button.setText(_("Add user…"))
        self.edit_button.setText(_("Name and role…"))
        self.password_button.setText(_("Set password…"))
        super().retranslate()

    # -- ListSection --------------------------------------------------------------------------

    def load_rows(self, session: Session) -> list[UserInfo]:
        return list_users(session, self.context.actor)

    def row_key(self, row: UserInfo) -> object:
        return row.username

    def row_texts(self, row: UserInfo) -> tuple[str, ...]:
        return (
            row.username,
            row.display_name,
            _(ROLES.label(row.role)),
            self._status(row),
            language_name(row.language) if row.language else "",
        )

    def row_muted(self, row: UserInfo) -> bool:
        return not row.active or _locked(row)

    def update_actions(self) -> None:
        user = self.selected()
        for button in (
            self.edit_button,
            self.password_button,
            self.lock_button,
            self.active_button,
        ):
            button.setEnabled(user is not None)
        self.lock_button.setText(_("Unlock") if user is not None and _locked(user) else _("Lock"))
        self.active_button.setText(
            _("Enable") if user is not None and not user.active else _("Disable")
        )

    # -- private ------------------------------------------------------------------------------

    def _open(self, mode: UserDialogMode, user: UserInfo | None) -> UserDialog:
        dialog = UserDialog(self.context, mode, user, self)
        self.open_dialog(dialog)
        return dialog

    def _status(self, user: UserInfo) -> str:
        if not user.active:
            return _("Disabled")
        if _locked(user):
            assert user.locked_until is not None
            if user.locked_until - utcnow() > dt.timedelta(days=3650):
                return _("Locked")
            local = user.locked_until.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)
            return _("Locked until {time}").format(time=format_datetime(local, "short"))
        return _("Active")
