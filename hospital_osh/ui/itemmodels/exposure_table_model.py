"""The exposures list: a lazy table model fed page by page by ``services.exposures``.

Paging, SQL sorting and filtering come from ``PagedTableModel`` (``list_exposures``): changing
either resets the model and reads the first page again, so the list holds only the rows scrolled
through. What a role may see is decided by the service: names of other people's reports arrive
masked.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor
from sqlalchemy.orm import Session

from hospital_osh.domain.codes import JOB_CATEGORIES, N_
from hospital_osh.domain.exposure_codes import (
    DEVICE_TYPES,
    EXPOSURE_TYPES,
    LOCATION_TYPES,
    STATUSES,
    YES_NO,
)
from hospital_osh.i18n import _, current_language, format_datetime, format_number
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.exposures import ExposureFilter, ExposureRow, list_exposures
from hospital_osh.ui.itemmodels.paged_table_model import PagedTableModel

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


class ExposureTableModel(PagedTableModel[ExposureRow, ExposureFilter]):
    """Rows of ``ExposureRow`` DTOs, newest first.

    ``local_labels`` maps (list name, code) to a hospital's own labels (zh, en), so local
    device or location entries show their names."""

    COLUMNS = COLUMNS

    def __init__(
        self,
        database: Database,
        actor: Actor,
        *,
        page_size: int = 200,
        parent: QObject | None = None,
    ):
        super().__init__(
            database,
            actor,
            ExposureFilter(),
            sort_column=column_of("occurred_at"),
            descending=True,
            page_size=page_size,
            parent=parent,
        )
        self.local_labels: dict[tuple[str, str], tuple[str, str]] = {}

    # -- PagedTableModel ----------------------------------------------------------------------

    def fetch(
        self, session: Session, sort: str, descending: bool, offset: int, limit: int
    ) -> list[ExposureRow]:
        return list_exposures(session, self.actor, self.filters, sort, descending, offset, limit)

    def text(self, row: ExposureRow, key: str) -> str:
        if key == "reference":
            return row.reference
        if key == "occurred_at":
            return format_datetime(row.occurred_at, "short")
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

    def foreground(self, row: ExposureRow, key: str) -> QColor | None:
        return _INCOMPLETE if key == "incomplete" and row.incomplete else None

    def tooltip(self, row: ExposureRow, key: str) -> str | None:
        if key == "incomplete" and row.incomplete:
            return _("Open the record to see which required fields are missing.")
        return None

    def alignment(self, row: ExposureRow, key: str) -> Qt.AlignmentFlag | None:
        if key == "hours_to_report":
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    # -- private ------------------------------------------------------------------------------

    def _label(self, list_name: str, codes: Any, code: str | None) -> str:
        if not code:
            return ""
        local = self.local_labels.get((list_name, code))
        if local is not None:
            zh, en = local
            return (zh or en) if current_language() == "zh_CN" else (en or zh)
        return _(codes.label(code))
