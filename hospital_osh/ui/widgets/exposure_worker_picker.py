"""Choose the exposed staff member by typing a name or a staff number, keyboard only.

Type, and matches appear below (after a short pause, or at once on Enter or Down). Enter takes
the highlighted match (the first one when the cursor is still in the box); Down moves into the
list. The widget holds no session: the owner passes a ``search`` function that asks the service
(``services.exposures.find_workers``), which decides what a role may find and see.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from hospital_osh.domain.codes import JOB_CATEGORIES
from hospital_osh.i18n import _, current_language
from hospital_osh.services.exposures import HIDDEN, WorkerChoice

SEARCH_DELAY_MS = 200
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def describe(choice: WorkerChoice, typed: str = "") -> str:
    """One line naming the worker as the user's role may see it."""
    department = (
        (choice.department_zh or choice.department_en)
        if current_language() == "zh_CN"
        else (choice.department_en or choice.department_zh)
    )
    job = _(JOB_CATEGORIES.label(choice.job_category)) if choice.job_category else ""
    details = ", ".join(part for part in (job, department) if part)
    if choice.name == HIDDEN:  # a reporter: confirm by the number it typed, with job and place
        return _("Staff number {staff_no}: {details}").format(
            staff_no=typed or HIDDEN, details=details or HIDDEN
        )
    return _("{name} ({staff_no}), {details}").format(
        name=choice.name, staff_no=choice.staff_no, details=details
    )


class WorkerPicker(QWidget):
    """A search box over the staff, with the matches listed underneath."""

    # -- signals ------------------------------------------------------------------------------
    chosen = Signal(object)
    """Emitted with the chosen ``WorkerChoice``, or None when the choice is cleared."""

    def __init__(
        self,
        search: Callable[[str], list[WorkerChoice]],
        parent: QWidget | None = None,
        *,
        by_number_only: bool = False,
    ):
        super().__init__(parent)
        self._search = search
        self._by_number_only = by_number_only
        self._choice: WorkerChoice | None = None
        self._typed = ""
        self._setting = False
        self.edit = QLineEdit(self)
        self.edit.setClearButtonEnabled(True)
        self.edit.setMaxLength(120)
        self.results = QListWidget(self)
        self.results.setMaximumHeight(120)
        self.results.hide()
        self.note = QLabel(self)
        self.note.setProperty("role", "hint")
        self.note.setWordWrap(True)
        self.note.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.edit)
        layout.addWidget(self.results)
        layout.addWidget(self.note)
        self.setFocusProxy(self.edit)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SEARCH_DELAY_MS)
        self.timer.timeout.connect(self.search_now)
        self.edit.textEdited.connect(self._on_edited)
        self.edit.installEventFilter(self)
        self.results.installEventFilter(self)
        self.results.itemActivated.connect(self._on_activated)
        self.retranslate()

    # -- public API ---------------------------------------------------------------------------

    def choice(self) -> WorkerChoice | None:
        return self._choice

    def typed(self) -> str:
        """The text the choice was found by (a reporter's staff number)."""
        return self._typed

    def set_choice(self, choice: WorkerChoice | None, typed: str = "") -> None:
        self._choice = choice
        self._typed = typed
        self._setting = True
        self.edit.setText(describe(choice, typed) if choice is not None else "")
        self._setting = False
        self.results.clear()
        self.results.hide()
        self.note.hide()
        self.chosen.emit(choice)

    def search_now(self) -> None:
        self.timer.stop()
        text = self.edit.text().strip()
        matches = self._search(text) if text else []
        self.results.clear()
        for match in matches:
            item = QListWidgetItem(describe(match, text), self.results)
            item.setData(Qt.ItemDataRole.UserRole, match)
        if matches:
            self.results.setCurrentRow(0)
        self.results.setVisible(bool(matches))
        self.note.setText(_("No active staff member matches '{text}'.").format(text=text))
        self.note.setVisible(bool(text) and not matches)

    def retranslate(self) -> None:
        self.edit.setPlaceholderText(
            _("Type the staff number, then Enter")
            if self._by_number_only
            else _("Type a name or staff number, then Enter")
        )
        self.edit.setToolTip(self.edit.placeholderText())
        self.edit.setAccessibleName(_("Worker"))
        self.results.setAccessibleName(_("Matching staff"))
        if self._choice is not None:
            self._setting = True
            self.edit.setText(describe(self._choice, self._typed))
            self._setting = False

    # -- QObject ------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        key = event.key()
        if watched is self.edit:
            if key in _ENTER and self._choice is None and self.edit.text().strip():
                if self.timer.isActive() or not self.results.isVisible():
                    self.search_now()
                if self.results.count():
                    self._take(self.results.currentItem() or self.results.item(0))
                return True  # Enter in the box never submits the form
            if key == Qt.Key.Key_Down and self._choice is None and self.edit.text().strip():
                if self.timer.isActive() or not self.results.isVisible():
                    self.search_now()
                if self.results.count():
                    self.results.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        elif watched is self.results:
            if key in _ENTER:
                self._take(self.results.currentItem())
                return True
            if key == Qt.Key.Key_Escape:
                self.edit.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        return super().eventFilter(watched, event)

    # -- private ------------------------------------------------------------------------------

    def _take(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        typed = self.edit.text().strip()
        self.set_choice(item.data(Qt.ItemDataRole.UserRole), typed)
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.edit.end(False)

    def _on_activated(self, item: QListWidgetItem) -> None:
        self._take(item)

    def _on_edited(self, _text: str) -> None:
        if self._setting:
            return
        if self._choice is not None:
            self._choice = None
            self._typed = ""
            self.chosen.emit(None)
        self.timer.start()
