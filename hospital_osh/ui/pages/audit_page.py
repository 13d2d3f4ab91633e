"""The audit log: who changed what and when, filtered, with old -> new values and a chain check.

The table pages through ``services.audit.list_events`` as the user scrolls (small indexed reads
on the GUI thread, as Qt's fetchMore contract requires); verifying the whole hash chain can take
long on a big database, so it runs in the task runner.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QDate, QEvent, QItemSelection, QModelIndex, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCalendarWidget,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import N_, _, format_datetime, format_number
from hospital_osh.services import audit
from hospital_osh.services.audit import AuditFilter, AuditRow, ChainReport
from hospital_osh.services.context import Actor
from hospital_osh.ui import icons, style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.itemmodels.audit_table_model import (
    ACTION,
    CHANGES,
    ENTITY,
    RECORD,
    TIME,
    USER,
    AuditTableModel,
    action_label,
    entity_label,
    field_label,
    local_time,
)
from hospital_osh.ui.pages.base import Page
from hospital_osh.ui.tasks import TaskState
from hospital_osh.ui.widgets.date_formats import apply_locale_date_format

ANY_DATE = QDate(2000, 1, 1)
"""The minimum of the date filters; shown as 'Any' (no bound)."""


def _utc(day: dt.date) -> dt.datetime:
    """Local midnight of ``day`` as the naive UTC the database stores."""
    local = dt.datetime.combine(day, dt.time()).astimezone()
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def _value_text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class AuditPage(Page):
    """Browse and verify the append-only audit trail."""

    key = "audit"
    title = N_("Audit log")
    icon = "scroll-text"
    order = 900

    # -- signals ------------------------------------------------------------------------------
    verified = Signal(object)
    """Emitted with the ChainReport when a chain check finishes."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self._filters = AuditFilter()
        self._total = 0
        self._last_report: ChainReport | None = None
        self._verifying = False

        self.from_label = QLabel()
        self.from_edit = self._date_edit()
        self.to_label = QLabel()
        self.to_edit = self._date_edit()
        self.user_label = QLabel()
        self.user_combo = QComboBox()
        self.entity_label = QLabel()
        self.entity_combo = QComboBox()
        self.action_label = QLabel()
        self.action_combo = QComboBox()
        for combo in (self.user_combo, self.entity_combo, self.action_combo):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(9)
            combo.addItem("", None)
            combo.currentIndexChanged.connect(self._on_filters_changed)
        self.from_edit.dateChanged.connect(self._on_filters_changed)
        self.to_edit.dateChanged.connect(self._on_filters_changed)
        self.clear_button = QPushButton(icons.icon("funnel"), "")
        self.clear_button.clicked.connect(self.clear_filters)
        self.verify_button = QPushButton(icons.icon("shield-check"), "")
        self.verify_button.clicked.connect(self.verify_chain)
        self.mirror_button(self.verify_button, "Ctrl+Shift+V")
        self.mirror_button(self.clear_button, "Ctrl+Shift+X")

        # Labels above the fields keep the bar narrow enough for a 1024-pixel-wide window.
        filters = QGridLayout()
        filters.setHorizontalSpacing(10)
        filters.setVerticalSpacing(2)
        for column, (label, widget) in enumerate(
            (
                (self.from_label, self.from_edit),
                (self.to_label, self.to_edit),
                (self.user_label, self.user_combo),
                (self.entity_label, self.entity_combo),
                (self.action_label, self.action_combo),
            )
        ):
            label.setBuddy(widget)
            filters.addWidget(label, 0, column)
            filters.addWidget(widget, 1, column)
        filters.addWidget(self.clear_button, 1, 5)
        filters.setColumnStretch(6, 1)

        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)
        self.result_label.hide()

        self.model = AuditTableModel(parent=self)
        self.model.fetched.connect(self._update_count)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(26)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        # Widths in digits of the UI font, so that they follow the font and the scaling.
        digit = self.fontMetrics().horizontalAdvance("0")
        for column, digits in (
            (TIME, 23),
            (USER, 12),
            (ACTION, 20),
            (ENTITY, 14),
            (RECORD, 8),
            (CHANGES, 17),
        ):
            header.resizeSection(column, digits * digit)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)

        self.count_label = QLabel()
        style.set_role(self.count_label, "hint")

        self.detail_title = QLabel()
        self.detail_title.setObjectName("sectionTitle")
        self.detail_title.setWordWrap(True)
        self.detail_info = QLabel()
        self.detail_info.setWordWrap(True)
        style.set_role(self.detail_info, "hint")
        self.detail_table = QTableWidget(0, 3)
        self.detail_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.detail_table.verticalHeader().setVisible(False)
        self.detail_table.setWordWrap(True)
        self.detail_table.setAlternatingRowColors(True)
        detail_header = self.detail_table.horizontalHeader()
        detail_header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        detail_header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        detail_header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.view, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(self.verify_button)
        left_layout.addLayout(bottom)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(style.SPACING, 0, 0, 0)
        right_layout.addWidget(self.detail_title)
        right_layout.addWidget(self.detail_info)
        right_layout.addWidget(self.detail_table, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setSizes([760, 360])
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(style.SPACING)
        layout.addLayout(filters)
        layout.addWidget(self.result_label)
        layout.addWidget(self.splitter, 1)
        self.retranslate()
        self._show_detail(None)

    # -- Page API -----------------------------------------------------------------------------

    @classmethod
    def visible_for(cls, actor: Actor) -> bool:
        return actor.can(Permission.VIEW_AUDIT)

    def activated(self) -> None:
        """Refresh the pickers and the list: events have been added since."""
        self._fill_pickers()
        self.reload()

    def retranslate(self) -> None:
        self.from_label.setText(_("From"))
        self.to_label.setText(_("To"))
        self.user_label.setText(_("User"))
        self.entity_label.setText(_("Record type"))
        self.action_label.setText(_("Action"))
        for edit in (self.from_edit, self.to_edit):
            edit.setSpecialValueText(_("Any"))
        self.from_edit.setToolTip(_("Show events on or after this day"))
        self.to_edit.setToolTip(_("Show events on or before this day"))
        for combo in (self.user_combo, self.entity_combo, self.action_combo):
            combo.setItemText(0, _("All"))
        for index in range(1, self.entity_combo.count()):
            self.entity_combo.setItemText(index, entity_label(self.entity_combo.itemData(index)))
        for index in range(1, self.action_combo.count()):
            self.action_combo.setItemText(index, action_label(self.action_combo.itemData(index)))
        self.clear_button.setText(_("Clear filters"))
        self.verify_button.setText(_("Verify chain"))
        self.verify_button.setToolTip(
            _("Check that no event has been altered or deleted since it was written")
        )
        self.detail_table.setHorizontalHeaderLabels([_("Field"), _("Before"), _("After")])
        self.model.retranslate()
        if self._last_report is not None:
            self._show_report(self._last_report)
        self._update_count()
        self._show_detail(self.selected_row())

    def focus_search(self) -> None:
        self.user_combo.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- public API ---------------------------------------------------------------------------

    def filters(self) -> AuditFilter:
        start = self.from_edit.date()
        end = self.to_edit.date()
        return AuditFilter(
            start=_utc(start.toPython()) if start != ANY_DATE else None,
            end=_utc(end.toPython() + dt.timedelta(days=1)) if end != ANY_DATE else None,
            actor=self.user_combo.currentData(),
            entity=self.entity_combo.currentData(),
            action=self.action_combo.currentData(),
        )

    def reload(self) -> None:
        """Start the list again from the newest event with the current filters."""
        self._filters = self.filters()
        database, actor, filters = self.context.database, self.context.actor, self._filters

        def fetch(offset: int, limit: int) -> Sequence[AuditRow]:
            with database.session() as session:
                return audit.list_events(session, actor, filters, offset, limit)

        with database.session() as session:
            self._total = audit.count_events(session, actor, filters)
        self.model.set_fetch(fetch)
        self.model.fetchMore(QModelIndex())
        self._show_detail(None)

    def clear_filters(self) -> None:
        for widget in (
            self.from_edit,
            self.to_edit,
            self.user_combo,
            self.entity_combo,
            self.action_combo,
        ):
            widget.blockSignals(True)
        self.from_edit.setDate(ANY_DATE)
        self.to_edit.setDate(ANY_DATE)
        for combo in (self.user_combo, self.entity_combo, self.action_combo):
            combo.setCurrentIndex(0)
        for widget in (
            self.from_edit,
            self.to_edit,
            self.user_combo,
            self.entity_combo,
            self.action_combo,
        ):
            widget.blockSignals(False)
        self.reload()

    def selected_row(self) -> AuditRow | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def verify_chain(self) -> None:
        """Verify the hash chain off the GUI thread; the result shows above the list."""
        if self._verifying:
            return
        database = self.context.database

        def job(state: TaskState) -> ChainReport:
            with database.session() as session:
                return audit.verify_chain(session)

        self._verifying = True
        self.verify_button.setEnabled(False)
        style.set_role(self.result_label, "hint")
        self.result_label.setText(_("Verifying the audit trail…"))
        self.result_label.show()
        self.context.runner.run(job, on_done=self._verified, on_error=self._verify_failed)

    # -- Qt overrides -------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A calendar opened on 'Any' (year 2000) shows this month instead."""
        if (
            event.type() == QEvent.Type.Show
            and isinstance(watched, QCalendarWidget)
            and watched.selectedDate() == ANY_DATE
        ):
            today = QDate.currentDate()
            watched.setCurrentPage(today.year(), today.month())
        return super().eventFilter(watched, event)

    # -- private ------------------------------------------------------------------------------

    def _date_edit(self) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        apply_locale_date_format(edit)
        edit.setMinimumDate(ANY_DATE)
        edit.setMaximumDate(QDate(2100, 12, 31))
        edit.setDate(ANY_DATE)
        edit.calendarWidget().installEventFilter(self)
        return edit

    def _fill_pickers(self) -> None:
        database, actor = self.context.database, self.context.actor
        with database.session() as session:
            values = {
                column: audit.distinct_values(session, actor, column)
                for column in ("actor", "entity", "action")
            }
        labels = {"actor": str, "entity": entity_label, "action": action_label}
        combos = {
            "actor": self.user_combo,
            "entity": self.entity_combo,
            "action": self.action_combo,
        }
        for column, combo in combos.items():
            current = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for value in values[column]:
                combo.addItem(labels[column](value), value)
            index = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(0, index))
            combo.blockSignals(False)

    def _on_filters_changed(self, *args: object) -> None:
        if self.filters() != self._filters:
            self.reload()

    def _update_count(self, *args: object) -> None:
        self.count_label.setText(
            _("Showing {loaded} of {total} events").format(
                loaded=format_number(self.model.rowCount()), total=format_number(self._total)
            )
        )

    def _on_selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        self._show_detail(self.selected_row())

    def _show_detail(self, row: AuditRow | None) -> None:
        self.detail_table.setRowCount(0)
        if row is None:
            self.detail_title.setText(_("No event selected"))
            self.detail_info.setText(_("Select an event to see what it changed."))
            return
        self.detail_title.setText(
            _("Event {id}: {action} — {entity} {record}").format(
                id=row.id,
                action=action_label(row.action),
                entity=entity_label(row.entity),
                record=row.entity_id,
            )
        )
        self.detail_info.setText(
            _("By {user} at {time}").format(
                user=row.actor, time=format_datetime(local_time(row.at), "medium")
            )
        )
        if not row.changes:
            self.detail_info.setText(
                _("By {user} at {time}. No field values were recorded.").format(
                    user=row.actor, time=format_datetime(local_time(row.at), "medium")
                )
            )
        for field, values in sorted(row.changes.items()):
            old, new = [*values, None, None][:2] if isinstance(values, list) else [None, values]
            line = self.detail_table.rowCount()
            self.detail_table.insertRow(line)
            texts = (field_label(field), _value_text(old), _value_text(new))
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setToolTip(field if column == 0 else text)
                self.detail_table.setItem(line, column, item)
        self.detail_table.resizeRowsToContents()

    def _verified(self, report: ChainReport) -> None:
        self._verifying = False
        self.verify_button.setEnabled(True)
        self._last_report = report
        self._show_report(report)
        if not report.ok and report.bad_event_id is not None:
            row = self.model.row_of_event(report.bad_event_id)
            if row is not None:
                self.view.selectRow(row)
                self.view.scrollTo(self.model.index(row, 0))
        self.verified.emit(report)

    def _show_report(self, report: ChainReport) -> None:
        style.set_role(self.result_label, "ok" if report.ok else "error")
        self.result_label.setText(report.message())
        self.result_label.show()

    def _verify_failed(self, error: BaseException) -> None:
        self._verifying = False
        self.verify_button.setEnabled(True)
        style.set_role(self.result_label, "error")
        self.result_label.setText(_("The check could not run: {reason}").format(reason=error))
        self.result_label.show()
