"""Settings › General: the hospital-wide settings registered in ``services.settings``."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from hospital_osh.domain.codes import N_
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _
from hospital_osh.services.errors import UserError, ValidationError
from hospital_osh.services.settings import SETTINGS, all_settings, set_setting
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.widgets.form import FormLayout
from hospital_osh.ui.widgets.settings_section import SettingsSection


class GeneralSettings(SettingsSection):
    """One field per registered setting, so a new setting needs no UI code."""

    key = "general"
    title = N_("General")
    icon = "settings"
    permission = Permission.MANAGE_HOSPITAL

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self._stored: dict[str, str] = {}
        self.edits: dict[str, QLineEdit] = {}
        self.form = FormLayout()
        for key in SETTINGS:
            edit = QLineEdit(self)
            edit.setMaximumWidth(120)
            self.edits[key] = edit
            self.form.add_row(key, "", edit)
        self.save_button = QPushButton(self)
        self.save_button.setProperty("accent", True)
        self.save_button.clicked.connect(self.save)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.status, 1)
        self.body.addLayout(self.form)
        self.body.addLayout(buttons)
        self.body.addStretch(1)
        self.retranslate()

    # -- public API ---------------------------------------------------------------------------

    def activated(self) -> None:
        if self.has_unsaved_changes():
            return
        with self.context.database.session() as session:
            self._stored = all_settings(session)
        for key, edit in self.edits.items():
            edit.setText(self._stored.get(key, SETTINGS[key].default))
        self.form.clear_errors()

    def values(self) -> dict[str, str]:
        return {key: edit.text().strip() for key, edit in self.edits.items()}

    def has_unsaved_changes(self) -> bool:
        return bool(self._stored) and self.values() != self._stored

    def save(self) -> bool:
        """Save the changed settings together, or none of them."""
        changed = {k: v for k, v in self.values().items() if v != self._stored.get(k)}
        self.form.clear_errors()
        errors = {k: message for k, v in changed.items() if (message := SETTINGS[k].check(v))}
        try:
            if errors:
                raise ValidationError(errors)
            with self.context.database.transaction() as session:
                for key, value in changed.items():
                    set_setting(session, self.context.actor, key, value)
        except ValidationError as error:
            self.form.show_errors(error.fields)
            self._show_status(_("Correct the marked fields."), "error")
            return False
        except UserError as error:
            self._show_status(str(error), "error")
            return False
        self._stored = {**self._stored, **changed}
        self._show_status(_("The settings were saved."), "ok")
        return True

    def retranslate(self) -> None:
        super().retranslate()
        self.set_intro(_("Settings that apply to everyone using this database."))
        for key, spec in SETTINGS.items():
            self.form.set_label_text(key, _(spec.label))
        self.save_button.setText(_("Save settings"))
        self.status.clear()

    # -- private ------------------------------------------------------------------------------

    def _show_status(self, text: str, role: str) -> None:
        self.status.setText(text)
        style.set_role(self.status, role)
