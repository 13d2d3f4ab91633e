"""Every modal question goes through one Asker, so tests can answer for the user."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from hospital_osh.i18n import _


class Asker:
    def confirm(self, parent: QWidget | None, title: str, text: str) -> bool:
        answer = QMessageBox.question(
            parent,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def discard_changes(self, parent: QWidget | None) -> bool:
        """Ask before closing a form with unsaved input; True means discard."""
        return self.confirm(
            parent, _("Unsaved changes"), _("You have unsaved changes. Close and discard them?")
        )

    def inform(self, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.information(parent, title, text)

    def error(self, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.warning(parent, title, text)


class ScriptedAsker(Asker):
    """For tests: answers from a list (True = yes/discard) and records what was asked."""

    def __init__(self, answers: list[bool] | None = None):
        self.answers = list(answers or [])
        self.asked: list[str] = []
        self.messages: list[str] = []

    def confirm(self, parent: QWidget | None, title: str, text: str) -> bool:
        self.asked.append(text)
        return self.answers.pop(0) if self.answers else True

    def inform(self, parent: QWidget | None, title: str, text: str) -> None:
        self.messages.append(text)

    def error(self, parent: QWidget | None, title: str, text: str) -> None:
        self.messages.append(text)
