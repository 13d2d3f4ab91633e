"""Ask for the reason (and a new due date) a step needs: reject, defer, reopen, return a plan.

The domain says which steps need what (``TransitionChoice.needs_reason`` and
``needs_new_due_date``, ``MoveChoice.needs_reason``); this dialog only collects it. The service
still checks it, and its messages come back beside the fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.i18n import _
from hospital_osh.ui.widgets.date_formats import apply_locale_date_format
from hospital_osh.ui.widgets.form import FormLayout


@dataclass(frozen=True)
class ReasonAnswer:
    reason: str
    new_due_date: dt.date | None


class ReasonDialog(QDialog):
    """OK is enabled once what is required is given; the caller reads ``answer()``."""

    def __init__(
        self,
        title: str,
        question: str,
        *,
        needs_reason: bool = True,
        needs_new_due_date: bool = False,
        field_label: str = "",
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(440)
        self._needs_reason = needs_reason
        self.question = QLabel(question, self)
        self.question.setWordWrap(True)
        self.reason = QPlainTextEdit(self)
        self.reason.setTabChangesFocus(True)
        self.reason.setMaximumHeight(self.fontMetrics().lineSpacing() * 5 + 12)
        self.new_due_date = QDateEdit(self)
        self.new_due_date.setCalendarPopup(True)
        apply_locale_date_format(self.new_due_date)
        soon = dt.date.today() + dt.timedelta(days=30)
        self.new_due_date.setDate(QDate(soon.year, soon.month, soon.day))
        self.form = FormLayout()
        label = field_label or (_("Reason") if needs_reason else _("Note (optional)"))
        self.form.add_row("reason", label, self.reason)
        self.form.add_row("new_due_date", _("New due date"), self.new_due_date)
        self.form.set_field_visible("new_due_date", needs_new_due_date)
        self._needs_date = needs_new_due_date
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("OK"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self._accept_if_complete)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.question)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)
        self.reason.setFocus()

    # -- public API ---------------------------------------------------------------------------

    def answer(self) -> ReasonAnswer:
        date = self.new_due_date.date().toPython() if self._needs_date else None
        return ReasonAnswer(self.reason.toPlainText().strip(), date)  # type: ignore[arg-type]

    def show_errors(self, errors: Mapping[str, str]) -> None:
        self.form.show_errors(errors)

    # -- private ------------------------------------------------------------------------------

    def _accept_if_complete(self) -> None:
        if self._needs_reason and not self.reason.toPlainText().strip():
            self.form.show_errors({"reason": _("This cannot be left empty.")})
            return
        self.accept()


def ask_reason(
    parent: QWidget | None,
    title: str,
    question: str,
    *,
    needs_reason: bool = True,
    needs_new_due_date: bool = False,
    field_label: str = "",
) -> ReasonAnswer | None:
    """Show the dialog modally; None when the user cancels. Tests replace this function."""
    dialog = ReasonDialog(
        title,
        question,
        needs_reason=needs_reason,
        needs_new_due_date=needs_new_due_date,
        field_label=field_label,
        parent=parent,
    )
    try:
        return dialog.answer() if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()
