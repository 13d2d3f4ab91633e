"""The staff list: a lazy table model fed page by page by ``services.workers.list_workers``.

Paging, SQL sorting and filtering come from ``PagedTableModel``: changing the sort or the
filters resets the model and reads the first page again, so the list never holds more rows than
the user has scrolled through. What a role may see (names) is decided by the service.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor
from sqlalchemy.orm import Session

from hospital_osh.domain.codes import EMPLOYMENT_TYPES, JOB_CATEGORIES, N_, SEXES
from hospital_osh.i18n import _, current_language, format_date
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.workers import WorkerFilter, WorkerRow, list_workers
from hospital_osh.ui.itemmodels.paged_table_model import PagedTableModel

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


class WorkerTableModel(PagedTableModel[WorkerRow, WorkerFilter]):
    """Rows of ``WorkerRow`` DTOs; workers who left are greyed out."""

    COLUMNS = COLUMNS

    def __init__(
        self,
        database: Database,
        actor: Actor,
        *,
        page_size: int = 200,
        parent: QObject | None = None,
    ):
        super().__init__(database, actor, WorkerFilter(), page_size=page_size, parent=parent)

    # -- PagedTableModel ----------------------------------------------------------------------

    def fetch(
        self, session: Session, sort: str, descending: bool, offset: int, limit: int
    ) -> list[WorkerRow]:
        return list_workers(
            session,
            self.actor,
            self.filters,
            sort=sort,
            descending=descending,
            offset=offset,
            limit=limit,
        )

    def text(self, row: WorkerRow, key: str) -> str:
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

    def foreground(self, row: WorkerRow, key: str) -> QColor | None:
        return None if row.active else _INACTIVE
