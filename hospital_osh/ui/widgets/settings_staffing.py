"""Settings › Staffing denominators: occupied beds and FTE by job category and sex, per year.

Rates per 100 FTE and per 100 occupied beds divide by these figures, so the grid shows its
row and column totals as the user types.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QDoubleSpinBox,
    QHeaderView,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)
from sqlalchemy.orm import Session

from hospital_osh.domain.codes import JOB_CATEGORIES, N_, SEXES
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _, format_number
from hospital_osh.services.hospital import StaffingInfo, get_staffing, save_staffing
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.widgets.settings_section import FormSection

MAX_FIGURE = 100_000.0
NO_BEDS = -1.0
"""The occupied-beds spin box's minimum, shown as 'Not set'."""


def _spin(parent: QWidget) -> QDoubleSpinBox:
    spin = QDoubleSpinBox(parent)
    spin.setDecimals(1)
    spin.setRange(0.0, MAX_FIGURE)
    spin.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
    spin.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    spin.setFrame(False)
    return spin


class StaffingSettings(FormSection):
    """One year at a time; changing the year with unsaved figures asks first."""

    key = "staffing"
    title = N_("Staffing denominators")
    icon = "users"
    permission = Permission.MANAGE_HOSPITAL

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self._year = dt.date.today().year
        self.year = QSpinBox(self)
        self.year.setRange(1990, 2100)
        self.year.setValue(self._year)
        self.year.setKeyboardTracking(False)
        self.year.setMaximumWidth(120)
        self.year.valueChanged.connect(self._on_year_changed)
        self.beds = QDoubleSpinBox(self)
        self.beds.setDecimals(1)
        self.beds.setRange(NO_BEDS, MAX_FIGURE)
        self.beds.setValue(NO_BEDS)
        self.beds.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.beds.setMaximumWidth(160)
        self.grid = QTableWidget(len(JOB_CATEGORIES) + 1, len(SEXES) + 1, self)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.grid.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.grid.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 12)
        self.grid.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.grid.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.cells: dict[tuple[str, str], QDoubleSpinBox] = {}
        for row, job in enumerate(JOB_CATEGORIES.codes):
            for column, sex in enumerate(SEXES.codes):
                spin = _spin(self.grid)
                spin.valueChanged.connect(self._update_totals)
                self.grid.setCellWidget(row, column, spin)
                self.cells[(job, sex)] = spin
        bold = QFont(self.font())
        bold.setBold(True)
        for row in range(len(JOB_CATEGORIES) + 1):
            for column in range(len(SEXES) + 1):
                if row == len(JOB_CATEGORIES) or column == len(SEXES):
                    item = QTableWidgetItem("0")
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                    item.setFont(bold)
                    self.grid.setItem(row, column, item)
        self.form.add_row("year", "", self.year)
        self.form.add_row("occupied_beds", "", self.beds)
        self.form.add_row("fte", "", self.grid)
        self.finish_layout()
        self.retranslate()
        self.mark_clean()

    # -- public API ---------------------------------------------------------------------------

    def activated(self) -> None:
        if not self.has_unsaved_changes():
            self.load_year(self.year.value())

    def load_year(self, year: int) -> None:
        with self.context.database.session() as session:
            info = get_staffing(session, year)
        self.load(info or StaffingInfo(year))

    def load(self, info: StaffingInfo) -> None:
        self._year = info.year
        with QSignalBlocker(self.year):
            self.year.setValue(info.year)
        self.beds.setValue(NO_BEDS if info.occupied_beds is None else info.occupied_beds)
        for key, spin in self.cells.items():
            with QSignalBlocker(spin):
                spin.setValue(info.fte.get(key, 0.0))
        self._update_totals()
        self.form.clear_errors()
        self.mark_clean()

    def to_info(self) -> StaffingInfo:
        beds = self.beds.value()
        return StaffingInfo(
            year=self.year.value(),
            occupied_beds=None if beds < 0 else beds,
            fte={key: spin.value() for key, spin in self.cells.items() if spin.value()},
        )

    def total(self) -> float:
        return self.to_info().total_fte

    def retranslate(self) -> None:
        super().retranslate()
        self.set_intro(
            _(
                "The denominators of the rates: the year's average occupied beds and full-time "
                "equivalents (FTE) by job category and sex."
            )
        )
        self.form.set_label_text("year", _("Year"))
        self.form.set_label_text("occupied_beds", _("Occupied beds"))
        self.form.set_label_text("fte", _("FTE"))
        self.beds.setSpecialValueText(_("Not set"))
        self.grid.setHorizontalHeaderLabels([_(entry.label) for entry in SEXES] + [_("Total")])
        self.grid.setVerticalHeaderLabels(
            [_(entry.label) for entry in JOB_CATEGORIES] + [_("Total")]
        )
        self.save_button.setText(_("Save figures"))
        self.status.clear()
        self._update_totals()
        self._fit_grid()

    # -- FormSection --------------------------------------------------------------------------

    def snapshot(self) -> StaffingInfo:
        return self.to_info()

    def write(self, session: Session) -> StaffingInfo:
        return save_staffing(session, self.context.actor, self.to_info())

    def after_save(self, result: object) -> None:
        assert isinstance(result, StaffingInfo)
        self.load(result)

    def saved_text(self, result: object) -> str:
        assert isinstance(result, StaffingInfo)
        return _("Saved the figures for {year}: {fte} FTE in total.").format(
            year=result.year, fte=format_number(result.total_fte, 1)
        )

    # -- private ------------------------------------------------------------------------------

    def _on_year_changed(self, year: int) -> None:
        if year == self._year:
            return
        if self.has_unsaved_changes_for(self._year) and not self.context.ask.discard_changes(self):
            with QSignalBlocker(self.year):
                self.year.setValue(self._year)
            return
        self.load_year(year)
        self.status.clear()

    def has_unsaved_changes_for(self, year: int) -> bool:
        """Whether the figures shown (which belong to ``year``) differ from the stored ones."""
        current = self.to_info()
        return StaffingInfo(year, current.occupied_beds, current.fte) != self._baseline

    def _fit_grid(self) -> None:
        """Show every row without scrolling: the grid is as tall as its rows."""
        self.grid.horizontalHeader().setMinimumHeight(self.fontMetrics().height() + 12)
        height = (
            self.grid.horizontalHeader().sizeHint().height()
            + self.grid.verticalHeader().length()
            + 2 * self.grid.frameWidth()
        )
        self.grid.setFixedHeight(height)

    def _update_totals(self) -> None:
        jobs, sexes = JOB_CATEGORIES.codes, SEXES.codes
        grand = 0.0
        for row, job in enumerate(jobs):
            value = sum(self.cells[(job, sex)].value() for sex in sexes)
            self.grid.item(row, len(sexes)).setText(format_number(value, 1))
            grand += value
        for column, sex in enumerate(sexes):
            value = sum(self.cells[(job, sex)].value() for job in jobs)
            self.grid.item(len(jobs), column).setText(format_number(value, 1))
        self.grid.item(len(jobs), len(sexes)).setText(format_number(grand, 1))
