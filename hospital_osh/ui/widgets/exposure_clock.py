"""The hours since an exposure, large, with the three windows that matter in the first days.

2 h: the ideal start of HIV prophylaxis (and China's reporting deadline); 24 h: hepatitis B
immunoglobulin and China's 2004 PEP limit; 72 h: the last start of HIV prophylaxis
(domain/exposures.md b.1). Each window shows the time left, or that it has passed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from hospital_osh.domain.codes import N_
from hospital_osh.i18n import _, format_number
from hospital_osh.ui import style

WINDOWS: tuple[tuple[int, str], ...] = (
    (2, N_("HIV prophylaxis ideally started")),
    (24, N_("Hepatitis B immunoglobulin best given")),
    (72, N_("Last time to start HIV prophylaxis")),
)

_URGENT = "#b42318"
_SOON = "#9a5b00"


class ExposureClock(QFrame):
    """Call ``set_hours`` whenever the exposure time (or the clock) moves."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("exposureClock")
        self.setStyleSheet(
            f"QFrame#exposureClock {{ background: {style.BASE}; border: 1px solid {style.BORDER};"
            " border-radius: 6px; }"
        )
        self._hours = 0.0
        self.hours_label = QLabel(self)
        self.hours_label.setObjectName("hoursSince")
        font = self.hours_label.font()
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        self.hours_label.setFont(font)
        self.caption = QLabel(self)
        self.caption.setProperty("role", "hint")
        self.window_labels: list[tuple[QLabel, QLabel]] = []
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        for row, _window in enumerate(WINDOWS):
            name, left = QLabel(self), QLabel(self)
            name.setWordWrap(True)
            left.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(name, row, 0)
            grid.addWidget(left, row, 1)
            self.window_labels.append((name, left))
        grid.setColumnStretch(0, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(self.hours_label)
        layout.addWidget(self.caption)
        layout.addLayout(grid)
        self.retranslate()

    # -- public API ---------------------------------------------------------------------------

    def set_hours(self, hours: float) -> None:
        self._hours = max(hours, 0.0)
        self._update()

    def hours(self) -> float:
        return self._hours

    def retranslate(self) -> None:
        self.caption.setText(_("hours since the exposure"))
        self._update()

    # -- private ------------------------------------------------------------------------------

    def _update(self) -> None:
        hours = self._hours
        self.hours_label.setText(format_number(round(hours, 1), 1))
        colour = _URGENT if hours < 72 else style.MUTED
        self.hours_label.setStyleSheet(f"color: {colour};")
        for (limit, text), (name, left) in zip(WINDOWS, self.window_labels, strict=True):
            name.setText(_("{limit} h: {what}").format(limit=limit, what=_(text)))
            remaining = limit - hours
            if remaining > 0:
                left.setText(
                    _("{hours} h left").format(hours=format_number(round(remaining, 1), 1))
                )
                left.setStyleSheet(
                    f"color: {_URGENT if remaining <= 1 else _SOON}; font-weight: 600;"
                )
            else:
                left.setText(_("passed"))
                left.setStyleSheet(f"color: {style.MUTED};")
