"""The base of each part of the Settings page (profile, departments, users, ...)."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _
from hospital_osh.services.context import Actor
from hospital_osh.ui.context import AppContext


class SettingsSection(QWidget):
    """A titled panel; the Settings page lists the sections the actor's role may use."""

    key: ClassVar[str]
    title: ClassVar[str]
    """English source title (marked with N_), translated where shown."""
    icon: ClassVar[str] = ""
    permission: ClassVar[Permission | None] = None
    """Needed to see the section; None means everyone."""
    max_width: ClassVar[int | None] = 760
    """Forms stay readable on wide screens; sections holding a table set None."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.heading = QLabel(self)
        self.heading.setObjectName("sectionHeading")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.heading.setFont(font)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.intro.setProperty("role", "hint")
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(16, 12, 16, 12)
        self.body.setSpacing(10)
        if self.max_width is not None:
            self.setMaximumWidth(self.max_width)
        self.body.addWidget(self.heading)
        self.body.addWidget(self.intro)

    # -- public API ---------------------------------------------------------------------------

    @classmethod
    def visible_for(cls, actor: Actor) -> bool:
        return cls.permission is None or actor.can(cls.permission)

    def activated(self) -> None:
        """Called when the section is shown: read again what may have changed."""

    def retranslate(self) -> None:
        """Set every visible text again; subclasses call this first."""
        self.heading.setText(_(self.title))

    def has_unsaved_changes(self) -> bool:
        return False

    def set_intro(self, text: str) -> None:
        self.intro.setText(text)
        self.intro.setVisible(bool(text))
