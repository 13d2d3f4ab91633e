"""Import a staff roster (CSV or Excel): read, preview, decide about existing staff, import.

Reading and importing run through the task runner (``TabularImportDialog``), so a large file
never freezes the window. Nothing is written unless every row is valid, and the user must say
what happens to staff numbers that already exist: no choice is made for them behind their back.
Closing after a good preview without importing asks first.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QGroupBox,
    QHeaderView,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.i18n import _, format_number
from hospital_osh.services.roster import (
    ROSTER_COLUMNS,
    RosterPreview,
    RosterResult,
    apply_roster,
    read_roster,
)
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.tabular_import_dialog import (
    Progress,
    Reader,
    TabularImportDialog,
    Writer,
)
from hospital_osh.ui.itemmodels.roster_preview_table_model import RosterPreviewTableModel

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

UPDATE = "update"
SKIP = "skip"


class RosterImportDialog(TabularImportDialog):
    """Choose a file, check the preview, choose about existing staff, import."""

    # -- signals ------------------------------------------------------------------------------
    preview_ready = Signal(object)
    """Emitted with the ``RosterPreview`` once a file has been read (or None if it failed)."""

    asks_before_closing = True

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.read_finished.connect(self.preview_ready)
        self._build()
        self.retranslate()
        self.update_state()

    # -- public API ---------------------------------------------------------------------------

    preview = TabularImportDialog.plan
    import_roster = TabularImportDialog.start_import

    def existing_choice(self) -> str | None:
        """``"update"``, ``"skip"`` or None while the user has not chosen."""
        if self.update_radio.isChecked():
            return UPDATE
        if self.skip_radio.isChecked():
            return SKIP
        return None

    def set_existing_choice(self, choice: str) -> None:
        (self.update_radio if choice == UPDATE else self.skip_radio).setChecked(True)

    def retranslate(self) -> None:
        self.setWindowTitle(_("Import roster"))
        self.intro.setText(
            _(
                "Choose a CSV or Excel (.xlsx) file with one worker per row. The first row "
                "names the columns: {columns}."
            ).format(columns=", ".join(ROSTER_COLUMNS))
        )
        self.retranslate_frame()
        self.choice_box.setTitle(_("Staff numbers that already exist"))
        self.update_radio.setText(_("Update those workers with the values in the file"))
        self.skip_radio.setText(_("Skip those rows and keep the stored workers as they are"))
        self.table.setAccessibleName(_("Preview"))
        self.model.retranslate()
        self.update_state()

    # -- TabularImportDialog ------------------------------------------------------------------

    def file_dialog_texts(self) -> tuple[str, str]:
        return _("Choose a roster file"), _("Rosters (*.csv *.xlsx);;All files (*)")

    def reader(self) -> Reader:
        def read(session: Session, path: Path, progress: Progress) -> RosterPreview:
            return read_roster(session, path, progress=progress)

        return read

    def writer(self, plan: RosterPreview) -> Writer:
        actor, existing = self.context.actor, self.existing_choice() or SKIP

        def write(session: Session, progress: Progress) -> RosterResult:
            return apply_roster(
                session,
                actor,
                plan,
                existing=existing,  # type: ignore[arg-type]
                progress=progress,
            )

        return write

    def ready_to_import(self, plan: RosterPreview) -> bool:
        return plan.existing_count == 0 or self.existing_choice() is not None

    def forget_plan(self) -> None:
        self.model.set_preview(None)
        self.choice_group.setExclusive(False)
        for button in self.choice_group.buttons():
            button.setChecked(False)
        self.choice_group.setExclusive(True)

    def show_plan(self, plan: RosterPreview) -> None:
        self.model.set_preview(plan)
        errors = [m for row in plan.rows for m in row.errors.values()]
        self.messages.setPlainText("\n".join(errors))
        self.messages.setVisible(bool(errors))

    def summary_text(self, plan: RosterPreview) -> str:
        return _(
            "Rows read: {rows}. New workers: {new}. Existing staff numbers: "
            "{existing}. Rows with errors: {errors}."
        ).format(
            rows=format_number(len(plan.rows)),
            new=format_number(plan.new_count),
            existing=format_number(plan.existing_count),
            errors=format_number(plan.error_count),
        )

    def advice(self, plan: RosterPreview) -> tuple[str, str]:
        return self._advice(plan), "error" if not plan.ok else "hint"

    def imported_text(self, result: RosterResult) -> str:
        return _(
            "Import finished: {created} workers added, {updated} updated, {skipped} skipped."
        ).format(
            created=format_number(result.created),
            updated=format_number(result.updated),
            skipped=format_number(result.skipped),
        )

    def update_details(self) -> None:
        plan = self.plan()
        self.choice_box.setVisible(
            plan is not None and plan.ok and plan.existing_count > 0 and self.result() is None
        )
        self.choice_box.setEnabled(not self.is_busy())

    # -- private ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.setMinimumSize(860, 560)
        self.model = RosterPreviewTableModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(False)
        self.messages.setMaximumHeight(110)

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

        self.body.addWidget(self.table, 1)
        self.body.addWidget(self.messages)
        self.body.addWidget(self.choice_box)

    def _advice(self, plan: RosterPreview) -> str:
        """What the user has to do next, in one sentence or two."""
        if plan.problems:
            return "\n".join(plan.problems)
        if plan.error_count:
            return _(
                "Correct the rows marked in red in the file, then choose it again. "
                "Nothing is imported while any row has an error."
            )
        if not plan.rows:
            return _("The file holds no workers.")
        if plan.existing_count and self.existing_choice() is None:
            return _("Choose what to do with the staff numbers that already exist.")
        return _("Ready to import.")

    def _on_choice_toggled(self, _button: object, _checked: bool) -> None:
        self.update_state()
