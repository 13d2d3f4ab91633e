"""Enter on a list opens the selected record, as a double-click does.

Every list page wants this. The filter is a child of the view it watches, so it lives and dies
with the view: no page attribute is read while Qt tears a page down (a page-level event filter
did that, and crashed when the view outlived the page's Python attributes).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class _EnterFilter(QObject):
    def __init__(self, view: QAbstractItemView, on_enter: Callable[[], object]) -> None:
        super().__init__(view)
        self._view = view
        self._on_enter = on_enter

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _ENTER_KEYS
            and event.modifiers()
            in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
            and self._view.selectionModel() is not None
            and self._view.selectionModel().hasSelection()
        ):
            self._on_enter()
            return True
        return False


def open_on_enter(view: QAbstractItemView, on_enter: Callable[[], object]) -> None:
    """Call ``on_enter`` when Enter is pressed in ``view`` with a row selected; without a
    selection the key goes on to the view (and to the dialog's default button, if any)."""
    view.installEventFilter(_EnterFilter(view, on_enter))
