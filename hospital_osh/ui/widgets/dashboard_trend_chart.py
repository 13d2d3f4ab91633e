"""The monthly trend of exposures by type (Qt Charts): stacked bars, one colour per type.

A click on a segment tells the page which type and which month, and the page opens the
exposures of that type in that month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCharts import QBarCategoryAxis, QBarSet, QChartView, QStackedBarSeries
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter
from PySide6.QtWidgets import QWidget

from hospital_osh.ui import style
from hospital_osh.ui.widgets.dashboard_bar_chart import chart_font, count_axis, new_chart


@dataclass(frozen=True)
class TrendSeries:
    """One exposure type: its code, its label, its colour and a count per month."""

    code: str
    label: str
    colour: str
    values: tuple[int, ...]


class DashboardTrendChart(QChartView):
    """Exposures per month, stacked by type; ``segment_clicked`` says which was clicked."""

    # -- signals ------------------------------------------------------------------------------
    segment_clicked = Signal(str, object)
    """Emitted with the type code and the first day of the month of the segment clicked."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(300)
        self.months: list[dt.date] = []
        self.series_data: list[TrendSeries] = []
        self.sets: dict[str, QBarSet] = {}
        self.setChart(new_chart())

    # -- public API ---------------------------------------------------------------------------

    def set_trend(
        self,
        title: str,
        months: Sequence[dt.date],
        month_labels: Sequence[str],
        series: Sequence[TrendSeries],
    ) -> None:
        self.months = list(months)
        self.series_data = [s for s in series if any(s.values)]
        chart = new_chart()
        chart.setTitle(title)
        legend = chart.legend()
        legend.setVisible(bool(self.series_data))
        legend.setAlignment(Qt.AlignmentFlag.AlignBottom)
        legend.setFont(chart_font(-1))
        legend.setLabelColor(QColor(style.TEXT))
        stacked = QStackedBarSeries()
        stacked.setBarWidth(0.75)
        self.sets = {}
        for item in self.series_data:
            bar_set = QBarSet(item.label)
            bar_set.append(list(item.values))
            bar_set.setColor(QColor(item.colour))
            bar_set.setBorderColor(QColor(item.colour))
            bar_set.clicked.connect(self._on_clicked)
            bar_set.hovered.connect(self._on_hovered)
            stacked.append(bar_set)
            self.sets[item.code] = bar_set
        chart.addSeries(stacked)
        axis = QBarCategoryAxis()
        axis.append(list(month_labels) or [""])
        axis.setLabelsAngle(-90)
        axis.setLabelsFont(chart_font(-2))
        axis.setLabelsBrush(QBrush(QColor(style.MUTED)))
        axis.setGridLineVisible(False)
        axis.setTruncateLabels(False)
        totals = [sum(s.values[i] for s in self.series_data) for i in range(len(self.months))]
        values = count_axis(max(totals, default=0))
        chart.addAxis(axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        stacked.attachAxis(axis)
        stacked.attachAxis(values)
        old = self.chart()
        self.setChart(chart)
        if old is not None:
            old.deleteLater()

    def click_segment(self, code: str, month_index: int) -> bool:
        """Act as a click on the segment of ``code`` in month ``month_index`` (tests)."""
        bar_set = self.sets.get(code)
        if bar_set is None or not 0 <= month_index < len(self.months):
            return False
        bar_set.clicked.emit(month_index)
        return True

    # -- private ------------------------------------------------------------------------------

    def _code_of(self, bar_set: object) -> str | None:
        return next((code for code, s in self.sets.items() if s is bar_set), None)

    def _on_clicked(self, index: int) -> None:
        code = self._code_of(self.sender())
        if code is not None and 0 <= index < len(self.months):
            self.segment_clicked.emit(code, self.months[index])

    def _on_hovered(self, status: bool, _index: int) -> None:
        self.viewport().setCursor(
            Qt.CursorShape.PointingHandCursor if status else Qt.CursorShape.ArrowCursor
        )
