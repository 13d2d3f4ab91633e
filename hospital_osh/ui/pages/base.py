"""The base of every page in the main window's sidebar.

A feature adds its page by subclassing ``Page`` and listing the class in
``hospital_osh/ui/pages/__init__.py`` (``PAGE_CLASSES``); the main window builds its sidebar from
that list, so no window code changes. A page appears only for roles ``visible_for`` admits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractButton, QWidget

from hospital_osh.services.context import Actor
from hospital_osh.ui.context import AppContext


class _ButtonMirror(QObject):
    """Keeps a menu action in step with the button it stands for: enabled, visible (relative
    to the page) and, when the menu opens, its text. Pressing the action presses the button,
    and only where the user could (shown and enabled)."""

    def __init__(self, page: QWidget, button: QAbstractButton, action: QAction):
        super().__init__(page)
        self.page = page
        self.button = button
        self.action = action
        button.installEventFilter(self)
        action.triggered.connect(self.press)
        self.sync()

    def sync(self) -> None:
        self.action.setText(self.button.text())
        self.action.setEnabled(self.button.isEnabled())
        self.action.setVisible(self.button.isVisibleTo(self.page))

    def press(self) -> None:
        if self.button.isVisible() and self.button.isEnabled():
            self.button.click()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _STATE_EVENTS:
            self.action.setEnabled(self.button.isEnabled())
            self.action.setVisible(self.button.isVisibleTo(self.page))
        return False


_STATE_EVENTS = frozenset(
    {QEvent.Type.EnabledChange, QEvent.Type.ShowToParent, QEvent.Type.HideToParent}
)


class Page(QWidget):
    key: ClassVar[str]
    """Stable identifier: remembered as the last page, used by ``tour`` for file names."""
    title: ClassVar[str]
    """English source title, marked with N_() and translated where shown."""
    icon: ClassVar[str] = ""
    """File name of the page's icon in resources/icons/."""
    order: ClassVar[int] = 100

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self._mirrors: list[_ButtonMirror] = []

    # -- public API ---------------------------------------------------------------------------

    @classmethod
    def visible_for(cls, actor: Actor) -> bool:
        return True

    @classmethod
    def badge(cls, context: AppContext) -> int | None:
        """A count the sidebar shows beside the title ("Follow-ups (3)"), or None. The window
        asks on a worker thread when a page is shown, when a page emits ``badge_changed`` and
        every few minutes: keep it to one quick query, and for a page registered by name put
        the query in ``ui/sidebar_counts.py`` (counting must not import the page)."""
        return None

    def activated(self) -> None:
        """Called each time the page is shown: refresh what may have changed."""

    def retranslate(self) -> None:
        """Called after the language changes: set every visible text again."""

    def new_item(self) -> None:
        """Ctrl+N: start a new record, where the page has records."""

    def focus_search(self) -> None:
        """Ctrl+F: put the cursor in the page's search box, where it has one."""

    def has_unsaved_changes(self) -> bool:
        return False

    def menu_actions(self) -> list[QAction]:
        """The page's commands for the window's Actions menu (shown while the page is)."""
        return [mirror.action for mirror in self._mirrors]

    def sync_menu_actions(self) -> None:
        """Give each mirrored action its button's current text (the window calls this before
        the menu opens; state and visibility follow the buttons by themselves)."""
        for mirror in self._mirrors:
            mirror.sync()

    def mirror_button(self, button: QAbstractButton, shortcut: str = "") -> QAction:
        """A menu action (with an optional shortcut) that presses ``button``: one place for
        the behaviour; while the button is hidden or disabled the shortcut does nothing."""
        action = QAction(button.icon(), button.text(), self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        self._mirrors.append(_ButtonMirror(self, button, action))
        return action

    def tour_states(self) -> list[tuple[str, Callable[[], object]]]:
        """Other states of the page itself worth a picture (a Settings section...): (name,
        call that shows it) pairs. The tour calls each and grabs the window."""
        return []

    def tour_views(self) -> list[tuple[str, QWidget]]:
        """Extra views (dialogs) the ``tour`` command should capture: (name, widget) pairs.
        The caller shows, grabs and closes each widget."""
        return []
