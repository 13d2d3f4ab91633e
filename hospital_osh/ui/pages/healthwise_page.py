"""HealthWISE: the checklist rounds (walk-throughs) and the checklist templates.

Rounds are listed a page at a time (SQL filters and sorting); opening one shows the round's
window (sheets, consensus, plan, progress, PDFs). Templates come shipped (working versions,
labelled so) or imported from the hospital's own edition of the official texts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.domain.codes import N_
from hospital_osh.domain.healthwise import STATES
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _, current_language, format_number, ngettext
from hospital_osh.services import healthwise
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import UserError
from hospital_osh.services.healthwise import (
    AssessmentFilter,
    AssessmentInfo,
    AssessmentRow,
    MemberInfo,
    TemplateSummary,
)
from hospital_osh.services.hospital import list_departments
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.action_dialog import open_with_system
from hospital_osh.ui.dialogs.assessment_dialog import AssessmentDialog
from hospital_osh.ui.dialogs.round_dialog import RoundDialog
from hospital_osh.ui.dialogs.template_import_dialog import TemplateImportDialog
from hospital_osh.ui.itemmodels.assessment_table_model import AssessmentTableModel
from hospital_osh.ui.pages.base import Page
from hospital_osh.ui.widgets.code_combo import fill_combo
from hospital_osh.ui.widgets.enter_opens import open_on_enter
from hospital_osh.ui.widgets.list_filter_bar import ListFilterBar

TEMPLATE_ROLE = Qt.ItemDataRole.UserRole + 1


class HealthwisePage(Page):
    """Rounds and templates, with the steps the user's role allows."""

    key = "healthwise"
    title = N_("HealthWISE")
    icon = "list-checks"
    order = 65

    # -- signals ------------------------------------------------------------------------------
    rounds_changed = Signal()
    """Emitted after a round was created or changed from this page."""

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        open_file: Callable[[Path], None] = open_with_system,
    ):
        super().__init__(context, parent)
        self._can_manage = context.actor.can(Permission.MANAGE_ACTIONS)
        self._open_file = open_file
        self.round_dialog: RoundDialog | None = None
        self.new_dialog: AssessmentDialog | None = None
        self.import_dialog: TemplateImportDialog | None = None
        self.templates: list[TemplateSummary] = []
        self._build()
        self.retranslate()
        self.filter_bar.apply_now()
        self.load_templates()

    # -- Page API -----------------------------------------------------------------------------

    @classmethod
    def visible_for(cls, actor: Actor) -> bool:
        return actor.can(Permission.VIEW_ACTIONS)

    def activated(self) -> None:
        self._load_departments()
        self.refresh()
        self.load_templates()

    def retranslate(self) -> None:
        self.tabs.setTabText(0, _("Checklist rounds"))
        self.tabs.setTabText(1, _("Templates"))
        self.search.setPlaceholderText(_("Search by area or department…"))
        self.search.setToolTip(self.search.placeholderText())
        fill_combo(
            self.state,
            [(_("All steps"), None)] + [(_(entry.label), entry.code) for entry in STATES],
        )
        self.state.setToolTip(_("Step of the round"))
        self.department.setToolTip(_("Department"))
        self._load_departments()
        self.new_button.setText(_("New round…"))
        self.new_button.setToolTip(_("Start a walk-through with a team (Ctrl+N)"))
        self.open_button.setText(_("Open…"))
        self.open_button.setToolTip(_("Open the selected round (Enter or double-click)"))
        self.table.setAccessibleName(_("Checklist rounds"))
        self.install_button.setText(_("Install the shipped templates"))
        self.install_button.setToolTip(
            _("Add the HealthWISE working version and the infection-prevention walk-round")
        )
        self.import_button.setText(_("Import official texts…"))
        self.import_button.setToolTip(
            _("Import your edition's checkpoints from a CSV or Excel file")
        )
        self.blank_button.setText(_("Blank checklist PDF…"))
        self.template_table.setHorizontalHeaderLabels(
            [_("Template"), _("Version"), _("Modules"), _("Checkpoints"), _("Origin"), _("Status")]
        )
        self.model.retranslate()
        self._fill_templates()
        self._update_buttons()
        self._update_total()

    def new_item(self) -> None:
        if self._can_manage:
            self.new_round()

    def focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.filter_bar.focus_search()

    def has_unsaved_changes(self) -> bool:
        dialog, template = self.round_dialog, self.import_dialog
        return (dialog is not None and dialog.isVisible() and dialog.form.is_dirty()) or (
            template is not None and template.isVisible() and template.has_unimported_file()
        )

    def tour_views(self) -> list[tuple[str, QWidget]]:
        views: list[tuple[str, QWidget]] = []
        if self._can_manage:
            dialog = AssessmentDialog(self.context, self)
            views.append(("new_round", dialog))
            views.append(("template_import", TemplateImportDialog(self.context, self)))
        row = self.model.row_at(0)
        if row is not None:
            window = RoundDialog(self.context, row.id, self, open_file=self._open_file)
            views.append(("round_checklist", window))
            plan = RoundDialog(self.context, row.id, self, open_file=self._open_file)
            plan.tabs.setCurrentIndex(1)
            views.append(("round_plan", plan))
            progress = RoundDialog(self.context, row.id, self, open_file=self._open_file)
            progress.tabs.setCurrentIndex(2)
            views.append(("round_progress", progress))
        return views

    def tour_states(self) -> list[tuple[str, Callable[[], object]]]:
        return [("templates", self._show_templates_tab)]

    def _show_templates_tab(self) -> None:
        self.tabs.setCurrentIndex(1)

    # -- public API ---------------------------------------------------------------------------

    def refresh(self) -> None:
        selected = self.selected_row()
        self.model.refresh()
        if selected is not None:
            self.select_round(selected.id)
        self._update_total()
        self._update_buttons()

    def filters(self) -> AssessmentFilter:
        state = self.state.currentData()
        return AssessmentFilter(
            states=(state,) if state else (),
            department_id=self.department.currentData(),
            search=self.filter_bar.search_text(),
        )

    def selected_row(self) -> AssessmentRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select_round(self, assessment_id: int) -> bool:
        for row in range(self.model.rowCount()):
            item = self.model.row_at(row)
            if item is not None and item.id == assessment_id:
                index = self.model.index(row, 0)
                self.table.selectionModel().setCurrentIndex(
                    index,
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
                return True
        return False

    def new_round(self) -> AssessmentDialog | None:
        if not self._can_manage:
            return None
        if not any(t.active for t in self.templates):
            self.context.ask.inform(
                self,
                _("New round"),
                _("Install the shipped templates or import one first (Templates tab)."),
            )
            self.tabs.setCurrentIndex(1)
            return None
        dialog = AssessmentDialog(self.context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        member = MemberInfo(self.context.actor.display_name or "", "facilitator")
        dialog.load(AssessmentInfo(assessed_on=dt.date.today(), members=(member,)))
        dialog.saved.connect(self._on_round_created)
        dialog.finished.connect(self._on_new_dialog_finished)
        self.new_dialog = dialog
        dialog.open()
        return dialog

    def open_selected(self) -> RoundDialog | None:
        row = self.selected_row()
        return self.open_round(row.id) if row is not None else None

    def open_round(self, assessment_id: int) -> RoundDialog | None:
        if self.round_dialog is not None and self.round_dialog.isVisible():
            self.round_dialog.raise_()
            self.round_dialog.activateWindow()
            return self.round_dialog
        try:
            dialog = RoundDialog(self.context, assessment_id, self, open_file=self._open_file)
        except UserError as error:
            self.context.ask.error(self, _("Open round"), str(error))
            return None
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.changed.connect(self._on_round_changed)
        dialog.finished.connect(self._on_round_dialog_finished)
        self.round_dialog = dialog
        dialog.open()
        return dialog

    def load_templates(self) -> None:
        try:
            with self.context.database.session() as session:
                self.templates = healthwise.list_templates(session, self.context.actor)
        except UserError as error:
            self.template_note.setText(str(error))
            return
        self._fill_templates()

    def install_templates(self) -> int:
        try:
            with self.context.database.transaction() as session:
                added = healthwise.install_shipped_templates(session, self.context.actor)
        except UserError as error:
            self.context.ask.error(self, _("Install the shipped templates"), str(error))
            return 0
        self.load_templates()
        self.status_label.setText(
            ngettext(
                "{count} template installed.", "{count} templates installed.", len(added)
            ).format(count=len(added))
            if added
            else _("The shipped templates are installed already.")
        )
        return len(added)

    def open_import(self) -> TemplateImportDialog | None:
        if not self._can_manage:
            return None
        dialog = TemplateImportDialog(self.context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(self._on_template_imported)
        dialog.finished.connect(self._on_import_dialog_finished)
        self.import_dialog = dialog
        dialog.open()
        return dialog

    def selected_template(self) -> TemplateSummary | None:
        rows = self.template_table.selectionModel().selectedRows()
        if not rows:
            return None
        template_id = self.template_table.item(rows[0].row(), 0).data(TEMPLATE_ROLE)
        return next((t for t in self.templates if t.id == template_id), None)

    def toggle_template_active(self) -> None:
        template = self.selected_template()
        if template is None:
            return
        try:
            with self.context.database.transaction() as session:
                healthwise.set_template_active(
                    session, self.context.actor, template.id, not template.active
                )
        except UserError as error:
            self.context.ask.error(self, _("Templates"), str(error))
        self.load_templates()

    def print_blank(self, path: Path | None = None, language: str | None = None) -> None:
        """The selected template's blank checklist for a walk-through, as a PDF."""
        template = self.selected_template()
        if template is None:
            return
        language = language or current_language()
        if path is None:
            name, _filter = QFileDialog.getSaveFileName(
                self,
                _("Save the PDF"),
                str(Path.home() / _("blank-checklist.pdf")),
                _("PDF files (*.pdf)"),
            )
            if not name:
                return
            path = Path(name)
        database, actor, target, template_id = (
            self.context.database,
            self.context.actor,
            path,
            template.id,
        )

        def job(state):  # type: ignore[no-untyped-def]
            from hospital_osh.reports.checklist import build_checklist

            with database.session() as session:
                detail = healthwise.get_template(session, actor, template_id)
            build_checklist(detail, language, target)
            return target

        self.context.runner.run(job, on_done=self._on_printed, on_error=self._on_print_failed)

    # -- private: building --------------------------------------------------------------------

    def _build(self) -> None:
        bar = self.filter_bar = ListFilterBar(self)
        self.search = bar.search
        self.state = bar.add_combo(min_contents=10)
        self.department = bar.add_combo(min_contents=10)
        bar.filters_changed.connect(self._apply_filters)
        self.new_button = QPushButton(self)
        self.new_button.setVisible(self._can_manage)
        self.new_button.clicked.connect(self.new_item)
        self.open_button = QPushButton(self)
        self.open_button.clicked.connect(self.open_selected)
        self.total_label = QLabel(self)

        self.model = AssessmentTableModel(self.context.database, self.context.actor, parent=self)
        self.model.load_failed.connect(self.total_label.setText)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((120, 180, 180, 300, 150, 70)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        open_on_enter(self.table, self.open_selected)

        rounds = QWidget(self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.total_label)
        rounds_layout = QVBoxLayout(rounds)
        rounds_layout.addWidget(self.filter_bar)
        rounds_layout.addLayout(buttons)
        rounds_layout.addWidget(self.table, 1)

        self.install_button = QPushButton(self)
        self.install_button.clicked.connect(self.install_templates)
        self.import_button = QPushButton(self)
        self.import_button.clicked.connect(self.open_import)
        self.active_button = QPushButton(self)
        self.active_button.clicked.connect(self.toggle_template_active)
        for button in (self.install_button, self.import_button, self.active_button):
            button.setVisible(self._can_manage)
        self.blank_button = QPushButton(self)
        self.blank_button.clicked.connect(self._on_blank_clicked)
        self.template_table = QTableWidget(0, 6, self)
        self.template_table.verticalHeader().setVisible(False)
        self.template_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.template_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.template_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        template_header = self.template_table.horizontalHeader()
        template_header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 6):
            template_header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.template_table.itemSelectionChanged.connect(self._on_template_selected)
        self.template_note = QLabel(self)
        self.template_note.setWordWrap(True)
        style.set_role(self.template_note, "hint")
        self.template_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        templates = QWidget(self)
        template_buttons = QHBoxLayout()
        for button in (
            self.install_button,
            self.import_button,
            self.active_button,
            self.blank_button,
        ):
            template_buttons.addWidget(button)
        template_buttons.addStretch(1)
        templates_layout = QVBoxLayout(templates)
        templates_layout.addLayout(template_buttons)
        templates_layout.addWidget(self.template_table, 1)
        templates_layout.addWidget(self.template_note)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(rounds, "")
        self.tabs.addTab(templates, "")
        self.status_label = QLabel(self)
        style.set_role(self.status_label, "hint")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status_label)
        self.mirror_button(self.new_button)  # Ctrl+N is the window's Edit › New
        self.mirror_button(self.open_button, "Ctrl+E")

    def _load_departments(self) -> None:
        with self.context.database.session() as session:
            departments = list_departments(session)
        language = current_language()
        fill_combo(
            self.department,
            [(_("All departments"), None)] + [(d.name(language), d.id) for d in departments],
        )

    def _fill_templates(self) -> None:
        chinese = current_language() == "zh_CN"
        selected = self.selected_template()
        self.template_table.setRowCount(len(self.templates))
        for row, template in enumerate(self.templates):
            name = template.name(chinese)
            origin = _("Shipped") if template.origin == "shipped" else _("Imported")
            status = _("Offered") if template.active else _("Not offered")
            cells = (
                name,
                template.version,
                str(template.module_count),
                str(template.checkpoint_count),
                origin,
                status,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(TEMPLATE_ROLE, template.id)
                self.template_table.setItem(row, column, item)
            if selected is not None and template.id == selected.id:
                self.template_table.selectRow(row)
        if self.templates and not self.template_table.selectionModel().selectedRows():
            self.template_table.selectRow(0)
        self._on_template_selected()

    # -- private: events ----------------------------------------------------------------------

    def _apply_filters(self) -> None:
        """The bar's ``filters_changed``; call ``filter_bar.apply_now()`` to filter now."""
        self.model.set_filters(self.filters())
        self._update_total()
        self._update_buttons()

    def _update_total(self) -> None:
        try:
            with self.context.database.session() as session:
                total = healthwise.count_assessments(
                    session, self.context.actor, self.model.filters
                )
        except UserError as error:
            self.total_label.setText(str(error))
            return
        self.total_label.setText(_("Rounds: {count}").format(count=format_number(total)))

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.selected_row() is not None)

    def _on_template_selected(self) -> None:
        template = self.selected_template()
        self.active_button.setEnabled(template is not None)
        self.blank_button.setEnabled(template is not None)
        self.active_button.setText(
            _("Stop offering") if template is not None and template.active else _("Offer again")
        )
        if template is None:
            self.template_note.setText(
                _("No template yet: install the shipped ones or import your edition.")
                if not self.templates
                else ""
            )
            return
        chinese = current_language() == "zh_CN"
        description = template.description_zh if chinese else template.description_en
        source = template.source_note_zh if chinese else template.source_note_en
        parts = [p for p in (description, source) if p]
        if template.working_version:
            parts.insert(
                0,
                _(
                    "Working version: the checkpoints are written in our own words and are not "
                    "the official text."
                ),
            )
        self.template_note.setText("\n".join(parts))

    def _on_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_selected()

    def _on_round_created(self, info: AssessmentInfo) -> None:
        self.refresh()
        if info.id is not None:
            self.select_round(info.id)
            self.rounds_changed.emit()

    def _on_new_dialog_finished(self, _result: int) -> None:
        self.new_dialog = None

    def _on_round_changed(self) -> None:
        self.refresh()
        self.rounds_changed.emit()

    def _on_round_dialog_finished(self, _result: int) -> None:
        self.round_dialog = None

    def _on_template_imported(self, _summary: object) -> None:
        self.load_templates()

    def _on_import_dialog_finished(self, _result: int) -> None:
        self.import_dialog = None

    def _on_blank_clicked(self) -> None:
        self.print_blank()

    def _on_printed(self, path: Path) -> None:
        self.status_label.setText(_("Saved {path}").format(path=path))
        self._open_file(Path(path))

    def _on_print_failed(self, error: BaseException) -> None:
        self.status_label.setText(_("The PDF could not be written: {reason}").format(reason=error))
