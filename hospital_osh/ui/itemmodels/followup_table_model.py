"""The follow-up list: tests, visits and treatments due after exposures, a page at a time.

Rows come from ``services.followups.list_followups`` (most urgent first, filtered in SQL), so the
overdue count in the sidebar and this list always agree. What a role may not see arrives masked
from the service (names as ``•••``, results as None); the cells say "hidden" rather than
pretending there is no result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor
from sqlalchemy.orm import Session

from hospital_osh.domain.codes import N_
from hospital_osh.domain.followup import FOLLOWUP_STATUSES, FollowupStatus
from hospital_osh.domain.protocol_vocab import PATHOGENS
from hospital_osh.i18n import _, format_number
from hospital_osh.services import followups
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.followups import FollowupFilter, FollowupRow
from hospital_osh.services.immunisation import QUALITATIVE_RESULTS
from hospital_osh.ui import style
from hospital_osh.ui.itemmodels.paged_table_model import PagedTableModel

COLUMNS: tuple[tuple[str, str], ...] = (
    ("exposure_ref", N_("Case")),
    ("worker", N_("Worker")),
    ("staff_no", N_("Staff no.")),
    ("item", N_("Test or visit")),
    ("pathogens", N_("For")),
    ("due_date", N_("Due")),
    ("window", N_("Window")),
    ("status", N_("Status")),
    ("result", N_("Result")),
)
"""(column key, header source string). The service orders by urgency; the view does not sort."""

_OVERDUE = QColor(style.ERROR)
_DUE = QColor("#9a5b00")
_CLOSED = QColor("#8a8a8a")
_UNITS = {"anti_hbs": "mIU/mL", "alt": "U/L"}


def status_text(row: FollowupRow) -> str:
    """The status in words; an overdue item says by how many days."""
    label = _(FOLLOWUP_STATUSES.label(row.status))
    if row.status == FollowupStatus.OVERDUE and row.days_overdue:
        return _("{status}, {days} days").format(status=label, days=row.days_overdue)
    return label


def result_text(row: FollowupRow) -> str:
    """The result as a reader needs it: value with unit, or the qualitative result; 'hidden'
    for a role that may not see serostatus; the reason for a missed or cancelled item."""
    if row.status in (FollowupStatus.MISSED, FollowupStatus.CANCELLED):
        return row.state_reason
    if row.status != FollowupStatus.DONE:
        return ""
    if row.serostatus_hidden:
        return _("hidden")
    parts = []
    if row.result:
        parts.append(_(QUALITATIVE_RESULTS.label(row.result)))
    if row.result_value is not None:
        unit = _UNITS.get(row.code, "")
        number = format_number(row.result_value, 1)
        parts.append(f"{number} {unit}".strip())
    return ", ".join(parts) or _("done")


def window_text(row: FollowupRow) -> str:
    return _("{start} to {end}").format(
        start=row.window_start.isoformat(), end=row.window_end.isoformat()
    )


def pathogens_text(row: FollowupRow) -> str:
    return ", ".join(_(PATHOGENS.label(code)) for code in row.pathogens if code in PATHOGENS)


def status_colour(status: str) -> QColor | None:
    if status == FollowupStatus.OVERDUE:
        return _OVERDUE
    if status == FollowupStatus.DUE:
        return _DUE
    if status in (FollowupStatus.MISSED, FollowupStatus.CANCELLED):
        return _CLOSED
    return None


class FollowupTableModel(PagedTableModel[FollowupRow, FollowupFilter]):
    """Rows of ``FollowupRow`` DTOs; ``today`` (hospital-local) decides due and overdue."""

    COLUMNS = COLUMNS

    def __init__(
        self,
        database: Database,
        actor: Actor,
        filters: FollowupFilter | None = None,
        *,
        today: Callable[[], dt.date | None] | None = None,
        page_size: int = 200,
        parent: QObject | None = None,
    ):
        self._today = today or (lambda: None)
        super().__init__(
            database,
            actor,
            filters or FollowupFilter(scope="overdue"),
            page_size=page_size,
            parent=parent,
        )

    def fetch(
        self, session: Session, sort: str, descending: bool, offset: int, limit: int
    ) -> list[FollowupRow]:
        return followups.list_followups(
            session, self.actor, self.filters, today=self._today(), offset=offset, limit=limit
        )

    def text(self, row: FollowupRow, key: str) -> str:
        if key == "exposure_ref":
            return row.exposure_ref
        if key == "worker":
            return row.worker_name
        if key == "staff_no":
            return row.staff_no
        if key == "item":
            return row.label
        if key == "pathogens":
            return pathogens_text(row)
        if key == "due_date":
            return row.due_date.isoformat()
        if key == "window":
            return window_text(row)
        if key == "status":
            return status_text(row)
        if key == "result":
            return result_text(row)
        return ""

    def foreground(self, row: FollowupRow, key: str) -> QColor | None:
        if key in ("status", "due_date"):
            return status_colour(row.status)
        return None

    def tooltip(self, row: FollowupRow, key: str) -> str | None:
        if key == "item" and row.reasons:
            return "\n".join(row.reasons)
        if key == "result" and row.note:
            return row.note
        return None
