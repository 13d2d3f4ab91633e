"""The staff list: a lazy table model fed page by page by ``services.workers.list_workers``.

Sorting and filtering happen in SQL: changing either resets the model and fetches the first page
again, so the list never holds more rows than the user has scrolled through.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from hospital_osh.domain.codes import EMPLOYMENT_TYPES, JOB_CATEGORIES, N_, SEXES
from hospital_osh.i18n import _, current_language, format_date
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.errors import UserError
from hospital_osh.services.workers import WorkerFilter, WorkerRow, list_workers

ModelIndex = QModelIndex | QPersistentModelIndex

COLUMNS: tuple[tuple[str, str], ...] = (
    ("staff_no", N_("Staff no.")),
    ("name", N_("Name")),
    ("sex", N_("Sex")),
    ("job_category", N_("Job category")),
    ("department", N_("Department")),
    ("employment_type", N_("Employment type")),
    ("hire_date", N_("Hire date")),
    ("active", N_("Status")),
)
"""(sort key understood by ``list_workers``, header source string), in display order."""

_INACTIVE = QColor("#8a8a8a")


class WorkerTableModel(QAbstractTableModel):
    """Rows of ``WorkerRow`` DTOs; a session is opened per page and closed at once."""

    # -- signals ------------------------------------------------------------------------------
    load_failed = Signal(str)
    """Emitted with a user-facing message when a page could not be read."""

    ROW_ROLE = Qt.ItemDataRole.UserRole + 1
    """``data(index, ROW_ROLE)`` gives the row's ``WorkerRow``."""

    def __init__(
        self,
        database: Database,
        actor: Actor,
        *,
        page_size: int = 200,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._database = database
        self._actor = actor
        self._page_size = page_size
        self._filters = WorkerFilter()
        self._sort_column = 0
        self._descending = False
        self._rows: list[WorkerRow] = []
        self._complete = False
        self._changing = False

    # -- public API ---------------------------------------------------------------------------

    @property
    def filters(self) -> WorkerFilter:
        return self._filters

    def set_filters(self, filters: WorkerFilter) -> None:
        if filters != self._filters:
            self._filters = filters
            self.refresh()

    def refresh(self) -> None:
        """Forget what was read and read the first page again (after a save, an import...)."""
        # Listeners of modelReset (views, the model tester) may ask for more rows while the
        # reset is still being announced; they get them on their next request instead.
        self._changing = True
        try:
            self.beginResetModel()
            self._rows = []
            self._complete = False
            self._fetch_page()
            self.endResetModel()
        finally:
            self._changing = False

    def row_at(self, row: int) -> WorkerRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def sort_key(self) -> tuple[str, bool]:
        """The SQL sort column and direction currently applied."""
        return COLUMNS[self._sort_column][0], self._descending

    def retranslate(self) -> None:
        """Headers and code-list labels follow the language; the rows need no new query."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, len(COLUMNS) - 1)
            )

    # -- QAbstractTableModel ------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: ModelIndex) -> bool:
        return not parent.isValid() and not self._complete and not self._changing

    def fetchMore(self, parent: ModelIndex) -> None:
        if not self.canFetchMore(parent):
            return
        self._fetch_page(insert=True)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
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
            and 0 <= section < len(COLUMNS)
        ):
            return _(COLUMNS[section][1])
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < len(COLUMNS):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, COLUMNS[index.column()][0])
        if role == self.ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ForegroundRole and not row.active:
            return QBrush(_INACTIVE)
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
                page = list_workers(
                    session,
                    self._actor,
                    self._filters,
                    sort=key,
                    descending=descending,
                    offset=len(self._rows),
                    limit=self._page_size,
                )
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

    @staticmethod
    def _text(row: WorkerRow, key: str) -> str:
        if key == "staff_no":
            return row.staff_no
        if key == "name":
            return row.name
        if key == "sex":
            return _(SEXES.label(row.sex))
        if key == "job_category":
            return _(JOB_CATEGORIES.label(row.job_category))
        if key == "department":
            if current_language() == "zh_CN":
                return row.department_zh or row.department_en or ""
            return row.department_en or row.department_zh or ""
        if key == "employment_type":
            return _(EMPLOYMENT_TYPES.label(row.employment_type))
        if key == "hire_date":
            return format_date(row.hire_date)
        if key == "active":
            return _("In service") if row.active else _("Left")
        return ""
