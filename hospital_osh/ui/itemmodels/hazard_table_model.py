"""The hazard register list: a lazy table model fed page by page by ``services.hazards``.

Sorting and filtering happen in SQL: changing either resets the model and reads the first page
again. The level cell carries the matrix colour; a warning icon marks a red or orange risk that
rests only on administrative controls and PPE; due and overdue reviews are highlighted and say so
in words too (colour alone is not enough for everyone).
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
from PySide6.QtGui import QBrush, QColor, QFont

from hospital_osh.domain.codes import N_
from hospital_osh.domain.hazards import CATEGORIES
from hospital_osh.domain.risk_matrix import RiskMatrix
from hospital_osh.i18n import _, current_language, format_date
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.errors import UserError
from hospital_osh.services.hazards import HazardFilter, HazardRow, list_hazards
from hospital_osh.ui import icons, style

ModelIndex = QModelIndex | QPersistentModelIndex

COLUMNS: tuple[tuple[str, str], ...] = (
    ("reference", N_("Ref.")),
    ("level", N_("Risk level")),
    ("score", N_("L × S")),
    ("next_review", N_("Next review")),
    ("department", N_("Department")),
    ("activity", N_("Activity or task")),
    ("category", N_("Category")),
    ("owner", N_("Risk owner")),
)
"""(sort key understood by ``list_hazards``, header source string), in display order."""

_OVERDUE = QColor(style.ERROR)
_DUE = QColor("#b54708")
_RETIRED = QColor("#8a8a8a")


class HazardTableModel(QAbstractTableModel):
    """Rows of ``HazardRow`` DTOs; a session is opened per page and closed at once."""

    # -- signals ------------------------------------------------------------------------------
    load_failed = Signal(str)
    """Emitted with a user-facing message when a page could not be read."""

    ROW_ROLE = Qt.ItemDataRole.UserRole + 1
    """``data(index, ROW_ROLE)`` gives the row's ``HazardRow``."""

    def __init__(
        self,
        database: Database,
        actor: Actor,
        matrix: RiskMatrix,
        *,
        page_size: int = 200,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._database = database
        self._actor = actor
        self._matrix = matrix
        self._page_size = page_size
        self._filters = HazardFilter()
        self._sort_column = 1
        self._descending = True
        self._rows: list[HazardRow] = []
        self._complete = False
        self._changing = False

    # -- public API ---------------------------------------------------------------------------

    @property
    def filters(self) -> HazardFilter:
        return self._filters

    def set_filters(self, filters: HazardFilter) -> None:
        if filters != self._filters:
            self._filters = filters
            self.refresh()

    def set_matrix(self, matrix: RiskMatrix) -> None:
        """Another matrix grades the rows differently: read them again."""
        self._matrix = matrix
        self.refresh()

    def refresh(self) -> None:
        """Forget what was read and read the first page again."""
        self._changing = True
        try:
            self.beginResetModel()
            self._rows = []
            self._complete = False
            self._fetch_page()
            self.endResetModel()
        finally:
            self._changing = False

    def row_at(self, row: int) -> HazardRow | None:
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
        if role == self.ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, key)
        if key == "level" and self._matrix.has_level(row.level):
            level = self._matrix.level_by_code(row.level)
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor(level.colour))
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(level.text_colour))
            if role == Qt.ItemDataRole.DecorationRole and row.weak_controls_warning:
                return icons.icon("triangle-alert", level.text_colour)
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.status != "active":
                return QBrush(_RETIRED)
            if key == "next_review" and row.review_state == "overdue":
                return QBrush(_OVERDUE)
            if key == "next_review" and row.review_state == "due":
                return QBrush(_DUE)
        if (
            role == Qt.ItemDataRole.FontRole
            and key == "next_review"
            and row.review_state in ("overdue", "due")
        ):
            font = QFont()
            font.setBold(True)
            return font
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
                page = list_hazards(
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

    def _text(self, row: HazardRow, key: str) -> str:
        language = current_language()
        if key == "reference":
            return row.reference
        if key == "level":
            if not self._matrix.has_level(row.level):
                return row.level
            return self._matrix.level_by_code(row.level).name.text(language)
        if key == "score":
            return f"{row.likelihood} × {row.severity} = {row.score}"
        if key == "department":
            if language == "zh_CN":
                return row.department_zh or row.department_en
            return row.department_en or row.department_zh
        if key == "activity":
            return f"{row.activity} · {row.agent}" if row.agent else row.activity
        if key == "category":
            return _(CATEGORIES.label(row.category))
        if key == "owner":
            return row.owner
        if key == "next_review":
            day = format_date(row.next_review_on)
            if row.status != "active":
                return _("Retired")
            if row.review_state == "overdue":
                return _("{date} (overdue)").format(date=day)
            if row.review_state == "due":
                return _("{date} (due soon)").format(date=day)
            return day
        return ""

    def _tooltip(self, row: HazardRow, key: str) -> str | None:
        if key == "level":
            parts = []
            if not row.residual_scored:
                parts.append(_("Initial risk (the residual risk is not yet scored)."))
            if row.weak_controls_warning:
                parts.append(
                    _(
                        "The controls rely only on administrative measures and PPE. Look for "
                        "elimination, substitution or engineering controls."
                    )
                )
            if row.acceptance_missing:
                parts.append(_("The residual risk has not been accepted yet."))
            return "\n".join(parts) or None
        if key == "activity" and row.location:
            return row.location
        return None
