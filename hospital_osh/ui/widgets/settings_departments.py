"""Settings › Departments: the list, add and edit through DepartmentDialog, (de)activate."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QPushButton, QWidget
from sqlalchemy.orm import Session

from hospital_osh.domain.codes import DEPARTMENT_TYPES, N_
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _
from hospital_osh.services.hospital import DepartmentInfo, list_departments, save_department
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.department_dialog import DepartmentDialog
from hospital_osh.ui.widgets.settings_section import ListSection


class DepartmentSettings(ListSection):
    """A short list (tens of rows), read whole; deactivating keeps history pointing at it."""

    key = "departments"
    title = N_("Departments")
    icon = "building-2"
    permission = Permission.MANAGE_HOSPITAL
    headers = (N_("Code"), N_("Name (Chinese)"), N_("Name (English)"), N_("Type"), N_("Status"))
    stretch_column = 2

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.add_button = QPushButton(self)
        self.edit_button = QPushButton(self)
        self.active_button = QPushButton(self)
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit_selected)
        self.active_button.clicked.connect(self.toggle_selected_active)
        self.add_buttons(self.add_button, self.edit_button, self.active_button)
        self.retranslate()

    # -- public API ---------------------------------------------------------------------------

    def add(self) -> DepartmentDialog:
        return self._open(DepartmentInfo(code="", name_zh="", name_en="", type="ward"))

    def edit_selected(self) -> DepartmentDialog | None:
        department = self.selected()
        return self._open(department) if department else None

    def toggle_selected_active(self) -> None:
        department = self.selected()
        if department is None:
            return
        name = department.name_zh or department.name_en
        if department.active:
            title = _("Deactivate department")
            question = _(
                "Deactivate {name}? It is no longer offered in forms; records that name it keep it."
            ).format(name=name)
        else:
            title = _("Reactivate department")
            question = _("Reactivate {name}?").format(name=name)
        changed = replace(department, active=not department.active)
        self.act(title, question, lambda s: save_department(s, self.context.actor, changed))

    def retranslate(self) -> None:
        self.set_intro(
            _(
                "Departments are offered in the staff and exposure forms. A department that "
                "closes is deactivated, so that older records keep it."
            )
        )
        self.add_button.setText(_("Add department…"))
        self.edit_button.setText(_("Edit…"))
        super().retranslate()

    # -- ListSection --------------------------------------------------------------------------

    def load_rows(self, session: Session) -> list[DepartmentInfo]:
        return list_departments(session)

    def row_key(self, row: DepartmentInfo) -> object:
        return row.id

    def saved_key(self, result: object) -> object:
        assert isinstance(result, DepartmentInfo)
        return result.id

    def row_texts(self, row: DepartmentInfo) -> tuple[str, ...]:
        return (
            row.code,
            row.name_zh,
            row.name_en,
            _(DEPARTMENT_TYPES.label(row.type)),
            _("Active") if row.active else _("Inactive"),
        )

    def row_muted(self, row: DepartmentInfo) -> bool:
        return not row.active

    def update_actions(self) -> None:
        department = self.selected()
        self.edit_button.setEnabled(department is not None)
        self.active_button.setEnabled(department is not None)
        self.active_button.setText(
            _("Reactivate") if department is not None and not department.active else _("Deactivate")
        )

    # -- private ------------------------------------------------------------------------------

    def _open(self, info: DepartmentInfo) -> DepartmentDialog:
        dialog = DepartmentDialog(self.context, self)
        dialog.load(info)
        self.open_dialog(dialog)
        return dialog
