"""Form pieces shared by the quick report and the full exposure record.

``ExposureForm`` is a ``FormLayout`` that also shows *warnings* under a field (a report more than
a year late, a stale source result): unlike errors they do not block saving, so they read as a
hint, not in red. The helpers fill combos from code lists that a hospital may extend (built-in
entries translated, local entries with their own label) and read date-times from Qt widgets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtWidgets import QComboBox, QDateTimeEdit, QLabel, QWidget

from hospital_osh.domain.codes import Code, CodeList
from hospital_osh.services.local_codes import display_label
from hospital_osh.ui.widgets.code_combo import fill_combo
from hospital_osh.ui.widgets.date_formats import apply_locale_date_format
from hospital_osh.ui.widgets.form import FormLayout

BLANK = "—"
"""The first item of a combo whose answer is not given yet (data None)."""


class ExposureForm(FormLayout):
    """Rows named by the exposure service's field names, each with an error and a warning line."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._warnings: dict[str, QLabel] = {}

    # -- public API ---------------------------------------------------------------------------

    def add_row(self, field: str, label_text: str, widget: QWidget) -> QLabel:
        label = super().add_row(field, label_text, widget)
        warning = QLabel()
        warning.setObjectName("fieldWarning")
        warning.setWordWrap(True)
        warning.setTextFormat(Qt.TextFormat.PlainText)
        warning.setStyleSheet("color: #9a5b00;")
        self.addRow("", warning)
        self.setRowVisible(warning, False)
        self._warnings[field] = warning
        return label

    def set_field_visible(self, field: str, visible: bool) -> None:
        super().set_field_visible(field, visible)
        warning = self._warnings[field]
        self.setRowVisible(warning, visible and bool(warning.text()))

    def show_warnings(self, warnings: Mapping[str, str]) -> dict[str, str]:
        """Show each warning under its field; return those whose field is not in this form."""
        leftover: dict[str, str] = {}
        for field, label in self._warnings.items():
            text = warnings.get(field, "")
            if label.text() != text:
                label.setText(text)
            self.setRowVisible(label, bool(text) and self._row_shown(field))
        for field, message in warnings.items():
            if field not in self._warnings:
                leftover[field] = message
        return leftover

    def warning_text(self, field: str) -> str:
        return self._warnings[field].text()

    def has_field(self, field: str) -> bool:
        return field in self._warnings

    # -- private ------------------------------------------------------------------------------

    def _row_shown(self, field: str) -> bool:
        return self.isRowVisible(self.field_widget(field))


def code_items(entries: Iterable[Code], *, blank: str | None = BLANK) -> list[tuple[str, object]]:
    """(label, code) pairs: built-in entries translated, a hospital's own with its own label."""
    items: list[tuple[str, object]] = [] if blank is None else [(blank, None)]
    items += [(display_label(entry), entry.code) for entry in entries]
    return items


def fill_codes(combo: QComboBox, codes: CodeList | Iterable[Code], *, blank: bool = True) -> None:
    """Fill ``combo`` from a code list (or built-in + local entries), keeping the choice."""
    fill_combo(combo, code_items(codes, blank=BLANK if blank else None))


def keep_unknown(combo: QComboBox, value: str | None, labels: Mapping[str, str]) -> None:
    """Select ``value``; a code no longer offered (a deactivated local entry, a masked value)
    is added as an item so that the record shows what it holds and saves it unchanged."""
    if value is None:
        combo.setCurrentIndex(0 if combo.count() else -1)
        return
    index = combo.findData(value)
    if index < 0:
        combo.addItem(labels.get(value, value), value)
        index = combo.count() - 1
    combo.setCurrentIndex(index)


def make_datetime_edit(parent: QWidget) -> QDateTimeEdit:
    edit = QDateTimeEdit(parent)
    apply_locale_date_format(edit)
    edit.setCalendarPopup(True)
    edit.setMinimumDateTime(QDateTime(1990, 1, 1, 0, 0, 0))
    return edit


def set_datetime(edit: QDateTimeEdit, value: dt.datetime | None) -> None:
    value = value or dt.datetime.now()
    edit.setDateTime(
        QDateTime(QDate(value.year, value.month, value.day), QTime(value.hour, value.minute))
    )


def get_datetime(edit: QDateTimeEdit) -> dt.datetime:
    date, time = edit.date(), edit.time()
    return dt.datetime(date.year(), date.month(), date.day(), time.hour(), time.minute())
