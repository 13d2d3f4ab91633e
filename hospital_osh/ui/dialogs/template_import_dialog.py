"""Import a hospital's edition of a checklist (the official checkpoint texts) from CSV or XLSX.

Two steps, all or nothing, in ``TabularImportDialog``'s flow (shared with the roster and the
historical import): choosing the file (or "Check the file") reads and checks it off the GUI
thread with the template's code, version and names, and lists every problem by its row without
storing anything; "Import" is offered only once the check found none and the details are still
those checked, and stores every row in one transaction (the service checks again). Closing with
a checked file not imported asks first. The column layout is shown in the dialog and documented
in resources/healthwise/README.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton, QWidget

from hospital_osh.i18n import _, ngettext
from hospital_osh.services import healthwise
from hospital_osh.services.healthwise import RowMessage, TemplateImportPreview, TemplateSummary
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.tabular_import_dialog import (
    Progress,
    Reader,
    TabularImportDialog,
    Writer,
)
from hospital_osh.ui.tasks import TaskState
from hospital_osh.ui.widgets.form import FormLayout, chain_focus

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

COLUMNS_HELP = (
    "module_code, module_title_en, module_title_zh, checkpoint_code, title_en, title_zh, "
    "why_en, why_zh, how_en, how_zh"
)

Inputs = tuple[str, str, str, str, str]
"""(path, code, version, Chinese name, English name) as typed, stripped."""


def problem_lines(problems: tuple[RowMessage, ...]) -> list[str]:
    """One line per problem, by its row when it has one."""
    return [
        _("Row {row}: {message}").format(row=p.row, message=p.message) if p.row else p.message
        for p in problems
    ]


class TemplateImportDialog(TabularImportDialog):
    """The template's details, the file, "Check the file", Import; ``imported`` carries the new
    ``TemplateSummary`` and the dialog closes."""

    asks_before_closing = True  # a checked file not yet imported is work the user would lose

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self._checked: Inputs = ("", "", "", "", "")  # the inputs of the last check started
        self._build()
        self.imported.connect(self.accept)
        self.retranslate()

    # -- public API ---------------------------------------------------------------------------

    run_import = TabularImportDialog.start_import

    def check(self) -> TaskState | None:
        """The dry run of the typed or chosen file: read and check it, store nothing."""
        path = self.path_edit.text().strip()
        if not path or self.is_busy():
            return None
        return self.load_file(Path(path))

    def retranslate(self) -> None:
        self.setWindowTitle(_("Import a checklist template"))
        self.intro.setText(
            _(
                "One row per checkpoint, in checklist order, with a header row naming the "
                "columns: {columns}. Module titles are needed on each module's first row."
            ).format(columns=COLUMNS_HELP)
        )
        self.form.set_label_text("code", _("Template code"))
        self.form.set_label_text("version", _("Version"))
        self.form.set_label_text("name_zh", _("Name in Chinese"))
        self.form.set_label_text("name_en", _("Name in English"))
        self.code.setPlaceholderText(_("e.g. healthwise-official"))
        self.version.setPlaceholderText(_("e.g. 2015-zh"))
        self.retranslate_frame()
        self.file_label.setText(_("CSV or Excel file"))
        self.check_button.setText(_("Check the file"))
        self._align_labels()
        self.update_state()

    # -- TabularImportDialog ------------------------------------------------------------------

    def file_dialog_texts(self) -> tuple[str, str]:
        return _("Choose the checklist file"), _("Checklist files (*.csv *.xlsx)")

    def reading_text(self, name: str) -> str:
        return _("Checking {name}…").format(name=name)

    def idle_text(self) -> str:
        return _("Check the file before importing it.")

    def reader(self) -> Reader:
        _path, code, version, name_zh, name_en = self._checked = self._inputs()

        def read(session: Session, path: Path, _progress: Progress) -> TemplateImportPreview:
            return healthwise.read_template_file(
                path, code=code, version=version, name_zh=name_zh, name_en=name_en, session=session
            )

        return read

    def writer(self, plan: TemplateImportPreview) -> Writer:
        actor = self.context.actor
        path, code, version, name_zh, name_en = self._checked

        def write(session: Session, _progress: Progress) -> TemplateSummary:
            return healthwise.import_template(
                session,
                actor,
                path,
                code=code,
                version=version,
                name_zh=name_zh,
                name_en=name_en,
            )

        return write

    def has_rows_to_import(self, plan: TemplateImportPreview) -> bool:
        return plan.ok

    def ready_to_import(self, plan: TemplateImportPreview) -> bool:
        """The details and file are still those checked: a change needs a new check."""
        return self._checked == self._inputs()

    def show_plan(self, plan: TemplateImportPreview) -> None:
        lines = problem_lines(plan.problems)
        self.messages.setPlainText("\n".join(lines))
        self.messages.setVisible(bool(lines))

    def summary_text(self, plan: TemplateImportPreview) -> str:
        return ""  # the status line says it with its colour

    def advice(self, plan: TemplateImportPreview) -> tuple[str, str]:
        if not self.ready_to_import(plan):
            return _("Check the file before importing it."), "hint"
        if not plan.ok or plan.template is None:
            return (
                ngettext(
                    "Nothing can be imported: correct this problem first.",
                    "Nothing can be imported: correct these {count} problems first.",
                    len(plan.problems),
                ).format(count=len(plan.problems)),
                "error",
            )
        return (
            _(
                "Ready to import: {modules} modules, {checkpoints} checkpoints. "
                "Nothing is stored until you import."
            ).format(
                modules=len(plan.template.modules), checkpoints=plan.template.checkpoint_count
            ),
            "ok",
        )

    def imported_text(self, result: TemplateSummary) -> str:
        return ""  # the dialog closes and the page lists the new template

    def update_details(self) -> None:
        self.check_button.setEnabled(not self.is_busy() and bool(self.path_edit.text().strip()))

    # -- private ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.setMinimumWidth(620)
        self.code = QLineEdit(self)
        self.code.setMaxLength(60)
        self.version = QLineEdit(self)
        self.version.setMaxLength(40)
        self.name_zh = QLineEdit(self)
        self.name_en = QLineEdit(self)
        self.form = FormLayout()
        for field, widget in (
            ("code", self.code),
            ("version", self.version),
            ("name_zh", self.name_zh),
            ("name_en", self.name_en),
        ):
            self.form.add_row(field, "", widget)
        self.header.addLayout(self.form)
        # A path may be typed or pasted too; Enter checks it.
        self.path_edit.setReadOnly(False)
        self.path_edit.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.path_edit.returnPressed.connect(self.check)
        self.check_button = QPushButton(self)
        self.check_button.setAutoDefault(False)
        self.check_button.clicked.connect(self.check)
        self.file_row.addWidget(self.check_button)
        # The file row lines up with the details' form above it.
        self.file_row.setSpacing(self.form.horizontalSpacing())
        self.messages.setMinimumHeight(140)
        self.body.addWidget(self.messages, 1)
        for edit in (self.path_edit, self.code, self.version, self.name_zh, self.name_en):
            edit.textChanged.connect(self._on_input_changed)
        chain_focus(
            [
                self.code,
                self.version,
                self.name_zh,
                self.name_en,
                self.path_edit,
                self.choose_button,
                self.check_button,
                self.messages,
                self.import_button,
                self.close_button,
            ]
        )
        self.code.setFocus()

    def _align_labels(self) -> None:
        """The form's labels and the file row's label share one width."""
        labels = [self.form.label(field) for field in self.form.field_names()]
        labels.append(self.file_label)
        for label in labels:
            label.setMinimumWidth(0)
            label.setAlignment(self.form.labelAlignment())
        width = max(label.sizeHint().width() for label in labels)
        for label in labels:
            label.setMinimumWidth(width)

    def _inputs(self) -> Inputs:
        return (
            self.path_edit.text().strip(),
            self.code.text().strip(),
            self.version.text().strip(),
            self.name_zh.text().strip(),
            self.name_en.text().strip(),
        )

    def _on_input_changed(self, _text: str) -> None:
        self.update_state()
