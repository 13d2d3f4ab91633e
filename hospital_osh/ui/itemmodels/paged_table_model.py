"""A lazy table model over a paged service query: the base of the staff, exposure, action and
round lists.

A subclass names its columns (sort key understood by the service, header source string), reads
one page (``fetch(session, sort, descending, offset, limit)``) and says what a cell shows
(``text``, optionally ``foreground``, ``tooltip`` and ``alignment``). Sorting and filtering
happen in SQL: changing either resets the model and reads the first page again, so the list
never holds more rows than the user has scrolled through.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from sqlalchemy.orm import Session

from hospital_osh.i18n import _
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.errors import UserError

ModelIndex = QModelIndex | QPersistentModelIndex
RowT = TypeVar("RowT")
FilterT = TypeVar("FilterT")


class PagedTableModel(QAbstractTableModel, Generic[RowT, FilterT]):
    """Rows of service DTOs; a session is opened per page and closed at once."""

    # -- signals ------------------------------------------------------------------------------
    load_failed = Signal(str)
    """Emitted with a user-facing message when a page could not be read."""

    ROW_ROLE = Qt.ItemDataRole.UserRole + 1
    """``data(index, ROW_ROLE)`` gives the row's DTO."""

    COLUMNS: ClassVar[tuple[tuple[str, str], ...]] = ()
    """(sort key understood by the service, header source string), in display order."""

    def __init__(
        self,
        database: Database,
        actor: Actor,
        filters: FilterT,
        *,
        sort_column: int = 0,
        descending: bool = False,
        page_size: int = 200,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._database = database
        self._actor = actor
        self._page_size = page_size
        self._filters = filters
        self._sort_column = sort_column
        self._descending = descending
        self._rows: list[RowT] = []
        self._complete = False
        self._changing = False

    # -- hooks for subclasses -----------------------------------------------------------------

    # Every subclass defines these two (annotations only, so a missing one fails loudly):
    fetch: Callable[[Session, str, bool, int, int], list[RowT]]
    """``fetch(session, sort, descending, offset, limit)``: one page of rows from the service."""
    text: Callable[[RowT, str], str]
    """``text(row, key)``: what the cell of column ``key`` shows."""

    def foreground(self, row: RowT, key: str) -> QColor | None:
        return None

    def tooltip(self, row: RowT, key: str) -> str | None:
        return None

    def alignment(self, row: RowT, key: str) -> Qt.AlignmentFlag | None:
        """How the cell's text is aligned (e.g. figures to the right); None for the default."""
        return None

    # -- public API ---------------------------------------------------------------------------

    @property
    def filters(self) -> FilterT:
        return self._filters

    @property
    def actor(self) -> Actor:
        return self._actor

    def set_filters(self, filters: FilterT) -> None:
        if filters != self._filters:
            self._filters = filters
            self.refresh()

    def refresh(self) -> None:
        """Forget what was read and read the first page again (after a save...)."""
        self._changing = True
        try:
            self.beginResetModel()
            self._rows = []
            self._complete = False
            self._fetch_page()
            self.endResetModel()
        finally:
            self._changing = False

    def row_at(self, row: int) -> RowT | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rows(self) -> list[RowT]:
        """The rows read so far."""
        return list(self._rows)

    def sort_key(self) -> tuple[str, bool]:
        """The SQL sort column and direction currently applied."""
        return self.COLUMNS[self._sort_column][0], self._descending

    def retranslate(self) -> None:
        """Headers and code-list labels follow the language; the rows need no new query."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.COLUMNS) - 1)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, len(self.COLUMNS) - 1)
            )

    # -- QAbstractTableModel ------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def canFetchMore(self, parent: ModelIndex) -> bool:
        return not parent.isValid() and not self._complete and not self._changing

    def fetchMore(self, parent: ModelIndex) -> None:
        if not self.canFetchMore(parent):
            return
        self._fetch_page(insert=True)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.COLUMNS):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if (column, descending) == (self._sort_column, self._descending) and self._rows:
            return
        self._sort_column, self._descending = column, descending
        self.refresh()

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.COLUMNS)
        ):
            return _(self.COLUMNS[section][1])
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < len(self.COLUMNS):
            return None
        row = self._rows[index.row()]
        key = self.COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, key)
        if role == self.ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ForegroundRole:
            colour = self.foreground(row, key)
            return QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row, key)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            alignment = self.alignment(row, key)
            return int(alignment) if alignment is not None else None
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # -- private ------------------------------------------------------------------------------

    def _fetch_page(self, *, insert: bool = False) -> None:
        key, descending = self.sort_key()
        try:
            with self._database.session() as session:
                page = self.fetch(session, key, descending, len(self._rows), self._page_size)
        except UserError as error:
            self._complete = True
            self.load_failed.emit(str(error))
            return
        self._complete = len(page) < self._page_size
        if not page:
            return
        if insert:
            first = len(self._rows)
            self._changing = True  # no re-entrant fetch from a rowsInserted listener
            try:
                self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
                self._rows.extend(page)
                self.endInsertRows()
            finally:
                self._changing = False
        else:
            self._rows.extend(page)
