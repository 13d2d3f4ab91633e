"""A bar chart of counts by category (Qt Charts) whose bars open the matching list.

Each bar is its own ``QBarSet`` in a stacked series (one value, zeros elsewhere), so every bar
can have its own colour (overdue red, due amber) and a click tells which bar it was. Bars whose
key is not in the clickable set are drawn but do nothing (an "unknown" that no list filter can
show). Texts come in translated from the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalStackedBarSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QApplication, QWidget

from hospital_osh.i18n import format_number
from hospital_osh.ui import style

BAR_HEIGHT = 22
"""Pixels per bar of a horizontal chart, so that every category label fits."""


@dataclass(frozen=True)
class Bar:
    """One bar: its key (what a click opens), its label, its count and its colour."""

    key: object
    label: str
    value: int
    colour: str = style.ACCENT
    clickable: bool = True


def chart_font(point_delta: int = 0, *, bold: bool = False) -> QFont:
    """The application's font (the bundled CJK font), as charts do not inherit it."""
    font = QFont(QApplication.font())
    font.setPointSize(max(7, font.pointSize() + point_delta))
    font.setBold(bold)
    return font


def new_chart() -> QChart:
    """A plain white chart without animation, in the application's look."""
    chart = QChart()
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setBackgroundBrush(QBrush(QColor(style.BASE)))
    chart.setBackgroundPen(QPen(QColor(style.BORDER)))
    chart.setBackgroundRoundness(8)
    chart.setMargins(QMargins(6, 4, 10, 4))
    chart.setTitleFont(chart_font(bold=True))
    chart.setTitleBrush(QBrush(QColor(style.TEXT)))
    return chart


def count_axis(maximum: int, ticks: int = 5) -> QValueAxis:
    """An axis of whole counts from 0, with about ``ticks`` round ticks."""
    axis = QValueAxis()
    axis.setLabelFormat("%d")
    axis.setLabelsFont(chart_font(-1))
    axis.setLabelsBrush(QBrush(QColor(style.MUTED)))
    axis.setGridLineColor(QColor("#e6eaee"))
    axis.setRange(0, max(maximum, 1))
    axis.setTickCount(ticks)
    axis.applyNiceNumbers()
    if axis.max() < 4:
        axis.setTickCount(int(axis.max()) + 1)
    return axis


class DashboardBarChart(QChartView):
    """Bars of counts; ``bar_clicked`` carries the key of the bar clicked."""

    # -- signals ------------------------------------------------------------------------------
    bar_clicked = Signal(object)
    """Emitted with a bar's key when the user clicks a bar that links somewhere."""

    def __init__(self, *, horizontal: bool = True, ticks: int = 5, parent: QWidget | None = None):
        super().__init__(parent)
        self.horizontal = horizontal
        self.ticks = ticks
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(250)
        self.bars: list[Bar] = []
        self.sets: list[QBarSet] = []
        self.series: QAbstractBarSeries | None = None
        self._title = ""
        self._empty = ""
        self.setChart(new_chart())

    # -- public API ---------------------------------------------------------------------------

    def set_bars(self, title: str, bars: Sequence[Bar], empty: str = "") -> None:
        """Draw ``bars`` (top to bottom, or left to right) under ``title``; ``empty`` is the
        title's note when there is nothing to draw."""
        self._title, self._empty = title, empty
        self.bars = list(bars)
        # Room for every label: Qt Charts drops the labels of bars that would overlap.
        if self.horizontal:
            self.setMinimumHeight(max(250, 90 + BAR_HEIGHT * len(self.bars)))
        chart = new_chart()
        nothing = not any(bar.value for bar in self.bars)
        chart.setTitle(f"{title} — {empty}" if nothing and empty else title)
        chart.legend().setVisible(False)
        series: QAbstractBarSeries = (
            QHorizontalStackedBarSeries() if self.horizontal else QStackedBarSeries()
        )
        series.setBarWidth(0.7)
        series.setLabelsVisible(False)
        ordered = list(reversed(self.bars)) if self.horizontal else self.bars  # first on top
        self.sets = []
        for position, bar in enumerate(ordered):
            bar_set = QBarSet(bar.label)
            bar_set.append([bar.value if i == position else 0 for i in range(len(ordered))])
            bar_set.setColor(QColor(bar.colour))
            bar_set.setBorderColor(QColor(bar.colour))
            bar_set.clicked.connect(self._on_clicked)
            bar_set.hovered.connect(self._on_hovered)
            series.append(bar_set)
            self.sets.append(bar_set)
        chart.addSeries(series)
        categories = QBarCategoryAxis()
        categories.append([self._category(bar) for bar in ordered] or [""])
        categories.setLabelsFont(chart_font(-1))
        categories.setLabelsBrush(QBrush(QColor(style.TEXT)))
        categories.setGridLineVisible(False)
        categories.setTruncateLabels(False)  # a name cut to "…" says nothing
        values = count_axis(max((bar.value for bar in self.bars), default=0), self.ticks)
        if self.horizontal:
            chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
            chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        else:
            chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
            chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(categories)
        series.attachAxis(values)
        self.series = series
        old = self.chart()
        self.setChart(chart)
        if old is not None:
            old.deleteLater()

    def bar_of(self, key: object) -> Bar | None:
        return next((bar for bar in self.bars if bar.key == key), None)

    def click_bar(self, key: object) -> bool:
        """Act as a click on the bar of ``key`` (keyboard users, tests); False if none."""
        bar = self.bar_of(key)
        if bar is None or not bar.clickable:
            return False
        self.bar_clicked.emit(bar.key)
        return True

    def category_labels(self) -> list[str]:
        return [self._category(bar) for bar in self.bars]

    # -- private ------------------------------------------------------------------------------

    def _category(self, bar: Bar) -> str:
        return f"{bar.label}  {format_number(bar.value)}"

    def _bar_for(self, bar_set: QBarSet) -> Bar | None:
        for position, candidate in enumerate(self.sets):
            if candidate is bar_set:
                ordered = list(reversed(self.bars)) if self.horizontal else self.bars
                return ordered[position]
        return None

    def _on_clicked(self, _index: int) -> None:
        bar = self._bar_for(self.sender())  # type: ignore[arg-type]
        if bar is not None and bar.clickable:
            self.bar_clicked.emit(bar.key)

    def _on_hovered(self, status: bool, _index: int) -> None:
        bar = self._bar_for(self.sender())  # type: ignore[arg-type]
        pointing = status and bar is not None and bar.clickable
        self.viewport().setCursor(
            Qt.CursorShape.PointingHandCursor if pointing else Qt.CursorShape.ArrowCursor
        )
