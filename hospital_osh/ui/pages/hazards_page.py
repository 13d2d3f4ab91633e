"""Hazards: the register list with its filters beside the risk matrix, the hazard dialog, the
review state (due and overdue highlighted) and the printed register.

Picking a matrix cell filters the list to that cell; the other filters narrow the matrix counts
too, so both views always show the same hazards. The list is filtered, sorted and paged in SQL.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.domain.codes import N_
from hospital_osh.domain.hazards import CATEGORIES
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _, current_language, format_number
from hospital_osh.services import hazards
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import UserError
from hospital_osh.services.hazards import HazardFilter, HazardInfo, HazardRow
from hospital_osh.services.hospital import list_departments
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.hazard_dialog import HazardDialog
from hospital_osh.ui.itemmodels.hazard_table_model import HazardTableModel
from hospital_osh.ui.pages.base import Page
from hospital_osh.ui.widgets.code_combo import fill_code_combo, fill_combo, select_data
from hospital_osh.ui.widgets.enter_opens import open_on_enter
from hospital_osh.ui.widgets.list_filter_bar import ListFilterBar
from hospital_osh.ui.widgets.risk_matrix_widget import RiskMatrixWidget

_REVIEWS: tuple[tuple[str | None, str], ...] = (
    (None, N_("All review dates")),
    ("overdue", N_("Review overdue")),
    ("due", N_("Review due within 30 days")),
    ("due_or_overdue", N_("Review due or overdue")),
)
_STATUSES: tuple[tuple[str | None, str], ...] = (
    ("active", N_("Active hazards")),
    ("retired", N_("Retired hazards")),
    (None, N_("Active and retired")),
)


class HazardsPage(Page):
    """The hazard register: list, filters, matrix, review state, dialog and printing."""

    key = "hazards"
    title = N_("Hazards")
    icon = "shield-alert"
    order = 40

    # -- signals ------------------------------------------------------------------------------
    hazards_changed = Signal()
    """Emitted after this page saved, accepted, re-assessed or retired a hazard."""
    register_printed = Signal(str)
    """Emitted with the PDF's path once the printed register is written."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.hazard_dialog: HazardDialog | None = None
        self._can_manage = context.actor.can(Permission.MANAGE_HAZARDS)
        self._can_switch = context.actor.can(Permission.MANAGE_HOSPITAL)
        with context.database.session() as session:
            self.matrix = hazards.current_matrix(session)
        self._build()
        self.retranslate()
        self.filter_bar.apply_now()

    # -- Page API -----------------------------------------------------------------------------

    @classmethod
    def visible_for(cls, actor: Actor) -> bool:
        return actor.can(Permission.VIEW_HAZARDS)

    def activated(self) -> None:
        with self.context.database.session() as session:
            matrix = hazards.current_matrix(session)
        if matrix.id != self.matrix.id:
            self._use_matrix(matrix)
        self._load_departments()
        self._load_owners()
        self.refresh()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(_("Search activity, agent, location or reference…"))
        self.search.setToolTip(self.search.placeholderText())
        for combo, tip in (
            (self.department, _("Department")),
            (self.category, _("Category")),
            (self.level, _("Risk level")),
            (self.review, _("Review")),
            (self.owner, _("Risk owner")),
            (self.status, _("Status")),
            (self.matrix_choice, _("Risk matrix of the hazard register")),
        ):
            combo.setToolTip(tip)
            combo.setAccessibleName(tip)
        fill_code_combo(self.category, CATEGORIES, any_label=_("All categories"))
        fill_combo(self.review, [(_(label), value) for value, label in _REVIEWS])
        fill_combo(self.status, [(_(label), value) for value, label in _STATUSES])
        self._fill_levels()
        self._fill_matrix_choice()
        self._load_departments()
        self._load_owners()
        self.warnings_only.setText(_("Only warnings"))
        self.warnings_only.setToolTip(
            _("Red or orange risks that rely only on administrative controls and PPE")
        )
        self.new_button.setText(_("New hazard…"))
        self.new_button.setToolTip(_("Add a hazard to the register (Ctrl+N)"))
        self.edit_button.setText(_("Open…"))
        self.edit_button.setToolTip(_("Open the selected hazard (Enter or double-click)"))
        self.print_button.setText(_("Print register…"))
        self.print_button.setToolTip(_("The register by department as a PDF, for posting"))
        self.print_zh.setText(_("In Chinese…"))
        self.print_en.setText(_("In English…"))
        self.clear_cell_button.setText(_("Show all cells"))
        self.matrix_title.setText(_("Risk matrix"))
        self.table.setAccessibleName(_("Hazard register"))
        self.matrix_widget.retranslate()
        self.model.retranslate()
        self._update_matrix_source()
        self._update_counts()
        self._update_actions()

    def new_item(self) -> None:
        if self._can_manage:
            self._open_hazard(HazardInfo())

    def focus_search(self) -> None:
        self.filter_bar.focus_search()

    def has_unsaved_changes(self) -> bool:
        dialog = self.hazard_dialog
        return dialog is not None and dialog.isVisible() and dialog.is_dirty()

    def tour_views(self) -> list[tuple[str, QWidget]]:
        dialog = HazardDialog(self.context, self)
        row = self.model.row_at(0)
        if row is not None:
            with self.context.database.session() as session:
                dialog.load(hazards.get_hazard(session, self.context.actor, row.id))
        return [("hazard_dialog", dialog)]

    # -- public API ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the list and the counts again, keeping the selected hazard selected."""
        selected = self.selected_row()
        self.model.refresh()
        if selected is not None:
            self.select_hazard(selected.id)
        self._update_counts()
        self._update_actions()

    def filters(self) -> HazardFilter:
        return HazardFilter(
            department_id=self.department.currentData(),
            category=self.category.currentData(),
            level=self.level.currentData(),
            review=self.review.currentData(),
            owner=self.owner.currentData(),
            cell=self.matrix_widget.selected_cell(),
            status=self.status.currentData(),
            warning_only=self.warnings_only.isChecked(),
            search=self.filter_bar.search_text(),
        )

    def selected_row(self) -> HazardRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select_hazard(self, hazard_id: int) -> bool:
        for row in range(self.model.rowCount()):
            item = self.model.row_at(row)
            if item is not None and item.id == hazard_id:
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
        if row is None:
            return
        try:
            with self.context.database.session() as session:
                info = hazards.get_hazard(session, self.context.actor, row.id)
        except UserError as error:
            self.context.ask.error(self, _("Open hazard"), str(error))
            self.refresh()
            return
        self._open_hazard(info)

    def show_review(self, review: str | None) -> None:
        """Filter to due or overdue reviews (the dashboard links here)."""
        select_data(self.review, review)
        self.filter_bar.apply_now()

    def apply_filter(self, filters: HazardFilter) -> None:
        """Show the register under ``filters``, every other filter cleared (the dashboard
        links here: a cell of the matrix, the overdue reviews, the whole register)."""
        for combo, value in (
            (self.department, filters.department_id),
            (self.category, filters.category),
            (self.level, filters.level),
            (self.review, filters.review),
            (self.owner, filters.owner),
            (self.status, filters.status),
        ):
            with QSignalBlocker(combo):
                select_data(combo, value)
        with QSignalBlocker(self.warnings_only):
            self.warnings_only.setChecked(filters.warning_only)
        with QSignalBlocker(self.search):
            self.search.setText(filters.search)
        self.matrix_widget.select_cell(filters.cell, notify=False)
        self.filter_bar.apply_now()

    def print_register(self, path: Path | None = None, language: str | None = None) -> None:
        """Build the register PDF off the GUI thread; ask for the file when ``path`` is None."""
        language = language or current_language()
        if path is None:
            name, _filter = QFileDialog.getSaveFileName(
                self,
                _("Save the hazard register"),
                str(Path.home() / _("hazard-register.pdf")),
                _("PDF files (*.pdf)"),
            )
            if not name:
                return
            path = Path(name)
        database, actor, filters = self.context.database, self.context.actor, self.filters()
        target = path

        def job(state):  # type: ignore[no-untyped-def]
            from hospital_osh.reports.hazard_register import build_hazard_register

            with database.session() as session:
                data = hazards.register_data(session, actor, filters)
            state.report(1, 2, "")
            build_hazard_register(data, language, target)
            return str(target)

        self.print_button.setEnabled(False)
        self.context.runner.run(job, on_done=self._on_printed, on_error=self._on_print_failed)

    # -- private: building --------------------------------------------------------------------

    def _build(self) -> None:
        bar = self.filter_bar = ListFilterBar(self)
        self.search = bar.search
        self.department = bar.add_combo(min_contents=5)
        self.category = bar.add_combo(min_contents=5)
        self.level = bar.add_combo(min_contents=5)
        self.review = bar.add_combo(min_contents=5)
        self.owner = bar.add_combo(min_contents=5)
        self.status = bar.add_combo(min_contents=5)
        bar.filters_changed.connect(self._apply_filters)
        # Beside the counts it narrows, not in the bar: the bar's row is full at 1024 pixels.
        self.warnings_only = QCheckBox(self)
        self.warnings_only.toggled.connect(bar.apply_now)

        self.new_button = QPushButton(self)
        self.new_button.setVisible(self._can_manage)
        self.new_button.clicked.connect(self.new_item)
        self.edit_button = QPushButton(self)
        self.edit_button.clicked.connect(self.edit_selected)
        self.print_button = QPushButton(self)
        menu = QMenu(self.print_button)
        self.print_zh = QAction(menu)
        self.print_en = QAction(menu)
        self.print_zh.triggered.connect(self._print_chinese)
        self.print_en.triggered.connect(self._print_english)
        menu.addAction(self.print_zh)
        menu.addAction(self.print_en)
        self.print_button.setMenu(menu)
        self.counts_label = QLabel(self)
        self.counts_label.setWordWrap(True)
        self.status_label = QLabel(self)
        self.status_label.setProperty("role", "hint")

        self.model = HazardTableModel(
            self.context.database, self.context.actor, self.matrix, parent=self
        )
        self.model.load_failed.connect(self._on_load_failed)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((70, 180, 90, 175, 120, 260, 90, 120)):
            header.resizeSection(column, width)
        header.setStretchLastSection(False)
        header.setSortIndicator(1, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        open_on_enter(self.table, self.edit_selected)

        self.matrix_title = QLabel(self)
        self.matrix_title.setObjectName("sectionTitle")
        self.matrix_choice = QComboBox(self)
        self.matrix_choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.matrix_choice.setMinimumContentsLength(12)
        self.matrix_choice.setVisible(self._can_switch)
        self.matrix_choice.currentIndexChanged.connect(self._on_matrix_chosen)
        self.matrix_widget = RiskMatrixWidget(self.matrix, self)
        self.matrix_widget.cell_selected.connect(self._on_cell_selected)
        self.clear_cell_button = QPushButton(self)
        self.clear_cell_button.clicked.connect(self._clear_cell)
        self.matrix_source = QLabel(self)
        self.matrix_source.setProperty("role", "hint")
        self.matrix_source.setWordWrap(True)

        actions = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.print_button):
            actions.addWidget(button)
        actions.addStretch(1)
        counts = QHBoxLayout()
        counts.addWidget(self.warnings_only)
        counts.addWidget(self.counts_label, 1)
        left = QWidget(self)
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addLayout(actions)
        left_box.addLayout(counts)
        left_box.addWidget(self.table, 1)
        left_box.addWidget(self.status_label)
        right = QWidget(self)
        right_box = QVBoxLayout(right)
        right_box.setContentsMargins(8, 0, 0, 0)
        title_row = QHBoxLayout()
        title_row.addWidget(self.matrix_title)
        title_row.addStretch(1)
        title_row.addWidget(self.matrix_choice)
        right_box.addLayout(title_row)
        right_box.addWidget(self.matrix_widget)
        right_box.addWidget(self.clear_cell_button, 0, Qt.AlignmentFlag.AlignRight)
        right_box.addWidget(self.matrix_source)
        right_box.addStretch(1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([880, 400])
        right.setMaximumWidth(560)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.splitter, 1)

    def _fill_levels(self) -> None:
        language = current_language()
        fill_combo(
            self.level,
            [(_("All levels"), None)]
            + [(level.name.text(language), level.code) for level in self.matrix.levels],
        )

    def _fill_matrix_choice(self) -> None:
        language = current_language()
        items = [(m.name.text(language), m.id) for m in hazards.shipped_matrices()]
        fill_combo(self.matrix_choice, items, keep=False)
        self.matrix_choice.blockSignals(True)
        select_data(self.matrix_choice, self.matrix.id)
        self.matrix_choice.blockSignals(False)

    def _load_departments(self) -> None:
        with self.context.database.session() as session:
            departments = list_departments(session)
        language = current_language()
        fill_combo(
            self.department,
            [(_("All departments"), None)] + [(d.name(language), d.id) for d in departments],
        )

    def _load_owners(self) -> None:
        try:
            with self.context.database.session() as session:
                names = hazards.owners(session, self.context.actor)
        except UserError:
            names = []
        fill_combo(self.owner, [(_("All owners"), None)] + [(name, name) for name in names])

    # -- private: events ----------------------------------------------------------------------

    def _apply_filters(self) -> None:
        """The bar's ``filters_changed``; call ``filter_bar.apply_now()`` to filter now."""
        self.model.set_filters(self.filters())
        self._update_counts()
        self._update_actions()

    def _update_counts(self) -> None:
        filters = self.model.filters
        try:
            with self.context.database.session() as session:
                total = hazards.count_hazards(session, self.context.actor, filters)
                cells = hazards.cell_counts(session, self.context.actor, filters)
                summary = hazards.review_summary(session, self.context.actor)
        except UserError as error:
            self.counts_label.setText(str(error))
            return
        self.matrix_widget.set_counts(cells)
        text = _(
            "Hazards: {total} · reviews overdue: {overdue} · due soon: {due} · "
            "warnings: {warnings} · awaiting acceptance: {acceptance}"
        ).format(
            total=format_number(total),
            overdue=format_number(summary.overdue),
            due=format_number(summary.due),
            warnings=format_number(summary.warnings),
            acceptance=format_number(summary.acceptance_missing),
        )
        self.counts_label.setText(text)
        style.set_role(self.counts_label, "error" if summary.overdue else "")
        self.clear_cell_button.setEnabled(self.matrix_widget.selected_cell() is not None)

    def _update_actions(self) -> None:
        self.edit_button.setEnabled(self.selected_row() is not None)

    def _update_matrix_source(self) -> None:
        language = current_language()
        evidence = {
            "V": _("verified"),
            "P": _("partly verified"),
            "U": _("unverified: check against the primary document"),
        }
        self.matrix_source.setText(
            _("{description} Source: {source} ({evidence}).").format(
                description=self.matrix.description.text(language),
                source=self.matrix.source,
                evidence=evidence.get(self.matrix.verified, self.matrix.verified),
            )
        )

    def _use_matrix(self, matrix) -> None:  # type: ignore[no-untyped-def]
        self.matrix = matrix
        self.matrix_widget.select_cell(None, notify=False)
        self.matrix_widget.set_matrix(matrix)
        self._fill_levels()
        self._fill_matrix_choice()
        self._update_matrix_source()
        self.model.set_matrix(matrix)
        self.filter_bar.apply_now()

    def _on_matrix_chosen(self) -> None:
        matrix_id = self.matrix_choice.currentData()
        if matrix_id is None or matrix_id == self.matrix.id:
            return
        try:
            with self.context.database.transaction() as session:
                matrix = hazards.set_risk_matrix(session, self.context.actor, matrix_id)
        except UserError as error:
            self.context.ask.error(self, _("Risk matrix"), str(error))
            self._fill_matrix_choice()
            return
        self._use_matrix(matrix)
        self.hazards_changed.emit()

    def _on_cell_selected(self, _cell: object) -> None:
        self.filter_bar.apply_now()

    def _clear_cell(self) -> None:
        self.matrix_widget.select_cell(None)

    def _on_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.edit_selected()

    def _on_load_failed(self, message: str) -> None:
        self.status_label.setText(message)

    def _open_hazard(self, info: HazardInfo) -> None:
        if self.hazard_dialog is not None and self.hazard_dialog.isVisible():
            self.hazard_dialog.raise_()
            self.hazard_dialog.activateWindow()
            return
        dialog = HazardDialog(self.context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.load(info)
        dialog.saved.connect(self._on_hazard_saved)
        dialog.finished.connect(self._on_hazard_dialog_finished)
        self.hazard_dialog = dialog
        dialog.open()

    # Bound methods, not lambdas, are connected to dialogs that delete themselves on close.

    def _on_hazard_dialog_finished(self, _result: int) -> None:
        self.hazard_dialog = None

    def _on_hazard_saved(self, info: HazardInfo) -> None:
        self._load_owners()
        self.model.refresh()
        if info.id is not None:
            self.select_hazard(info.id)
        self._update_counts()
        self._update_actions()
        self.hazards_changed.emit()

    def _print_chinese(self) -> None:
        self.print_register(language="zh_CN")

    def _print_english(self) -> None:
        self.print_register(language="en")

    def _on_printed(self, path: str) -> None:
        self.print_button.setEnabled(True)
        self.status_label.setText(_("The register was saved to {path}.").format(path=path))
        self.register_printed.emit(path)

    def _on_print_failed(self, error: BaseException) -> None:
        self.print_button.setEnabled(True)
        self.status_label.setText(
            _("The register could not be written: {error}").format(error=error)
        )
