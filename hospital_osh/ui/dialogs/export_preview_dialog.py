"""Export: show exactly what would leave the hospital, then write the package.

The preview (files, columns, row count, the first rows as written, what never leaves and what is
not included) is computed off the GUI thread; the export itself runs on the runner's writer, since
it records an audit event.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QProgressBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.exchange.export import ExportPreview, ExportResult, export_package, preview
from hospital_osh.i18n import _, format_date, format_number
from hospital_osh.services.errors import UserError
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.tasks import TaskState


class ExportPreviewDialog(QDialog):
    """The export package of one period: preview first, then write."""

    # -- signals ----------------------------------------------------------------------------------
    preview_ready = Signal(object)
    """Emitted with the ``ExportPreview`` (or None when it could not be computed)."""
    exported = Signal(object)
    """Emitted with the ``ExportResult`` once the package is written."""

    def __init__(
        self,
        context: AppContext,
        start: dt.date,
        end: dt.date,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.context = context
        self.start = start
        self.end = end
        self._preview: ExportPreview | None = None
        self._busy = False
        self._build()
        self.retranslate()

    # -- public API -------------------------------------------------------------------------------

    def load_preview(self) -> TaskState:
        database, actor = self.context.database, self.context.actor
        start, end = self.start, self.end

        def job(_state: TaskState) -> ExportPreview:
            with database.session() as session:
                return preview(session, actor, start, end)

        self._set_busy(True, _("Preparing the preview…"))
        return self.context.runner.run(job, on_done=self._on_preview, on_error=self._on_failed)

    def preview(self) -> ExportPreview | None:
        return self._preview

    def choose_and_export(self) -> None:
        name = f"{self._hospital_code()}_{self.start:%Y%m%d}_{self.end:%Y%m%d}.zip"
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save the export package"), name, _("Packages (*.zip)")
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> TaskState | None:
        """Write the package to ``path`` through the writer."""
        if self._busy or self._preview is None:
            return None
        database, actor = self.context.database, self.context.actor
        start, end = self.start, self.end

        def job(state: TaskState) -> ExportResult:
            with database.transaction() as session:
                return export_package(session, actor, start, end, path, progress=state.report)

        self._set_busy(True, _("Writing {name}…").format(name=path.name))
        return self.context.runner.run(
            job,
            on_done=self._on_exported,
            on_error=self._on_failed,
            on_progress=self._on_progress,
            write=True,
        )

    def retranslate(self) -> None:
        self.setWindowTitle(_("Export package"))
        self.export_button.setText(_("Export…"))
        self.close_button.setText(_("Close"))
        self.sample.setAccessibleName(_("First rows as they will be written"))
        if self._preview is not None:
            self._show(self._preview)

    # -- private ----------------------------------------------------------------------------------

    def _hospital_code(self) -> str:
        return (self._preview.hospital.get("code") if self._preview else "") or "package"

    def _build(self) -> None:
        self.setMinimumSize(900, 620)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.files = QLabel(self)
        self.files.setWordWrap(True)
        self.privacy = QLabel(self)
        self.privacy.setWordWrap(True)
        self.missing = QLabel(self)
        self.missing.setWordWrap(True)
        style.set_role(self.missing, "hint")
        self.sample = QTableWidget(self)
        self.sample.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sample.verticalHeader().setVisible(False)
        self.sample.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.hide()
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(self)
        self.export_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setProperty("accent", True)
        self.close_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        self.export_button.clicked.connect(self.choose_and_export)
        self.close_button.clicked.connect(self.reject)
        self.export_button.setAutoDefault(False)
        self.export_button.setEnabled(False)
        layout = QVBoxLayout(self)
        for widget in (self.intro, self.files, self.privacy, self.missing):
            layout.addWidget(widget)
        layout.addWidget(self.sample, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        self.progress.setRange(0, 0)
        self.progress.setVisible(busy)
        if busy:
            self._status(text, "hint")
        self.export_button.setEnabled(not busy and self._preview is not None)
        self.close_button.setEnabled(not busy)

    def _status(self, text: str, role: str) -> None:
        self.status.setText(text)
        style.set_role(self.status, role)

    def _show(self, item: ExportPreview) -> None:
        self.intro.setText(
            _(
                "Period {start} to {end}: {rows} exposures leave the hospital as "
                "de-identified rows, with the figures and the report in both languages."
            ).format(
                start=format_date(self.start),
                end=format_date(self.end),
                rows=format_number(item.exposure_rows),
            )
        )
        self.files.setText(
            _("Files: {files}").format(
                files="; ".join(f"{name} ({what})" for name, what in item.files)
            )
        )
        self.privacy.setText(
            _("Never leaves the hospital: {items}.").format(items="; ".join(item.never_exported))
        )
        if item.not_included:
            self.missing.setText(
                _("Not included: {items}.").format(
                    items="; ".join(f"{n} ({r})" for n, r in item.not_included.items())
                )
            )
        self.missing.setVisible(bool(item.not_included))
        columns = list(item.columns)
        self.sample.setColumnCount(len(columns))
        self.sample.setHorizontalHeaderLabels(columns)
        self.sample.setRowCount(len(item.sample))
        for row, values in enumerate(item.sample):
            for column, name in enumerate(columns):
                self.sample.setItem(row, column, QTableWidgetItem(values.get(name, "")))

    def _on_preview(self, item: ExportPreview) -> None:
        self._preview = item
        self._show(item)
        self._set_busy(False)
        self._status(
            _("This is what the package will hold. Choose Export to write it.")
            if item.exposure_rows
            else _("No exposures in this period; the package will hold the figures only."),
            "hint",
        )
        self.preview_ready.emit(item)

    def _on_progress(self, done: int, total: int, text: str) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        if text:
            self._status(text, "hint")

    def _on_exported(self, result: ExportResult) -> None:
        self._set_busy(False)
        self._status(
            _("Package written to {path}: {rows} exposures.").format(
                path=result.path, rows=format_number(result.exposure_rows)
            ),
            "ok",
        )
        self.exported.emit(result)

    def _on_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        if not isinstance(error, UserError | OSError):
            raise error
        self._status(_("The package was not written: {reason}").format(reason=error), "error")
        if self._preview is None:
            self.preview_ready.emit(None)
