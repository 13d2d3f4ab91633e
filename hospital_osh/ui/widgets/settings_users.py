"""Settings › Users and roles (administrators): add, edit, reset password, lock, disable."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from hospital_osh.domain.accounts import is_locked
from hospital_osh.domain.codes import N_
from hospital_osh.domain.roles import ROLES, Permission
from hospital_osh.i18n import _, format_datetime, language_name
from hospital_osh.services.errors import UserError
from hospital_osh.services.users import UserInfo, list_users, lock, set_active, unlock
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.user_dialog import UserDialog, UserDialogMode
from hospital_osh.ui.widgets.settings_section import SettingsSection

_HEADERS = (N_("User name"), N_("Full name"), N_("Role"), N_("Status"), N_("Language"))


def utcnow() -> dt.datetime:
    """Naive UTC, the form the services store ``locked_until`` in."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _locked(user: UserInfo) -> bool:
    return is_locked(user.locked_until, utcnow())


class UserSettings(SettingsSection):
    """Each action is one service call; the services keep the last administrator."""

    key = "users"
    title = N_("Users and roles")
    icon = "user-round-cog"
    permission = Permission.MANAGE_USERS
    max_width = None

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.dialog: UserDialog | None = None
        self._users: list[UserInfo] = []
        self.table = QTableWidget(0, len(_HEADERS), self)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.table.itemSelectionChanged.connect(self._update_actions)
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
        buttons = QHBoxLayout()
        for button in (
            self.add_button,
            self.edit_button,
            self.password_button,
            self.lock_button,
            self.active_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.body.addLayout(buttons)
        self.body.addWidget(self.table, 1)
        self.retranslate()

    # -- public API ---------------------------------------------------------------------------

    def activated(self) -> None:
        self.reload()

    def reload(self, select: str | None = None) -> None:
        selected = self.selected()
        keep = select or (selected.username if selected else None)
        try:
            with self.context.database.session() as session:
                self._users = list_users(session, self.context.actor)
        except UserError as error:
            self._users = []
            self.set_intro(str(error))
        self._fill()
        for row, user in enumerate(self._users):
            if user.username == keep:
                self.table.selectRow(row)
        self._update_actions()

    def selected(self) -> UserInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self._users[rows[0].row()] if rows else None

    def add(self) -> UserDialog:
        return self._open(UserDialog(self.context, UserDialogMode.CREATE, None, self))

    def edit_selected(self) -> UserDialog | None:
        user = self.selected()
        if user is None:
            return None
        return self._open(UserDialog(self.context, UserDialogMode.EDIT, user, self))

    def reset_password(self) -> UserDialog | None:
        user = self.selected()
        if user is None:
            return None
        return self._open(UserDialog(self.context, UserDialogMode.PASSWORD, user, self))

    def toggle_lock(self) -> None:
        user = self.selected()
        if user is None:
            return
        if _locked(user):
            self._act(
                _("Unlock user"), None, lambda s: unlock(s, self.context.actor, user.username)
            )
        else:
            self._act(
                _("Lock user"),
                _(
                    "Lock {user}? They cannot log in until an administrator unlocks the account."
                ).format(user=user.username),
                lambda s: lock(s, self.context.actor, user.username),
            )

    def toggle_active(self) -> None:
        user = self.selected()
        if user is None:
            return
        if user.active:
            self._act(
                _("Disable user"),
                _(
                    "Disable {user}? They can no longer log in; their name stays in the "
                    "records and the audit trail."
                ).format(user=user.username),
                lambda s: set_active(s, self.context.actor, user.username, False),
            )
        else:
            self._act(
                _("Enable user"),
                None,
                lambda s: set_active(s, self.context.actor, user.username, True),
            )

    def retranslate(self) -> None:
        super().retranslate()
        self.set_intro(
            _(
                "Who may log in, and what each person's role lets them do. Users are disabled "
                "rather than deleted, so the audit trail keeps their names."
            )
        )
        self.table.setHorizontalHeaderLabels([_(text) for text in _HEADERS])
        self.add_button.setText(_("Add user…"))
        self.edit_button.setText(_("Name and role…"))
        self.password_button.setText(_("Set password…"))
        self._fill()
        self._update_actions()

    # -- private ------------------------------------------------------------------------------

    def _act(self, title: str, question: str | None, action) -> None:  # type: ignore[no-untyped-def]
        """Confirm (when ``question``), run ``action(session)`` in a transaction, reload."""
        if question is not None and not self.context.ask.confirm(self, title, question):
            return
        try:
            with self.context.database.transaction() as session:
                action(session)
        except UserError as error:
            self.context.ask.error(self, title, str(error))
        self.reload()

    def _open(self, dialog: UserDialog) -> UserDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._on_saved)
        dialog.finished.connect(self._on_dialog_finished)
        self.dialog = dialog
        dialog.open()
        return dialog

    # Bound methods, not lambdas, on dialogs that delete themselves (see StaffPage).

    def _on_double_clicked(self, _index: object) -> None:
        self.edit_selected()

    def _on_saved(self, username: str) -> None:
        self.reload(select=username)

    def _on_dialog_finished(self, _result: int) -> None:
        self.dialog = None

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

    def _fill(self) -> None:
        self.table.setRowCount(len(self._users))
        muted = QBrush(QColor(style.MUTED))
        for row, user in enumerate(self._users):
            texts = (
                user.username,
                user.display_name,
                _(ROLES.label(user.role)),
                self._status(user),
                language_name(user.language) if user.language else "",
            )
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if not user.active or _locked(user):
                    item.setForeground(muted)
                self.table.setItem(row, column, item)

    def _update_actions(self) -> None:
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
