"""The action plan list: every action item, a page at a time from ``services.actions``.

Overdue is a derived flag: the status cell says so in words and in red (colour alone is not
enough for everyone).
"""

from __future__ import annotations

from PySide6.QtGui import QColor
from sqlalchemy.orm import Session

from hospital_osh.domain.actions import ACTION_STATUSES, HIERARCHY_LEVELS, SOURCE_KINDS
from hospital_osh.domain.codes import N_
from hospital_osh.i18n import _, current_language, format_date, format_number
from hospital_osh.services import actions
from hospital_osh.services.actions import ActionFilter, ActionRow
from hospital_osh.ui import style
from hospital_osh.ui.itemmodels.paged_table_model import PagedTableModel

COLUMNS: tuple[tuple[str, str], ...] = (
    ("reference", N_("Ref.")),
    ("title", N_("What")),
    ("status", N_("Status")),
    ("due_date", N_("Due")),
    ("owner", N_("Owner")),
    ("department", N_("Department")),
    ("source", N_("Source")),
    ("hierarchy_level", N_("Control level")),
    ("cost_cny", N_("Cost (CNY)")),
)
"""(sort key understood by ``list_actions``, header source string), in display order."""

_OVERDUE = QColor(style.ERROR)
_FINISHED = QColor("#8a8a8a")


def status_text(row: ActionRow) -> str:
    """The status in words, with 'overdue' added where it applies."""
    status = _(ACTION_STATUSES.label(row.status))
    if row.overdue:
        return _("{status}, overdue").format(status=status)
    return status


def department_text(zh: str, en: str) -> str:
    if current_language() == "zh_CN":
        return zh or en
    return en or zh


class ActionTableModel(PagedTableModel[ActionRow, ActionFilter]):
    """Rows of ``ActionRow`` DTOs, filtered and sorted in SQL."""

    COLUMNS = COLUMNS

    def __init__(self, database, actor, *, page_size: int = 200, parent=None):  # type: ignore[no-untyped-def]
        super().__init__(
            database,
            actor,
            ActionFilter(open_only=True),
            sort_column=3,
            page_size=page_size,
            parent=parent,
        )

    def fetch(
        self, session: Session, sort: str, descending: bool, offset: int, limit: int
    ) -> list[ActionRow]:
        return actions.list_actions(
            session, self.actor, self.filters, sort, descending, offset, limit
        )

    def text(self, row: ActionRow, key: str) -> str:
        if key == "reference":
            return row.reference
        if key == "title":
            return row.title
        if key == "status":
            return status_text(row)
        if key == "due_date":
            return format_date(row.due_date) if row.due_date else ""
        if key == "owner":
            return row.owner_name
        if key == "department":
            return department_text(row.department_zh, row.department_en)
        if key == "source":
            kind = _(SOURCE_KINDS.label(row.source_kind))
            return f"{kind} · {row.source_label}" if row.source_label else kind
        if key == "hierarchy_level":
            return _(HIERARCHY_LEVELS.label(row.hierarchy_level)) if row.hierarchy_level else ""
        if key == "cost_cny":
            return format_number(float(row.cost_cny), 2) if row.cost_cny is not None else ""
        return ""

    def foreground(self, row: ActionRow, key: str) -> QColor | None:
        if row.overdue and key in ("status", "due_date"):
            return _OVERDUE
        if row.status in ("closed", "rejected", "cancelled"):
            return _FINISHED
        return None

    def tooltip(self, row: ActionRow, key: str) -> str | None:
        if key == "status" and row.status_reason:
            return row.status_reason
        if key == "title":
            return row.title
        return None
