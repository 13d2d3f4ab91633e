"""The filter bar above a list: a search box that searches as you type, and filter combos and
check boxes, on one or more rows.

Every list filters in SQL, so the bar asks once the typing pauses (``SEARCH_DELAY_MS``) instead
of at each key, and at once when a combo or check box changes or Enter is pressed. The page
reads the widgets' values itself when ``filters_changed`` arrives. Usage::

    bar = ListFilterBar(self)
    self.department = bar.add_combo()
    self.incomplete = bar.add_check(row=1)
    bar.filters_changed.connect(self._apply_filters)
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

SEARCH_DELAY_MS = 250
"""Search as you type, but query only once the typing pauses."""


class ListFilterBar(QWidget):
    """``search`` first on the first row, then the combos and check boxes in the order added."""

    # -- signals ------------------------------------------------------------------------------
    filters_changed = Signal()
    """Emitted when a combo or check box changed, Enter was pressed in the search box, or the
    typing paused."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        search_stretch: int = 2,
        delay_ms: int = SEARCH_DELAY_MS,
    ):
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(delay_ms)
        self.search_timer.timeout.connect(self.apply_now)
        self.search.textChanged.connect(self.search_timer.start)
        self.search.returnPressed.connect(self.apply_now)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._rows: list[QHBoxLayout] = []
        self._row(0).addWidget(self.search, search_stretch)
        self._combos: list[QComboBox] = []

    # -- public API ---------------------------------------------------------------------------

    def add_combo(
        self, *, row: int = 0, stretch: int = 1, min_contents: int = 8, max_visible: int = 0
    ) -> QComboBox:
        """A filter combo whose first item says what it filters ("All departments"), so the
        bar needs no labels. Its width follows ``min_contents`` characters, not its longest
        item, so the bar fits a 1024-pixel window in both languages."""
        combo = QComboBox(self)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(min_contents)
        if max_visible:
            combo.setMaxVisibleItems(max_visible)
        combo.currentIndexChanged.connect(self.apply_now)
        self._row(row).addWidget(combo, stretch)
        self._combos.append(combo)
        return combo

    def add_check(self, *, row: int = 0) -> QCheckBox:
        check = QCheckBox(self)
        check.toggled.connect(self.apply_now)
        self._row(row).addWidget(check)
        return check

    def add_stretch(self, *, row: int = 0) -> None:
        """Keep the widgets of a row that does not fill the width to the left."""
        self._row(row).addStretch(1)

    def combos(self) -> list[QComboBox]:
        return list(self._combos)

    def search_text(self) -> str:
        return self.search.text().strip()

    def focus_search(self) -> None:
        """Ctrl+F: into the search box, its text selected so typing replaces it."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def apply_now(self) -> None:
        """Ask now (a pending search pause is cancelled)."""
        self.search_timer.stop()
        self.filters_changed.emit()

    # -- private ------------------------------------------------------------------------------

    def _row(self, index: int) -> QHBoxLayout:
        while len(self._rows) <= index:
            row = QHBoxLayout()
            self._layout.addLayout(row)
            self._rows.append(row)
        return self._rows[index]
