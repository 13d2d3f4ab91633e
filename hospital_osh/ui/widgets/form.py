"""A form layout that shows each field's validation message right under the field.

Services answer a failed save with ``ValidationError.fields`` (field name -> message); a dialog
hands that dict to ``FormLayout.show_errors`` and the messages appear beside their fields while
the user's input stays as typed. Usage::

    form = FormLayout()
    form.add_row("staff_no", _("Staff number"), self.staff_no_edit)
    ...
    try:
        save(...)
    except ValidationError as error:
        leftover = form.show_errors(error.fields)   # messages for fields not in this form
    form.clear_errors()
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

ERROR_PROPERTY = "invalid"
"""Dynamic property set to True on a field widget while it shows an error (styled in style.py)."""


def chain_focus(widgets: Sequence[QWidget]) -> None:
    """Tab moves through ``widgets`` in this order. Qt's default order is the order widgets
    were created in, which is rarely the order a form is read in (buttons made first by a base
    class would come first)."""
    for first, second in itertools.pairwise(widgets):
        QWidget.setTabOrder(first, second)


def _repolish(widget: QWidget) -> None:
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


class FormLayout(QFormLayout):
    """A QFormLayout whose rows are named by the service's field names."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setFormAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.setHorizontalSpacing(12)
        self.setVerticalSpacing(8)
        self._labels: dict[str, QLabel] = {}
        self._fields: dict[str, QWidget] = {}
        self._errors: dict[str, QLabel] = {}

    # -- public API ---------------------------------------------------------------------------

    def add_row(self, field: str, label_text: str, widget: QWidget) -> QLabel:
        """Add ``widget`` labelled ``label_text``; ``field`` is the name services use for it.

        Returns the label (its buddy is the widget, so a ``&`` mnemonic focuses the field)."""
        label = QLabel(label_text)
        label.setBuddy(widget)
        self.addRow(label, widget)
        error = QLabel()
        error.setObjectName("fieldError")
        error.setWordWrap(True)
        error.setTextFormat(Qt.TextFormat.PlainText)
        error.setProperty("role", "error")
        self.addRow("", error)
        self.setRowVisible(error, False)
        self._labels[field] = label
        self._fields[field] = widget
        self._errors[field] = error
        return label

    def set_label_text(self, field: str, text: str) -> None:
        """For ``retranslate()``."""
        self._labels[field].setText(text)

    def label(self, field: str) -> QLabel:
        return self._labels[field]

    def field_widget(self, field: str) -> QWidget:
        return self._fields[field]

    def field_names(self) -> list[str]:
        return list(self._fields)

    def shown_fields(self) -> list[QWidget]:
        """The field widgets of the rows not hidden, in the order of the rows."""
        return [widget for widget in self._fields.values() if self.isRowVisible(widget)]

    def set_field_visible(self, field: str, visible: bool) -> None:
        """Hide or show a whole row (label, field and its message)."""
        self.setRowVisible(self._fields[field], visible)
        if not visible:
            self.setRowVisible(self._errors[field], False)
        else:
            self.setRowVisible(self._errors[field], bool(self._errors[field].text()))

    def show_errors(self, errors: Mapping[str, str], *, focus: bool = True) -> dict[str, str]:
        """Show each message under its field (replacing earlier ones) and focus the first
        invalid field. Returns the messages whose field is not in this form, for the caller
        to show elsewhere (e.g. a banner)."""
        self.clear_errors()
        leftover: dict[str, str] = {}
        first: QWidget | None = None
        for field, message in errors.items():
            if field not in self._fields:
                leftover[field] = message
                continue
            error = self._errors[field]
            error.setText(message)
            self.setRowVisible(error, True)
            widget = self._fields[field]
            widget.setProperty(ERROR_PROPERTY, True)
            _repolish(widget)
            if first is None:
                first = widget
        if focus and first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        return leftover

    def clear_errors(self) -> None:
        for field, error in self._errors.items():
            if error.text():
                error.clear()
                self.setRowVisible(error, False)
            widget = self._fields[field]
            if widget.property(ERROR_PROPERTY):
                widget.setProperty(ERROR_PROPERTY, False)
                _repolish(widget)

    def error_text(self, field: str) -> str:
        """The message shown for ``field`` ('' when none); handy in tests."""
        return self._errors[field].text()

    def errors(self) -> dict[str, str]:
        return {field: label.text() for field, label in self._errors.items() if label.text()}
