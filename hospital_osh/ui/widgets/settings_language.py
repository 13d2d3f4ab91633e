"""Settings › Language: switch the interface at once and remember the choice for the user."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QButtonGroup, QLabel, QRadioButton, QWidget

from hospital_osh import i18n
from hospital_osh.domain.codes import N_
from hospital_osh.i18n import _
from hospital_osh.services.errors import UserError
from hospital_osh.services.users import update_user
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.language import apply_language, language_choices
from hospital_osh.ui.widgets.settings_section import SettingsSection


class LanguageSettings(SettingsSection):
    """Everyone may choose their own language; names are shown in their own language."""

    key = "language"
    title = N_("Language")
    icon = "languages"
    permission = None

    # -- signals ------------------------------------------------------------------------------
    language_changed = Signal(str)
    """Emitted with the new code after switching (already remembered for the user): the
    window retranslates everything (it may also listen to ``i18n.add_language_listener``)."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for code, name in language_choices():
            button = QRadioButton(name, self)
            button.setProperty("language", code)
            self.group.addButton(button)
            self.buttons[code] = button
            self.body.addWidget(button)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.body.addWidget(self.status)
        self.body.addStretch(1)
        self._status_key = ""
        self.group.buttonToggled.connect(self._on_toggled)
        self.retranslate()

    # -- public API ---------------------------------------------------------------------------

    def choose(self, code: str) -> None:
        """Remember ``code`` for the user, then switch (every page retranslates itself)."""
        code = i18n.normalise_language(code)
        saved = True
        if self.context.actor.user_id is not None:
            try:
                with self.context.database.transaction() as session:
                    update_user(
                        session, self.context.actor, self.context.actor.username, language=code
                    )
            except UserError:
                saved = False
        else:
            saved = False
        self._status_key = "saved" if saved else "not_saved"
        if code != i18n.current_language():
            apply_language(code)
            self.language_changed.emit(code)
        else:
            self.retranslate()

    def retranslate(self) -> None:
        super().retranslate()
        self.set_intro(_("The language of the menus, forms and reports you create."))
        current = i18n.current_language()
        if current in self.buttons:
            with QSignalBlocker(self.group):
                self.buttons[current].setChecked(True)
        if self._status_key == "saved":
            self.status.setText(_("Your choice is remembered for the next login."))
            style.set_role(self.status, "ok")
        elif self._status_key == "not_saved":
            self.status.setText(
                _(
                    "The language changed for this session only; it could not be remembered "
                    "for your account."
                )
            )
            style.set_role(self.status, "hint")
        else:
            self.status.clear()

    # -- private ------------------------------------------------------------------------------

    def _on_toggled(self, button: QRadioButton, checked: bool) -> None:
        if checked:
            self.choose(str(button.property("language")))
