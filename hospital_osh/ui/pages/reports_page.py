"""Reports: choose a period and language, preview the key figures, build the summary PDF (and the
figures as JSON and XLSX), export the package, import historical records; the other areas' PDFs
(register, action plan, checklist, minutes, case sheet) in a "Documents" group.

Figures and PDFs are computed on the task runner; the page shows progress and opens the PDF when
it is done. Export and import appear only for roles with EXCHANGE_DATA (the services check too).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.domain import metrics
from hospital_osh.domain.codes import N_
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _, current_language
from hospital_osh.reports.language import ReportLanguage
from hospital_osh.reports.summary import Labels, build_summary_pdf, key_figures, missing_sections
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import UserError, ValidationError
from hospital_osh.services.summary import build_summary, check_period
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.export_preview_dialog import ExportPreviewDialog
from hospital_osh.ui.dialogs.import_dialog import ImportDialog
from hospital_osh.ui.pages.base import Page
from hospital_osh.ui.tasks import TaskState
from hospital_osh.ui.widgets.date_formats import apply_locale_date_format
from hospital_osh.ui.widgets.report_documents import ReportDocumentsBox

CUSTOM = "custom"
_PRESETS: tuple[tuple[str, str], ...] = (
    ("month", N_("Month")),
    ("quarter", N_("Quarter")),
    ("half_year", N_("Half-year")),
    ("year", N_("Year")),
    (CUSTOM, N_("Custom")),
)
_LANGUAGES: tuple[tuple[str, str], ...] = (
    ("zh_CN", N_("Chinese report")),
    ("en", N_("English report")),
    ("both", N_("Both languages (two files)")),
)


def open_with_system(path: Path) -> None:
    """Open ``path`` in the user's PDF viewer."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


def report_paths(out: Path, language: str) -> list[tuple[str, Path]]:
    """One PDF per language: ``name.pdf``, or ``name_zh_CN.pdf`` and ``name_en.pdf``."""
    if language != "both":
        return [(language, out)]
    return [(code, out.with_name(f"{out.stem}_{code}{out.suffix}")) for code in ("zh_CN", "en")]


class ReportsPage(Page):
    """Period, language, figures, the summary PDF, export and import."""

    key = "reports"
    title = N_("Reports")
    icon = "chart-column"
    order = 80

    # -- signals ----------------------------------------------------------------------------------
    figures_ready = Signal(object)
    """Emitted with the summary dict once the preview figures are computed (None on failure)."""
    report_built = Signal(object)
    """Emitted with the list of files written by a report build."""

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        today: dt.date | None = None,
        open_file: Callable[[Path], None] = open_with_system,
    ):
        super().__init__(context, parent)
        self.open_file = open_file
        self._today = today or dt.date.today()
        self._summary: dict[str, Any] | None = None
        self._built_period: tuple[dt.date, dt.date] | None = None
        self._busy = False
        self._adjusting = False
        self.export_dialog: ExportPreviewDialog | None = None
        self.import_dialog: ImportDialog | None = None
        actor = context.actor
        self._exchange = actor.can(Permission.EXCHANGE_DATA)
        self._imports = self._exchange and actor.can(Permission.MANAGE_EXPOSURES)
        self._build()
        self.retranslate()
        self.set_preset("quarter")

    # -- Page API ---------------------------------------------------------------------------------

    @classmethod
    def visible_for(cls, actor: Actor) -> bool:
        return actor.can(Permission.VIEW_REPORTS)

    def activated(self) -> None:
        self.documents.load_choices()  # templates and meetings may have been added meanwhile

    def retranslate(self) -> None:
        self.period_box.setTitle(_("Period"))
        self.output_box.setTitle(_("Report"))
        self.preset_label.setText(_("Kind"))
        self.from_label.setText(_("From"))
        self.to_label.setText(_("To"))
        self.earlier_button.setText(_("◀ Earlier"))
        self.later_button.setText(_("Later ▶"))
        self.language_label.setText(_("Language"))
        self.json_check.setText(_("Also save the figures (JSON)"))
        self.xlsx_check.setText(_("Also save the tables (Excel)"))
        self.preview_button.setText(_("Show figures"))
        self.build_button.setText(_("Build report…"))
        self.export_button.setText(_("Export package…"))
        self.import_button.setText(_("Import records…"))
        self.export_button.setToolTip(
            _("The de-identified package for NIOHPC and the health authorities")
        )
        self.import_button.setToolTip(_("Historical exposure records from a CSV or Excel file"))
        self.figures.setAccessibleName(_("Key figures"))
        self._fill_combo(self.preset, _PRESETS)
        self._fill_combo(self.language, _LANGUAGES)
        self.figures.setHorizontalHeaderLabels([_("Figure"), _("Value")])
        self.documents.retranslate()
        if self._summary is not None:
            self._show_figures(self._summary)

    def tour_views(self) -> list[tuple[str, QWidget]]:
        views: list[tuple[str, QWidget]] = []
        if self._imports:
            views.append(("import_dialog", ImportDialog(self.context, self)))
        return views

    # -- public API -------------------------------------------------------------------------------

    def set_preset(self, kind: str) -> None:
        """Show the latest complete period of ``kind`` (month, quarter, half_year, year)."""
        index = self.preset.findData(kind)
        self._adjusting = True
        self.preset.setCurrentIndex(index)
        if kind != CUSTOM:
            self.set_period(*metrics.last_complete_period(kind, self._today), keep_kind=True)
        self._adjusting = False

    def set_period(self, start: dt.date, end: dt.date, *, keep_kind: bool = False) -> None:
        self._adjusting = True
        self.start_edit.setDate(_qdate(start))
        self.end_edit.setDate(_qdate(end))
        if not keep_kind:
            self.preset.setCurrentIndex(self.preset.findData(CUSTOM))
        self._adjusting = False
        self._period_changed()

    def period(self) -> tuple[dt.date, dt.date]:
        return _pydate(self.start_edit.date()), _pydate(self.end_edit.date())

    def set_language(self, code: str) -> None:
        self.language.setCurrentIndex(self.language.findData(code))

    def report_language(self) -> str:
        return str(self.language.currentData())

    def preview_figures(self) -> TaskState | None:
        """Compute the key figures of the period off the GUI thread."""
        period = self._checked_period()
        if period is None or self._busy:
            return None
        database, actor = self.context.database, self.context.actor

        def job(_state: TaskState) -> dict[str, Any]:
            with database.session() as session:
                return build_summary(session, actor, *period)

        self._set_busy(True, _("Computing the figures…"))
        return self.context.runner.run(job, on_done=self._on_figures, on_error=self._on_failed)

    def choose_and_build(self) -> None:
        start, end = self.period()
        suggested = f"osh_report_{start:%Y%m%d}_{end:%Y%m%d}.pdf"
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save the report"), suggested, _("PDF files (*.pdf)")
        )
        if path:
            self.build_report(Path(path))

    def build_report(self, out: Path) -> TaskState | None:
        """Build the PDF(s) (and JSON/XLSX if chosen) for ``out``; open the PDF when done."""
        period = self._checked_period()
        if period is None or self._busy:
            return None
        database, actor = self.context.database, self.context.actor
        outputs = report_paths(Path(out), self.report_language())
        with_json = self.json_check.isChecked()
        with_xlsx = self.xlsx_check.isChecked()
        steps = 1 + len(outputs) + int(with_json) + int(with_xlsx)

        def job(state: TaskState) -> list[Path]:
            from hospital_osh.exchange.xlsx import write_summary_xlsx

            with database.session() as session:
                summary = build_summary(session, actor, *period)
            written: list[Path] = []
            state.report(1, steps, "")
            for language, path in outputs:
                if state.cancelled:
                    return written
                build_summary_pdf(summary, language, path)
                written.append(path)
                state.report(1 + len(written), steps, "")
            if with_json:
                path = Path(out).with_suffix(".json")
                path.write_text(
                    json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=True), "utf-8"
                )
                written.append(path)
            if with_xlsx:
                path = Path(out).with_suffix(".xlsx")
                write_summary_xlsx(summary, outputs[0][0], path)
                written.append(path)
            state.report(steps, steps, "")
            return written

        self._set_busy(True, _("Building the report…"))
        self._built_period = period
        return self.context.runner.run(
            job, on_done=self._on_built, on_error=self._on_failed, on_progress=self._on_progress
        )

    def open_export(self) -> ExportPreviewDialog | None:
        period = self._checked_period()
        if period is None or not self._exchange:
            return None
        dialog = ExportPreviewDialog(self.context, *period, parent=self)
        self.export_dialog = dialog
        dialog.open()
        dialog.load_preview()
        return dialog

    def open_import(self) -> ImportDialog | None:
        if not self._imports:
            return None
        dialog = ImportDialog(self.context, self)
        self.import_dialog = dialog
        dialog.open()
        return dialog

    # -- private: building ------------------------------------------------------------------------

    def _build(self) -> None:
        self.period_box = QGroupBox(self)
        self.preset_label = QLabel(self.period_box)
        self.preset = QComboBox(self.period_box)
        self.from_label = QLabel(self.period_box)
        self.to_label = QLabel(self.period_box)
        self.start_edit = QDateEdit(self.period_box)
        self.end_edit = QDateEdit(self.period_box)
        for edit in (self.start_edit, self.end_edit):
            edit.setCalendarPopup(True)
            apply_locale_date_format(edit)
            edit.setDateRange(QDate(1990, 1, 1), QDate(2100, 12, 31))
            edit.dateChanged.connect(self._on_date_edited)
        self.earlier_button = QPushButton(self.period_box)
        self.later_button = QPushButton(self.period_box)
        self.earlier_button.clicked.connect(lambda: self._shift(-1))
        self.later_button.clicked.connect(lambda: self._shift(1))
        self.preset.currentIndexChanged.connect(self._on_preset_chosen)
        self.period_error = QLabel(self.period_box)
        self.period_error.setWordWrap(True)
        style.set_role(self.period_error, "error")
        self.period_error.hide()
        grid = QGridLayout(self.period_box)
        grid.addWidget(self.preset_label, 0, 0)
        grid.addWidget(self.preset, 0, 1)
        grid.addWidget(self.earlier_button, 0, 2)
        grid.addWidget(self.later_button, 0, 3)
        grid.addWidget(self.from_label, 1, 0)
        grid.addWidget(self.start_edit, 1, 1)
        grid.addWidget(self.to_label, 1, 2)
        grid.addWidget(self.end_edit, 1, 3)
        grid.addWidget(self.period_error, 2, 0, 1, 4)
        grid.setColumnStretch(4, 1)

        self.output_box = QGroupBox(self)
        self.language_label = QLabel(self.output_box)
        self.language = QComboBox(self.output_box)
        self.json_check = QCheckBox(self.output_box)
        self.xlsx_check = QCheckBox(self.output_box)
        self.preview_button = QPushButton(self.output_box)
        self.build_button = QPushButton(self.output_box)
        self.build_button.setProperty("accent", True)
        self.export_button = QPushButton(self)
        self.import_button = QPushButton(self)
        self.preview_button.clicked.connect(self.preview_figures)
        self.build_button.clicked.connect(self.choose_and_build)
        self.export_button.clicked.connect(self.open_export)
        self.import_button.clicked.connect(self.open_import)
        self.export_button.setVisible(self._exchange)
        self.import_button.setVisible(self._imports)
        output = QGridLayout(self.output_box)
        output.addWidget(self.language_label, 0, 0)
        output.addWidget(self.language, 0, 1)
        output.addWidget(self.json_check, 1, 0, 1, 2)
        output.addWidget(self.xlsx_check, 2, 0, 1, 2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.build_button)
        buttons.addStretch(1)
        output.addLayout(buttons, 3, 0, 1, 3)
        output.setColumnStretch(2, 1)

        self.progress = QProgressBar(self)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.hide()
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.missing = QLabel(self)
        self.missing.setWordWrap(True)
        style.set_role(self.missing, "hint")
        self.missing.hide()
        self.figures = QTableWidget(0, 2, self)
        self.figures.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.figures.verticalHeader().setVisible(False)
        header = self.figures.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.documents = ReportDocumentsBox(self.context, self, open_file=self.open_file)
        self.documents.setVisible(bool(self.documents.kinds))

        top = QHBoxLayout()
        top.addWidget(self.period_box, 3)
        top.addWidget(self.output_box, 2)
        exchange = QHBoxLayout()
        exchange.addWidget(self.export_button)
        exchange.addWidget(self.import_button)
        exchange.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(exchange)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.missing)
        bottom = QHBoxLayout()
        bottom.addWidget(self.figures, 1)
        bottom.addWidget(self.documents, 1)
        layout.addLayout(bottom, 1)

    @staticmethod
    def _fill_combo(combo: QComboBox, items: tuple[tuple[str, str], ...]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        for code, label in items:
            combo.addItem(_(label), code)
        index = combo.findData(current)
        combo.setCurrentIndex(max(0, index))
        combo.blockSignals(False)

    # -- private: events --------------------------------------------------------------------------

    def _on_preset_chosen(self) -> None:
        if self._adjusting:
            return
        kind = self.preset.currentData()
        if kind and kind != CUSTOM:
            self.set_preset(kind)

    def _on_date_edited(self) -> None:
        if self._adjusting:
            return
        self._adjusting = True
        self.preset.setCurrentIndex(self.preset.findData(CUSTOM))
        self._adjusting = False
        self._period_changed()

    def _shift(self, steps: int) -> None:
        start, end = self.period()
        if end < start:
            return
        kind = self.preset.currentData()
        self.set_period(*metrics.shift_period(start, end, steps), keep_kind=kind != CUSTOM)

    def _period_changed(self) -> None:
        self._summary = None
        self.figures.setRowCount(0)
        self.missing.hide()
        self._checked_period()

    def _checked_period(self) -> tuple[dt.date, dt.date] | None:
        start, end = self.period()
        try:
            check_period(start, end)
        except ValidationError as error:
            self.period_error.setText(error.fields.get("period", str(error)))
            self.period_error.show()
            self.build_button.setEnabled(False)
            self.preview_button.setEnabled(False)
            self.export_button.setEnabled(False)
            return None
        self.period_error.hide()
        self.build_button.setEnabled(not self._busy)
        self.preview_button.setEnabled(not self._busy)
        self.export_button.setEnabled(not self._busy)
        return start, end

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        self.progress.setRange(0, 0)
        self.progress.setVisible(busy)
        if busy:
            self._status(text, "hint")
        self._checked_period()

    def _status(self, text: str, role: str) -> None:
        self.status.setText(text)
        style.set_role(self.status, role)

    def _show_figures(self, summary: dict[str, Any]) -> None:
        lang = ReportLanguage.of(current_language())
        labels = Labels(summary, lang)
        rows = key_figures(summary, lang)
        self.figures.setRowCount(len(rows))
        for row, (label, value, kind) in enumerate(rows):
            self.figures.setItem(row, 0, QTableWidgetItem(label))
            self.figures.setItem(row, 1, QTableWidgetItem(labels.format(value, kind)))
        reasons = [
            labels.reason(entry)
            for name, entry in summary["rates"]["not_available"].items()
            if "." not in name
        ]
        notes = []
        if summary["exposures"]["total"] == 0:
            notes.append(_("No exposures were recorded in this period."))
        if reasons:
            notes.append(
                _("Rates not available: {reasons}.").format(
                    reasons="; ".join(dict.fromkeys(reasons))
                )
            )
        missing = missing_sections(summary, lang)
        if missing:
            notes.append(
                _("Not recorded by this installation yet: {sections}.").format(
                    sections="; ".join(missing)
                )
            )
        self.missing.setText("\n".join(notes))
        self.missing.setVisible(bool(notes))

    def _on_figures(self, summary: dict[str, Any]) -> None:
        self._summary = summary
        self._set_busy(False)
        self._show_figures(summary)
        self._status("", "hint")
        self.figures_ready.emit(summary)

    def _on_progress(self, done: int, total: int, _text: str) -> None:
        if self._busy and total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def _on_built(self, written: list[Path]) -> None:
        self._set_busy(False)
        if written and self._built_period is not None:
            self._record_written(self._built_period, written)
        self._status(_("Written: {files}").format(files=", ".join(str(p) for p in written)), "ok")
        self.report_built.emit(written)
        pdfs = [p for p in written if p.suffix.lower() == ".pdf"]
        if pdfs:
            self.open_file(pdfs[0])

    def _on_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        if not isinstance(error, UserError | OSError):
            raise error
        self._status(_("The report was not built: {reason}").format(reason=error), "error")
        self.figures_ready.emit(None)

    def _record_written(self, period: tuple[dt.date, dt.date], written: list[Path]) -> None:
        """The figures left the program: one audit event, on the write executor."""
        database, actor, files = self.context.database, self.context.actor, list(written)

        def job(_state: TaskState) -> None:
            from hospital_osh.exchange.export import record_report

            with database.transaction() as session:
                record_report(session, actor, *period, files)

        self.context.runner.run(job, write=True, on_error=self._on_record_failed)

    def _on_record_failed(self, error: BaseException) -> None:
        if not isinstance(error, UserError | OSError):
            raise error
        self._status(
            _(
                "The report was written, but recording it in the audit trail failed: {reason}"
            ).format(reason=error),
            "error",
        )
