"""Move a follow-up item's due date and window, with the reason (every change is audited).

Moving the due date moves the window with it by the same number of days, which is what a
clinician almost always means ("the worker comes a week later"); the window's ends can still be
set apart. The service checks that the due date lies inside the window and that the window does
not start before the exposure; its messages appear beside the fields.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QSignalBlocker
from PySide6.QtWidgets import QDateEdit, QLabel, QPlainTextEdit, QWidget
from sqlalchemy.orm import Session

from hospital_osh.i18n import _
from hospital_osh.services import followups
from hospital_osh.services.followups import FollowupRow, ScheduleChange
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.edit_dialog import EditDialog
from hospital_osh.ui.widgets.date_formats import apply_locale_date_format


def _date_edit(parent: QWidget, value: dt.date) -> QDateEdit:
    edit = QDateEdit(parent)
    edit.setCalendarPopup(True)
    apply_locale_date_format(edit)
    edit.setDate(QDate(value))
    return edit


class FollowupDateDialog(EditDialog):
    """Enter saves, Esc cancels. ``saved`` carries the updated ``FollowupRow``."""

    def __init__(self, context: AppContext, row: FollowupRow, parent: QWidget | None = None):
        super().__init__(context, parent, min_width=460)
        self.row = row
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setProperty("role", "hint")
        self.layout().insertWidget(0, self.summary)  # type: ignore[attr-defined]
        self.due_date = _date_edit(self, row.due_date)
        self.window_start = _date_edit(self, row.window_start)
        self.window_end = _date_edit(self, row.window_end)
        self.reason = QPlainTextEdit(self)
        self.reason.setTabChangesFocus(True)
        self.reason.setMaximumHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        for name in ("due_date", "window_start", "window_end", "reason"):
            self.form.add_row(name, "", getattr(self, name))
        self._due = row.due_date
        self.due_date.dateChanged.connect(self._on_due_changed)
        self.retranslate()
        self.mark_clean()

    # -- public API ---------------------------------------------------------------------------

    def change(self) -> ScheduleChange:
        return ScheduleChange(
            due_date=self.due_date.date().toPython(),  # type: ignore[arg-type]
            window_start=self.window_start.date().toPython(),  # type: ignore[arg-type]
            window_end=self.window_end.date().toPython(),  # type: ignore[arg-type]
            reason=self.reason.toPlainText(),
            version=self.row.version,
        )

    def retranslate(self) -> None:
        super().retranslate()
        self.setWindowTitle(_("Change the date: {item}").format(item=self.row.label))
        self.summary.setText(
            _("{item} for case {case}; now due {due}, window {start} to {end}.").format(
                item=self.row.label,
                case=self.row.exposure_ref,
                due=self.row.due_date.isoformat(),
                start=self.row.window_start.isoformat(),
                end=self.row.window_end.isoformat(),
            )
        )
        self.form.set_label_text("due_date", _("New due date"))
        self.form.set_label_text("window_start", _("Window opens"))
        self.form.set_label_text("window_end", _("Window closes"))
        self.form.set_label_text("reason", _("Reason for the change"))

    # -- EditDialog ---------------------------------------------------------------------------

    def snapshot(self) -> ScheduleChange:
        return self.change()

    def write(self, session: Session) -> FollowupRow:
        return followups.reschedule(session, self.context.actor, self.row.id, self.change())

    # -- private ------------------------------------------------------------------------------

    def _on_due_changed(self, date: QDate) -> None:
        new = date.toPython()
        shift = new - self._due  # type: ignore[operator]
        self._due = new  # type: ignore[assignment]
        for edit in (self.window_start, self.window_end):
            with QSignalBlocker(edit):
                edit.setDate(QDate(edit.date().toPython() + shift))  # type: ignore[operator]
