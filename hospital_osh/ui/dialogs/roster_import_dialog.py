"""Import a staff roster (CSV or Excel): read, preview, decide about existing staff, import.

Reading and importing run through the task runner, so a large file never freezes the window.
Nothing is written unless every row is valid, and the user must say what happens to staff
numbers that already exist: no choice is made for them behind their back.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.i18n import _, format_number
from hospital_osh.services.errors import UserError
from hospital_osh.services.roster import (
    ROSTER_COLUMNS,
    RosterPreview,
    RosterResult,
    apply_roster,
    read_roster,
)
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.itemmodels.roster_preview_table_model import RosterPreviewTableModel
from hospital_osh.ui.tasks import TaskState

UPDATE = "update"
SKIP = "skip"


class RosterImportDialog(QDialog):
    """Choose a file, check the preview, choose about existing staff, import."""

    # -- signals ------------------------------------------------------------------------------
    preview_ready = Signal(object)
    """Emitted with the ``RosterPreview`` once a file has been read (or None if it failed)."""
    imported = Signal(object)
    """Emitted with the ``RosterResult`` after the import committed."""
    busy_changed = Signal(bool)
    """Emitted when reading or importing starts (True) and ends (False)."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self._path: Path | None = None
        self._preview: RosterPreview | None = None
        self._result: RosterResult | None = None
        self._busy = False
        self._importing = False
        self._generation = 0  # results of an abandoned read are dropped
        self._build()
        self.retranslate()
        self._update_state()

    # -- public API ---------------------------------------------------------------------------

    def choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            _("Choose a roster file"),
            str(self._path.parent) if self._path else "",
            _("Rosters (*.csv *.xlsx);;All files (*)"),
        )
        if path:
            self.load_file(Path(path))

    def load_file(self, path: Path) -> TaskState:
        """Read ``path`` off the GUI thread; the preview appears when it is read."""
        self._path = Path(path)
        self._preview = None
        self._result = None
        self.model.set_preview(None)
        self.messages.clear()
        self.messages.hide()
        self.path_edit.setText(str(self._path))
        for button in self.choice_group.buttons():
            self.choice_group.setExclusive(False)
            button.setChecked(False)
            self.choice_group.setExclusive(True)
        self._generation += 1
        generation = self._generation
        database = self.context.database

        def job(state: TaskState) -> RosterPreview:
            with database.session() as session:
                return read_roster(session, path, progress=state.report)

        self._set_busy(True, _("Reading {name}…").format(name=self._path.name))
        return self.context.runner.run(
            job,
            on_done=lambda preview: self._on_read(generation, preview),
            on_error=lambda error: self._on_read_failed(generation, error),
            on_progress=lambda done, total, _text: self._on_progress(generation, done, total),
        )

    def existing_choice(self) -> str | None:
        """``"update"``, ``"skip"`` or None while the user has not chosen."""
        if self.update_radio.isChecked():
            return UPDATE
        if self.skip_radio.isChecked():
            return SKIP
        return None

    def set_existing_choice(self, choice: str) -> None:
        (self.update_radio if choice == UPDATE else self.skip_radio).setChecked(True)

    def can_import(self) -> bool:
        preview = self._preview
        return (
            not self._busy
            and self._result is None
            and preview is not None
            and preview.ok
            and bool(preview.rows)
            and (preview.existing_count == 0 or self.existing_choice() is not None)
        )

    def import_roster(self) -> TaskState | None:
        """Write the previewed rows in one transaction (through the runner's writer)."""
        if not self.can_import():
            return None
        preview = self._preview
        assert preview is not None
        existing = self.existing_choice() or SKIP
        database, actor = self.context.database, self.context.actor

        def job(state: TaskState) -> RosterResult:
            with database.transaction() as session:
                return apply_roster(
                    session,
                    actor,
                    preview,
                    existing=existing,  # type: ignore[arg-type]
                    progress=state.report,
                )

        self._importing = True
        self._set_busy(True, _("Importing…"))
        return self.context.runner.run(
            job,
            on_done=self._on_imported,
            on_error=self._on_import_failed,
            write=True,
            on_progress=lambda done, total, _text: self._on_progress(self._generation, done, total),
        )

    def preview(self) -> RosterPreview | None:
        return self._preview

    def result(self) -> RosterResult | None:  # type: ignore[override]
        return self._result

    def retranslate(self) -> None:
        self.setWindowTitle(_("Import roster"))
        self.intro.setText(
            _(
                "Choose a CSV or Excel (.xlsx) file with one worker per row. The first row "
                "names the columns: {columns}."
            ).format(columns=", ".join(ROSTER_COLUMNS))
        )
        self.file_label.setText(_("File"))
        self.path_edit.setPlaceholderText(_("No file chosen"))
        self.choose_button.setText(_("Choose file…"))
        self.choice_box.setTitle(_("Staff numbers that already exist"))
        self.update_radio.setText(_("Update those workers with the values in the file"))
        self.skip_radio.setText(_("Skip those rows and keep the stored workers as they are"))
        self.import_button.setText(_("Import"))
        self.close_button.setText(_("Close"))
        self.table.setAccessibleName(_("Preview"))
        self.messages.setAccessibleName(_("Errors in the file"))
        self.model.retranslate()
        self._update_state()

    # -- QDialog ------------------------------------------------------------------------------

    def done(self, result: int) -> None:
        """Closing abandons a read in progress, but never an import (it is all or nothing and
        short; its result must be reported)."""
        if self._importing:
            return
        self._generation += 1
        super().done(result)

    # -- private ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.setMinimumSize(860, 560)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.file_label = QLabel(self)
        self.path_edit = QLineEdit(self)
        self.path_edit.setReadOnly(True)
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
        self.model = RosterPreviewTableModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(False)
        self.messages = QPlainTextEdit(self)
        self.messages.setReadOnly(True)
        self.messages.setMaximumHeight(110)
        self.messages.hide()

        self.choice_box = QGroupBox(self)
        self.update_radio = QRadioButton(self.choice_box)
        self.skip_radio = QRadioButton(self.choice_box)
        self.choice_group = QButtonGroup(self)
        self.choice_group.addButton(self.update_radio)
        self.choice_group.addButton(self.skip_radio)
        self.choice_group.buttonToggled.connect(self._on_choice_toggled)
        choice_layout = QVBoxLayout(self.choice_box)
        choice_layout.addWidget(self.update_radio)
        choice_layout.addWidget(self.skip_radio)

        self.buttons = QDialogButtonBox(self)
        self.import_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setProperty("accent", True)
        self.close_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        self.import_button.clicked.connect(self.import_roster)
        self.close_button.clicked.connect(self.reject)
        self.import_button.setAutoDefault(False)
        self.close_button.setAutoDefault(False)

        file_row = QHBoxLayout()
        file_row.addWidget(self.file_label)
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.choose_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(file_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.messages)
        layout.addWidget(self.choice_box)
        layout.addWidget(self.buttons)

    def _on_choice_toggled(self, _button: object, _checked: bool) -> None:
        self._update_state()

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        self.progress.setRange(0, 0)  # busy until the service reports how far it is
        if busy:
            self._show_status(text, "hint")
        self.busy_changed.emit(busy)
        self._update_state()

    def _show_status(self, text: str, role: str) -> None:
        self.status.setText(text)
        style.set_role(self.status, role)
        self.status.setVisible(bool(text))

    def _update_state(self) -> None:
        preview = self._preview
        self.progress.setVisible(self._busy)
        self.choose_button.setEnabled(not self._busy)
        self.choice_box.setVisible(
            preview is not None
            and preview.ok
            and preview.existing_count > 0
            and self._result is None
        )
        self.choice_box.setEnabled(not self._busy)
        self.import_button.setEnabled(self.can_import())
        self.close_button.setEnabled(not self._importing)
        if preview is None:
            self.summary.clear()
            self.summary.hide()
        else:
            self.summary.setText(
                _(
                    "Rows read: {rows}. New workers: {new}. Existing staff numbers: "
                    "{existing}. Rows with errors: {errors}."
                ).format(
                    rows=format_number(len(preview.rows)),
                    new=format_number(preview.new_count),
                    existing=format_number(preview.existing_count),
                    errors=format_number(preview.error_count),
                )
            )
            self.summary.show()
        if not self._busy and self._result is None and preview is not None:
            self._show_status(self._advice(preview), "error" if not preview.ok else "hint")
        elif not self._busy and self._result is None and preview is None and not self._path:
            self._show_status("", "hint")

    def _advice(self, preview: RosterPreview) -> str:
        """What the user has to do next, in one sentence or two."""
        if preview.problems:
            return "\n".join(preview.problems)
        if preview.error_count:
            return _(
                "Correct the rows marked in red in the file, then choose it again. "
                "Nothing is imported while any row has an error."
            )
        if not preview.rows:
            return _("The file holds no workers.")
        if preview.existing_count and self.existing_choice() is None:
            return _("Choose what to do with the staff numbers that already exist.")
        return _("Ready to import.")

    def _on_progress(self, generation: int, done: int, total: int) -> None:
        if generation == self._generation and self._busy and total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def _on_read(self, generation: int, preview: RosterPreview) -> None:
        if generation != self._generation:
            return
        self._preview = preview
        self.model.set_preview(preview)
        errors = [m for row in preview.rows for m in row.errors.values()]
        self.messages.setPlainText("\n".join(errors))
        self.messages.setVisible(bool(errors))
        self._set_busy(False)
        self.preview_ready.emit(preview)

    def _on_read_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        if not isinstance(error, UserError | OSError | ValueError):
            self._set_busy(False)
            raise error
        self._set_busy(False)
        self._show_status(_("The file cannot be read: {reason}").format(reason=error), "error")
        self.preview_ready.emit(None)

    def _on_imported(self, result: RosterResult) -> None:
        self._importing = False
        self._result = result
        self._set_busy(False)
        self._show_status(
            _(
                "Import finished: {created} workers added, {updated} updated, {skipped} skipped."
            ).format(
                created=format_number(result.created),
                updated=format_number(result.updated),
                skipped=format_number(result.skipped),
            ),
            "ok",
        )
        self.close_button.setFocus()
        self.imported.emit(result)

    def _on_import_failed(self, error: BaseException) -> None:
        self._importing = False
        self._set_busy(False)
        if not isinstance(error, UserError):
            raise error
        self._show_status(_("Nothing was imported: {reason}").format(reason=error), "error")
