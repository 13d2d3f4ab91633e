"""Follow-ups: every test, visit and treatment the post-exposure schedules planned, by urgency.

Tabs: overdue, due this week, upcoming, every open item, and everything (closed ones too); a
test filter narrows further. Each row names the case and the worker; one click (Enter or a
double-click) enters a result; the case opens on its post-exposure tab. What the role may not see
comes masked from the service (``•••`` for names, "hidden" for results) and a note says so.

The window's sidebar shows the overdue count beside the page's title (``badge``); the page emits
``badge_changed`` after each write so the window reads it again at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.domain.codes import N_
from hospital_osh.domain.protocol_vocab import FOLLOWUP_ITEMS
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _, format_number
from hospital_osh.services import followups
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import UserError
from hospital_osh.services.exposures import get_exposure
from hospital_osh.services.followups import FollowupFilter, FollowupRow, ResultSaved
from hospital_osh.ui import sidebar_counts, style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.exposure_dialog import ExposureDialog
from hospital_osh.ui.dialogs.followup_close_dialog import FollowupCloseDialog
from hospital_osh.ui.dialogs.followup_date_dialog import FollowupDateDialog
from hospital_osh.ui.dialogs.followup_result_dialog import (
    FollowupResultDialog,
    seroconversion_text,
)
from hospital_osh.ui.itemmodels.followup_table_model import COLUMNS, FollowupTableModel
from hospital_osh.ui.pages.base import Page
from hospital_osh.ui.widgets.code_combo import fill_combo

SCOPES: tuple[tuple[str, str], ...] = (
    ("overdue", N_("Overdue")),
    ("due_week", N_("Due this week")),
    ("upcoming", N_("Upcoming")),
    ("open", N_("All open")),
    ("all", N_("All, with closed")),
)
"""(service scope, tab title source string), in tab order."""


class FollowupsPage(Page):
    """The list of follow-up items, its tabs and the actions the role allows."""

    key = "followups"
    title = N_("Follow-ups")
    icon = "calendar-check"
    order = 30

    # -- signals ------------------------------------------------------------------------------
    badge_changed = Signal()
    """Emitted after a write here: the sidebar's overdue count may have changed."""
    followups_changed = Signal()
    """Emitted after a result, a date change or a closing was saved from this page."""

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] | None = None,
    ):
        super().__init__(context, parent)
        actor = context.actor
        self._today = today
        self._manages = actor.can(Permission.MANAGE_POST_EXPOSURE)
        self._opens = actor.can(Permission.VIEW_EXPOSURES)
        self.dialog: QWidget | None = None
        self.exposure_dialog: ExposureDialog | None = None
        self.last_message = ""
        self._build()
        self.retranslate()  # the data is read when the page is shown: ``activated()``

    # -- Page API -----------------------------------------------------------------------------

    @classmethod
    def visible_for(cls, actor: Actor) -> bool:
        return actor.can(Permission.VIEW_FOLLOWUPS)

    @classmethod
    def badge(cls, context: AppContext) -> int | None:
        """The overdue count for the sidebar (None when there is nothing overdue)."""
        return sidebar_counts.overdue_followups(context)

    def activated(self) -> None:
        self.refresh()

    def retranslate(self) -> None:
        self.test_filter.setToolTip(_("Test or visit"))
        self.test_filter.setAccessibleName(_("Test or visit"))
        self._fill_test_filter()
        self.result_button.setText(_("Enter result…"))
        self.result_button.setToolTip(_("Record the selected item as done (Enter or double-click)"))
        self.date_button.setText(_("Change date…"))
        self.date_button.setToolTip(_("Move the due date and window; the reason is kept"))
        self.close_button.setText(_("Missed or not needed…"))
        self.close_button.setToolTip(_("Close the item without a result, with the reason"))
        self.open_button.setText(_("Open case…"))
        self.open_button.setToolTip(_("Open the exposure record on its post-exposure tab"))
        self.masked_note.setText(self._masked_text())
        self.table.setAccessibleName(_("Follow-up items"))
        self.model.retranslate()
        self._update_counts()
        self._update_actions()
        self._update_total()

    def focus_search(self) -> None:
        self.test_filter.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def has_unsaved_changes(self) -> bool:
        dialog = self.exposure_dialog
        return dialog is not None and dialog.isVisible() and dialog.is_dirty()

    def tour_views(self) -> list[tuple[str, QWidget]]:
        """The result entry of the first item and its case on the post-exposure tab."""
        row = self.model.row_at(0)
        views: list[tuple[str, QWidget]] = []
        if row is None:
            return views
        if self._manages and row.is_open:
            views.append(
                ("result_entry", FollowupResultDialog(self.context, row, self, today=self.today()))
            )
        if self._opens:
            try:
                with self.context.database.session() as session:
                    info = get_exposure(session, self.context.actor, row.exposure_id)
            except UserError:
                return views
            dialog = ExposureDialog(self.context, self)
            dialog.load(info)
            if dialog.post_exposure is not None:
                dialog.tabs.setCurrentWidget(dialog.post_exposure)
            dialog.resize(1000, 700)
            views.append(("case", dialog))
        return views

    # -- QWidget ------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.selected_row() is not None
        ):
            self.enter_result()
            return True
        return super().eventFilter(watched, event)

    # -- public API ---------------------------------------------------------------------------

    def today(self) -> dt.date:
        """Today where the hospital is (or the date the page was given, in tests)."""
        if self._today is not None:
            return self._today()
        with self.context.database.session() as session:
            return followups.today_in_hospital(session)

    def refresh(self) -> None:
        selected = self.selected_row()
        self.model.refresh()
        if selected is not None:
            self.select_followup(selected.id)
        self._update_counts()
        self._update_total()
        self._update_actions()

    def set_scope(self, scope: str) -> None:
        """Show the tab of ``scope`` (overdue, due_week, upcoming, open, all)."""
        self.tabs.setCurrentIndex([key for key, _title in SCOPES].index(scope))

    def filters(self) -> FollowupFilter:
        return FollowupFilter(
            scope=SCOPES[max(self.tabs.currentIndex(), 0)][0],
            code=self.test_filter.currentData(),
        )

    def selected_row(self) -> FollowupRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select_followup(self, followup_id: int) -> bool:
        for row in range(self.model.rowCount()):
            item = self.model.row_at(row)
            if item is not None and item.id == followup_id:
                index = self.model.index(row, 0)
                self.table.selectionModel().setCurrentIndex(
                    index,
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
                self.table.scrollTo(index)
                return True
        return False

    def enter_result(self) -> FollowupResultDialog | None:
        row = self._open_row()
        if row is None:
            return None
        dialog = FollowupResultDialog(self.context, row, self, today=self.today())
        dialog.saved.connect(self._on_result_saved)
        self._show_dialog(dialog)
        return dialog

    def change_date(self) -> FollowupDateDialog | None:
        row = self._open_row()
        if row is None:
            return None
        dialog = FollowupDateDialog(self.context, row, self)
        dialog.saved.connect(self._on_saved)
        self._show_dialog(dialog)
        return dialog

    def close_item(self) -> FollowupCloseDialog | None:
        row = self._open_row()
        if row is None:
            return None
        dialog = FollowupCloseDialog(self.context, row, self)
        dialog.saved.connect(self._on_saved)
        self._show_dialog(dialog)
        return dialog

    def open_case(self) -> ExposureDialog | None:
        """The selected item's exposure record, on its post-exposure tab where there is one."""
        row = self.selected_row()
        if row is None or not self._opens:
            return None
        try:
            with self.context.database.session() as session:
                info = get_exposure(session, self.context.actor, row.exposure_id)
        except UserError as error:
            self.context.ask.error(self, _("Open case"), str(error))
            self.refresh()
            return None
        if self.exposure_dialog is not None and self.exposure_dialog.isVisible():
            self.exposure_dialog.raise_()
            return self.exposure_dialog
        dialog = ExposureDialog(self.context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.load(info)
        if dialog.post_exposure is not None:
            dialog.tabs.setCurrentWidget(dialog.post_exposure)
        dialog.finished.connect(self._on_exposure_finished)
        self.exposure_dialog = dialog
        dialog.resize(1000, 700)
        dialog.open()
        return dialog

    # -- private: building --------------------------------------------------------------------

    def _build(self) -> None:
        self.tabs = QTabBar(self)
        self.tabs.setDocumentMode(True)
        self.tabs.setExpanding(False)
        for _scope, _title in SCOPES:
            self.tabs.addTab("")
        self.tabs.currentChanged.connect(self._apply_filters)
        self.test_filter = QComboBox(self)
        self.test_filter.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.test_filter.setMinimumContentsLength(14)
        self.test_filter.currentIndexChanged.connect(self._apply_filters)

        self.result_button = QPushButton(self)
        self.result_button.setProperty("accent", True)
        self.date_button = QPushButton(self)
        self.close_button = QPushButton(self)
        self.open_button = QPushButton(self)
        self.result_button.clicked.connect(self.enter_result)
        self.date_button.clicked.connect(self.change_date)
        self.close_button.clicked.connect(self.close_item)
        self.open_button.clicked.connect(self.open_case)
        self.mirror_button(self.result_button, "Ctrl+R")
        self.mirror_button(self.date_button)
        self.mirror_button(self.close_button)
        self.mirror_button(self.open_button, "Ctrl+O")
        for button in (self.result_button, self.date_button, self.close_button):
            button.setVisible(self._manages)
        self.open_button.setVisible(self._opens)
        self.total_label = QLabel(self)
        self.masked_note = QLabel(self)
        style.set_role(self.masked_note, "hint")
        actor = self.context.actor
        self.masked_note.setVisible(
            not actor.sees_identities or not actor.can(Permission.VIEW_SEROSTATUS)
        )
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.hide()

        self.model = FollowupTableModel(
            self.context.database, self.context.actor, today=self._model_today, parent=self
        )
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
        header.setStretchLastSection(True)
        widths = {
            "exposure_ref": 104,
            "worker": 76,
            "staff_no": 66,
            "item": 160,
            "pathogens": 100,
            "due_date": 90,
            "window": 165,
            "status": 122,
            "result": 110,
        }
        for column, (key, _label) in enumerate(COLUMNS):
            header.resizeSection(column, widths[key])
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.table.installEventFilter(self)

        top = QHBoxLayout()
        top.addWidget(self.tabs, 1)
        top.addWidget(self.test_filter)
        actions = QHBoxLayout()
        for button in (self.result_button, self.date_button, self.close_button, self.open_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.masked_note)
        actions.addWidget(self.total_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(actions)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)

    def _fill_test_filter(self) -> None:
        fill_combo(
            self.test_filter,
            [(_("All tests and visits"), None)]
            + [(_(entry.label), entry.code) for entry in FOLLOWUP_ITEMS],
        )

    # -- private: behaviour -------------------------------------------------------------------

    def _model_today(self) -> dt.date | None:
        return self._today() if self._today is not None else None

    def _masked_text(self) -> str:
        actor = self.context.actor
        names, results = actor.sees_identities, actor.can(Permission.VIEW_SEROSTATUS)
        if not names and not results:
            return _("Names and test results are hidden for your role.")
        if not names:
            return _("Names are hidden for your role.")
        return _("Test results are hidden for your role.") if not results else ""

    def _apply_filters(self, *_args: object) -> None:
        self.model.set_filters(self.filters())
        self._update_total()
        self._update_actions()

    def _update_counts(self) -> None:
        try:
            with self.context.database.session() as session:
                counts = followups.counts(session, self.context.actor, today=self._model_today())
        except UserError:
            counts = None
        for index, (scope, title) in enumerate(SCOPES):
            count = getattr(counts, scope, None) if counts is not None else None
            text = _(title)
            if count:
                text = _("{title} ({count})").format(title=text, count=format_number(count))
            self.tabs.setTabText(index, text)
        if counts is not None and counts.overdue:
            self.tabs.setTabTextColor(0, QColor(style.ERROR))
        else:
            self.tabs.setTabTextColor(0, QColor(style.TEXT))

    def _update_total(self) -> None:
        try:
            with self.context.database.session() as session:
                total = followups.count_followups(
                    session, self.context.actor, self.model.filters, today=self._model_today()
                )
        except UserError as error:
            self.total_label.setText(str(error))
            return
        self.total_label.setText(_("Items: {count}").format(count=format_number(total)))

    def _update_actions(self, *_args: object) -> None:
        row = self.selected_row()
        is_open = row is not None and row.is_open
        for button in (self.result_button, self.date_button, self.close_button):
            button.setEnabled(is_open)
        self.open_button.setEnabled(row is not None)

    def _open_row(self) -> FollowupRow | None:
        row = self.selected_row()
        if row is None or not self._manages or not row.is_open:
            return None
        return row

    def _show_dialog(self, dialog: QWidget) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._on_dialog_finished)  # type: ignore[attr-defined]
        self.dialog = dialog
        dialog.open()  # type: ignore[attr-defined]

    def _show_message(self, text: str) -> None:
        self.last_message = text
        self.message.setText(text)
        style.set_role(self.message, "notice")
        self.message.setVisible(bool(text))

    def _on_double_clicked(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        if self._manages and (row := self.selected_row()) is not None and row.is_open:
            self.enter_result()
        else:
            self.open_case()

    def _on_load_failed(self, message: str) -> None:
        self.total_label.setText(message)

    # Bound methods, not lambdas, are connected to dialogs that delete themselves on close.

    def _on_dialog_finished(self, _result: int) -> None:
        self.dialog = None

    def _on_exposure_finished(self, _result: int) -> None:
        self.exposure_dialog = None
        self.refresh()
        self.badge_changed.emit()

    def _on_result_saved(self, saved: ResultSaved) -> None:
        self._show_message(seroconversion_text(saved))
        self._on_saved(saved.row)

    def _on_saved(self, row: FollowupRow) -> None:
        self.refresh()
        self.select_followup(row.id)
        self.followups_changed.emit()
        self.badge_changed.emit()
