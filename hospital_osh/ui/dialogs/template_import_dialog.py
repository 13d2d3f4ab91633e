"""Import a hospital's edition of a checklist (the official checkpoint texts) from CSV or XLSX.

Two steps, all or nothing: "Check the file" reads it and lists every problem by its row without
storing anything; "Import" is offered only once the check found none, and stores every row in
one transaction (the service checks again). The column layout is shown in the dialog and
documented in resources/healthwise/README.md.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.i18n import _
from hospital_osh.services import healthwise
from hospital_osh.services.errors import UserError
from hospital_osh.services.healthwise import TemplateImportError, TemplateSummary
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.widgets.form import FormLayout

COLUMNS_HELP = (
    "module_code, module_title_en, module_title_zh, checkpoint_code, title_en, title_zh, "
    "why_en, why_zh, how_en, how_zh"
)


class TemplateImportDialog(QDialog):
    """``imported`` carries the new ``TemplateSummary``."""

    # -- signals ------------------------------------------------------------------------------
    imported = Signal(object)
    """Emitted with the stored template's summary."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self._checked: tuple[str, ...] | None = None
        self.setMinimumWidth(620)
        self.path = QLineEdit(self)
        self.browse_button = QPushButton(self)
        self.browse_button.clicked.connect(self._on_browse)
        file_row = QWidget(self)
        file_layout = QHBoxLayout(file_row)
        file_layout.setContentsMargins(0, 0, 0, 0)
        file_layout.addWidget(self.path, 1)
        file_layout.addWidget(self.browse_button)
        file_row.setFocusProxy(self.path)
        self.code = QLineEdit(self)
        self.code.setMaxLength(60)
        self.version = QLineEdit(self)
        self.version.setMaxLength(40)
        self.name_zh = QLineEdit(self)
        self.name_en = QLineEdit(self)
        self.form = FormLayout()
        for field, widget in (
            ("file", file_row),
            ("code", self.code),
            ("version", self.version),
            ("name_zh", self.name_zh),
            ("name_en", self.name_en),
        ):
            self.form.add_row(field, "", widget)
        self.columns = QLabel(self)
        self.columns.setWordWrap(True)
        style.set_role(self.columns, "hint")
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.problems = QListWidget(self)
        self.problems.setMinimumHeight(140)
        self.check_button = QPushButton(self)
        self.check_button.clicked.connect(self.check)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.import_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.import_button.setEnabled(False)
        self.buttons.accepted.connect(self.run_import)
        self.buttons.rejected.connect(self.reject)
        for edit in (self.path, self.code, self.version, self.name_zh, self.name_en):
            edit.textChanged.connect(self._on_input_changed)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.columns)
        check_row = QHBoxLayout()
        check_row.addWidget(self.check_button)
        check_row.addWidget(self.result, 1)
        layout.addLayout(check_row)
        layout.addWidget(self.problems, 1)
        layout.addWidget(self.buttons)
        self.retranslate()

    # -- public API ---------------------------------------------------------------------------

    def check(self) -> bool:
        """The dry run: read and check the file, store nothing; True when it can be imported."""
        self.problems.clear()
        inputs = self._inputs()
        try:
            with self.context.database.session() as session:
                preview = healthwise.read_template_file(
                    inputs[0],
                    code=inputs[1],
                    version=inputs[2],
                    name_zh=inputs[3],
                    name_en=inputs[4],
                    session=session,
                )
        except UserError as error:
            self._show_problems([str(error)])
            return False
        if not preview.ok or preview.template is None:
            self._show_problems(
                [
                    _("Row {row}: {message}").format(row=p.row, message=p.message)
                    if p.row
                    else p.message
                    for p in preview.problems
                ]
            )
            return False
        template = preview.template
        self.result.setText(
            _(
                "Ready to import: {modules} modules, {checkpoints} checkpoints. "
                "Nothing is stored until you import."
            ).format(modules=len(template.modules), checkpoints=template.checkpoint_count)
        )
        style.set_role(self.result, "ok")
        self._checked = inputs
        self.import_button.setEnabled(True)
        return True

    def run_import(self) -> TemplateSummary | None:
        """Store every row or none; problems found now are listed as in the check."""
        if self._checked != self._inputs() and not self.check():
            return None
        path, code, version, name_zh, name_en = self._inputs()
        try:
            with self.context.database.transaction() as session:
                summary = healthwise.import_template(
                    session,
                    self.context.actor,
                    path,
                    code=code,
                    version=version,
                    name_zh=name_zh,
                    name_en=name_en,
                )
        except TemplateImportError as error:
            self._show_problems(
                [
                    _("Row {row}: {message}").format(row=p.row, message=p.message)
                    if p.row
                    else p.message
                    for p in error.problems
                ]
            )
            return None
        except UserError as error:
            self._show_problems([str(error)])
            return None
        self.imported.emit(summary)
        self.accept()
        return summary

    def retranslate(self) -> None:
        self.setWindowTitle(_("Import a checklist template"))
        self.form.set_label_text("file", _("CSV or Excel file"))
        self.form.set_label_text("code", _("Template code"))
        self.form.set_label_text("version", _("Version"))
        self.form.set_label_text("name_zh", _("Name in Chinese"))
        self.form.set_label_text("name_en", _("Name in English"))
        self.browse_button.setText(_("Choose…"))
        self.code.setPlaceholderText(_("e.g. healthwise-official"))
        self.version.setPlaceholderText(_("e.g. 2015-zh"))
        self.columns.setText(
            _(
                "One row per checkpoint, in checklist order, with a header row naming the "
                "columns: {columns}. Module titles are needed on each module's first row."
            ).format(columns=COLUMNS_HELP)
        )
        self.check_button.setText(_("Check the file"))
        self.import_button.setText(_("Import"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        if not self.result.text():
            self.result.setText(_("Check the file before importing it."))

    # -- private ------------------------------------------------------------------------------

    def _inputs(self) -> tuple[str, ...]:
        return (
            self.path.text().strip(),
            self.code.text().strip(),
            self.version.text().strip(),
            self.name_zh.text().strip(),
            self.name_en.text().strip(),
        )

    def _show_problems(self, lines: list[str]) -> None:
        self._checked = None
        self.import_button.setEnabled(False)
        self.problems.clear()
        self.problems.addItems(lines)
        self.result.setText(
            _("Nothing can be imported: correct these {count} problems first.").format(
                count=len(lines)
            )
        )
        style.set_role(self.result, "error")

    def _on_input_changed(self, _text: str) -> None:
        if self._checked is not None and self._checked != self._inputs():
            self._checked = None
            self.import_button.setEnabled(False)
            self.result.setText(_("Check the file before importing it."))
            style.set_role(self.result, "")

    def _on_browse(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self,
            _("Choose the checklist file"),
            str(Path.home()),
            _("Checklist files (*.csv *.xlsx)"),
        )
        if name:
            self.path.setText(name)
