"""Add or edit a department (code, names in both languages, type, active)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QWidget
from sqlalchemy.orm import Session

from hospital_osh.domain.codes import DEPARTMENT_TYPES
from hospital_osh.i18n import _
from hospital_osh.services.hospital import DepartmentInfo, save_department
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.edit_dialog import EditDialog
from hospital_osh.ui.widgets.code_combo import fill_code_combo, select_data

EMPTY = DepartmentInfo(code="", name_zh="", name_en="", type="ward")


class DepartmentDialog(EditDialog):
    """A form over ``DepartmentInfo``; departments are deactivated, never deleted.
    ``saved`` carries the saved ``DepartmentInfo``."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent, min_width=460)
        self._loaded = EMPTY
        self.code = QLineEdit(self)
        self.code.setMaxLength(40)
        self.name_zh = QLineEdit(self)
        self.name_en = QLineEdit(self)
        self.type = QComboBox(self)
        self.active = QCheckBox(self)
        for name in ("code", "name_zh", "name_en", "type", "active"):
            self.form.add_row(name, "", getattr(self, name))
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
        self.clear_messages()
        self.mark_clean()
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

    def retranslate(self) -> None:
        super().retranslate()
        self.form.set_label_text("code", _("Code"))
        self.form.set_label_text("name_zh", _("Name (Chinese)"))
        self.form.set_label_text("name_en", _("Name (English)"))
        self.form.set_label_text("type", _("Type"))
        self.form.set_label_text("active", _("Status"))
        self.code.setPlaceholderText(_("A short local code, e.g. ICU"))
        self.active.setText(_("Active (offered in forms)"))
        fill_code_combo(self.type, DEPARTMENT_TYPES)
        self._update_title()

    # -- EditDialog ---------------------------------------------------------------------------

    def snapshot(self) -> DepartmentInfo:
        return self.to_info()

    def write(self, session: Session) -> DepartmentInfo:
        return save_department(session, self.context.actor, self.to_info())

    def after_save(self, result: object) -> None:
        assert isinstance(result, DepartmentInfo)
        self._loaded = result

    # -- private ------------------------------------------------------------------------------

    def _update_title(self) -> None:
        if self._loaded.id is None:
            self.setWindowTitle(_("New department"))
        else:
            self.setWindowTitle(_("Edit department {code}").format(code=self._loaded.code))
