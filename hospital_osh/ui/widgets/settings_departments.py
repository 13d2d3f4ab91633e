"""Settings › Departments: the list, add and edit through DepartmentDialog, (de)activate."""

from __future__ import annotations

from dataclasses import replace

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

from hospital_osh.domain.codes import DEPARTMENT_TYPES, N_
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _
from hospital_osh.services.errors import UserError
from hospital_osh.services.hospital import DepartmentInfo, list_departments, save_department
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.department_dialog import DepartmentDialog
from hospital_osh.ui.widgets.settings_section import SettingsSection

_HEADERS = (N_("Code"), N_("Name (Chinese)"), N_("Name (English)"), N_("Type"), N_("Status"))


class DepartmentSettings(SettingsSection):
    """A short list (tens of rows), read whole; deactivating keeps history pointing at it."""

    key = "departments"
    title = N_("Departments")
    icon = "building-2"
    permission = Permission.MANAGE_HOSPITAL
    max_width = None

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.dialog: DepartmentDialog | None = None
        self._departments: list[DepartmentInfo] = []
        self.table = QTableWidget(0, len(_HEADERS), self)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.table.itemSelectionChanged.connect(self._update_actions)
        self.add_button = QPushButton(self)
        self.edit_button = QPushButton(self)
        self.active_button = QPushButton(self)
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit_selected)
        self.active_button.clicked.connect(self.toggle_selected_active)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.active_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.body.addLayout(buttons)
        self.body.addWidget(self.table, 1)
        self.retranslate()

    # -- public API ---------------------------------------------------------------------------

    def activated(self) -> None:
        self.reload()

    def reload(self, select_id: int | None = None) -> None:
        selected = self.selected()
        keep = select_id if select_id is not None else (selected.id if selected else None)
        with self.context.database.session() as session:
            self._departments = list_departments(session)
        self._fill()
        for row, department in enumerate(self._departments):
            if department.id == keep:
                self.table.selectRow(row)
        self._update_actions()

    def selected(self) -> DepartmentInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self._departments[rows[0].row()] if rows else None

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
        if not self.context.ask.confirm(self, title, question):
            return
        try:
            with self.context.database.transaction() as session:
                save_department(
                    session, self.context.actor, replace(department, active=not department.active)
                )
        except UserError as error:
            self.context.ask.error(self, title, str(error))
        self.reload()

    def retranslate(self) -> None:
        super().retranslate()
        self.set_intro(
            _(
                "Departments are offered in the staff and exposure forms. A department that "
                "closes is deactivated, so that older records keep it."
            )
        )
        self.table.setHorizontalHeaderLabels([_(text) for text in _HEADERS])
        self.add_button.setText(_("Add department…"))
        self.edit_button.setText(_("Edit…"))
        self._fill()
        self._update_actions()

    # -- private ------------------------------------------------------------------------------

    def _open(self, info: DepartmentInfo) -> DepartmentDialog:
        dialog = DepartmentDialog(self.context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.load(info)
        dialog.saved.connect(self._on_saved)
        dialog.finished.connect(self._on_dialog_finished)
        self.dialog = dialog
        dialog.open()
        return dialog

    # Bound methods, not lambdas, on dialogs that delete themselves (see StaffPage).

    def _on_double_clicked(self, _index: object) -> None:
        self.edit_selected()

    def _on_saved(self, saved: DepartmentInfo) -> None:
        self.reload(select_id=saved.id)

    def _on_dialog_finished(self, _result: int) -> None:
        self.dialog = None

    def _fill(self) -> None:
        self.table.setRowCount(len(self._departments))
        muted = QBrush(QColor(style.MUTED))
        for row, department in enumerate(self._departments):
            texts = (
                department.code,
                department.name_zh,
                department.name_en,
                _(DEPARTMENT_TYPES.label(department.type)),
                _("Active") if department.active else _("Inactive"),
            )
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if not department.active:
                    item.setForeground(muted)
                self.table.setItem(row, column, item)

    def _update_actions(self) -> None:
        department = self.selected()
        self.edit_button.setEnabled(department is not None)
        self.active_button.setEnabled(department is not None)
        self.active_button.setText(
            _("Reactivate") if department is not None and not department.active else _("Deactivate")
        )
