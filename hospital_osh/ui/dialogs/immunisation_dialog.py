"""A worker's immunisation record in its own window, opened from the staff list.

Kept apart from the worker form on purpose: that form saves on Enter, and health data are
recorded entry by entry here (each one saved and audited at once), for roles that may see it.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from hospital_osh.i18n import _
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.widgets.immunisation_panel import ImmunisationPanel


class ImmunisationDialog(QDialog):
    """``set_worker(id, name, staff_no)`` then ``open()``; Close (or Esc) closes."""

    def __init__(
        self, context: AppContext, parent: QWidget | None = None, *, today: dt.date | None = None
    ):
        super().__init__(parent)
        self.context = context
        self.worker_name = ""
        self.staff_no = ""
        self.setMinimumSize(860, 560)
        self.title = QLabel(self)
        self.title.setObjectName("dialogTitle")
        self.panel = ImmunisationPanel(context, self, today=today)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.panel, 1)
        layout.addWidget(self.buttons)
        self.retranslate()

    def set_worker(self, worker_id: int, name: str, staff_no: str) -> None:
        self.worker_name, self.staff_no = name, staff_no
        self.panel.set_worker(worker_id)
        self.retranslate()

    def retranslate(self) -> None:
        text = _("Immunisation: {name} ({staff_no})").format(
            name=self.worker_name, staff_no=self.staff_no
        )
        self.setWindowTitle(text)
        self.title.setText(text)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        self.panel.retranslate()
