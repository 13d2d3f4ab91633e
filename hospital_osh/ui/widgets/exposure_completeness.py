"""How complete an exposure record is: 'Complete', or the required fields still missing, by name.

The list comes from ``services.exposures.missing_fields`` (the same rule that marks a saved
record incomplete), so the form and the exposures page never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QLabel, QWidget

from hospital_osh.i18n import _, current_language
from hospital_osh.services.exposures import MissingField, field_label
from hospital_osh.ui import style


class CompletenessLabel(QLabel):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("completeness")
        self.setWordWrap(True)
        self._missing: tuple[MissingField, ...] = ()
        self.set_missing(())

    # -- public API ---------------------------------------------------------------------------

    def set_missing(self, missing: Sequence[MissingField]) -> None:
        self._missing = tuple(missing)
        if not self._missing:
            self.setText(_("Complete: every required field is filled in."))
            style.set_role(self, "ok")
            return
        separator = "、" if current_language() == "zh_CN" else ", "
        names = separator.join(field_label(m.field) for m in self._missing)
        self.setText(
            _("Incomplete: {count} required fields missing: {names}.").format(
                count=len(self._missing), names=names
            )
        )
        style.set_role(self, "error")

    def missing(self) -> tuple[MissingField, ...]:
        return self._missing

    def retranslate(self) -> None:
        self.set_missing(self._missing)
