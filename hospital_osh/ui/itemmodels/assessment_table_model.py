"""The list of HealthWISE (and other checklist) rounds, a page at a time from
``services.healthwise.list_assessments``."""

from __future__ import annotations

from sqlalchemy.orm import Session

from hospital_osh.domain.codes import N_
from hospital_osh.domain.healthwise import STATES
from hospital_osh.i18n import _, current_language, format_date, format_number
from hospital_osh.services import healthwise
from hospital_osh.services.healthwise import AssessmentFilter, AssessmentRow
from hospital_osh.ui.itemmodels.paged_table_model import PagedTableModel

COLUMNS: tuple[tuple[str, str], ...] = (
    ("assessed_on", N_("Date")),
    ("department", N_("Department")),
    ("area", N_("Area")),
    ("template", N_("Checklist")),
    ("state", N_("Step")),
    ("members", N_("Team")),
)
"""(sort key understood by ``list_assessments``, header source string); the team size is not
a sort key of the service and sorts by date."""


class AssessmentTableModel(PagedTableModel[AssessmentRow, AssessmentFilter]):
    """Rows of ``AssessmentRow`` DTOs, newest first by default."""

    COLUMNS = COLUMNS

    def __init__(self, database, actor, *, page_size: int = 200, parent=None):  # type: ignore[no-untyped-def]
        super().__init__(
            database,
            actor,
            AssessmentFilter(),
            sort_column=0,
            descending=True,
            page_size=page_size,
            parent=parent,
        )

    def fetch(
        self, session: Session, sort: str, descending: bool, offset: int, limit: int
    ) -> list[AssessmentRow]:
        return healthwise.list_assessments(
            session, self.actor, self.filters, sort, descending, offset, limit
        )

    def text(self, row: AssessmentRow, key: str) -> str:
        chinese = current_language() == "zh_CN"
        if key == "assessed_on":
            return format_date(row.assessed_on)
        if key == "department":
            return (
                (row.department_zh or row.department_en)
                if chinese
                else (row.department_en or row.department_zh)
            )
        if key == "area":
            return row.area
        if key == "template":
            return (
                (row.template_name_zh or row.template_name_en)
                if chinese
                else (row.template_name_en or row.template_name_zh)
            )
        if key == "state":
            return _(STATES.label(row.state))
        if key == "members":
            return format_number(row.member_count)
        return ""
