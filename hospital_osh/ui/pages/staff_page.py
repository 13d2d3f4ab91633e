"""Staff: the hospital's workers, searched and filtered in SQL, edited one at a time."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.domain.codes import EMPLOYMENT_TYPES, JOB_CATEGORIES, N_
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _, current_language, format_number
from hospital_osh.paths import resource
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import UserError
from hospital_osh.services.hospital import list_departments
from hospital_osh.services.workers import (
    WorkerFilter,
    WorkerInfo,
    WorkerRow,
    count_workers,
    get_worker,
    set_worker_active,
)
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.immunisation_dialog import ImmunisationDialog
from hospital_osh.ui.dialogs.roster_import_dialog import RosterImportDialog
from hospital_osh.ui.dialogs.worker_dialog import WorkerDialog
from hospital_osh.ui.itemmodels.worker_table_model import WorkerTableModel
from hospital_osh.ui.pages.base import Page
from hospital_osh.ui.widgets.code_combo import fill_code_combo, fill_combo
from hospital_osh.ui.widgets.enter_opens import open_on_enter
from hospital_osh.ui.widgets.immunisation_panel import ImmunisationPanel
from hospital_osh.ui.widgets.list_filter_bar import ListFilterBar

_STATUSES: tuple[tuple[bool | None, str], ...] = (
    (True, N_("Active staff")),
    (False, N_("Inactive staff")),
    (None, N_("Active and inactive")),
)


class StaffPage(Page):
    """The staff list with search, filters, and the actions the user's role allows."""

    key = "staff"
    title = N_("Staff")
    icon = "users"
    order = 50

    # -- signals ------------------------------------------------------------------------------
    workers_changed = Signal()
    """Emitted after this page saved, (de)activated or imported workers."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.worker_dialog: WorkerDialog | None = None
        self.import_dialog: RosterImportDialog | None = None
        self._can_manage = context.actor.can(Permission.MANAGE_WORKERS)
        self._edits = self._can_manage and context.actor.sees_identities
        self._build()
        self.retranslate()  # also fills the filter combos
        self._apply_filters()

    # -- Page API -----------------------------------------------------------------------------

    @classmethod
    def visible_for(cls, actor: Actor) -> bool:
        return actor.can(Permission.VIEW_WORKERS)

    def activated(self) -> None:
        self._load_departments()
        self.refresh()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(
            _("Search by name or staff number…")
            if self.context.actor.sees_identities
            else _("Search by department…")
        )
        self.search.setToolTip(self.search.placeholderText())
        self.department.setToolTip(_("Department"))
        self.job_category.setToolTip(_("Job category"))
        self.employment_type.setToolTip(_("Employment type"))
        self.status.setToolTip(_("Status"))
        for combo in (self.department, self.job_category, self.employment_type, self.status):
            combo.setAccessibleName(combo.toolTip())
        self._fill_code_filters()
        self._load_departments()
        self.new_button.setText(_("New worker…"))
        self.new_button.setToolTip(_("Add a worker (Ctrl+N)"))
        self.edit_button.setText(_("Edit…"))
        self.edit_button.setToolTip(_("Edit the selected worker (Enter or double-click)"))
        self.import_button.setText(_("Import roster…"))
        self.import_button.setToolTip(_("Add or update many workers from a CSV or Excel file"))
        self.immunisation_button.setText(_("Immunisation…"))
        self.immunisation_button.setToolTip(
            _("Hepatitis B vaccine doses, anti-HBs and baseline tests of the selected worker")
        )
        self.table.setAccessibleName(_("Staff list"))
        self.model.retranslate()
        self._update_actions()
        self._update_total()

    def new_item(self) -> None:
        if not self._edits:
            return
        self._open_worker(WorkerInfo())

    def focus_search(self) -> None:
        self.filter_bar.focus_search()

    def has_unsaved_changes(self) -> bool:
        worker, roster = self.worker_dialog, self.import_dialog
        return (worker is not None and worker.isVisible() and worker.is_dirty()) or (
            roster is not None and roster.isVisible() and roster.has_unimported_file()
        )

    def tour_views(self) -> list[tuple[str, QWidget]]:
        if not self._edits:
            return []
        worker = WorkerDialog(self.context, self)
        worker.load(WorkerInfo())
        roster = RosterImportDialog(self.context, self)
        roster.load_file(resource("samples", "roster_example.csv"))  # a preview, not a blank
        return [("worker_dialog", worker), ("roster_import", roster)]

    # -- public API ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the list again, keeping the selected worker selected when still listed."""
        selected = self.selected_row()
        self.model.refresh()
        if selected is not None:
            self.select_worker(selected.id)
        self._update_total()
        self._update_actions()

    def filters(self) -> WorkerFilter:
        return WorkerFilter(
            search=self.filter_bar.search_text(),
            department_id=self.department.currentData(),
            job_category=self.job_category.currentData(),
            employment_type=self.employment_type.currentData(),
            active=self.status.currentData(),
        )

    def selected_row(self) -> WorkerRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select_worker(self, worker_id: int) -> bool:
        """Select the worker among the rows read so far."""
        for row in range(self.model.rowCount()):
            item = self.model.row_at(row)
            if item is not None and item.id == worker_id:
                index = self.model.index(row, 0)
                self.table.selectionModel().setCurrentIndex(
                    index,
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
                self.table.scrollTo(index)
                return True
        return False

    def edit_selected(self) -> None:
        row = self.selected_row()
        if row is None or not self._edits:
            return
        try:
            with self.context.database.session() as session:
                info = get_worker(session, self.context.actor, row.id)
        except UserError as error:
            self.context.ask.error(self, _("Edit worker"), str(error))
            self.refresh()
            return
        self._open_worker(info)

    def toggle_selected_active(self) -> None:
        """Deactivate (or reactivate) the selected worker after asking."""
        row = self.selected_row()
        if row is None or not self._can_manage:
            return
        if row.active:
            title = _("Deactivate worker")
            question = _(
                "Deactivate {name} ({staff_no})? The worker leaves the active list; "
                "their records are kept and they can be reactivated."
            ).format(name=row.name, staff_no=row.staff_no)
        else:
            title = _("Reactivate worker")
            question = _("Reactivate {name} ({staff_no})?").format(
                name=row.name, staff_no=row.staff_no
            )
        if not self.context.ask.confirm(self, title, question):
            return
        try:
            with self.context.database.transaction() as session:
                set_worker_active(session, self.context.actor, row.id, not row.active)
        except UserError as error:
            self.context.ask.error(self, title, str(error))
        self.refresh()
        self.workers_changed.emit()

    def open_import(self) -> RosterImportDialog | None:
        if not self._edits:
            return None
        dialog = RosterImportDialog(self.context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(self._on_imported)
        dialog.finished.connect(self._on_import_dialog_finished)
        self.import_dialog = dialog
        dialog.open()
        return dialog

    # -- private: building --------------------------------------------------------------------

    def _build(self) -> None:
        self.filter_bar = ListFilterBar(self)
        self.search = self.filter_bar.search
        self.search_timer = self.filter_bar.search_timer
        self.department = self.filter_bar.add_combo()
        self.job_category = self.filter_bar.add_combo()
        self.employment_type = self.filter_bar.add_combo()
        self.status = self.filter_bar.add_combo()
        self.filter_bar.filters_changed.connect(self._apply_filters)

        self.new_button = QPushButton(self)
        self.edit_button = QPushButton(self)
        self.active_button = QPushButton(self)
        self.import_button = QPushButton(self)
        self.total_label = QLabel(self)
        self.new_button.clicked.connect(self.new_item)
        self.edit_button.clicked.connect(self.edit_selected)
        self.active_button.clicked.connect(self.toggle_selected_active)
        self.import_button.clicked.connect(self.open_import)
        self.mirror_button(self.new_button)  # Ctrl+N is the window's Edit › New
        self.mirror_button(self.edit_button, "Ctrl+E")
        self.mirror_button(self.active_button, "Ctrl+D")
        self.mirror_button(self.import_button, "Ctrl+I")
        # Health data open in their own window, for roles that may see serostatus.
        self.immunisation_dialog: ImmunisationDialog | None = None
        self.immunisation_button = QPushButton(self)
        self.immunisation_button.clicked.connect(self.open_immunisation)
        self.immunisation_button.setVisible(ImmunisationPanel.visible_for(self.context.actor))
        for button in (self.new_button, self.edit_button, self.active_button, self.import_button):
            button.setVisible(self._edits if button is not self.active_button else self._can_manage)

        self.model = WorkerTableModel(self.context.database, self.context.actor, parent=self)
        self.model.load_failed.connect(self._on_load_failed)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        for column, width in enumerate((110, 150, 70, 190, 190, 170, 120, 70)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setSortingEnabled(True)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        open_on_enter(self.table, self.edit_selected)

        actions = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.active_button, self.import_button):
            actions.addWidget(button)
        actions.addWidget(self.immunisation_button)
        actions.addStretch(1)
        actions.addWidget(self.total_label)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter_bar)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)

    def _fill_code_filters(self) -> None:
        fill_code_combo(self.job_category, JOB_CATEGORIES, any_label=_("All job categories"))
        fill_code_combo(self.employment_type, EMPLOYMENT_TYPES, any_label=_("All employment types"))
        fill_combo(self.status, [(_(label), value) for value, label in _STATUSES])

    def _load_departments(self) -> None:
        with self.context.database.session() as session:
            departments = list_departments(session)
        language = current_language()
        fill_combo(
            self.department,
            [(_("All departments"), None)] + [(d.name(language), d.id) for d in departments],
        )

    # -- private: events ----------------------------------------------------------------------

    def _apply_filters(self) -> None:
        self.search_timer.stop()
        self.model.set_filters(self.filters())
        self._update_total()
        self._update_actions()

    def _update_total(self) -> None:
        try:
            with self.context.database.session() as session:
                total = count_workers(session, self.context.actor, self.model.filters)
        except UserError as error:
            self.total_label.setText(str(error))
            return
        # Not ngettext: "Workers: 1" reads well in English and the catalogue stays singular.
        self.total_label.setText(_("Workers: {count}").format(count=format_number(total)))

    def _update_actions(self) -> None:
        row = self.selected_row()
        self.edit_button.setEnabled(row is not None)
        self.active_button.setEnabled(row is not None)
        self.immunisation_button.setEnabled(row is not None)
        self.active_button.setText(
            _("Mark as in service") if row is not None and not row.active else _("Mark as left")
        )

    def _on_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.edit_selected()

    def _on_load_failed(self, message: str) -> None:
        self.total_label.setText(message)

    def _open_worker(self, info: WorkerInfo) -> None:
        if self.worker_dialog is not None and self.worker_dialog.isVisible():
            self.worker_dialog.raise_()
            self.worker_dialog.activateWindow()
            return
        dialog = WorkerDialog(self.context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.load(info)
        dialog.saved.connect(self._on_worker_saved)
        dialog.finished.connect(self._on_worker_dialog_finished)
        self.worker_dialog = dialog
        dialog.open()

    # Bound methods, not lambdas, are connected to dialogs that delete themselves on close:
    # PySide6 (6.11 and 6.12 alike) crashes once such a dialog is deleted while a lambda is
    # still connected to it ("shared QObject was deleted directly").

    def _on_worker_dialog_finished(self, _result: int) -> None:
        self.worker_dialog = None

    def _on_import_dialog_finished(self, _result: int) -> None:
        self.import_dialog = None

    def open_immunisation(self) -> ImmunisationDialog | None:
        """The selected worker's hepatitis B doses, anti-HBs and baseline serology."""
        row = self.selected_row()
        if row is None or not ImmunisationPanel.visible_for(self.context.actor):
            return None
        if self.immunisation_dialog is not None and self.immunisation_dialog.isVisible():
            self.immunisation_dialog.raise_()
            return self.immunisation_dialog
        dialog = ImmunisationDialog(self.context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.set_worker(row.id, row.name, row.staff_no)
        dialog.finished.connect(self._on_immunisation_finished)
        self.immunisation_dialog = dialog
        dialog.resize(960, 620)
        dialog.open()
        return dialog

    def _on_immunisation_finished(self, _result: int) -> None:
        self.immunisation_dialog = None

    def _on_worker_saved(self, info: WorkerInfo) -> None:
        self.model.refresh()
        if info.id is not None:
            self.select_worker(info.id)
        self._update_total()
        self._update_actions()
        self.workers_changed.emit()

    def _on_imported(self, _result: object) -> None:
        self.refresh()
        self.workers_changed.emit()
