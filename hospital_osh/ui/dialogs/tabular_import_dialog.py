"""The base of the file imports (staff roster, historical exposures): choose a file, read it off
the GUI thread into a plan, show what the plan holds and every bad row, then import all of it or
nothing.

A subclass says how to read a file (``reader``) and apply the plan (``writer``), both returned
as plain functions that run on the task runner with their own session and touch no widget; it
says what the plan means for the user (``summary_text``, ``advice``, ``show_plan``) and adds its
own widgets (a preview table, a choice) between the summary and the buttons. The base gives both
imports the same flow, so neither can forget a part of it:

- reading runs on the read pool and shows progress; choosing another file abandons the read in
  progress (its result is dropped by generation number);
- the Import button is enabled only for a plan without errors, and only once;
- the import runs on the runner's writer in one transaction, and closing is refused while it
  runs (its result must be reported);
- with ``asks_before_closing``, closing (Close, Esc, the close box) after a file was read and
  could have been imported, but was not, asks first.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.i18n import _
from hospital_osh.services.errors import UserError
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.tasks import TaskState

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Progress = Callable[..., None]
"""``TaskState.report``: called with (done, total) or (done, total, text)."""
Reader = Callable[["Session", Path, Progress], Any]
"""``reader(session, path, progress)``: the plan of a file (runs off the GUI thread)."""
Writer = Callable[["Session", Progress], Any]
"""``writer(session, progress)``: apply the plan in the open transaction (off the GUI thread)."""


class TabularImportDialog(QDialog):
    """File row, progress, status, summary and error list, Import and Close; subclasses add the
    rest to ``body`` and override the hooks."""

    # -- signals ------------------------------------------------------------------------------
    read_finished = Signal(object)
    """Emitted with the plan once a file has been read (None if it could not be read)."""
    imported = Signal(object)
    """Emitted with what the import returned after it committed."""
    busy_changed = Signal(bool)
    """Emitted when reading or importing starts (True) and ends (False)."""

    asks_before_closing: ClassVar[bool] = False
    """Ask before closing with a file read but not imported."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self._path: Path | None = None
        self._plan: Any = None
        self._result: Any = None
        self._busy = False
        self._importing = False
        self._generation = 0  # results of an abandoned read are dropped
        self._build_frame()

    # -- hooks for subclasses -----------------------------------------------------------------
    # Every subclass defines these six (annotations only, so a missing one fails loudly):

    file_dialog_texts: Callable[[], tuple[str, str]]
    """(title, name filter) of the file chooser."""
    reader: Callable[[], Reader]
    """How a file is read into a plan; plain values only (it runs off the GUI thread)."""
    writer: Callable[[Any], Writer]
    """``writer(plan)``: how ``plan`` is applied; plain values only (off the GUI thread)."""
    summary_text: Callable[[Any], str]
    """``summary_text(plan)``: one paragraph of counts about the plan."""
    advice: Callable[[Any], tuple[str, str]]
    """``advice(plan)``: (what to do next, style role) for the status line once it is read."""
    imported_text: Callable[[Any], str]
    """``imported_text(result)``: the status after a good import."""

    def reading_text(self, name: str) -> str:
        """The status while ``name`` is read."""
        return _("Reading {name}…").format(name=name)

    def idle_text(self) -> str:
        """The status before any file was chosen (none by default)."""
        return ""

    def has_rows_to_import(self, plan: Any) -> bool:
        """The plan is free of errors and holds something to write."""
        return bool(plan.ok) and bool(plan.rows)

    def ready_to_import(self, plan: Any) -> bool:
        """Anything else the user must decide first (e.g. what happens to existing rows)."""
        return True

    def forget_plan(self) -> None:
        """A new file is chosen: clear what shows the previous plan."""

    def show_plan(self, plan: Any) -> None:
        """A file was read: show its rows and errors (``messages``, a preview...)."""

    def update_details(self) -> None:
        """Enable or show the subclass's own widgets for the current state."""

    # -- public API ---------------------------------------------------------------------------

    def choose_file(self) -> None:
        title, name_filter = self.file_dialog_texts()
        path, _filter = QFileDialog.getOpenFileName(
            self, title, str(self._path.parent) if self._path else "", name_filter
        )
        if path:
            self.load_file(Path(path))

    def load_file(self, path: Path) -> TaskState:
        """Read ``path`` off the GUI thread; the plan shows once it is read."""
        self._path = Path(path)
        self._plan = None
        self._result = None
        self.messages.clear()
        self.messages.hide()
        self.path_edit.setText(str(self._path))
        self.forget_plan()
        self._generation += 1
        generation = self._generation
        database, read = self.context.database, self.reader()

        def job(state: TaskState) -> Any:
            with database.session() as session:
                return read(session, path, state.report)

        self._set_busy(True, self.reading_text(self._path.name))
        return self.context.runner.run(
            job,
            on_done=partial(self._on_read, generation),
            on_error=partial(self._on_read_failed, generation),
            on_progress=partial(self._on_progress, generation),
        )

    def plan(self) -> Any:
        """What the last file read holds (None before one was read)."""
        return self._plan

    def result(self) -> Any:
        """What the import returned (None before it committed)."""
        return self._result

    def is_busy(self) -> bool:
        """A file is being read or imported."""
        return self._busy

    def can_import(self) -> bool:
        plan = self._plan
        return (
            not self._busy
            and self._result is None
            and plan is not None
            and self.has_rows_to_import(plan)
            and self.ready_to_import(plan)
        )

    def start_import(self) -> TaskState | None:
        """Write the plan in one transaction (through the runner's writer)."""
        if not self.can_import():
            return None
        database, write = self.context.database, self.writer(self._plan)

        def job(state: TaskState) -> Any:
            with database.transaction() as session:
                return write(session, state.report)

        self._importing = True
        self._set_busy(True, _("Importing…"))
        return self.context.runner.run(
            job,
            on_done=self._on_imported,
            on_error=self._on_import_failed,
            write=True,
            on_progress=partial(self._on_progress, self._generation),
        )

    def update_state(self) -> None:
        """Enable, show and word the widgets for where the import stands."""
        plan = self._plan
        self.progress.setVisible(self._busy)
        self.choose_button.setEnabled(not self._busy)
        self.import_button.setEnabled(self.can_import())
        self.close_button.setEnabled(not self._importing)
        self.update_details()
        if plan is None:
            self.summary.clear()
            self.summary.hide()
        else:
            self.summary.setText(self.summary_text(plan))
            self.summary.setVisible(bool(self.summary.text()))  # "": the advice says it all
        if not self._busy and self._result is None and plan is not None:
            self._show_status(*self.advice(plan))
        elif not self._busy and self._result is None and plan is None and not self._path:
            self._show_status(self.idle_text(), "hint")

    def has_unimported_file(self) -> bool:
        """A file was read and could be imported, and was not: closing would drop the work."""
        plan = self._plan
        return (
            plan is not None
            and self._result is None
            and not self._busy
            and self.has_rows_to_import(plan)
        )

    def retranslate_frame(self) -> None:
        """The shared widgets' texts; subclasses call it from their ``retranslate()``."""
        self.file_label.setText(_("File"))
        self.path_edit.setPlaceholderText(_("No file chosen"))
        self.choose_button.setText(_("Choose file…"))
        self.import_button.setText(_("Import"))
        self.close_button.setText(_("Close"))
        self.messages.setAccessibleName(_("Errors in the file"))

    # -- QDialog ------------------------------------------------------------------------------

    def reject(self) -> None:
        """Close, Esc and the close box come here (QDialog's closeEvent calls it)."""
        if self._importing:
            return
        if (
            self.asks_before_closing
            and self.has_unimported_file()
            and not self.context.ask.confirm(
                self,
                _("Close without importing"),
                _(
                    "The file has been checked but nothing has been imported yet. "
                    "Close without importing it?"
                ),
            )
        ):
            return
        super().reject()

    def done(self, result: int) -> None:
        """Closing abandons a read in progress, but never an import (it is all or nothing and
        short; its result must be reported)."""
        if self._importing:
            return
        self._generation += 1
        super().done(result)

    # -- private ------------------------------------------------------------------------------

    def _build_frame(self) -> None:
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.file_label = QLabel(self)
        self.path_edit = QLineEdit(self)
        self.path_edit.setReadOnly(True)
        # Shown, not typed into: the dialog opens on "Choose file…", and Tab skips the path.
        self.path_edit.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.choose_button = QPushButton(self)
        self.choose_button.clicked.connect(self.choose_file)
        self.file_label.setBuddy(self.choose_button)
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.messages = QPlainTextEdit(self)
        self.messages.setReadOnly(True)
        self.messages.hide()
        self.buttons = QDialogButtonBox(self)
        self.import_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setProperty("accent", True)
        self.close_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        self.import_button.clicked.connect(self.start_import)
        self.close_button.clicked.connect(self.reject)
        self.import_button.setAutoDefault(False)
        self.close_button.setAutoDefault(False)

        self.file_row = QHBoxLayout()
        """The file's label, path and "Choose file…" (a subclass may add a button)."""
        self.file_row.addWidget(self.file_label)
        self.file_row.addWidget(self.path_edit, 1)
        self.file_row.addWidget(self.choose_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        self.header = QVBoxLayout()
        """Between the introduction and the file row (e.g. the expected columns)."""
        self.header.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.header)
        layout.addLayout(self.file_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.summary)
        self.body = QVBoxLayout()
        """Between the summary and the buttons: the subclass's preview, error list, choices."""
        self.body.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.body, 1)
        layout.addWidget(self.buttons)

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        self.progress.setRange(0, 0)  # busy until the service reports how far it is
        if busy:
            self._show_status(text, "hint")
        self.busy_changed.emit(busy)
        self.update_state()

    def _show_status(self, text: str, role: str) -> None:
        self.status.setText(text)
        style.set_role(self.status, role)
        self.status.setVisible(bool(text))

    def _on_progress(self, generation: int, done: int, total: int, _text: str = "") -> None:
        if generation == self._generation and self._busy and total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def _on_read(self, generation: int, plan: Any) -> None:
        if generation != self._generation:
            return
        self._plan = plan
        self.show_plan(plan)
        self._set_busy(False)
        self.read_finished.emit(plan)

    def _on_read_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._set_busy(False)
        if not isinstance(error, UserError | OSError | ValueError):
            raise error
        self._show_status(_("The file cannot be read: {reason}").format(reason=error), "error")
        self.read_finished.emit(None)

    def _on_imported(self, result: Any) -> None:
        self._importing = False
        self._result = result
        self._set_busy(False)
        self._show_status(self.imported_text(result), "ok")
        self.close_button.setFocus()
        self.imported.emit(result)

    def _on_import_failed(self, error: BaseException) -> None:
        self._importing = False
        self._set_busy(False)
        if not isinstance(error, UserError):
            raise error
        self._show_status(_("Nothing was imported: {reason}").format(reason=error), "error")
