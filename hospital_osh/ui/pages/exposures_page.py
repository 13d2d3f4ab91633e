"""Exposures: every needle-stick and splash, searched, filtered and sorted in SQL.

New quick report (Ctrl+N) for everyone who may report; Open/Complete for the OSH office (and a
read-only view for the roles that may only look); the case sheet PDF built off the GUI thread.
The service decides what each role sees: a reporter lists only its own reports, a viewer or
committee member sees no names and no serostatus (the worker column is not even shown).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QSignalBlocker,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.domain.codes import JOB_CATEGORIES, N_, Code
from hospital_osh.domain.exposure_codes import EXPOSURE_TYPES, STATUSES
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _, current_language, format_date, format_number
from hospital_osh.services import local_codes
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import UserError
from hospital_osh.services.exposures import (
    ExposureFilter,
    ExposureInfo,
    ExposureRow,
    count_exposures,
    get_exposure,
)
from hospital_osh.services.hospital import get_profile, list_departments
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.exposure_dialog import ExposureDialog
from hospital_osh.ui.dialogs.quick_report_dialog import QuickReportDialog
from hospital_osh.ui.itemmodels.exposure_table_model import (
    COLUMNS,
    ExposureTableModel,
    column_of,
)
from hospital_osh.ui.pages.base import Page
from hospital_osh.ui.widgets.code_combo import fill_combo, select_data
from hospital_osh.ui.widgets.enter_opens import open_on_enter
from hospital_osh.ui.widgets.exposure_form import code_items
from hospital_osh.ui.widgets.list_filter_bar import ListFilterBar

PERIODS: tuple[tuple[str, str], ...] = (
    ("all", N_("All dates")),
    ("30d", N_("Last 30 days")),
    ("90d", N_("Last 90 days")),
    ("this_year", N_("This year")),
    ("last_year", N_("Last year")),
)
SOURCE_FILTERS: tuple[tuple[str, str, bool], ...] = (
    ("identified", N_("Source identified"), False),
    ("unidentified", N_("Source not identified"), False),
    ("positive", N_("Source positive (any)"), True),
    ("hbv_positive", N_("Source HBsAg positive"), True),
    ("hcv_positive", N_("Source HCV positive"), True),
    ("hiv_positive", N_("Source HIV positive"), True),
)
"""(filter code, label, needs VIEW_SEROSTATUS)."""


CUSTOM_PERIOD = "custom"
"""The period choice of a date range set from outside (``ExposuresPage.apply_filter``)."""


def custom_period_label(start: dt.date | None, end: dt.date | None) -> str:
    """How a date range that is no preset reads in the period choice."""
    if start is None:
        return _("Until {end}").format(end=format_date(end, "short"))
    if end is None:
        return _("From {start}").format(start=format_date(start, "short"))
    return _("{start} to {end}").format(
        start=format_date(start, "short"), end=format_date(end, "short")
    )


def period_range(period: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """Inclusive start and end dates of a period preset."""
    if period == "30d":
        return today - dt.timedelta(days=29), today
    if period == "90d":
        return today - dt.timedelta(days=89), today
    if period == "this_year":
        return dt.date(today.year, 1, 1), today
    if period == "last_year":
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    return None, None


def open_with_system(path: Path) -> None:
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class ExposuresPage(Page):
    """The list, its filters and the actions the user's role allows."""

    key = "exposures"
    title = N_("Exposure records")
    icon = "syringe"
    order = 20

    # -- signals ------------------------------------------------------------------------------
    exposures_changed = Signal()
    """Emitted after a report was filed or a record saved from this page."""
    case_sheet_written = Signal(str)
    """Emitted with the path of a case sheet PDF once it is written."""

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] = dt.date.today,
        open_file: Callable[[Path], None] = open_with_system,
    ):
        super().__init__(context, parent)
        actor = context.actor
        self._today = today
        self.open_file = open_file
        self.quick_dialog: QuickReportDialog | None = None
        self.exposure_dialog: ExposureDialog | None = None
        self._reports = actor.can(Permission.REPORT_EXPOSURE)
        self._manages = actor.can(Permission.MANAGE_EXPOSURES)
        self._serostatus = actor.can(Permission.VIEW_SEROSTATUS)
        self._names = actor.sees_identities or not actor.can(Permission.VIEW_EXPOSURES)
        self._devices: list[Code] = []
        self._custom_period: tuple[dt.date | None, dt.date | None] | None = None
        self._build()
        self._load_lists()
        self.retranslate()
        self._apply_filters()

    # -- Page API -----------------------------------------------------------------------------

    @classmethod
    def visible_for(cls, actor: Actor) -> bool:
        return actor.can(Permission.VIEW_EXPOSURES) or actor.can(Permission.REPORT_EXPOSURE)

    def activated(self) -> None:
        self._load_lists()
        self._fill_filters()
        self.refresh()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(
            _("Search by case number or name…")
            if self.context.actor.sees_identities
            else _("Search by case number…")
        )
        self.search.setToolTip(_("Search as you type (Ctrl+F)"))
        tips = {
            self.period: _("Period (date of exposure)"),
            self.exposure_type: _("Type of exposure"),
            self.department: _("Department where it happened"),
            self.job_category: _("Job category"),
            self.device: _("Device"),
            self.status: _("Status"),
            self.source: _("Source patient"),
        }
        for combo, tip in tips.items():
            combo.setToolTip(tip)
            combo.setAccessibleName(tip)
        self.incomplete.setText(_("Incomplete only"))
        self.incomplete.setToolTip(_("Only records with required fields missing"))
        self.new_button.setText(_("New quick report…"))
        self.new_button.setToolTip(_("Report an exposure now (Ctrl+N)"))
        self.open_button.setText(_("Complete / edit…") if self._manages else _("Open…"))
        self.open_button.setToolTip(_("Open the selected record (Enter or double-click)"))
        self.sheet_button.setText(_("Case sheet PDF"))
        self.sheet_button.setToolTip(_("A confidential one-page record for the worker's file"))
        self.sheet_zh.setText(_("In Chinese…"))
        self.sheet_en.setText(_("In English…"))
        self.table.setAccessibleName(_("Exposure records"))
        self._fill_filters()
        self.model.retranslate()
        self._update_actions()
        self._update_total()

    def new_item(self) -> None:
        if self._reports:
            self.open_quick_report()

    def focus_search(self) -> None:
        self.filter_bar.focus_search()

    def has_unsaved_changes(self) -> bool:
        return any(
            dialog is not None and dialog.isVisible() and dialog.is_dirty()
            for dialog in (self.quick_dialog, self.exposure_dialog)
        )

    def tour_views(self) -> list[tuple[str, QWidget]]:
        views: list[tuple[str, QWidget]] = []
        if self._reports:
            quick = QuickReportDialog(self.context, self)
            quick.resize(1000, 660)
            views.append(("quick_report", quick))
        row = self.model.row_at(0)
        info: ExposureInfo | None = None
        if row is not None:
            try:
                with self.context.database.session() as session:
                    info = get_exposure(session, self.context.actor, row.id)
            except UserError:
                info = None
        if info is not None or self._manages:  # an empty record shows every question
            dialog = ExposureDialog(self.context, self)
            if info is not None:
                dialog.load(info)
            dialog.resize(1000, 700)
            views.append(("exposure_record", dialog))
        return views

    # -- public API ---------------------------------------------------------------------------

    def refresh(self) -> None:
        selected = self.selected_row()
        self.model.local_labels = self._local_labels
        self.model.refresh()
        if selected is not None:
            self.select_exposure(selected.id)
        self._update_total()
        self._update_actions()

    def filters(self) -> ExposureFilter:
        period = self.period.currentData() or "all"
        if period == CUSTOM_PERIOD and self._custom_period is not None:
            start, end = self._custom_period
        else:
            start, end = period_range(period, self._today())
        return ExposureFilter(
            start=start,
            end=end,
            exposure_type=self.exposure_type.currentData(),
            department_id=self.department.currentData(),
            job_category=self.job_category.currentData(),
            device_type=self.device.currentData(),
            status=self.status.currentData(),
            source_status=self.source.currentData(),
            incomplete=True if self.incomplete.isChecked() else None,
            search=self.filter_bar.search_text(),
        )

    def apply_filter(self, filters: ExposureFilter) -> None:
        """Show the list under ``filters`` (the dashboard links here). A date range that is no
        preset becomes one more period choice."""
        dates = (filters.start, filters.end)
        preset = next(
            (code for code, _label in PERIODS if period_range(code, self._today()) == dates), None
        )
        self._custom_period = None if preset is not None else dates
        self._fill_filters()
        for combo, value in (
            (self.period, preset or CUSTOM_PERIOD),
            (self.exposure_type, filters.exposure_type),
            (self.department, filters.department_id),
            (self.job_category, filters.job_category),
            (self.device, filters.device_type),
            (self.status, filters.status),
            (self.source, filters.source_status),
        ):
            with QSignalBlocker(combo):
                select_data(combo, value)
        with QSignalBlocker(self.incomplete):
            self.incomplete.setChecked(bool(filters.incomplete))
        with QSignalBlocker(self.search):
            self.search.setText(filters.search)
        self._apply_filters()

    def selected_row(self) -> ExposureRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select_exposure(self, exposure_id: int) -> bool:
        for row in range(self.model.rowCount()):
            item = self.model.row_at(row)
            if item is not None and item.id == exposure_id:
                index = self.model.index(row, 0)
                self.table.selectionModel().setCurrentIndex(
                    index,
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
                self.table.scrollTo(index)
                return True
        return False

    def open_quick_report(self) -> QuickReportDialog | None:
        if not self._reports:
            return None
        if self.quick_dialog is not None and self.quick_dialog.isVisible():
            self.quick_dialog.raise_()
            self.quick_dialog.activateWindow()
            return self.quick_dialog
        dialog = QuickReportDialog(self.context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.reported.connect(self._on_reported)
        dialog.finished.connect(self._on_quick_finished)
        self.quick_dialog = dialog
        dialog.resize(1000, 660)
        dialog.open()
        return dialog

    def open_selected(self) -> ExposureDialog | None:
        row = self.selected_row()
        if row is None:
            return None
        try:
            with self.context.database.session() as session:
                info = get_exposure(session, self.context.actor, row.id)
        except UserError as error:
            self.context.ask.error(self, _("Open exposure"), str(error))
            self.refresh()
            return None
        if self.exposure_dialog is not None and self.exposure_dialog.isVisible():
            self.exposure_dialog.raise_()
            return self.exposure_dialog
        dialog = ExposureDialog(self.context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.load(info)
        dialog.saved.connect(self._on_saved)
        dialog.finished.connect(self._on_exposure_finished)
        self.exposure_dialog = dialog
        dialog.resize(1000, 700)
        dialog.open()
        return dialog

    def write_case_sheet(self, path: Path | None = None, language: str | None = None) -> None:
        """Build the selected record's case sheet off the GUI thread, then open it."""
        row = self.selected_row()
        if row is None or not self._sheets:
            return
        language = language or current_language()
        if path is None:
            name, _filter = QFileDialog.getSaveFileName(
                self,
                _("Save the case sheet"),
                str(Path.home() / f"{row.reference}.pdf"),
                _("PDF files (*.pdf)"),
            )
            if not name:
                return
            path = Path(name)
        database, actor, exposure_id, target = (
            self.context.database,
            self.context.actor,
            row.id,
            path,
        )

        def job(state):  # type: ignore[no-untyped-def]
            from hospital_osh.reports.case_sheet import build_case_sheet
            from hospital_osh.services.post_exposure import case_sheet_info

            # One transaction: the audit event (who printed which case) only if the sheet exists.
            with database.transaction() as session:
                info: ExposureInfo = case_sheet_info(session, actor, exposure_id, language)
                profile = get_profile(session)
                state.report(1, 2, "")
                name = ""
                if profile is not None:
                    name = profile.name_zh if language == "zh_CN" else profile.name_en
                    name = name or profile.name_zh or profile.name_en
                build_case_sheet(info, language, target, hospital_name=name)
            return str(target)

        self.sheet_button.setEnabled(False)
        self.total_label.setText(_("Writing the case sheet…"))
        self.context.runner.run(job, on_done=self._on_sheet_done, on_error=self._on_sheet_failed)

    # -- private: building --------------------------------------------------------------------

    def _build(self) -> None:
        actor = self.context.actor
        bar = self.filter_bar = ListFilterBar(self, search_stretch=3)
        self.search = bar.search
        self.search_timer = bar.search_timer
        self.period = bar.add_combo(row=0, stretch=2, min_contents=6, max_visible=20)
        self.exposure_type = bar.add_combo(row=0, stretch=2, min_contents=6, max_visible=20)
        self.department = bar.add_combo(row=0, stretch=2, min_contents=6, max_visible=20)
        self.job_category = bar.add_combo(row=0, stretch=2, min_contents=6, max_visible=20)
        self.device = bar.add_combo(row=1, stretch=2, min_contents=6, max_visible=20)
        self.status = bar.add_combo(row=1, stretch=2, min_contents=6, max_visible=20)
        self.source = bar.add_combo(row=1, stretch=2, min_contents=6, max_visible=20)
        self.incomplete = bar.add_check(row=1)
        bar.add_stretch(row=1)
        bar.filters_changed.connect(self._apply_filters)

        self.new_button = QPushButton(self)
        self.new_button.setProperty("accent", True)
        self.open_button = QPushButton(self)
        self.sheet_button = QPushButton(self)
        self.sheet_menu = QMenu(self.sheet_button)
        self.sheet_zh = QAction(self.sheet_menu)
        self.sheet_en = QAction(self.sheet_menu)
        self.sheet_menu.addAction(self.sheet_zh)
        self.sheet_menu.addAction(self.sheet_en)
        self.sheet_button.setMenu(self.sheet_menu)
        self.sheet_zh.triggered.connect(self._on_sheet_zh)
        self.sheet_en.triggered.connect(self._on_sheet_en)
        self.total_label = QLabel(self)
        self.new_button.clicked.connect(self.new_item)
        self.open_button.clicked.connect(self.open_selected)
        self.mirror_button(self.new_button)  # Ctrl+N is the window's Edit › New
        self.mirror_button(self.open_button, "Ctrl+E")  # as Edit on the other lists
        self.new_button.setVisible(self._reports)
        # The sheet is for the worker's file: useless to roles that see no identities.
        self._sheets = actor.sees_identities or not actor.can(Permission.VIEW_EXPOSURES)
        self.sheet_button.setVisible(self._sheets)

        self.model = ExposureTableModel(self.context.database, self.context.actor, parent=self)
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
        widths = {
            "reference": 108,
            "occurred_at": 122,
            "exposure_type": 140,
            "worker": 80,
            "department": 130,
            "status": 105,
            "incomplete": 85,
            "hours_to_report": 128,
            "job_category": 110,
            "location_type": 130,
            "device_type": 150,
            "source_identified": 95,
        }
        for column, (key, _label) in enumerate(COLUMNS):
            header.resizeSection(column, widths[key])
        header.setSortIndicator(column_of("occurred_at"), Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setColumnHidden(column_of("worker"), not self._names)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        open_on_enter(self.table, self.open_selected)

        actions = QHBoxLayout()
        for button in (self.new_button, self.open_button, self.sheet_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.total_label)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter_bar)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)

    def _load_lists(self) -> None:
        with self.context.database.session() as session:
            self._departments = list_departments(session)
            self._devices = local_codes.entries(session, "device_type", include_inactive=True)
            self._local_labels = local_codes.local_labels(session)
        self.model.local_labels = self._local_labels

    def _fill_filters(self) -> None:
        language = current_language()
        periods = [(_(label), code) for code, label in PERIODS]
        if self._custom_period is not None:
            periods.append((custom_period_label(*self._custom_period), CUSTOM_PERIOD))
        fill_combo(self.period, periods)
        fill_combo(self.exposure_type, code_items(EXPOSURE_TYPES, blank=_("All types")))
        fill_combo(
            self.department,
            [(_("All departments"), None)] + [(d.name(language), d.id) for d in self._departments],
        )
        fill_combo(self.job_category, code_items(JOB_CATEGORIES, blank=_("All job categories")))
        fill_combo(self.device, code_items(self._devices, blank=_("All devices")))
        fill_combo(self.status, code_items(STATUSES, blank=_("All statuses")))
        fill_combo(
            self.source,
            [(_("Any source"), None)]
            + [
                (_(label), code)
                for code, label, serostatus in SOURCE_FILTERS
                if self._serostatus or not serostatus
            ],
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
                total = count_exposures(session, self.context.actor, self.model.filters)
        except UserError as error:
            self.total_label.setText(str(error))
            return
        self.total_label.setText(_("Exposures: {count}").format(count=format_number(total)))

    def _update_actions(self) -> None:
        row = self.selected_row()
        self.open_button.setEnabled(row is not None)
        self.sheet_button.setEnabled(row is not None)

    def _on_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_selected()

    def _on_load_failed(self, message: str) -> None:
        self.total_label.setText(message)

    def _on_sheet_zh(self) -> None:
        self.write_case_sheet(language="zh_CN")

    def _on_sheet_en(self) -> None:
        self.write_case_sheet(language="en")

    def _on_sheet_done(self, path: str) -> None:
        self._update_total()
        self._update_actions()
        self.case_sheet_written.emit(path)
        self.open_file(Path(path))

    def _on_sheet_failed(self, error: BaseException) -> None:
        self._update_total()
        self._update_actions()
        message = str(error) if isinstance(error, UserError | OSError) else repr(error)
        self.context.ask.error(self, _("Case sheet"), message)

    # Bound methods, not lambdas, on dialogs that delete themselves (see StaffPage).

    def _on_quick_finished(self, _result: int) -> None:
        self.quick_dialog = None

    def _on_exposure_finished(self, _result: int) -> None:
        self.exposure_dialog = None

    def _on_reported(self, receipt: object) -> None:
        self.model.refresh()
        exposure_id = getattr(receipt, "id", None)
        if exposure_id is not None:
            self.select_exposure(exposure_id)
        self._update_total()
        self._update_actions()
        self.exposures_changed.emit()

    def _on_saved(self, info: ExposureInfo) -> None:
        self.model.refresh()
        if info.id is not None:
            self.select_exposure(info.id)
        self._update_total()
        self._update_actions()
        self.exposures_changed.emit()
