"""Add or edit a department (code, names in both languages, type, active)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.domain.codes import DEPARTMENT_TYPES
from hospital_osh.i18n import _
from hospital_osh.services.errors import UserError, ValidationError
from hospital_osh.services.hospital import DepartmentInfo, save_department
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.widgets.code_combo import fill_code_combo, select_data
from hospital_osh.ui.widgets.form import FormLayout

EMPTY = DepartmentInfo(code="", name_zh="", name_en="", type="ward")


class DepartmentDialog(QDialog):
    """A form over ``DepartmentInfo``; departments are deactivated, never deleted."""

    # -- signals ------------------------------------------------------------------------------
    saved = Signal(object)
    """Emitted with the saved ``DepartmentInfo``."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self._loaded = EMPTY
        self._baseline = EMPTY
        self.setMinimumWidth(460)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        style.set_role(self.message, "error")
        self.message.hide()
        self.code = QLineEdit(self)
        self.code.setMaxLength(40)
        self.name_zh = QLineEdit(self)
        self.name_en = QLineEdit(self)
        self.type = QComboBox(self)
        self.active = QCheckBox(self)
        self.form = FormLayout()
        self.form.add_row("code", "", self.code)
        self.form.add_row("name_zh", "", self.name_zh)
        self.form.add_row("name_en", "", self.name_en)
        self.form.add_row("type", "", self.type)
        self.form.add_row("active", "", self.active)
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
        self.load(EMPTY)

    # -- public API ---------------------------------------------------------------------------

    def load(self, info: DepartmentInfo) -> None:
        self._loaded = info
        self.code.setText(info.code)
        self.name_zh.setText(info.name_zh)
        self.name_en.setText(info.name_en)
        select_data(self.type, info.type)
        self.active.setChecked(info.active)
        self.form.clear_errors()
        self.message.hide()
        self._baseline = self.to_info()
        self._update_title()

    def to_info(self) -> DepartmentInfo:
        return replace(
            self._loaded,
            code=self.code.text(),
            name_zh=self.name_zh.text(),
            name_en=self.name_en.text(),
            type=self.type.currentData() or "",
            active=self.active.isChecked(),
        )

    def is_dirty(self) -> bool:
        return self.to_info() != self._baseline

    def save(self) -> bool:
        info = self.to_info()
        self.form.clear_errors()
        self.message.hide()
        try:
            with self.context.database.transaction() as session:
                saved = save_department(session, self.context.actor, info)
        except ValidationError as error:
            leftover = self.form.show_errors(error.fields)
            if leftover:
                self._show_message("\n".join(leftover.values()))
            return False
        except UserError as error:
            self._show_message(str(error))
            return False
        self._loaded = saved
        self._baseline = self.to_info()
        self.saved.emit(saved)
        self.accept()
        return True

    def retranslate(self) -> None:
        self.form.set_label_text("code", _("Code"))
        self.form.set_label_text("name_zh", _("Name (Chinese)"))
        self.form.set_label_text("name_en", _("Name (English)"))
        self.form.set_label_text("type", _("Type"))
        self.form.set_label_text("active", _("Status"))
        self.code.setPlaceholderText(_("A short local code, e.g. ICU"))
        self.active.setText(_("Active (offered in forms)"))
        fill_code_combo(self.type, DEPARTMENT_TYPES)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(_("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self._update_title()

    # -- QDialog ------------------------------------------------------------------------------

    def reject(self) -> None:
        if self.is_dirty() and not self.context.ask.discard_changes(self):
            return
        self._baseline = self.to_info()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.is_dirty() and not self.context.ask.discard_changes(self):
            event.ignore()
            return
        self._baseline = self.to_info()
        super().closeEvent(event)

    # -- private ------------------------------------------------------------------------------

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def _update_title(self) -> None:
        if self._loaded.id is None:
            self.setWindowTitle(_("New department"))
        else:
            self.setWindowTitle(_("Edit department {code}").format(code=self._loaded.code))
