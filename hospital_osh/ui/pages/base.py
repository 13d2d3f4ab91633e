"""The base of every page in the main window's sidebar.

A feature adds its page by subclassing ``Page`` and listing the class in
``hospital_osh/ui/pages/__init__.py`` (``PAGE_CLASSES``); the main window builds its sidebar from
that list, so no window code changes. A page appears only for roles ``visible_for`` admits.
"""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtWidgets import QWidget

from hospital_osh.services.context import Actor
from hospital_osh.ui.context import AppContext


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

    # -- public API ---------------------------------------------------------------------------

    @classmethod
    def visible_for(cls, actor: Actor) -> bool:
        return True

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

    def tour_views(self) -> list[tuple[str, QWidget]]:
        """Extra views (dialogs) the ``tour`` command should capture: (name, widget) pairs.
        The caller shows, grabs and closes each widget."""
        return []
