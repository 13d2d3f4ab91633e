"""Action plan: every improvement item from the hazard register, HealthWISE rounds and the
committee, filtered and sorted in SQL, as a list or as a board of cards by status."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.domain.actions import ACTION_STATUSES, SOURCE_KINDS
from hospital_osh.domain.codes import N_
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _, current_language, format_number
from hospital_osh.services import actions
from hospital_osh.services.actions import ActionFilter, ActionInfo, ActionRow
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import UserError
from hospital_osh.services.hospital import list_departments
from hospital_osh.ui import sidebar_counts
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.action_dialog import ActionDialog
from hospital_osh.ui.itemmodels.action_table_model import ActionTableModel
from hospital_osh.ui.pages.base import Page
from hospital_osh.ui.widgets.action_board import ActionBoard
from hospital_osh.ui.widgets.code_combo import fill_combo, select_data
from hospital_osh.ui.widgets.enter_opens import open_on_enter
from hospital_osh.ui.widgets.list_filter_bar import ListFilterBar

OPEN_ITEMS = "__open__"
_OVERDUE_CHOICES: tuple[tuple[bool | None, str], ...] = (
    (None, N_("Overdue or not")),
    (True, N_("Overdue only")),
    (False, N_("Not overdue")),
)
_OWNER_CHOICES: tuple[tuple[str | None, str], ...] = (
    (None, N_("All owners")),
    ("me", N_("Owned by me")),
)


def _open_pdf(path: Path) -> None:
    from hospital_osh.ui.dialogs.action_dialog import open_with_system

    open_with_system(path)


class ActionsPage(Page):
    """The action plan list and board, with the steps the user's role allows."""

    key = "actions"
    title = N_("Action plan")
    icon = "clipboard-check"
    order = 70

    # -- signals ------------------------------------------------------------------------------
    actions_changed = Signal()
    """Emitted after this page saved or moved an item."""
    badge_changed = Signal()
    """Emitted when the overdue count in the sidebar may have changed."""

    def __init__(self, context: AppContext, parent: QWidget | None = None, *, open_file=None):  # type: ignore[no-untyped-def]
        super().__init__(context, parent)
        self.action_dialog: ActionDialog | None = None
        self._can_manage = context.actor.can(Permission.MANAGE_ACTIONS)
        self._open_file = open_file or _open_pdf
        self._build()
        self.retranslate()  # also fills the filter combos
        select_data(self.status, OPEN_ITEMS)
        self.filter_bar.apply_now()

    # -- Page API -----------------------------------------------------------------------------

    @classmethod
    def visible_for(cls, actor: Actor) -> bool:
        return actor.can(Permission.VIEW_ACTIONS)

    @classmethod
    def badge(cls, context: AppContext) -> int | None:
        """The overdue items, beside the page's title in the sidebar (none: no badge)."""
        return sidebar_counts.overdue_actions(context)

    def activated(self) -> None:
        self._load_departments()
        self.refresh()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(_("Search by reference, what, owner or place…"))
        self.search.setToolTip(self.search.placeholderText())
        fill_combo(
            self.status,
            [(_("All statuses"), None), (_("Open items"), OPEN_ITEMS)]
            + [(_(entry.label), entry.code) for entry in ACTION_STATUSES],
        )
        fill_combo(self.overdue, [(_(label), value) for value, label in _OVERDUE_CHOICES])
        fill_combo(self.owner, [(_(label), value) for value, label in _OWNER_CHOICES])
        fill_combo(
            self.source,
            [(_("All sources"), None)] + [(_(entry.label), entry.code) for entry in SOURCE_KINDS],
        )
        self._load_departments()
        for combo, tip in (
            (self.status, _("Status")),
            (self.overdue, _("Overdue")),
            (self.owner, _("Owner")),
            (self.department, _("Department")),
            (self.source, _("Source")),
        ):
            combo.setToolTip(tip)
            combo.setAccessibleName(tip)
        self.new_button.setText(_("New item…"))
        self.new_button.setToolTip(_("Propose an action item (Ctrl+N)"))
        self.edit_button.setText(_("Open…"))
        self.edit_button.setToolTip(_("Open the selected item (Enter or double-click)"))
        self.board_button.setText(_("Board by status"))
        self.board_button.setToolTip(_("Show the items as cards in one column per status"))
        self.print_button.setText(_("Action plan PDF"))
        self.print_button.setToolTip(_("The items listed, as a table to print"))
        self.print_zh.setText(_("In Chinese…"))
        self.print_en.setText(_("In English…"))
        self.table.setAccessibleName(_("Action items"))
        self.model.retranslate()
        if self.board_button.isChecked():
            self.board.retranslate()
        self._update_actions()
        self._update_total()

    def new_item(self) -> None:
        if self._can_manage:
            self._open_action(ActionInfo())

    def focus_search(self) -> None:
        self.filter_bar.focus_search()

    def has_unsaved_changes(self) -> bool:
        dialog = self.action_dialog
        return dialog is not None and dialog.isVisible() and dialog.is_dirty()

    def tour_views(self) -> list[tuple[str, QWidget]]:
        views: list[tuple[str, QWidget]] = []
        row = self.model.row_at(0)
        if row is not None:
            dialog = ActionDialog(self.context, self)
            with self.context.database.session() as session:
                dialog.load(actions.get_action(session, self.context.actor, row.id))
            views.append(("action_dialog", dialog))
        elif self._can_manage:
            dialog = ActionDialog(self.context, self)
            views.append(("action_dialog", dialog))
        return views

    def tour_states(self) -> list[tuple[str, Callable[[], object]]]:
        return [("board", self._show_board_for_tour)]

    # -- public API ---------------------------------------------------------------------------

    def refresh(self) -> None:
        selected = self.selected_row()
        self.model.refresh()
        if selected is not None:
            self.select_action(selected.id)
        if self.board_button.isChecked():
            self.board.set_filters(self.filters())
        self._update_total()
        self._update_actions()

    def filters(self) -> ActionFilter:
        status = self.status.currentData()
        owner = self.owner.currentData()
        return ActionFilter(
            statuses=(status,) if status and status != OPEN_ITEMS else (),
            open_only=status == OPEN_ITEMS,
            overdue=self.overdue.currentData(),
            department_id=self.department.currentData(),
            source_kind=self.source.currentData(),
            owner_user_id=self.context.actor.user_id if owner == "me" else None,
            search=self.filter_bar.search_text(),
        )

    def show_overdue(self) -> None:
        """Every overdue item (the dashboard links here)."""
        select_data(self.status, None)
        select_data(self.overdue, True)
        self.filter_bar.apply_now()

    def apply_filter(self, filters: ActionFilter) -> None:
        """Show the items under ``filters``, every other filter cleared (the dashboard links
        here: one status, the overdue items). The list filters by one status at most."""
        status = OPEN_ITEMS if filters.open_only else next(iter(filters.statuses), None)
        mine = filters.owner_user_id is not None
        for combo, value in (
            (self.status, status),
            (self.overdue, filters.overdue),
            (self.owner, "me" if mine else None),
            (self.department, filters.department_id),
            (self.source, filters.source_kind),
        ):
            with QSignalBlocker(combo):
                select_data(combo, value)
        with QSignalBlocker(self.search):
            self.search.setText(filters.search)
        self.filter_bar.apply_now()

    def set_board_visible(self, visible: bool) -> None:
        self.board_button.setChecked(visible)

    def _show_board_for_tour(self) -> None:
        self.set_board_visible(True)

    def selected_row(self) -> ActionRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select_action(self, action_id: int) -> bool:
        for row in range(self.model.rowCount()):
            item = self.model.row_at(row)
            if item is not None and item.id == action_id:
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
        if row is not None:
            self.open_action(row.id)

    def open_action(self, action_id: int) -> ActionDialog | None:
        try:
            with self.context.database.session() as session:
                info = actions.get_action(session, self.context.actor, action_id)
        except UserError as error:
            self.context.ask.error(self, _("Open action item"), str(error))
            self.refresh()
            return None
        return self._open_action(info)

    def print_plan(self, path: Path | None = None, language: str | None = None) -> None:
        """Build the action plan PDF of the listed items off the GUI thread."""
        language = language or current_language()
        if path is None:
            name, _filter = QFileDialog.getSaveFileName(
                self,
                _("Save the action plan"),
                str(Path.home() / _("action-plan.pdf")),
                _("PDF files (*.pdf)"),
            )
            if not name:
                return
            path = Path(name)
        database, actor, filters = self.context.database, self.context.actor, self.filters()
        sort, descending = self.model.sort_key()
        target = path

        def job(state):  # type: ignore[no-untyped-def]
            from hospital_osh.reports.action_plan import build_action_plan
            from hospital_osh.services.hospital import get_profile

            with database.session() as session:
                rows = actions.list_actions(session, actor, filters, sort, descending, 0, 100_000)
                profile = get_profile(session)
            state.report(1, 2, "")
            hospital = ""
            if profile is not None:
                hospital = profile.name_zh if language == "zh_CN" else profile.name_en
            build_action_plan(rows, language, target, hospital_name=hospital)
            return target

        self.print_button.setEnabled(False)
        self.status_label.setText(_("Writing the PDF…"))
        self.context.runner.run(job, on_done=self._on_printed, on_error=self._on_print_failed)

    # -- private: building --------------------------------------------------------------------

    def _build(self) -> None:
        bar = self.filter_bar = ListFilterBar(self)
        self.search = bar.search
        self.status = bar.add_combo(min_contents=7)
        self.overdue = bar.add_combo(min_contents=7)
        self.owner = bar.add_combo(min_contents=7)
        self.department = bar.add_combo(min_contents=7)
        self.source = bar.add_combo(min_contents=7)
        bar.filters_changed.connect(self._apply_filters)

        self.new_button = QPushButton(self)
        self.new_button.setVisible(self._can_manage)
        self.new_button.clicked.connect(self.new_item)
        self.edit_button = QPushButton(self)
        self.edit_button.clicked.connect(self.edit_selected)
        self.board_button = QPushButton(self)
        self.board_button.setCheckable(True)
        self.board_button.toggled.connect(self._on_board_toggled)
        self.print_button = QPushButton(self)
        menu = QMenu(self.print_button)
        self.print_zh = QAction(menu)
        self.print_en = QAction(menu)
        self.print_zh.triggered.connect(self._print_chinese)
        self.print_en.triggered.connect(self._print_english)
        menu.addAction(self.print_zh)
        menu.addAction(self.print_en)
        self.print_button.setMenu(menu)
        self.total_label = QLabel(self)
        self.status_label = QLabel(self)
        self.status_label.setProperty("role", "hint")

        self.model = ActionTableModel(self.context.database, self.context.actor, parent=self)
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
        for column, width in enumerate((110, 220, 130, 125, 80, 100, 140, 90, 80)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        header.setSortIndicator(3, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        open_on_enter(self.table, self.edit_selected)

        self.board = ActionBoard(self.context, self)
        self.board.open_requested.connect(self.open_action)
        self.board.moved.connect(self._on_card_moved)
        self.views = QStackedWidget(self)
        self.views.addWidget(self.table)
        self.views.addWidget(self.board)

        buttons = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.board_button, self.print_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.total_label)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter_bar)
        layout.addLayout(buttons)
        layout.addWidget(self.views, 1)
        layout.addWidget(self.status_label)
        self.mirror_button(self.new_button)  # Ctrl+N is the window's Edit › New
        self.mirror_button(self.edit_button, "Ctrl+E")
        self.mirror_button(self.board_button, "Ctrl+B")

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
        """The bar's ``filters_changed``; call ``filter_bar.apply_now()`` to filter now."""
        filters = self.filters()
        self.model.set_filters(filters)
        if self.board_button.isChecked():
            self.board.set_filters(filters)
        self._update_total()
        self._update_actions()

    def _update_total(self) -> None:
        try:
            with self.context.database.session() as session:
                counts = actions.action_counts(session, self.context.actor, self.model.filters)
        except UserError as error:
            self.total_label.setText(str(error))
            return
        self.total_label.setText(
            _("Items: {count} · overdue: {overdue}").format(
                count=format_number(counts.total), overdue=format_number(counts.overdue)
            )
        )

    def _update_actions(self) -> None:
        in_list = not self.board_button.isChecked()
        self.edit_button.setEnabled(in_list and self.selected_row() is not None)

    def _on_board_toggled(self, checked: bool) -> None:
        self.views.setCurrentWidget(self.board if checked else self.table)
        if checked:
            self.board.set_filters(self.filters())
        self._update_actions()

    def _on_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.edit_selected()

    def _on_load_failed(self, message: str) -> None:
        self.total_label.setText(message)

    def _open_action(self, info: ActionInfo) -> ActionDialog | None:
        if self.action_dialog is not None and self.action_dialog.isVisible():
            self.action_dialog.raise_()
            self.action_dialog.activateWindow()
            return None
        dialog = ActionDialog(self.context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.load(info)
        dialog.saved.connect(self._on_action_saved)
        dialog.changed.connect(self._on_action_changed)
        dialog.finished.connect(self._on_action_dialog_finished)
        self.action_dialog = dialog
        dialog.open()
        return dialog

    # Bound methods, not lambdas, on dialogs that delete themselves (see staff_page).

    def _on_action_dialog_finished(self, _result: int) -> None:
        self.action_dialog = None

    def _on_action_saved(self, info: ActionInfo) -> None:
        self.refresh()
        if info.id is not None:
            self.select_action(info.id)
        self.actions_changed.emit()
        self.badge_changed.emit()

    def _on_action_changed(self, _info: ActionInfo) -> None:
        self.refresh()
        self.actions_changed.emit()
        self.badge_changed.emit()

    def _on_card_moved(self, _action_id: int) -> None:
        """A card dropped on another column: the list and the counts follow."""
        self.model.refresh()
        self._update_total()
        self.actions_changed.emit()
        self.badge_changed.emit()

    def _print_chinese(self) -> None:
        self.print_plan(language="zh_CN")

    def _print_english(self) -> None:
        self.print_plan(language="en")

    def _on_printed(self, path: Path) -> None:
        self.print_button.setEnabled(True)
        self.status_label.setText(_("Saved {path}").format(path=path))
        self._open_file(Path(path))

    def _on_print_failed(self, error: BaseException) -> None:
        self.print_button.setEnabled(True)
        self.status_label.setText(_("The PDF could not be written: {reason}").format(reason=error))
