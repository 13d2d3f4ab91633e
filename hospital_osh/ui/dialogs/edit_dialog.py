"""The base of the small record forms (worker, department, user): one save flow for all.

A subclass adds its fields to ``self.form`` (a ``FormLayout``), says what the form holds now
(``snapshot``) and how to store it (``write(session)``, inside one transaction). The base gives
every such dialog the same behaviour, so that none of them can forget a part of it:

- Enter saves (Save is the default button), Esc / Cancel / the close box cancel;
- cancelling or closing with unsaved input asks first (``AppContext.ask``);
- a failed save keeps every typed value, shows each service message beside its field and the
  rest (a conflict, a refused permission) in a banner above the form;
- a good save emits ``saved`` with what ``write`` returned, then closes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.i18n import _
from hospital_osh.services.errors import UserError, ValidationError
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.widgets.form import FormLayout, chain_focus

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class EditDialog(QDialog):
    """A form dialog with the house save flow; subclasses fill ``form`` and override the hooks."""

    # -- signals ------------------------------------------------------------------------------
    saved = Signal(object)
    """Emitted with what ``write`` returned (the saved DTO, a user name...) after a save."""

    def __init__(self, context: AppContext, parent: QWidget | None = None, *, min_width: int = 480):
        super().__init__(parent)
        self.context = context
        self._baseline: object = None
        self.setMinimumWidth(min_width)
        self.message = QLabel(self)
        self.message.setObjectName("formMessage")
        self.message.setWordWrap(True)
        style.set_role(self.message, "error")
        self.message.hide()
        self.form = FormLayout()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        save = self.save_button()
        save.setDefault(True)
        save.setAutoDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    # -- hooks for subclasses -----------------------------------------------------------------
    # Every subclass defines these two (annotations only, so a missing one fails loudly):

    snapshot: Callable[[], object]
    """What the form holds now, comparable with ``==`` (a DTO or a tuple)."""
    write: Callable[[Session], object]
    """Store the form in the session (one transaction); raise ValidationError / UserError."""

    def check(self) -> Mapping[str, str]:
        """Field messages found before asking the service (e.g. two passwords differ)."""
        return {}

    def after_save(self, result: object) -> None:
        """Take in what ``write`` returned (e.g. the new id and version) before closing."""

    # -- public API ---------------------------------------------------------------------------

    def mark_clean(self) -> None:
        """What the form holds now counts as 'no unsaved changes'."""
        self._baseline = self.snapshot()

    def is_dirty(self) -> bool:
        return self.snapshot() != self._baseline

    def save(self) -> bool:
        """Validate and save in one transaction; on failure keep the input and say why."""
        self.clear_messages()
        problems = dict(self.check())
        if problems:
            self.show_errors(problems)
            return False
        try:
            with self.context.database.transaction() as session:
                result = self.write(session)
        except ValidationError as error:
            self.show_errors(error.fields)
            return False
        except UserError as error:  # a conflict, a deleted record, a refused permission
            self.show_message(str(error))
            return False
        self.after_save(result)
        self.mark_clean()
        self.saved.emit(result)
        self.accept()
        return True

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """Each message beside its field; messages for fields not on the form in the banner."""
        leftover = self.form.show_errors(errors)
        if leftover:
            self.show_message("\n".join(leftover.values()))

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def clear_messages(self) -> None:
        self.form.clear_errors()
        self.message.hide()

    def save_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Save)

    def retranslate(self) -> None:
        """Subclasses set their own texts and call this for the buttons."""
        self.save_button().setText(_("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))

    # -- QDialog ------------------------------------------------------------------------------

    def reject(self) -> None:
        """Esc, Cancel and the window's close button all come here."""
        if self.is_dirty() and not self.context.ask.discard_changes(self):
            return
        self.mark_clean()
        super().reject()

    def showEvent(self, event: QShowEvent) -> None:
        """Tab follows the form from the top, then Save and Cancel; the cursor starts in the
        first field (not on a button, which Enter would press)."""
        super().showEvent(event)
        fields = self.form.shown_fields()
        buttons = [self.save_button(), self.buttons.button(QDialogButtonBox.StandardButton.Cancel)]
        chain_focus([*fields, *buttons])
        focus = self.focusWidget()
        if fields and (focus is None or focus in buttons):
            editable = [
                field
                for field in fields
                if field.isEnabled() and not (isinstance(field, QLineEdit) and field.isReadOnly())
            ]
            (editable or fields)[0].setFocus(Qt.FocusReason.TabFocusReason)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.is_dirty() and not self.context.ask.discard_changes(self):
            event.ignore()
            return
        self.mark_clean()
        super().closeEvent(event)
