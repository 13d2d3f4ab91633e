"""The exposures list: a lazy table model fed page by page by ``services.exposures``.

Sorting and filtering happen in SQL (``list_exposures``); changing either resets the model and
reads the first page again, so the list holds only the rows scrolled through. What a role may
see is decided by the service: names of other people's reports arrive masked.
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

from hospital_osh.domain.codes import JOB_CATEGORIES, N_
from hospital_osh.domain.exposure_codes import (
    DEVICE_TYPES,
    EXPOSURE_TYPES,
    LOCATION_TYPES,
    STATUSES,
    YES_NO,
)
from hospital_osh.i18n import _, current_language, format_number
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.errors import UserError
from hospital_osh.services.exposures import ExposureFilter, ExposureRow, list_exposures

ModelIndex = QModelIndex | QPersistentModelIndex

COLUMNS: tuple[tuple[str, str], ...] = (
    ("reference", N_("Case number")),
    ("occurred_at", N_("Exposure")),
    ("exposure_type", N_("Type")),
    ("worker", N_("Worker")),
    ("department", N_("Department")),
    ("status", N_("Status")),
    ("incomplete", N_("Record")),
    ("hours_to_report", N_("Hours to report")),
    ("job_category", N_("Job category")),
    ("location_type", N_("Location")),
    ("device_type", N_("Device")),
    ("source_identified", N_("Source known")),
)
"""(sort key understood by ``list_exposures``, header source string), in display order."""

_INCOMPLETE = QColor("#b42318")


def column_of(key: str) -> int:
    return [name for name, _label in COLUMNS].index(key)


class ExposureTableModel(QAbstractTableModel):
    """Rows of ``ExposureRow`` DTOs; a session is opened per page and closed at once.

    ``local_labels`` maps (list name, code) to a hospital's own labels (zh, en), so local
    device or location entries show their names."""

    # -- signals ------------------------------------------------------------------------------
    load_failed = Signal(str)
    """Emitted with a user-facing message when a page could not be read."""

    ROW_ROLE = Qt.ItemDataRole.UserRole + 1
    """``data(index, ROW_ROLE)`` gives the row's ``ExposureRow``."""

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
        self._filters = ExposureFilter()
        self._sort_column = column_of("occurred_at")
        self._descending = True
        self._rows: list[ExposureRow] = []
        self._complete = False
        self._changing = False
        self.local_labels: dict[tuple[str, str], tuple[str, str]] = {}

    # -- public API ---------------------------------------------------------------------------

    @property
    def filters(self) -> ExposureFilter:
        return self._filters

    def set_filters(self, filters: ExposureFilter) -> None:
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

    def row_at(self, row: int) -> ExposureRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def sort_key(self) -> tuple[str, bool]:
        return COLUMNS[self._sort_column][0], self._descending

    def retranslate(self) -> None:
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
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, key)
        if role == Qt.ItemDataRole.ToolTipRole and key == "incomplete" and row.incomplete:
            return _("Open the record to see which required fields are missing.")
        if role == self.ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ForegroundRole and key == "incomplete" and row.incomplete:
            return QBrush(_INCOMPLETE)
        if role == Qt.ItemDataRole.TextAlignmentRole and key == "hours_to_report":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
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
                page = list_exposures(
                    session,
                    self._actor,
                    self._filters,
                    sort="department" if key == "department" else key,
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

    def _label(self, list_name: str, codes: Any, code: str | None) -> str:
        if not code:
            return ""
        local = self.local_labels.get((list_name, code))
        if local is not None:
            zh, en = local
            return (zh or en) if current_language() == "zh_CN" else (en or zh)
        return _(codes.label(code))

    def _text(self, row: ExposureRow, key: str) -> str:
        if key == "reference":
            return row.reference
        if key == "occurred_at":
            return row.occurred_at.strftime("%Y-%m-%d %H:%M")
        if key == "hours_to_report":
            return format_number(row.hours_to_report, 1)
        if key == "exposure_type":
            return self._label("exposure_type", EXPOSURE_TYPES, row.exposure_type)
        if key == "worker":
            return row.worker_name
        if key == "job_category":
            return self._label("job_category", JOB_CATEGORIES, row.job_category)
        if key == "department":
            if current_language() == "zh_CN":
                return row.department_zh or row.department_en
            return row.department_en or row.department_zh
        if key == "location_type":
            return self._label("location_type", LOCATION_TYPES, row.location_type)
        if key == "device_type":
            return self._label("device_type", DEVICE_TYPES, row.device_type)
        if key == "source_identified":
            return self._label("yes_no", YES_NO, row.source_identified)
        if key == "status":
            return self._label("exposure_status", STATUSES, row.status)
        if key == "incomplete":
            if not row.incomplete:
                return _("Complete")
            return _("{count} missing").format(count=row.missing_count)
        return ""
