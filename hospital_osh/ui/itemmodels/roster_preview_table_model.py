"""The roster import preview: one row per file line, each column as read, and its status.

The preview is small and fully in memory (it is what ``services.roster.read_roster`` returned),
so this model holds it whole; there is nothing to page.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from hospital_osh.i18n import _
from hospital_osh.services.roster import RosterPreview, RosterRow
from hospital_osh.ui import style

ModelIndex = QModelIndex | QPersistentModelIndex

_ERROR_BACKGROUND = QColor("#fde8e6")
_EXISTING_BACKGROUND = QColor("#fff6dc")


def error_columns(row: RosterRow, columns: list[str]) -> dict[str, str]:
    """The row's messages for cells of the file's columns (errors are keyed by the file's
    header); other messages are left to the status column, which shows them all."""
    return {key: message for key, message in row.errors.items() if key in columns}


class RosterPreviewTableModel(QAbstractTableModel):
    """Columns: line number, the file's columns, status (new / existing / the errors)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._preview: RosterPreview | None = None
        self._columns: list[str] = []
        self._cell_errors: list[dict[str, str]] = []

    # -- public API ---------------------------------------------------------------------------

    def set_preview(self, preview: RosterPreview | None) -> None:
        self.beginResetModel()
        self._preview = preview
        self._columns = list(preview.columns) if preview else []
        self._cell_errors = (
            [error_columns(row, self._columns) for row in preview.rows] if preview else []
        )
        self.endResetModel()

    def preview(self) -> RosterPreview | None:
        return self._preview

    def status_text(self, row: RosterRow) -> str:
        if row.errors:  # the messages are in the tooltip and in the list under the table
            return _("Errors: {count}").format(count=len(row.errors))
        if row.existing_id is not None:
            return _("Existing staff number")
        return _("New")

    def retranslate(self) -> None:
        if self.columnCount():
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
        if self.rowCount():
            self.dataChanged.emit(
                self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1)
            )

    # -- QAbstractTableModel ------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        if parent.isValid() or self._preview is None:
            return 0
        return len(self._preview.rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._preview is None:
            return 0
        return len(self._columns) + 2

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        if not 0 <= section < self.columnCount():
            return None
        if section == 0:
            return _("Line")
        if section == len(self._columns) + 1:
            return _("Status")
        return self._columns[section - 1]

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self._preview is None or not index.isValid():
            return None
        if not 0 <= index.row() < self.rowCount() or not 0 <= index.column() < self.columnCount():
            return None
        row = self._preview.rows[index.row()]
        column = index.column()
        status = column == len(self._columns) + 1
        name = self._columns[column - 1] if 0 < column <= len(self._columns) else None
        cell_error = self._cell_errors[index.row()].get(name) if name else None
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return str(row.line)
            if status:
                return self.status_text(row)
            return row.raw.get(name or "", "")
        if role == Qt.ItemDataRole.ToolTipRole:
            if cell_error:
                return cell_error
            if status and row.errors:
                return "\n".join(row.errors.values())
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            if cell_error or (status and row.errors):
                return QBrush(_ERROR_BACKGROUND)
            if status and row.existing_id is not None:
                return QBrush(_EXISTING_BACKGROUND)
            return None
        if role == Qt.ItemDataRole.ForegroundRole and (cell_error or (status and row.errors)):
            return QBrush(QColor(style.ERROR))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
