"""The audit trail as a lazily paged table: rows arrive a page at a time as the view scrolls.

The model knows nothing of sessions: it is given ``fetch(offset, limit)``, which the page builds
around ``services.audit.list_events`` with the current filters. Display strings are formatted
once per row (Babel is not cheap) and formatted again after a language switch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from hospital_osh.domain.codes import N_
from hospital_osh.i18n import _, format_datetime
from hospital_osh.services.audit import AuditRow

Fetch = Callable[[int, int], Sequence[AuditRow]]
AnyIndex = QModelIndex | QPersistentModelIndex

TIME, USER, ACTION, ENTITY, RECORD, CHANGES = range(6)
HEADERS = (N_("Time"), N_("User"), N_("Action"), N_("Record type"), N_("Record"), N_("Fields"))

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
"""``data(index, ROW_ROLE)`` returns the row's AuditRow."""

# Labels for the codes services write; an unknown code is shown as stored.
ACTION_LABELS = {
    "create": N_("Created"),
    "update": N_("Changed"),
    "login": N_("Logged in"),
    "login_failed": N_("Failed login"),
    "set_password": N_("Password set"),
    "enable": N_("Enabled"),
    "disable": N_("Disabled"),
    "lock": N_("Locked"),
    "unlock": N_("Unlocked"),
    "deactivate": N_("Deactivated"),
    "reactivate": N_("Reactivated"),
    "delete": N_("Deleted"),
    "import": N_("Imported"),
    "export": N_("Exported"),
    "demo_generate": N_("Demo data generated"),
}
ENTITY_LABELS = {
    "user": N_("User"),
    "hospital": N_("Hospital"),
    "department": N_("Department"),
    "worker": N_("Worker"),
    "setting": N_("Setting"),
    "staffing_year": N_("Staffing year"),
    "database": N_("Database"),
}


# Labels for the field names events record; an unknown field is shown as stored.
FIELD_LABELS = {
    "active": N_("Active"),
    "username": N_("User name"),
    "display_name": N_("Full name"),
    "role": N_("Role"),
    "language": N_("Language"),
    "password": N_("Password"),
    "failed_logins": N_("Failed logins"),
    "locked_until": N_("Locked until"),
    "name_zh": N_("Chinese name"),
    "name_en": N_("English name"),
    "facility_code": N_("Facility code"),
    "province": N_("Province"),
    "city": N_("City"),
    "grade": N_("Hospital grade"),
    "time_zone": N_("Time zone"),
    "code": N_("Code"),
    "type": N_("Type"),
    "staff_no": N_("Staff number"),
    "name": N_("Name"),
    "sex": N_("Sex"),
    "birth_date": N_("Birth date"),
    "job_category": N_("Job category"),
    "department_id": N_("Department"),
    "employment_type": N_("Employment type"),
    "hire_date": N_("Hire date"),
    "occupied_beds": N_("Occupied beds"),
}


def field_label(name: str) -> str:
    return _(FIELD_LABELS[name]) if name in FIELD_LABELS else name


def action_label(code: str) -> str:
    return _(ACTION_LABELS[code]) if code in ACTION_LABELS else code


def entity_label(code: str) -> str:
    return _(ENTITY_LABELS[code]) if code in ENTITY_LABELS else code


def local_time(value: dt.datetime) -> dt.datetime:
    """Stored naive UTC -> naive local time, for display."""
    return value.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)


class AuditTableModel(QAbstractTableModel):
    """Newest events first, ``page_size`` rows per fetch."""

    # -- signals ------------------------------------------------------------------------------
    fetched = Signal(int)
    """Emitted after each fetch with the number of rows now loaded."""

    def __init__(self, fetch: Fetch | None = None, page_size: int = 200, parent=None):  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self._fetch = fetch
        self._page_size = page_size
        self._rows: list[AuditRow] = []
        self._texts: dict[int, tuple[str, ...]] = {}
        self._exhausted = fetch is None
        self._fetching = False  # views and testers may ask again while rows are inserted

    # -- public API ---------------------------------------------------------------------------

    def set_fetch(self, fetch: Fetch | None) -> None:
        """Start over with another query (e.g. new filters)."""
        self.beginResetModel()
        self._fetch = fetch
        self._rows = []
        self._texts = {}
        self._exhausted = True  # nobody fetches while listeners handle the reset itself
        self.endResetModel()
        self._exhausted = fetch is None

    def reload(self) -> None:
        self.set_fetch(self._fetch)

    def row_at(self, row: int) -> AuditRow:
        return self._rows[row]

    def row_of_event(self, event_id: int) -> int | None:
        for row, item in enumerate(self._rows):
            if item.id == event_id:
                return row
        return None

    def retranslate(self) -> None:
        self._texts = {}
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(HEADERS) - 1)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, len(HEADERS) - 1)
            )

    # -- Qt overrides -------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._display(index.row())[index.column()]
        if role == ROW_ROLE:
            return self._rows[index.row()]
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(HEADERS)
        ):
            return _(HEADERS[section])
        return None

    def canFetchMore(self, parent: AnyIndex) -> bool:
        return not parent.isValid() and not self._exhausted and not self._fetching

    def fetchMore(self, parent: AnyIndex) -> None:
        if not self.canFetchMore(parent) or self._fetch is None:
            return
        self._fetching = True
        try:
            rows = list(self._fetch(len(self._rows), self._page_size))
            if len(rows) < self._page_size:
                self._exhausted = True
            if rows:
                start = len(self._rows)
                self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
                self._rows.extend(rows)
                self.endInsertRows()
        finally:
            self._fetching = False
        self.fetched.emit(len(self._rows))

    # -- private ------------------------------------------------------------------------------

    def _display(self, row: int) -> tuple[str, ...]:
        texts = self._texts.get(row)
        if texts is None:
            item = self._rows[row]
            texts = (
                format_datetime(local_time(item.at), "medium"),
                item.actor,
                action_label(item.action),
                entity_label(item.entity),
                item.entity_id,
                _(", ").join(field_label(name) for name in item.changes),
            )
            self._texts[row] = texts
        return texts
