"""A date field that may be left empty (birth and hire dates are often unknown)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QEvent, Signal
from PySide6.QtWidgets import QCheckBox, QDateEdit, QHBoxLayout, QWidget

from hospital_osh.i18n import _
from hospital_osh.ui.widgets.date_formats import apply_locale_date_format

_UNSET = QDate(1900, 1, 1)
"""Shown as 'Not set'; real dates start the day after."""


class OptionalDateEdit(QWidget):
    """A check box says whether the date is known; unchecked shows 'Not set'."""

    # -- signals ------------------------------------------------------------------------------
    value_changed = Signal()
    """Emitted when the date is set, cleared or changed."""

    def __init__(self, default: dt.date | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._default = default or dt.date.today()
        self.known = QCheckBox(self)
        self.edit = QDateEdit(self)
        self.edit.setCalendarPopup(True)
        apply_locale_date_format(self.edit)
        self.edit.setMinimumDate(_UNSET)
        self.edit.setMaximumDate(QDate(2100, 12, 31))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.known)
        layout.addWidget(self.edit, 1)
        self.setFocusProxy(self.edit)
        self.known.toggled.connect(self._on_known_toggled)
        self.edit.dateChanged.connect(self._on_date_changed)
        self.retranslate()
        self.set_value(None)

    # -- public API ---------------------------------------------------------------------------

    def value(self) -> dt.date | None:
        if not self.known.isChecked() or self.edit.date() == _UNSET:
            return None
        return self.edit.date().toPython()  # type: ignore[no-any-return]

    def set_value(self, value: dt.date | None) -> None:
        self.known.blockSignals(True)
        self.known.setChecked(value is not None)
        self.known.blockSignals(False)
        self.edit.setEnabled(value is not None)
        self.edit.setDate(QDate(value) if value is not None else _UNSET)
        self.value_changed.emit()

    def retranslate(self) -> None:
        self.edit.setSpecialValueText(_("Not set"))
        self.known.setToolTip(_("Tick when the date is known"))
        self.known.setAccessibleName(_("Date known"))

    # -- QWidget ------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        """Pass the form's ``invalid`` mark on to the date box, which the stylesheet outlines."""
        if event.type() == QEvent.Type.DynamicPropertyChange:
            self.edit.setProperty("invalid", self.property("invalid"))
            self.edit.style().unpolish(self.edit)
            self.edit.style().polish(self.edit)
        return super().event(event)

    # -- private ------------------------------------------------------------------------------

    def _on_date_changed(self, _date: QDate) -> None:
        self.value_changed.emit()

    def _on_known_toggled(self, checked: bool) -> None:
        self.edit.setEnabled(checked)
        if checked and self.edit.date() == _UNSET:
            self.edit.setDate(QDate(self._default))
        elif not checked:
            self.edit.setDate(_UNSET)
        if checked:
            self.edit.setFocus()
        self.value_changed.emit()
