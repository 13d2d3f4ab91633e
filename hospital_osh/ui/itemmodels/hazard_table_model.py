"""The hazard register list: a lazy table model fed page by page by ``services.hazards``.

Sorting and filtering happen in SQL: changing either resets the model and reads the first page
again. The level cell carries the matrix colour; a warning icon marks a red or orange risk that
rests only on administrative controls and PPE; due and overdue reviews are highlighted and say so
in words too (colour alone is not enough for everyone).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from sqlalchemy.orm import Session

from hospital_osh.domain.codes import N_
from hospital_osh.domain.hazards import CATEGORIES
from hospital_osh.domain.risk_matrix import RiskLevel, RiskMatrix
from hospital_osh.i18n import _, current_language, format_date
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.hazards import HazardFilter, HazardRow, list_hazards
from hospital_osh.ui import icons, style
from hospital_osh.ui.itemmodels.paged_table_model import ModelIndex, PagedTableModel

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


class HazardTableModel(PagedTableModel[HazardRow, HazardFilter]):
    """Rows of ``HazardRow`` DTOs, worst level first; the level cell wears the matrix colour."""

    COLUMNS = COLUMNS

    def __init__(
        self,
        database: Database,
        actor: Actor,
        matrix: RiskMatrix,
        *,
        page_size: int = 200,
        parent: QObject | None = None,
    ):
        super().__init__(
            database,
            actor,
            HazardFilter(),
            sort_column=1,
            descending=True,
            page_size=page_size,
            parent=parent,
        )
        self._matrix = matrix

    # -- public API ---------------------------------------------------------------------------

    def set_matrix(self, matrix: RiskMatrix) -> None:
        """Another matrix grades the rows differently: read them again."""
        self._matrix = matrix
        self.refresh()

    # -- PagedTableModel hooks ----------------------------------------------------------------

    def fetch(
        self, session: Session, sort: str, descending: bool, offset: int, limit: int
    ) -> list[HazardRow]:
        return list_hazards(
            session,
            self.actor,
            self.filters,
            sort=sort,
            descending=descending,
            offset=offset,
            limit=limit,
        )

    def text(self, row: HazardRow, key: str) -> str:
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

    def tooltip(self, row: HazardRow, key: str) -> str | None:
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

    def foreground(self, row: HazardRow, key: str) -> QColor | None:
        if key == "level" and (level := self._level(row)) is not None:
            return QColor(level.text_colour)
        if row.status != "active":
            return _RETIRED
        if key == "next_review" and row.review_state == "overdue":
            return _OVERDUE
        if key == "next_review" and row.review_state == "due":
            return _DUE
        return None

    # -- QAbstractTableModel ------------------------------------------------------------------

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The base's roles, plus the level's colour and warning icon and a bold due review."""
        if role not in (
            Qt.ItemDataRole.BackgroundRole,
            Qt.ItemDataRole.DecorationRole,
            Qt.ItemDataRole.FontRole,
        ):
            return super().data(index, role)
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None or not 0 <= index.column() < len(COLUMNS):
            return None
        key = COLUMNS[index.column()][0]
        if key == "level":
            level = self._level(row)
            if level is None:
                return None
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor(level.colour))
            if role == Qt.ItemDataRole.DecorationRole and row.weak_controls_warning:
                return icons.icon("triangle-alert", level.text_colour)
            return None
        if (
            role == Qt.ItemDataRole.FontRole
            and key == "next_review"
            and row.review_state in ("overdue", "due")
        ):
            font = QFont()
            font.setBold(True)
            return font
        return None

    # -- private ------------------------------------------------------------------------------

    def _level(self, row: HazardRow) -> RiskLevel | None:
        """The row's level in the matrix shown, or None for a code it does not know."""
        if not self._matrix.has_level(row.level):
            return None
        return self._matrix.level_by_code(row.level)
