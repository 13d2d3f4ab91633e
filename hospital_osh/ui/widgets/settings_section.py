"""The base of each part of the Settings page (profile, departments, users, ...).

Two shapes recur, each with its behaviour in one place: ``FormSection`` (a form saved by one
button, errors beside the fields) and ``ListSection`` (a table with buttons and edit dialogs).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import UserError, ValidationError
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.widgets.form import FormLayout, chain_focus

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


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


class FormSection(SettingsSection):
    """A section that is one form with a Save button and a status line beside it.

    Subclasses add rows to ``form``, call ``finish_layout()`` at the end of ``__init__`` and
    define ``snapshot()`` (what the form holds), ``write(session)`` (store it, one transaction)
    and ``saved_text(result)``. A failed save keeps the input and marks the fields at fault.
    """

    # -- signals ------------------------------------------------------------------------------
    saved = Signal(object)
    """Emitted with what ``write`` returned after a save."""

    snapshot: Callable[[], object]
    write: Callable[[Session], object]
    saved_text: Callable[[object], str]

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self._baseline: object = None
        self.form = FormLayout()
        self.save_button = QPushButton(self)
        self.save_button.setProperty("accent", True)
        self.save_button.clicked.connect(self.save)
        self.status = QLabel(self)
        self.status.setWordWrap(True)

    # -- hooks --------------------------------------------------------------------------------

    def check(self) -> Mapping[str, str]:
        """Field messages found before asking the service."""
        return {}

    def after_save(self, result: object) -> None:
        """Show what was stored (``load`` it), before the form counts as clean again."""

    # -- public API ---------------------------------------------------------------------------

    def finish_layout(self) -> None:
        """Lay the form out over the Save row; Tab goes down the form to Save, and Enter in a
        text field saves, as in the dialogs."""
        chain_focus([*self.form.shown_fields(), self.save_button])
        for field in self.form.shown_fields():
            if isinstance(field, QLineEdit):
                field.returnPressed.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.status, 1)
        self.body.addLayout(self.form)
        self.body.addLayout(buttons)
        self.body.addStretch(1)

    def mark_clean(self) -> None:
        self._baseline = self.snapshot()

    def has_unsaved_changes(self) -> bool:
        return self.snapshot() != self._baseline

    def save(self) -> bool:
        self.form.clear_errors()
        try:
            problems = dict(self.check())
            if problems:
                raise ValidationError(problems)
            with self.context.database.transaction() as session:
                result = self.write(session)
        except ValidationError as error:
            leftover = self.form.show_errors(error.fields)
            self.show_status(
                "\n".join(leftover.values()) or _("Correct the marked fields."), "error"
            )
            return False
        except UserError as error:
            self.show_status(str(error), "error")
            return False
        self.after_save(result)
        self.mark_clean()
        self.show_status(self.saved_text(result), "ok")
        self.saved.emit(result)
        return True

    def show_status(self, text: str, role: str) -> None:
        self.status.setText(text)
        style.set_role(self.status, role)


class ListSection(SettingsSection):
    """A section that is a short table (read whole) with a row of buttons over it.

    Subclasses set ``headers`` and ``stretch_column``, put their buttons in ``add_buttons`` and
    define ``load_rows(session)``, ``row_key(row)``, ``row_texts(row)``, ``row_muted(row)`` and
    ``update_actions()``. Dialogs opened through ``open_dialog`` delete themselves on close and
    reload the table, selecting what they saved (``saved_key(result)``).
    """

    headers: ClassVar[tuple[str, ...]] = ()
    """English source headers (marked with N_)."""
    stretch_column: ClassVar[int] = 1
    max_width = None

    load_rows: Callable[[Session], list[Any]]
    row_key: Callable[[Any], object]
    row_texts: Callable[[Any], Sequence[str]]

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.dialog: QDialog | None = None
        self.rows: list[Any] = []
        self.table = QTableWidget(0, len(self.headers), self)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.stretch_column, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.table.itemSelectionChanged.connect(self.update_actions)
        self.button_row = QHBoxLayout()
        self.button_row.addStretch(1)
        self.body.addLayout(self.button_row)
        self.body.addWidget(self.table, 1)

    # -- hooks --------------------------------------------------------------------------------

    def row_muted(self, row: Any) -> bool:
        """Greyed out (inactive, disabled)."""
        return False

    def saved_key(self, result: object) -> object:
        """The key of the row a dialog saved, to select it after the reload."""
        return result

    def edit_selected(self) -> QDialog | None:
        """Double-click opens this."""
        return None

    def update_actions(self) -> None:
        """Enable the buttons that need a selection."""

    # -- public API ---------------------------------------------------------------------------

    def has_unsaved_changes(self) -> bool:
        """Input typed in the section's open dialog counts (closing the window asks)."""
        dialog = self.dialog
        is_dirty = getattr(dialog, "is_dirty", None)
        return dialog is not None and dialog.isVisible() and is_dirty is not None and is_dirty()

    def add_buttons(self, *buttons: QPushButton) -> None:
        for button in buttons:
            self.button_row.insertWidget(self.button_row.count() - 1, button)

    def activated(self) -> None:
        self.reload()

    def reload(self, select: object = None) -> None:
        """Read the rows again, keeping (or moving to ``select``) the selection."""
        selected = self.selected()
        keep = select if select is not None else (self.row_key(selected) if selected else None)
        try:
            with self.context.database.session() as session:
                self.rows = self.load_rows(session)
        except UserError as error:
            self.rows = []
            self.set_intro(str(error))
        self.fill()
        for number, row in enumerate(self.rows):
            if keep is not None and self.row_key(row) == keep:
                self.table.selectRow(number)
        self.update_actions()

    def selected(self) -> Any | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows and rows[0].row() < len(self.rows) else None

    def retranslate(self) -> None:
        super().retranslate()
        self.table.setHorizontalHeaderLabels([_(text) for text in self.headers])
        self.fill()
        self.update_actions()

    def fill(self) -> None:
        self.table.setRowCount(len(self.rows))
        muted = QBrush(QColor(style.MUTED))
        for number, row in enumerate(self.rows):
            grey = self.row_muted(row)
            for column, text in enumerate(self.row_texts(row)):
                item = QTableWidgetItem(text)
                if grey:
                    item.setForeground(muted)
                self.table.setItem(number, column, item)

    def open_dialog(self, dialog: QDialog) -> QDialog:
        """Open ``dialog`` (window-modal, deleted on close); its ``saved`` reloads the table."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._on_saved)  # type: ignore[attr-defined]
        dialog.finished.connect(self._on_dialog_finished)
        self.dialog = dialog
        dialog.open()
        return dialog

    def act(self, title: str, question: str | None, action: Callable[[Session], object]) -> None:
        """Confirm (when ``question``), run ``action(session)`` in a transaction, reload."""
        if question is not None and not self.context.ask.confirm(self, title, question):
            return
        try:
            with self.context.database.transaction() as session:
                action(session)
        except UserError as error:
            self.context.ask.error(self, title, str(error))
        self.reload()

    # -- private ------------------------------------------------------------------------------
    # Bound methods, not lambdas, on dialogs that delete themselves (see StaffPage).

    def _on_double_clicked(self, _index: object) -> None:
        self.edit_selected()

    def _on_saved(self, result: object) -> None:
        self.reload(select=self.saved_key(result))

    def _on_dialog_finished(self, _result: int) -> None:
        self.dialog = None
