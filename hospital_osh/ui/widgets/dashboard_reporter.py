"""The dashboard of a reporter (ward staff): its own latest reports and what to do next.

A reporter sees no hospital figures. What helps is the case number of each report, where it
stands, and while the 72-hour window for HIV prophylaxis runs, the same steps the quick report
gave. Each card opens the report; the button files a new one.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.ui import style


@dataclass(frozen=True)
class ReportCard:
    """One report as shown: ids and translated texts."""

    exposure_id: int
    heading: str
    detail: str
    steps: tuple[tuple[str, bool], ...]  # (text, urgent)
    open_text: str


class DashboardReporterView(QWidget):
    """The reporter's reports; ``new_report_requested`` and ``open_requested(id)``."""

    # -- signals ------------------------------------------------------------------------------
    new_report_requested = Signal()
    """Emitted when the user asks to file a new quick report."""
    open_requested = Signal(int)
    """Emitted with the id of the report the user wants to open."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel(self)
        self.title.setObjectName("sectionTitle")
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        style.set_role(self.intro, "hint")
        self.new_button = QPushButton(self)
        self.new_button.setProperty("accent", True)
        self.new_button.clicked.connect(self.new_report_requested)
        self.cards = QWidget(self)
        self.cards_layout = QVBoxLayout(self.cards)
        self.cards_layout.setContentsMargins(0, 0, 0, 0)
        self.cards_layout.setSpacing(8)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.cards)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.intro)
        layout.addWidget(scroll, 1)
        self.open_buttons: dict[int, QPushButton] = {}

    # -- public API ---------------------------------------------------------------------------

    def set_texts(self, title: str, intro: str, new_report: str) -> None:
        self.title.setText(title)
        self.intro.setText(intro)
        self.new_button.setText(new_report)

    def set_cards(self, cards: Sequence[ReportCard], empty: str) -> None:
        while self.cards_layout.count():
            item = self.cards_layout.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.deleteLater()
        self.open_buttons = {}
        if not cards:
            label = QLabel(empty, self.cards)
            label.setWordWrap(True)
            style.set_role(label, "hint")
            self.cards_layout.addWidget(label)
        for card in cards:
            self.cards_layout.addWidget(self._card(card))
        self.cards_layout.addStretch(1)

    # -- private ------------------------------------------------------------------------------

    def _card(self, card: ReportCard) -> QFrame:
        frame = QFrame(self.cards)
        frame.setObjectName("reportCard")
        frame.setStyleSheet(
            f"QFrame#reportCard {{ background: {style.BASE}; border: 1px solid {style.BORDER}; "
            "border-radius: 8px; }"
        )
        heading = QLabel(f"<b>{html.escape(card.heading)}</b>", frame)
        heading.setTextFormat(Qt.TextFormat.RichText)
        detail = QLabel(card.detail, frame)
        detail.setWordWrap(True)
        style.set_role(detail, "hint")
        button = QPushButton(card.open_text, frame)
        button.clicked.connect(self._on_open)
        button.setProperty("exposure_id", card.exposure_id)
        self.open_buttons[card.exposure_id] = button
        top = QHBoxLayout()
        top.addWidget(heading, 1)
        top.addWidget(button)
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(12, 8, 12, 10)
        layout.addLayout(top)
        layout.addWidget(detail)
        for text, urgent in card.steps:
            step = QLabel(f"• {text}", frame)
            step.setWordWrap(True)
            if urgent:
                style.set_role(step, "error")
            layout.addWidget(step)
        return frame

    def _on_open(self) -> None:
        button = self.sender()
        exposure_id = button.property("exposure_id") if button is not None else None
        if exposure_id is not None:
            self.open_requested.emit(int(exposure_id))
