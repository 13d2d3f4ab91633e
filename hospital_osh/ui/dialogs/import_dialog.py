"""Import historical exposure records: choose a file, read the dry run (every bad row with its
line and column), then import all rows or none.

The flow (reading on the read pool, the import on the runner's writer, closing abandons a dry
run in progress but never an import) is ``TabularImportDialog``'s, shared with the roster.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QWidget

from hospital_osh.exchange import layout
from hospital_osh.exchange.importer import ImportPlan, ImportResult, apply_import, read_import
from hospital_osh.i18n import _, format_number
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.tabular_import_dialog import (
    Progress,
    Reader,
    TabularImportDialog,
    Writer,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class ImportDialog(TabularImportDialog):
    """Dry run first; the Import button is enabled only for a file without errors."""

    asks_before_closing = True  # a checked file not yet imported is work the user would lose

    # -- signals ------------------------------------------------------------------------------
    plan_ready = Signal(object)
    """Emitted with the ``ImportPlan`` of the dry run (None if the file could not be read)."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.read_finished.connect(self.plan_ready)
        self._build()
        self.retranslate()
        self.update_state()

    # -- public API ---------------------------------------------------------------------------

    import_records = TabularImportDialog.start_import

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
        self.retranslate_frame()
        self.update_state()

    # -- TabularImportDialog ------------------------------------------------------------------

    def file_dialog_texts(self) -> tuple[str, str]:
        return (
            _("Choose a file of exposure records"),
            _("Exposure records (*.csv *.xlsx);;All files (*)"),
        )

    def reading_text(self, name: str) -> str:
        return _("Checking {name}…").format(name=name)

    def reader(self) -> Reader:
        actor = self.context.actor

        def read(session: Session, path: Path, progress: Progress) -> ImportPlan:
            return read_import(session, actor, path, progress=progress)

        return read

    def writer(self, plan: ImportPlan) -> Writer:
        actor = self.context.actor

        def write(session: Session, progress: Progress) -> ImportResult:
            return apply_import(session, actor, plan, progress=progress)

        return write

    def show_plan(self, plan: ImportPlan) -> None:
        self.messages.setPlainText("\n".join(plan.notices + plan.messages()))
        self.messages.setVisible(bool(self.messages.toPlainText()))

    def summary_text(self, plan: ImportPlan) -> str:
        return _(
            "To import: {new}. Already recorded (skipped): {skipped}. Rows with errors: "
            "{errors}. Workers to add: {workers}."
        ).format(
            new=format_number(len(plan.rows)),
            skipped=format_number(len(plan.skipped)),
            errors=format_number(len({issue.line for issue in plan.errors})),
            workers=format_number(plan.workers_to_create),
        )

    def advice(self, plan: ImportPlan) -> tuple[str, str]:
        if not plan.ok:
            return (
                _(
                    "Correct the file and choose it again: nothing is imported while any row "
                    "has an error."
                ),
                "error",
            )
        if not plan.rows:
            return _("Every record in the file is already recorded here."), "hint"
        return _("Ready to import."), "ok"

    def imported_text(self, result: ImportResult) -> str:
        return _(
            "Imported {created} exposures ({skipped} already recorded were skipped, "
            "{workers} workers created)."
        ).format(
            created=format_number(result.created),
            skipped=format_number(result.skipped),
            workers=format_number(result.workers_created),
        )

    # -- private ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.setMinimumSize(760, 480)
        self.columns = QLabel(self)
        self.columns.setWordWrap(True)
        style.set_role(self.columns, "hint")
        self.header.addWidget(self.columns)
        self.body.addWidget(self.messages, 10)
        self.body.addStretch(1)
