"""A key-figure tile of the dashboard: what is counted, the value, and how it changed.

The change line carries an arrow (up, down, level) and a colour for what the change means,
not for its direction: fewer exposures are good news in green, fewer safety devices bad news
in red. A tile that links to a list is a button: click, Enter or Space opens the list.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from hospital_osh.ui import style

BETTER, WORSE, NEUTRAL = "better", "worse", "neutral"
_TONES = {BETTER: style.OK, WORSE: style.ERROR, NEUTRAL: style.MUTED}
_STYLE = f"""
QFrame#dashboardTile {{
    background: {style.BASE};
    border: 1px solid {style.BORDER};
    border-radius: 8px;
}}
QFrame#dashboardTile[link="true"]:hover {{ border-color: {style.ACCENT}; }}
QFrame#dashboardTile:focus {{ border: 2px solid {style.ACCENT}; }}
QLabel#tileValue {{ font-size: 19pt; font-weight: 600; color: {style.TEXT}; }}
"""


class DashboardTile(QFrame):
    """One figure; ``activated`` when the user opens what it links to."""

    # -- signals ------------------------------------------------------------------------------
    activated = Signal()
    """Emitted on a click, Enter or Space while the tile links somewhere."""

    def __init__(self, key: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        self.setObjectName("dashboardTile")
        self.setStyleSheet(_STYLE)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(140)
        self.title_label = QLabel(self)
        self.title_label.setWordWrap(True)
        style.set_role(self.title_label, "hint")
        self.value_label = QLabel(self)
        self.value_label.setObjectName("tileValue")
        self.change_label = QLabel(self)
        self.change_label.setWordWrap(True)
        self.note_label = QLabel(self)
        self.note_label.setWordWrap(True)
        style.set_role(self.note_label, "hint")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(2)
        layout.addWidget(self.title_label)
        layout.addWidget(self.value_label)
        layout.addWidget(self.change_label)
        layout.addWidget(self.note_label)
        layout.addStretch(1)
        self._clickable = False
        self.set_clickable(False)

    # -- public API ---------------------------------------------------------------------------

    @property
    def clickable(self) -> bool:
        return self._clickable

    def set_clickable(self, clickable: bool) -> None:
        self._clickable = clickable
        self.setProperty("link", clickable)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if clickable else Qt.FocusPolicy.NoFocus)
        self.setCursor(
            Qt.CursorShape.PointingHandCursor if clickable else Qt.CursorShape.ArrowCursor
        )
        self.style().unpolish(self)
        self.style().polish(self)

    def set_content(
        self,
        title: str,
        value: str,
        change: str = "",
        tone: str = NEUTRAL,
        note: str = "",
        tooltip: str = "",
    ) -> None:
        """Show ``value`` under ``title``; ``change`` in the colour of ``tone``."""
        self.title_label.setText(title)
        self.value_label.setText(value)
        self.change_label.setText(change)
        self.change_label.setVisible(bool(change))
        self.change_label.setStyleSheet(f"color: {_TONES.get(tone, style.MUTED)};")
        self.note_label.setText(note)
        self.note_label.setVisible(bool(note))
        self.setToolTip(tooltip)
        self.setAccessibleName(" ".join(part for part in (title, value, change, note) if part))

    def value_text(self) -> str:
        return self.value_label.text()

    def change_text(self) -> str:
        return self.change_label.text() if self.change_label.isVisibleTo(self) else ""

    # -- Qt overrides -------------------------------------------------------------------------

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if (
            self._clickable
            and event.button() == Qt.MouseButton.LeftButton
            and self.rect().contains(event.position().toPoint())
        ):
            self.activated.emit()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._clickable and event.key() in (
            Qt.Key.Key_Return,
            Qt.Key.Key_Enter,
            Qt.Key.Key_Space,
        ):
            self.activated.emit()
            event.accept()
            return
        super().keyPressEvent(event)
