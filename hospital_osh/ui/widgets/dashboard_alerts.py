"""The dashboard's list of what needs action today, each line one click from its records.

Urgent lines (a closing HIV PEP window, overdue tests, a cluster) come first with a warning icon.
A click, or Enter on the selected line, asks the page to open what the line is about; lines
the user's role cannot open are shown but do nothing. The texts come translated from the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QWidget

from hospital_osh.ui import icons, style

INDEX_ROLE = Qt.ItemDataRole.UserRole + 1
WARNING = "#b45309"  # amber: needs doing, not urgent


@dataclass(frozen=True)
class AlertLine:
    text: str
    urgent: bool
    clickable: bool
    tooltip: str = ""


class DashboardAlertList(QListWidget):
    """Alert lines; ``alert_activated`` carries the index of the line opened."""

    # -- signals ------------------------------------------------------------------------------
    alert_activated = Signal(int)
    """Emitted with the position of the alert (in the list given) the user opened."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("dashboardAlerts")
        self.setWordWrap(True)
        self.setSpacing(2)
        self.setIconSize(QSize(18, 18))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMouseTracking(True)
        self.setStyleSheet(
            f"QListWidget#dashboardAlerts {{ background: {style.BASE}; "
            f"border: 1px solid {style.BORDER}; border-radius: 8px; padding: 4px; }}"
            "QListWidget#dashboardAlerts::item { padding: 6px 4px; }"
        )
        self.lines: list[AlertLine] = []
        self.itemClicked.connect(self._on_item)
        self.itemActivated.connect(self._on_item)
        self.itemEntered.connect(self._on_entered)

    # -- public API ---------------------------------------------------------------------------

    def set_lines(self, lines: Sequence[AlertLine], empty: str) -> None:
        """Show ``lines``; ``empty`` is the one line shown when there are none."""
        self.clear()
        self.lines = list(lines)
        if not self.lines:
            item = QListWidgetItem(icons.icon("circle-check", style.OK, style.OK), empty)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setForeground(QBrush(QColor(style.OK)))
            self.addItem(item)
            return
        for index, line in enumerate(self.lines):
            if line.urgent:
                icon = icons.icon("triangle-alert", style.ERROR, style.ERROR)
            else:
                icon = icons.icon("info", WARNING, WARNING)
            item = QListWidgetItem(icon, line.text)
            item.setData(INDEX_ROLE, index)
            item.setToolTip(line.tooltip)
            if not line.clickable:
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.addItem(item)

    def texts(self) -> list[str]:
        return [self.item(row).text() for row in range(self.count())]

    def activate(self, index: int) -> bool:
        """Open the alert at ``index`` as a click would (False when it links nowhere)."""
        if not 0 <= index < len(self.lines) or not self.lines[index].clickable:
            return False
        self.alert_activated.emit(index)
        return True

    # -- private ------------------------------------------------------------------------------

    def _on_item(self, item: QListWidgetItem) -> None:
        index = item.data(INDEX_ROLE)
        if index is not None:
            self.activate(int(index))

    def _on_entered(self, item: QListWidgetItem) -> None:
        index = item.data(INDEX_ROLE)
        clickable = index is not None and self.lines[int(index)].clickable
        self.viewport().setCursor(
            Qt.CursorShape.PointingHandCursor if clickable else Qt.CursorShape.ArrowCursor
        )
