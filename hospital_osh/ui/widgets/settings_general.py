"""Settings › General: the hospital-wide settings registered in ``services.settings``."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QWidget
from sqlalchemy.orm import Session

from hospital_osh.domain.codes import N_
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _
from hospital_osh.services.settings import SETTINGS, all_settings, set_setting
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.widgets.protocol_choice import ProtocolChoice
from hospital_osh.ui.widgets.settings_section import FormSection


class GeneralSettings(FormSection):
    """One field per registered setting, so a new setting needs no UI code."""

    key = "general"
    title = N_("General")
    icon = "settings"
    permission = Permission.MANAGE_HOSPITAL

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self._stored: dict[str, str] = {}
        self.edits: dict[str, QLineEdit | ProtocolChoice] = {}
        for key in SETTINGS:
            edit: QLineEdit | ProtocolChoice
            if key == ProtocolChoice.setting:  # a choice, with what each protocol rests on
                edit = ProtocolChoice(self)
            else:
                edit = QLineEdit(self)
                edit.setMaximumWidth(120)
            self.edits[key] = edit
            self.form.add_row(key, "", edit)
        self.finish_layout()
        self.retranslate()
        self.mark_clean()

    # -- public API ---------------------------------------------------------------------------

    def activated(self) -> None:
        if self.has_unsaved_changes():
            return
        with self.context.database.session() as session:
            self._stored = all_settings(session)
        for key, edit in self.edits.items():
            edit.setText(self._stored.get(key, SETTINGS[key].default))
        self.form.clear_errors()
        self.mark_clean()

    def values(self) -> dict[str, str]:
        return {key: edit.text().strip() for key, edit in self.edits.items()}

    def changed(self) -> dict[str, str]:
        return {k: v for k, v in self.values().items() if v != self._stored.get(k)}

    def retranslate(self) -> None:
        super().retranslate()
        self.set_intro(_("Settings that apply to everyone using this database."))
        for key, spec in SETTINGS.items():
            self.form.set_label_text(key, _(spec.label))
            edit = self.edits[key]
            if isinstance(edit, ProtocolChoice):
                edit.retranslate()
        self.save_button.setText(_("Save settings"))
        self.status.clear()

    # -- FormSection --------------------------------------------------------------------------

    def snapshot(self) -> dict[str, str]:
        return self.values()

    def check(self) -> dict[str, str]:
        return {k: message for k, v in self.changed().items() if (message := SETTINGS[k].check(v))}

    def write(self, session: Session) -> dict[str, str]:
        """Save the changed settings together, or none of them."""
        changed = self.changed()
        for key, value in changed.items():
            set_setting(session, self.context.actor, key, value)
        return changed

    def after_save(self, result: object) -> None:
        assert isinstance(result, dict)
        self._stored = {**self._stored, **result}

    def saved_text(self, result: object) -> str:
        return _("The settings were saved.")
