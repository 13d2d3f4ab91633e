"""One worker's hepatitis B immunisation and baseline serology, with the derived status.

The status (documented responder, non-responder, vaccinated with response unknown,
unvaccinated, infected) is never typed: ``services.immunisation`` derives it from the doses and
results each time, and the panel shows it with the reason in words, so an officer sees why the
post-exposure assessment treats the worker as it does. Doses and results are added here (and
removed with a reason when entered by mistake); the service refuses what contradicts the record
(a dose twice, a negative or absurd anti-HBs) and the message appears beside the field.

Only roles that may see serostatus see the panel (``visible_for``); only MANAGE_POST_EXPOSURE
gets the forms.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.domain.codes import N_
from hospital_osh.domain.immunity import HBV_STATUSES
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _, format_number
from hospital_osh.services import immunisation
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import UserError, ValidationError
from hospital_osh.services.immunisation import (
    QUALITATIVE_RESULTS,
    SEROLOGY_TESTS,
    DoseInput,
    ImmunisationHistory,
    SerologyInput,
)
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs import reason_dialog
from hospital_osh.ui.dialogs.followup_result_dialog import parse_number
from hospital_osh.ui.widgets.code_combo import fill_combo, select_data
from hospital_osh.ui.widgets.date_formats import apply_locale_date_format
from hospital_osh.ui.widgets.form import FormLayout

DOSE_HEADERS = (N_("Date"), N_("Series"), N_("Dose"), N_("Product"), N_("After exposure"))
RESULT_HEADERS = (N_("Date"), N_("Test"), N_("Result"))


def _date_edit(parent: QWidget, value: dt.date) -> QDateEdit:
    edit = QDateEdit(parent)
    edit.setCalendarPopup(True)
    apply_locale_date_format(edit)
    edit.setDate(QDate(value))
    return edit


def _table(headers: int) -> QTableWidget:
    table = QTableWidget(0, headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return table


def result_text(test: str, value: float | None, result: str | None) -> str:
    if test == "anti_hbs":
        return (
            _("{value} mIU/mL").format(value=format_number(value, 1)) if value is not None else ""
        )
    return _(QUALITATIVE_RESULTS.label(result)) if result else ""


class ImmunisationPanel(QWidget):
    """Call ``set_worker(id)``; ``refresh()`` reads the record again."""

    # -- signals ------------------------------------------------------------------------------
    changed = Signal()
    """Emitted after a dose or result was added or removed."""

    def __init__(
        self, context: AppContext, parent: QWidget | None = None, *, today: dt.date | None = None
    ):
        super().__init__(parent)
        self.context = context
        self._today = today or dt.date.today()
        self.editable = context.actor.can(Permission.MANAGE_POST_EXPOSURE)
        self.worker_id: int | None = None
        self.record: ImmunisationHistory | None = None
        self._build()
        self.retranslate()

    # -- public API ---------------------------------------------------------------------------

    @classmethod
    def visible_for(cls, actor: Actor) -> bool:
        return actor.can(Permission.VIEW_SEROSTATUS)

    def set_worker(self, worker_id: int | None) -> None:
        self.worker_id = worker_id
        self.refresh()

    def refresh(self) -> None:
        self.record = None
        self.message.hide()
        if self.worker_id is not None:
            try:
                with self.context.database.session() as session:
                    self.record = immunisation.history(session, self.context.actor, self.worker_id)
            except UserError as error:
                self._show_message(str(error))
        self._show_record()

    def status_text(self) -> str:
        return self.status.text()

    def dose_input(self) -> DoseInput:
        return DoseInput(
            given_on=self.given_on.date().toPython(),  # type: ignore[arg-type]
            dose_number=self.dose_number.value(),
            series=self.series.value(),
            doses_in_series=self.doses_in_series.value(),
            product=self.product.text(),
        )

    def serology_input(self) -> SerologyInput:
        test = str(self.test.currentData())
        try:
            value = parse_number(self.value.text()) if test == "anti_hbs" else None
        except ValueError:
            value = float("nan")
        return SerologyInput(
            test=test,
            tested_on=self.tested_on.date().toPython(),  # type: ignore[arg-type]
            value=value,
            result=self.result.currentData() if test != "anti_hbs" else None,
        )

    def add_dose(self) -> bool:
        if self.worker_id is None:
            return False
        self.dose_form.clear_errors()
        try:
            with self.context.database.transaction() as session:
                immunisation.record_dose(
                    session,
                    self.context.actor,
                    self.worker_id,
                    self.dose_input(),
                    today=self._today,
                )
        except ValidationError as error:
            leftover = self.dose_form.show_errors(error.fields)
            if leftover:
                self._show_message("\n".join(leftover.values()))
            return False
        except UserError as error:
            self._show_message(str(error))
            return False
        self.product.clear()
        self.dose_number.setValue(min(self.dose_number.value() + 1, self.dose_number.maximum()))
        self._after_write()
        return True

    def add_result(self) -> bool:
        if self.worker_id is None:
            return False
        self.result_form.clear_errors()
        try:
            parse_number(self.value.text())
        except ValueError:
            self.result_form.show_errors({"value": _("Enter a number, e.g. 125 or 12.5.")})
            return False
        try:
            with self.context.database.transaction() as session:
                immunisation.record_serology(
                    session,
                    self.context.actor,
                    self.worker_id,
                    self.serology_input(),
                    today=self._today,
                )
        except ValidationError as error:
            leftover = self.result_form.show_errors(error.fields)
            if leftover:
                self._show_message("\n".join(leftover.values()))
            return False
        except UserError as error:
            self._show_message(str(error))
            return False
        self.value.clear()
        self._after_write()
        return True

    def remove_selected_dose(self) -> bool:
        rows = self.doses.selectionModel().selectedRows()
        if not rows or self.record is None:
            return False
        dose = self.record.doses[rows[0].row()]
        answer = reason_dialog.ask_reason(
            self,
            _("Remove dose"),
            _("Remove the dose of {date} (series {series}, dose {dose})? Say why.").format(
                date=dose.given_on.isoformat(), series=dose.series, dose=dose.dose_number
            ),
        )
        if answer is None:
            return False
        return self._remove(immunisation.delete_dose, dose.id, answer.reason)

    def remove_selected_result(self) -> bool:
        rows = self.results.selectionModel().selectedRows()
        if not rows or self.record is None:
            return False
        result = self.record.serology[rows[0].row()]
        answer = reason_dialog.ask_reason(
            self,
            _("Remove result"),
            _("Remove the {test} result of {date}? Say why.").format(
                test=_(SEROLOGY_TESTS.label(result.test)), date=result.tested_on.isoformat()
            ),
        )
        if answer is None:
            return False
        return self._remove(immunisation.delete_serology, result.id, answer.reason)

    def retranslate(self) -> None:
        self.status_box.setTitle(_("Hepatitis B immunity"))
        self.doses_box.setTitle(_("Hepatitis B vaccine doses"))
        self.results_box.setTitle(_("Serology (anti-HBs and baseline tests)"))
        self.doses.setHorizontalHeaderLabels([_(h) for h in DOSE_HEADERS])
        self.results.setHorizontalHeaderLabels([_(h) for h in RESULT_HEADERS])
        for form, labels in (
            (
                self.dose_form,
                {
                    "given_on": _("Date"),
                    "series": _("Series"),
                    "dose_number": _("Dose number"),
                    "doses_in_series": _("Doses in the series"),
                    "product": _("Product"),
                },
            ),
            (
                self.result_form,
                {
                    "test": _("Test"),
                    "tested_on": _("Date"),
                    "value": _("Anti-HBs (mIU/mL)"),
                    "result": _("Result"),
                },
            ),
        ):
            for name, text in labels.items():
                form.set_label_text(name, text)
        self.product.setPlaceholderText(_("e.g. Engerix-B 20 µg, optional"))
        self.value.setPlaceholderText(_("e.g. 125"))
        choice = self.test.currentData()
        fill_combo(self.test, [(_(c.label), c.code) for c in SEROLOGY_TESTS])
        select_data(self.test, choice)
        result = self.result.currentData()
        fill_combo(
            self.result,
            [(_("Choose…"), None)] + [(_(c.label), c.code) for c in QUALITATIVE_RESULTS],
        )
        select_data(self.result, result)
        self.add_dose_button.setText(_("Add dose"))
        self.add_result_button.setText(_("Add result"))
        self.remove_dose_button.setText(_("Remove…"))
        self.remove_result_button.setText(_("Remove…"))
        self._update_test_fields()
        self._show_record()

    # -- private: building --------------------------------------------------------------------

    def _build(self) -> None:
        self.status_box = QGroupBox(self)
        self.status = QLabel(self.status_box)
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        status_layout = QVBoxLayout(self.status_box)
        status_layout.addWidget(self.status)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        style.set_role(self.message, "error")
        self.message.hide()

        self.doses = _table(len(DOSE_HEADERS))
        self.given_on = _date_edit(self, self._today)
        self.series = QSpinBox(self)
        self.series.setRange(1, 5)
        self.dose_number = QSpinBox(self)
        self.dose_number.setRange(1, 5)
        self.doses_in_series = QSpinBox(self)
        self.doses_in_series.setRange(2, 4)
        self.doses_in_series.setValue(3)
        self.product = QLineEdit(self)
        self.product.setMaxLength(120)
        self.dose_form = FormLayout()
        for name in ("given_on", "series", "dose_number", "doses_in_series", "product"):
            self.dose_form.add_row(name, "", getattr(self, name))
        self.add_dose_button = QPushButton(self)
        self.remove_dose_button = QPushButton(self)
        self.add_dose_button.clicked.connect(self.add_dose)
        self.remove_dose_button.clicked.connect(self.remove_selected_dose)

        self.results = _table(len(RESULT_HEADERS))
        self.test = QComboBox(self)
        self.test.currentIndexChanged.connect(self._update_test_fields)
        self.tested_on = _date_edit(self, self._today)
        self.value = QLineEdit(self)
        self.value.setMaxLength(12)
        self.result = QComboBox(self)
        self.result_form = FormLayout()
        for name in ("test", "tested_on", "value", "result"):
            self.result_form.add_row(name, "", getattr(self, name))
        self.add_result_button = QPushButton(self)
        self.remove_result_button = QPushButton(self)
        self.add_result_button.clicked.connect(self.add_result)
        self.remove_result_button.clicked.connect(self.remove_selected_result)

        self.doses_box = QGroupBox(self)
        self.results_box = QGroupBox(self)
        for box, table, form, add, remove in (
            (
                self.doses_box,
                self.doses,
                self.dose_form,
                self.add_dose_button,
                self.remove_dose_button,
            ),
            (
                self.results_box,
                self.results,
                self.result_form,
                self.add_result_button,
                self.remove_result_button,
            ),
        ):
            add.setAutoDefault(False)
            remove.setAutoDefault(False)
            add.setVisible(self.editable)
            remove.setVisible(self.editable)
            box_layout = QVBoxLayout(box)
            box_layout.addWidget(table, 1)
            editor = QWidget(box)
            editor.setVisible(self.editable)
            editor_layout = QVBoxLayout(editor)
            editor_layout.setContentsMargins(0, 0, 0, 0)
            editor_layout.addLayout(form)
            box_layout.addWidget(editor)
            buttons = QHBoxLayout()
            buttons.addWidget(add)
            buttons.addStretch(1)
            buttons.addWidget(remove)
            box_layout.addLayout(buttons)
        self.doses.setColumnWidth(0, 92)
        self.doses.setColumnWidth(1, 48)
        self.doses.setColumnWidth(2, 100)
        self.doses.setColumnWidth(3, 130)
        self.results.setColumnWidth(0, 96)
        self.results.setColumnWidth(1, 190)

        columns = QHBoxLayout()
        columns.addWidget(self.doses_box, 1)
        columns.addWidget(self.results_box, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status_box)
        layout.addWidget(self.message)
        layout.addLayout(columns, 1)

    # -- private: behaviour -------------------------------------------------------------------

    def _show_record(self) -> None:
        record = self.record
        if record is None:
            self.status.setText(_("No worker selected."))
            self.doses.setRowCount(0)
            self.results.setRowCount(0)
            return
        found = record.status
        label = (
            _(HBV_STATUSES.label(found.status))
            if found.status is not None
            else _("Cannot be derived")
        )
        lines = [f"<b>{_esc(label)}</b>", _esc(found.reason)]
        lines += [f"<span style='color:{style.ERROR}'>{_esc(p)}</span>" for p in found.problems]
        if found.latest_anti_hbs is not None and found.latest_anti_hbs_on is not None:
            lines.append(
                _esc(
                    _("Latest anti-HBs: {value} mIU/mL on {date}.").format(
                        value=format_number(found.latest_anti_hbs, 1),
                        date=found.latest_anti_hbs_on.isoformat(),
                    )
                )
            )
        baseline = []
        for test, value in (
            ("hbsag", found.hbsag),
            ("anti_hbc", found.anti_hbc),
            ("anti_hcv", found.anti_hcv),
            ("hiv", found.hiv),
        ):
            shown = _(QUALITATIVE_RESULTS.label(value)) if value else _("not tested")
            baseline.append(
                _("{test}: {result}").format(test=_(SEROLOGY_TESTS.label(test)), result=shown)
            )
        lines.append(_esc(_("Baseline: {results}.").format(results="; ".join(baseline))))
        self.status.setText("<br>".join(lines))
        self.doses.setRowCount(len(record.doses))
        for row, dose in enumerate(record.doses):
            values = (
                dose.given_on.isoformat(),
                str(dose.series),
                _("{dose} of {count}").format(dose=dose.dose_number, count=dose.doses_in_series),
                dose.product,
                _("yes") if dose.exposure_id is not None else "",
            )
            for column, text in enumerate(values):
                self.doses.setItem(row, column, QTableWidgetItem(text))
        self.results.setRowCount(len(record.serology))
        for row, result in enumerate(record.serology):
            values = (
                result.tested_on.isoformat(),
                _(SEROLOGY_TESTS.label(result.test)),
                result_text(result.test, result.value, result.result),
            )
            for column, text in enumerate(values):
                self.results.setItem(row, column, QTableWidgetItem(text))

    def _update_test_fields(self, *_args: object) -> None:
        anti_hbs = self.test.currentData() == "anti_hbs"
        self.result_form.set_field_visible("value", anti_hbs)
        self.result_form.set_field_visible("result", not anti_hbs)

    def _remove(self, remove, record_id: int, reason: str) -> bool:  # type: ignore[no-untyped-def]
        try:
            with self.context.database.transaction() as session:
                remove(session, self.context.actor, record_id, reason)
        except UserError as error:
            self._show_message(str(error))
            return False
        self._after_write()
        return True

    def _after_write(self) -> None:
        self.refresh()
        self.changed.emit()

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
