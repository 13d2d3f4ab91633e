"""Enter the result of one follow-up item: the date it was done and what it showed.

One click from the follow-ups page or the case panel. Qualitative tests (HBsAg, anti-HCV, HCV
RNA, HIV) take positive / negative / indeterminate; anti-HBs takes its value in mIU/mL (required)
and ALT in U/L (optional); visits and treatments only their date. The service refuses a date
before the exposure or in the future and an implausible value; the messages appear beside the
fields and the input stays. ``saved`` carries the service's ``ResultSaved``, whose
``seroconversion`` tells the caller to prompt for the outcome and notification.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QLabel, QLineEdit, QPlainTextEdit, QWidget
from sqlalchemy.orm import Session

from hospital_osh.domain.protocol_vocab import PATHOGENS, FollowupItem
from hospital_osh.i18n import _
from hospital_osh.services import followups
from hospital_osh.services.followups import FollowupRow, ResultEntry, ResultSaved
from hospital_osh.services.immunisation import QUALITATIVE_RESULTS
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.edit_dialog import EditDialog
from hospital_osh.ui.widgets.code_combo import fill_combo, select_data
from hospital_osh.ui.widgets.date_formats import apply_locale_date_format

_VALUE_UNITS: dict[str, str] = {FollowupItem.ANTI_HBS: "mIU/mL", FollowupItem.ALT: "U/L"}


def parse_number(text: str) -> float | None:
    """A typed number ('125', '125.5', '125,5'); None for an empty field; ValueError otherwise."""
    text = text.strip().replace(",", ".")
    if not text:
        return None
    return float(text)


def seroconversion_text(saved: ResultSaved, *, in_case: bool = False) -> str:
    """What a positive result means for the case ('' when it means nothing special);
    ``in_case``: said inside the case panel, where the outcome section is at hand."""
    if saved.seroconversion and in_case:
        return _(
            "A positive result after the baseline: a seroconversion to {virus}. Record the "
            "outcome and the occupational disease notification (Outcome)."
        ).format(virus=_(PATHOGENS.label(saved.seroconversion)))
    if saved.seroconversion:
        return _(
            "A positive result after the baseline: a seroconversion to {virus}. Open the case, "
            "record the outcome and the occupational disease notification."
        ).format(virus=_(PATHOGENS.label(saved.seroconversion)))
    if saved.baseline_positive:
        return _(
            "A positive baseline result: an infection that existed before this exposure "
            "({virus}). Refer the worker for care."
        ).format(virus=_(PATHOGENS.label(saved.baseline_positive)))
    return ""


class FollowupResultDialog(EditDialog):
    """Enter saves, Esc cancels (asking when something was typed)."""

    def __init__(
        self,
        context: AppContext,
        row: FollowupRow,
        parent: QWidget | None = None,
        *,
        today: dt.date | None = None,
    ):
        super().__init__(context, parent, min_width=500)
        self.row = row
        self._today = today or dt.date.today()
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setProperty("role", "hint")
        layout = self.layout()
        layout.insertWidget(0, self.summary)  # type: ignore[attr-defined]
        self.done_date = QDateEdit(self)
        self.done_date.setCalendarPopup(True)
        apply_locale_date_format(self.done_date)
        self.done_date.setDate(QDate(self._today))
        self.result = QComboBox(self)
        self.value = QLineEdit(self)
        self.value.setMaxLength(12)
        self.note = QPlainTextEdit(self)
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.form.add_row("done_date", "", self.done_date)
        self.form.add_row("result", "", self.result)
        self.form.add_row("value", "", self.value)
        self.form.add_row("note", "", self.note)
        self.qualitative = row.code in followups.QUALITATIVE_TESTS
        self.form.set_field_visible("result", self.qualitative)
        self.form.set_field_visible("value", row.code in _VALUE_UNITS)
        self.retranslate()
        self.mark_clean()

    # -- public API ---------------------------------------------------------------------------

    def entry(self) -> ResultEntry:
        """What the form holds (the value as typed must parse; ``check`` says so first)."""
        try:
            value = parse_number(self.value.text()) if self.row.code in _VALUE_UNITS else None
        except ValueError:
            value = None
        return ResultEntry(
            done_date=self.done_date.date().toPython(),  # type: ignore[arg-type]
            result=self.result.currentData() if self.qualitative else None,
            value=value,
            note=self.note.toPlainText(),
            version=self.row.version,
        )

    def retranslate(self) -> None:
        super().retranslate()
        row = self.row
        self.setWindowTitle(_("Enter result: {item}").format(item=row.label))
        self.summary.setText(
            _("{item} for case {case} ({worker}); due {due}, window {start} to {end}.").format(
                item=row.label,
                case=row.exposure_ref,
                worker=row.worker_name or _("worker not on the staff list"),
                due=row.due_date.isoformat(),
                start=row.window_start.isoformat(),
                end=row.window_end.isoformat(),
            )
        )
        self.form.set_label_text("done_date", _("Date done"))
        self.form.set_label_text("result", _("Result"))
        unit = _VALUE_UNITS.get(row.code)
        self.form.set_label_text(
            "value", _("Value ({unit})").format(unit=unit) if unit else _("Value")
        )
        self.form.set_label_text("note", _("Note"))
        choice = self.result.currentData()
        fill_combo(
            self.result,
            [(_("Choose…"), None)] + [(_(c.label), c.code) for c in QUALITATIVE_RESULTS],
        )
        select_data(self.result, choice)
        self.value.setPlaceholderText(
            _("e.g. 125") if row.code == FollowupItem.ANTI_HBS else _("optional")
        )

    # -- EditDialog ---------------------------------------------------------------------------

    def snapshot(self) -> tuple[object, ...]:
        return (
            self.done_date.date().toPython(),
            self.result.currentData(),
            self.value.text(),
            self.note.toPlainText(),
        )

    def check(self) -> dict[str, str]:
        try:
            parse_number(self.value.text())
        except ValueError:
            return {"value": _("Enter a number, e.g. 125 or 12.5.")}
        return {}

    def write(self, session: Session) -> followups.ResultSaved:
        return followups.enter_result(
            session, self.context.actor, self.row.id, self.entry(), today=self._today
        )
