"""The risk matrix as a 5 x 5 grid of coloured cells, each showing how many hazards sit in it.

Clicking a cell (or Space/Enter on it) picks it, and the register list shows only that cell;
picking it again clears the choice. Arrow keys move between cells, Tab leaves the grid. Likelihood
runs bottom (1) to top (5), severity left (1) to right (5), as printed matrices do. The colours
and the names come from the matrix in force (``domain.risk_matrix``), in the user's language.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.domain.risk_matrix import SCALE, RiskMatrix, score
from hospital_osh.i18n import _, current_language, format_number
from hospital_osh.ui import style

Cell = tuple[int, int]
_CELL_SIZE = QSize(44, 40)
_CELL_MAX = QSize(84, 60)


def _cell_style(colour: str, text: str) -> str:
    return (
        f"QToolButton {{ background: {colour}; color: {text}; border: 1px solid #ffffff; "
        "border-radius: 3px; font-size: 12pt; font-weight: 600; }"
        f"QToolButton:checked {{ border: 3px solid {style.TEXT}; }}"
        f"QToolButton:focus {{ border: 2px dashed {style.TEXT}; }}"
        f"QToolButton:checked:focus {{ border: 3px dashed {style.TEXT}; }}"
    )


class RiskMatrixWidget(QWidget):
    """Counts per cell of the current risk; picking a cell filters the register."""

    # -- signals ------------------------------------------------------------------------------
    cell_selected = Signal(object)
    """Emitted with the picked ``(likelihood, severity)``, or None when the choice is cleared."""

    def __init__(self, matrix: RiskMatrix, parent: QWidget | None = None):
        super().__init__(parent)
        self._matrix = matrix
        self._counts: dict[Cell, int] = {}
        self._selected: Cell | None = None
        self.cells: dict[Cell, QToolButton] = {}
        self._build()
        self.set_matrix(matrix)

    # -- public API ---------------------------------------------------------------------------

    @property
    def matrix(self) -> RiskMatrix:
        return self._matrix

    def set_matrix(self, matrix: RiskMatrix) -> None:
        self._matrix = matrix
        for (likelihood, severity), button in self.cells.items():
            level = matrix.level(likelihood, severity)
            button.setStyleSheet(_cell_style(level.colour, level.text_colour))
        self._fill_legend()
        self.retranslate()

    def set_counts(self, counts: dict[Cell, int]) -> None:
        self._counts = dict(counts)
        for cell, button in self.cells.items():
            count = self._counts.get(cell, 0)
            button.setText(format_number(count) if count else "·")
        self._describe_cells()

    def count(self, cell: Cell) -> int:
        return self._counts.get(cell, 0)

    def selected_cell(self) -> Cell | None:
        return self._selected

    def select_cell(self, cell: Cell | None, *, notify: bool = True) -> None:
        """Pick ``cell`` (None clears); ``notify`` emits ``cell_selected`` when it changed."""
        changed = cell != self._selected
        self._selected = cell
        for key, button in self.cells.items():
            button.setChecked(key == cell)
        if changed and notify:
            self.cell_selected.emit(cell)

    def retranslate(self) -> None:
        language = current_language()
        self.likelihood_title.setText(_("Likelihood"))
        self.severity_title.setText(_("Severity"))
        for value, label in self.row_labels.items():
            step = self._matrix.likelihood[value - 1]
            label.setText(f"{value} {step.name.text(language)}")
            label.setToolTip(step.hint.text(language))
        for value, label in self.column_labels.items():
            step = self._matrix.severity[value - 1]
            label.setText(f"{value}\n{step.name.text(language)}")
            label.setToolTip(step.hint.text(language))
        for code, label in self.legend_labels.items():
            label.setText(self._matrix.level_by_code(code).name.text(language))
        self.setAccessibleName(_("Risk matrix"))
        self._describe_cells()

    # -- QObject ------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Arrow keys move between cells; Enter picks like Space does."""
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            cell = next((c for c, b in self.cells.items() if b is watched), None)
            if cell is not None:
                moves = {
                    Qt.Key.Key_Up: (1, 0),
                    Qt.Key.Key_Down: (-1, 0),
                    Qt.Key.Key_Left: (0, -1),
                    Qt.Key.Key_Right: (0, 1),
                }
                key = Qt.Key(event.key())
                if key in moves:
                    step = moves[key]
                    target = (cell[0] + step[0], cell[1] + step[1])
                    if target in self.cells:
                        self.cells[target].setFocus(Qt.FocusReason.TabFocusReason)
                    return True
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                    self._on_clicked(cell)
                    return True
        return super().eventFilter(watched, event)

    # -- private ------------------------------------------------------------------------------

    def _build(self) -> None:
        grid = QGridLayout()
        grid.setSpacing(2)
        self.likelihood_title = QLabel(self)
        self.likelihood_title.setObjectName("sectionTitle")
        self.severity_title = QLabel(self)
        self.severity_title.setObjectName("sectionTitle")
        self.severity_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.row_labels: dict[int, QLabel] = {}
        self.column_labels: dict[int, QLabel] = {}
        grid.addWidget(self.likelihood_title, 0, 0)
        for likelihood in SCALE:
            row = 1 + len(SCALE) - likelihood  # 5 at the top
            label = QLabel(self)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            label.setProperty("role", "hint")
            label.setWordWrap(True)
            label.setMaximumWidth(76)
            self.row_labels[likelihood] = label
            grid.addWidget(label, row, 0)
            for severity in SCALE:
                button = QToolButton(self)
                button.setCheckable(True)
                button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
                button.setMinimumSize(_CELL_SIZE)
                button.setMaximumSize(_CELL_MAX)
                button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
                button.setObjectName(f"cell_L{likelihood}_S{severity}")
                button.clicked.connect(self._on_button_clicked)
                button.installEventFilter(self)
                self.cells[(likelihood, severity)] = button
                grid.addWidget(button, row, severity)
        for severity in SCALE:
            label = QLabel(self)
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            label.setProperty("role", "hint")
            label.setWordWrap(True)
            self.column_labels[severity] = label
            grid.addWidget(label, len(SCALE) + 1, severity)
        grid.addWidget(self.severity_title, len(SCALE) + 2, 1, 1, len(SCALE))
        # Tab order: row by row from the top, left to right, as the eye reads the grid.
        ordered = [
            self.cells[(likelihood, severity)]
            for likelihood in reversed(SCALE)
            for severity in SCALE
        ]
        for first, second in itertools.pairwise(ordered):
            QWidget.setTabOrder(first, second)
        self.legend = QVBoxLayout()
        self.legend.setSpacing(2)
        self.legend_labels: dict[str, QLabel] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grid)
        layout.addLayout(self.legend)

    def _fill_legend(self) -> None:
        while self.legend.count():
            item = self.legend.takeAt(0)
            layout = item.layout()
            if layout is not None:
                while layout.count():
                    child = layout.takeAt(0).widget()
                    if child is not None:
                        child.deleteLater()
            widget = item.widget()
            if widget is not None:
                widget.deleteLater()
        self.legend_labels = {}
        for level in self._matrix.levels:
            swatch = QLabel(self)
            swatch.setFixedSize(14, 14)
            swatch.setStyleSheet(f"background: {level.colour}; border-radius: 2px;")
            label = QLabel(self)
            row = QHBoxLayout()
            row.addWidget(swatch)
            row.addWidget(label, 1)
            self.legend.addLayout(row)
            self.legend_labels[level.code] = label

    def _describe_cells(self) -> None:
        language = current_language()
        for (likelihood, severity), button in self.cells.items():
            level = self._matrix.level(likelihood, severity)
            text = _(
                "Likelihood {likelihood} ({likelihood_name}) × severity {severity} "
                "({severity_name}) = {score}: {level}. Hazards: {count}."
            ).format(
                likelihood=likelihood,
                likelihood_name=self._matrix.likelihood[likelihood - 1].name.text(language),
                severity=severity,
                severity_name=self._matrix.severity[severity - 1].name.text(language),
                score=score(likelihood, severity),
                level=level.name.text(language),
                count=format_number(self.count((likelihood, severity))),
            )
            button.setToolTip(text)
            button.setAccessibleName(text)

    def _on_button_clicked(self) -> None:
        sender = self.sender()
        cell = next((c for c, b in self.cells.items() if b is sender), None)
        if cell is not None:
            self._on_clicked(cell)

    def _on_clicked(self, cell: Cell) -> None:
        self.select_cell(None if cell == self._selected else cell)
