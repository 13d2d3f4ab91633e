"""Import historical exposure records: choose a file, read the dry run (every bad row with its
line and column), then import all rows or none.

Reading runs on the read pool, the import on the runner's writer; closing abandons a dry run in
progress but never an import (it is all or nothing and its result must be reported).
"""

from __future__ import annotations

from pathlib import Path

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

from hospital_osh.exchange import layout
from hospital_osh.exchange.importer import ImportPlan, ImportResult, apply_import, read_import
from hospital_osh.i18n import _, format_number
from hospital_osh.services.errors import UserError
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.tasks import TaskState


class ImportDialog(QDialog):
    """Dry run first; the Import button is enabled only for a file without errors."""

    # -- signals ----------------------------------------------------------------------------------
    plan_ready = Signal(object)
    """Emitted with the ``ImportPlan`` of the dry run (None if the file could not be read)."""
    imported = Signal(object)
    """Emitted with the ``ImportResult`` after the import committed."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self._path: Path | None = None
        self._plan: ImportPlan | None = None
        self._result: ImportResult | None = None
        self._busy = False
        self._importing = False
        self._generation = 0
        self._build()
        self.retranslate()
        self._update_state()

    # -- public API -------------------------------------------------------------------------------

    def choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            _("Choose a file of exposure records"),
            str(self._path.parent) if self._path else "",
            _("Exposure records (*.csv *.xlsx);;All files (*)"),
        )
        if path:
            self.load_file(Path(path))

    def load_file(self, path: Path) -> TaskState:
        """Run the dry run on ``path`` off the GUI thread."""
        self._path = Path(path)
        self._plan = None
        self._result = None
        self.messages.clear()
        self.path_edit.setText(str(self._path))
        self._generation += 1
        generation = self._generation
        database, actor = self.context.database, self.context.actor

        def job(state: TaskState) -> ImportPlan:
            with database.session() as session:
                return read_import(session, actor, path, progress=state.report)

        self._set_busy(True, _("Checking {name}…").format(name=self._path.name))
        return self.context.runner.run(
            job,
            on_done=lambda plan: self._on_read(generation, plan),
            on_error=lambda error: self._on_read_failed(generation, error),
            on_progress=lambda done, total, _text: self._on_progress(done, total),
        )

    def plan(self) -> ImportPlan | None:
        return self._plan

    def can_import(self) -> bool:
        plan = self._plan
        return (
            not self._busy
            and self._result is None
            and plan is not None
            and plan.ok
            and bool(plan.rows)
        )

    def import_records(self) -> TaskState | None:
        if not self.can_import():
            return None
        plan = self._plan
        assert plan is not None
        database, actor = self.context.database, self.context.actor

        def job(state: TaskState) -> ImportResult:
            with database.transaction() as session:
                return apply_import(session, actor, plan, progress=state.report)

        self._importing = True
        self._set_busy(True, _("Importing…"))
        return self.context.runner.run(
            job,
            on_done=self._on_imported,
            on_error=self._on_import_failed,
            on_progress=lambda done, total, _text: self._on_progress(done, total),
            write=True,
        )

    def retranslate(self) -> None:
        self.setWindowTitle(_("Import exposure records"))
        self.intro.setText(
            _(
                "Choose a CSV or Excel (.xlsx) file in the layout of exposures.csv (the export "
                "package's file). The columns staff_no and worker_name may link or add the "
                "worker. The file is checked first; nothing is written while any row has an "
                "error, and records whose UUID is already here are skipped."
            )
        )
        self.columns.setText(
            _("Columns: {columns}").format(
                columns=", ".join(layout.EXPOSURE_COLUMNS + layout.IMPORT_ONLY_COLUMNS)
            )
        )
        self.file_label.setText(_("File"))
        self.path_edit.setPlaceholderText(_("No file chosen"))
        self.choose_button.setText(_("Choose file…"))
        self.import_button.setText(_("Import"))
        self.close_button.setText(_("Close"))
        self.messages.setAccessibleName(_("Errors in the file"))
        self._update_state()

    # -- QDialog ----------------------------------------------------------------------------------

    def done(self, result: int) -> None:
        if self._importing:
            return
        self._generation += 1
        super().done(result)

    # -- private ----------------------------------------------------------------------------------

    def _build(self) -> None:
        self.setMinimumSize(760, 480)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.columns = QLabel(self)
        self.columns.setWordWrap(True)
        style.set_role(self.columns, "hint")
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
        self.messages = QPlainTextEdit(self)
        self.messages.setReadOnly(True)
        self.buttons = QDialogButtonBox(self)
        self.import_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setProperty("accent", True)
        self.close_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        self.import_button.clicked.connect(self.import_records)
        self.close_button.clicked.connect(self.reject)
        self.import_button.setAutoDefault(False)
        self.close_button.setAutoDefault(False)
        row = QHBoxLayout()
        row.addWidget(self.file_label)
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.choose_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.columns)
        layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.summary)
        layout.addWidget(self.messages, 10)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        self.progress.setRange(0, 0)
        if busy:
            self._status(text, "hint")
        self._update_state()

    def _status(self, text: str, role: str) -> None:
        self.status.setText(text)
        style.set_role(self.status, role)
        self.status.setVisible(bool(text))

    def _update_state(self) -> None:
        plan = self._plan
        self.progress.setVisible(self._busy)
        self.choose_button.setEnabled(not self._busy)
        self.import_button.setEnabled(self.can_import())
        self.close_button.setEnabled(not self._importing)
        self.messages.setVisible(bool(self.messages.toPlainText()))
        if plan is None:
            self.summary.hide()
            return
        self.summary.setText(
            _(
                "To import: {new}. Already recorded (skipped): {skipped}. Rows with errors: "
                "{errors}. Workers to add: {workers}."
            ).format(
                new=format_number(len(plan.rows)),
                skipped=format_number(len(plan.skipped)),
                errors=format_number(len({issue.line for issue in plan.errors})),
                workers=format_number(plan.workers_to_create),
            )
        )
        self.summary.show()

    def _on_progress(self, done: int, total: int) -> None:
        if self._busy and total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def _on_read(self, generation: int, plan: ImportPlan) -> None:
        if generation != self._generation:
            return
        self._plan = plan
        self.messages.setPlainText("\n".join(plan.notices + plan.messages()))
        self._set_busy(False)
        if not plan.ok:
            self._status(
                _(
                    "Correct the file and choose it again: nothing is imported while any row "
                    "has an error."
                ),
                "error",
            )
        elif not plan.rows:
            self._status(_("Every record in the file is already recorded here."), "hint")
        else:
            self._status(_("Ready to import."), "ok")
        self.plan_ready.emit(plan)

    def _on_read_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._set_busy(False)
        if not isinstance(error, UserError | OSError | ValueError):
            raise error
        self._status(_("The file cannot be read: {reason}").format(reason=error), "error")
        self.plan_ready.emit(None)

    def _on_imported(self, result: ImportResult) -> None:
        self._importing = False
        self._result = result
        self._set_busy(False)
        self._status(
            _(
                "Imported {created} exposures ({skipped} already recorded were skipped, "
                "{workers} workers created)."
            ).format(
                created=format_number(result.created),
                skipped=format_number(result.skipped),
                workers=format_number(result.workers_created),
            ),
            "ok",
        )
        self.imported.emit(result)

    def _on_import_failed(self, error: BaseException) -> None:
        self._importing = False
        self._set_busy(False)
        if not isinstance(error, UserError):
            raise error
        self._status(_("Nothing was imported: {reason}").format(reason=error), "error")
