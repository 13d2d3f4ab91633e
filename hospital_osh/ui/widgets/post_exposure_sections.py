"""The parts of the post-exposure panel where the clinician records facts.

``TreatmentSection``: what was actually done about HBIG, the hepatitis B vaccine and HIV PEP
(given with the time, declined with the reason, contraindicated). ``ScheduleSection``: the
case's follow-up items with their status and result, each editable through the small follow-up
dialogs. ``PepCourseSection``: the PEP course as taken. ``OutcomeSection``: the case's outcome,
the occupational disease notification a seroconversion needs, and closing (refused, with the
open items named, while any follow-up is open).

Each section writes through ``services.post_exposure`` / ``services.followups`` in one
transaction, keeps the typed input when the service refuses it and shows the messages beside the
fields; after a write it emits ``changed`` and the panel reads the case again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.domain.case_outcome import NOTIFICATION_TYPES, outcome_rule
from hospital_osh.domain.codes import N_
from hospital_osh.domain.exposure_codes import OUTCOMES
from hospital_osh.domain.pep_course import PEP_STOP_REASONS
from hospital_osh.domain.protocol_vocab import FOLLOWUP_ITEMS, PATHOGENS
from hospital_osh.i18n import _, format_number
from hospital_osh.services import followups
from hospital_osh.services import post_exposure as pe
from hospital_osh.services.errors import UserError, ValidationError
from hospital_osh.services.followups import FollowupRow
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.followup_close_dialog import FollowupCloseDialog
from hospital_osh.ui.dialogs.followup_date_dialog import FollowupDateDialog
from hospital_osh.ui.dialogs.followup_result_dialog import FollowupResultDialog
from hospital_osh.ui.dialogs.reason_dialog import ReasonDialog
from hospital_osh.ui.itemmodels.followup_table_model import (
    pathogens_text,
    result_text,
    status_colour,
    status_text,
    window_text,
)
from hospital_osh.ui.widgets.code_combo import fill_combo, select_data
from hospital_osh.ui.widgets.date_formats import apply_locale_date_format
from hospital_osh.ui.widgets.exposure_form import (
    ExposureForm,
    get_datetime,
    make_datetime_edit,
    set_datetime,
)
from hospital_osh.ui.widgets.optional_date_edit import OptionalDateEdit

_PROPOSED = QColor("#8a8a8a")


def _table(columns: int) -> QTableWidget:
    table = QTableWidget(0, columns)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return table


def _item(text: str, colour: QColor | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if colour is not None:
        item.setForeground(colour)
    return item


def _message(label: QLabel, text: str, role: str = "error") -> None:
    label.setText(text)
    style.set_role(label, role)
    label.setVisible(bool(text))


def _local(moment: dt.datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def _stamp(moment: dt.datetime | None, zone: ZoneInfo) -> str:
    """A stored timestamp (naive UTC) in the hospital's local time."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return _local(aware.astimezone(zone))


# -- treatments ---------------------------------------------------------------------------------


class TreatmentSection(QWidget):
    """The decisions recorded so far and a form for the next one."""

    # -- signals ------------------------------------------------------------------------------
    changed = Signal()
    """Emitted after a decision was recorded."""

    HEADERS = (
        N_("Treatment"),
        N_("Decision"),
        N_("Given at"),
        N_("Dose"),
        N_("Product"),
        N_("Reason"),
        N_("Recorded by"),
    )

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.exposure_id: int | None = None
        self._local_now = dt.datetime.now().replace(second=0, microsecond=0)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        style.set_role(self.intro, "hint")
        self.table = _table(len(self.HEADERS))
        self.kind = QComboBox(self)
        self.decision = QComboBox(self)
        self.given_at = make_datetime_edit(self)
        self.dose_number = QSpinBox(self)
        self.dose_number.setRange(0, 9)
        self.product = QLineEdit(self)
        self.product.setMaxLength(120)
        self.reason = QLineEdit(self)
        self.reason.setMaxLength(300)
        self.form = ExposureForm()
        for name in ("kind", "decision", "given_at", "dose_number", "product", "reason"):
            self.form.add_row(name, "", getattr(self, name))
        self.record_button = QPushButton(self)
        self.record_button.setProperty("accent", True)
        self.record_button.setAutoDefault(False)
        self.record_button.clicked.connect(self.record)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.hide()
        self.kind.currentIndexChanged.connect(self._update_visibility)
        self.decision.currentIndexChanged.connect(self._update_visibility)
        self.editor = QGroupBox(self)
        self.editor.setFixedWidth(430)
        editor_layout = QVBoxLayout(self.editor)
        editor_layout.addLayout(self.form)
        buttons = QHBoxLayout()
        buttons.addWidget(self.record_button)
        buttons.addStretch(1)
        editor_layout.addLayout(buttons)
        editor_layout.addWidget(self.status)
        editor_layout.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.editor)
        body.addWidget(self.table, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(body, 1)
        for column, width in enumerate((170, 120, 120, 50, 110, 150)):
            self.table.setColumnWidth(column, width)

    # -- public API ---------------------------------------------------------------------------

    def set_case(self, case: pe.CaseView, local_now: dt.datetime, *, editable: bool) -> None:
        self.exposure_id = case.exposure_id
        self._local_now = local_now
        self.editor.setVisible(editable and case.closed is None)
        self.table.setRowCount(len(case.prophylaxis))
        for row, item in enumerate(case.prophylaxis):
            values = (
                _(pe.PROPHYLAXIS_KINDS.label(item.kind)),
                _(pe.DECISIONS.label(item.decision)),
                _local(item.given_at),
                str(item.dose_number) if item.dose_number else "",
                item.product,
                item.reason,
                item.recorded_by,
            )
            for column, text in enumerate(values):
                self.table.setItem(row, column, _item(text))
        if not self.form.errors():
            set_datetime(self.given_at, local_now)

    def choose(self, kind: str, decision: str = "given") -> None:
        """Start recording ``kind`` (from a recommendation's button)."""
        select_data(self.kind, kind)
        select_data(self.decision, decision)
        set_datetime(self.given_at, self._local_now)
        self._update_visibility()
        self.decision.setFocus(Qt.FocusReason.OtherFocusReason)

    def entry(self) -> pe.ProphylaxisInput:
        decision = str(self.decision.currentData())
        given = decision == "given"
        kind = str(self.kind.currentData())
        return pe.ProphylaxisInput(
            kind=kind,
            decision=decision,
            given_at=get_datetime(self.given_at) if given else None,
            dose_number=(self.dose_number.value() or None if given and kind != "hiv_pep" else None),
            product=self.product.text() if given else "",
            reason="" if given else self.reason.text(),
        )

    def record(self) -> bool:
        if self.exposure_id is None:
            return False
        self.form.clear_errors()
        self.form.show_warnings({})
        _message(self.status, "")
        try:
            with self.context.database.transaction() as session:
                saved = pe.record_prophylaxis(
                    session, self.context.actor, self.exposure_id, self.entry()
                )
        except ValidationError as error:
            leftover = self.form.show_errors(error.fields)
            if leftover:
                _message(self.status, "\n".join(leftover.values()))
            return False
        except UserError as error:
            _message(self.status, str(error))
            return False
        self.product.clear()
        self.reason.clear()
        self.dose_number.setValue(0)
        leftover = self.form.show_warnings(saved.warnings)
        text = _("Recorded: {treatment}, {decision}.").format(
            treatment=_(pe.PROPHYLAXIS_KINDS.label(saved.row.kind)),
            decision=_(pe.DECISIONS.label(saved.row.decision)),
        )
        warnings = " ".join([*leftover.values()])
        _message(self.status, f"{text} {warnings}".strip(), "ok")
        self.changed.emit()
        return True

    def retranslate(self) -> None:
        self.intro.setText(
            _(
                "What was actually done. The proposal never counts as given: record each "
                "treatment as given (with the time), declined (with the worker's reason) or "
                "contraindicated."
            )
        )
        self.table.setHorizontalHeaderLabels([_(h) for h in self.HEADERS])
        self.editor.setTitle(_("Record a decision"))
        labels = {
            "kind": _("Treatment"),
            "decision": _("Decision"),
            "given_at": _("Given at"),
            "dose_number": _("Dose number"),
            "product": _("Product"),
            "reason": _("Reason"),
        }
        for name, text in labels.items():
            self.form.set_label_text(name, text)
        fill_combo(self.kind, [(_(c.label), c.code) for c in pe.PROPHYLAXIS_KINDS])
        fill_combo(
            self.decision,
            [(_(c.label), c.code) for c in pe.DECISIONS if c.code != "not_given"],
        )
        self.dose_number.setSpecialValueText(_("Not set"))
        self.product.setPlaceholderText(_("Product or regimen, optional"))
        self.reason.setPlaceholderText(_("Required when declined or contraindicated"))
        self.record_button.setText(_("Record"))
        self._update_visibility()

    # -- private ------------------------------------------------------------------------------

    def _update_visibility(self, *_args: object) -> None:
        given = self.decision.currentData() == "given"
        for name in ("given_at", "product"):
            self.form.set_field_visible(name, given)
        self.form.set_field_visible("dose_number", given and self.kind.currentData() != "hiv_pep")
        self.form.set_field_visible("reason", not given)


# -- schedule -----------------------------------------------------------------------------------


class ScheduleSection(QWidget):
    """The follow-up items of the case (or, before the assessment, what would be planned)."""

    # -- signals ------------------------------------------------------------------------------
    changed = Signal(object)
    """Emitted with the dialog's result (``ResultSaved`` or ``FollowupRow``) after a write."""

    HEADERS = (
        N_("Test or visit"),
        N_("For"),
        N_("Due"),
        N_("Window"),
        N_("Status"),
        N_("Result"),
        N_("Done on"),
        N_("Note"),
    )

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.rows: list[FollowupRow] = []
        self._today = dt.date.today()
        self._editable = False
        self.dialog: QWidget | None = None
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        style.set_role(self.intro, "hint")
        self.table = _table(len(self.HEADERS))
        self.table.itemSelectionChanged.connect(self._update_actions)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.result_button = QPushButton(self)
        self.result_button.setProperty("accent", True)
        self.date_button = QPushButton(self)
        self.close_button = QPushButton(self)
        self.result_button.clicked.connect(self.enter_result)
        self.date_button.clicked.connect(self.change_date)
        self.close_button.clicked.connect(self.close_item)
        buttons = QHBoxLayout()
        for button in (self.result_button, self.date_button, self.close_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.adjusted_label = QLabel(self)  # the items on the hospital's own offsets, in full
        self.adjusted_label.setWordWrap(True)
        style.set_role(self.adjusted_label, "notice")
        self.adjusted_label.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.adjusted_label)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        for column, width in enumerate((150, 90, 88, 160, 110, 110, 88)):
            self.table.setColumnWidth(column, width)

    # -- public API ---------------------------------------------------------------------------

    def set_case(
        self,
        case: pe.CaseView,
        planned: tuple[pe.PlannedItemView, ...],
        today: dt.date,
        *,
        editable: bool,
    ) -> None:
        # Items planned on the hospital's own offsets say so, with the reason (Settings).
        adjusted = {
            (p.code, p.dose, p.due_date, p.window_start, p.window_end): p.adjusted
            for p in planned
            if p.adjusted
        }
        self.rows = list(case.followups)
        self._today = today
        self._editable = editable and case.closed is None
        for button in (self.result_button, self.date_button, self.close_button):
            button.setVisible(self._editable)
        if self.rows:
            self.table.setRowCount(len(self.rows))
            for row, item in enumerate(self.rows):
                colour = status_colour(item.status)
                values = (
                    item.label,
                    pathogens_text(item),
                    item.due_date.isoformat(),
                    window_text(item),
                    status_text(item),
                    result_text(item),
                    item.done_date.isoformat() if item.done_date else "",
                    adjusted.get(
                        (item.code, item.dose, item.due_date, item.window_start, item.window_end),
                        "",
                    ),
                )
                for column, text in enumerate(values):
                    shade = colour if column in (2, 4) else None
                    self.table.setItem(row, column, _item(text, shade))
                self._note_tooltip(row, values[-1])
            self.intro.setText(
                _("{open} of {total} items open. Select one to enter its result.").format(
                    open=len(case.open_followups), total=len(self.rows)
                )
            )
        else:
            self.table.setRowCount(len(planned))
            for row, plan in enumerate(planned):
                name = _(FOLLOWUP_ITEMS.label(plan.code))
                values = (
                    f"{name} {plan.dose}" if plan.dose else name,
                    "",
                    plan.due_date.isoformat(),
                    _("{start} to {end}").format(
                        start=plan.window_start.isoformat(), end=plan.window_end.isoformat()
                    ),
                    _("proposed"),
                    "",
                    "",
                    plan.adjusted,
                )
                for column, text in enumerate(values):
                    self.table.setItem(row, column, _item(text, _PROPOSED))
                self._note_tooltip(row, plan.adjusted)
            self.intro.setText(
                _(
                    "Not generated yet. The protocol would plan the {count} items below; "
                    "'Assess and generate schedule' creates them."
                ).format(count=len(planned))
                if planned
                else _("Nothing is scheduled for this exposure.")
            )
        notes = self.note_texts()
        names = [self.table.item(r, 0).text() for r in range(self.table.rowCount())]
        marked = [f"{name} — {note}" for name, note in zip(names, notes, strict=True) if note]
        self.adjusted_label.setText("\n".join(dict.fromkeys(marked)))
        self.adjusted_label.setVisible(bool(marked))
        self._update_actions()

    def selected_row(self) -> FollowupRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or not self.rows:
            return None
        index = rows[0].row()
        return self.rows[index] if index < len(self.rows) else None

    def select(self, followup_id: int) -> bool:
        for index, row in enumerate(self.rows):
            if row.id == followup_id:
                self.table.selectRow(index)
                return True
        return False

    def enter_result(self) -> FollowupResultDialog | None:
        row = self._open_row()
        if row is None:
            return None
        dialog = FollowupResultDialog(self.context, row, self, today=self._today)
        self._show(dialog)
        return dialog

    def change_date(self) -> FollowupDateDialog | None:
        row = self._open_row()
        if row is None:
            return None
        dialog = FollowupDateDialog(self.context, row, self)
        self._show(dialog)
        return dialog

    def close_item(self) -> FollowupCloseDialog | None:
        row = self._open_row()
        if row is None:
            return None
        dialog = FollowupCloseDialog(self.context, row, self)
        self._show(dialog)
        return dialog

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([_(h) for h in self.HEADERS])
        self.result_button.setText(_("Enter result…"))
        self.date_button.setText(_("Change date…"))
        self.close_button.setText(_("Missed or not needed…"))

    # -- private ------------------------------------------------------------------------------

    def note_texts(self) -> list[str]:
        """The Note column, row by row (tests)."""
        column = len(self.HEADERS) - 1
        return [
            (cell.text() if (cell := self.table.item(row, column)) is not None else "")
            for row in range(self.table.rowCount())
        ]

    def _note_tooltip(self, row: int, note: str) -> None:
        if note:
            for column in range(len(self.HEADERS)):
                cell = self.table.item(row, column)
                if cell is not None:
                    cell.setToolTip(note)

    def _open_row(self) -> FollowupRow | None:
        row = self.selected_row()
        return row if row is not None and row.is_open and self._editable else None

    def _show(self, dialog: Any) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._on_saved)
        dialog.finished.connect(self._on_finished)
        self.dialog = dialog
        dialog.open()

    def _update_actions(self) -> None:
        row = self.selected_row()
        enabled = row is not None and row.is_open
        for button in (self.result_button, self.date_button, self.close_button):
            button.setEnabled(enabled)

    def _on_double_clicked(self, *_args: object) -> None:
        self.enter_result()

    # Bound methods, not lambdas, for dialogs that delete themselves on close.
    def _on_saved(self, result: object) -> None:
        self.changed.emit(result)

    def _on_finished(self, _result: int) -> None:
        self.dialog = None


# -- PEP course ---------------------------------------------------------------------------------


class PepCourseSection(QWidget):
    """The HIV PEP course as taken (regimen, first dose, days taken, stop reason, effects)."""

    # -- signals ------------------------------------------------------------------------------
    changed = Signal()
    """Emitted after the course was saved."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.exposure_id: int | None = None
        self.version: int | None = None
        self.course: pe.PepCourseView | None = None
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        style.set_role(self.intro, "hint")
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.regimen = QLineEdit(self)
        self.regimen.setMaxLength(200)
        self.started_at = make_datetime_edit(self)
        self.days_taken = QSpinBox(self)
        self.days_taken.setRange(-1, 60)
        self.stop_reason = QComboBox(self)
        self.side_effects = QPlainTextEdit(self)
        self.side_effects.setTabChangesFocus(True)
        self.side_effects.setMaximumHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.late_reason = QLineEdit(self)
        self.late_reason.setMaxLength(300)
        self.form = ExposureForm()
        for name in (
            "regimen",
            "started_at",
            "days_taken",
            "stop_reason",
            "side_effects",
            "late_reason",
        ):
            self.form.add_row(name, "", getattr(self, name))
        self.save_button = QPushButton(self)
        self.save_button.setProperty("accent", True)
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        body = QWidget(self)
        body.setMaximumWidth(720)
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addLayout(self.form)
        body_layout.addLayout(buttons)
        body_layout.addWidget(self.status)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.summary)
        layout.addWidget(body)
        layout.addStretch(1)

    # -- public API ---------------------------------------------------------------------------

    def set_case(
        self,
        case: pe.CaseView,
        local_now: dt.datetime,
        *,
        editable: bool,
        pep_proposed: bool,
    ) -> None:
        self.exposure_id = case.exposure_id
        self.course = course = case.pep_course
        self._pep_proposed = pep_proposed
        self.form.clear_errors()
        self.form.show_warnings({})
        if course is not None:
            self.version = course.version
            self.regimen.setText(course.regimen)
            set_datetime(self.started_at, course.started_at)
            self.days_taken.setValue(-1 if course.days_taken is None else course.days_taken)
            select_data(self.stop_reason, course.stop_reason)
            self.side_effects.setPlainText("\n".join(course.side_effects))
            self.late_reason.setText(course.late_reason)
        else:
            self.version = None
            self.regimen.clear()
            set_datetime(self.started_at, local_now)
            self.days_taken.setValue(-1)
            select_data(self.stop_reason, None)
            self.side_effects.clear()
            self.late_reason.clear()
        for name in self.form.field_names():
            widget = self.form.field_widget(name)
            if isinstance(widget, QLineEdit | QPlainTextEdit):
                widget.setReadOnly(not editable)
            else:
                widget.setEnabled(editable)
        self.save_button.setVisible(editable)
        self._update_summary()

    def entry(self) -> pe.PepCourseInput:
        days = self.days_taken.value()
        return pe.PepCourseInput(
            started_at=get_datetime(self.started_at),
            regimen=self.regimen.text(),
            days_taken=None if days < 0 else days,
            stop_reason=self.stop_reason.currentData(),
            side_effects=tuple(self.side_effects.toPlainText().splitlines()),
            late_reason=self.late_reason.text(),
            version=self.version,
        )

    def save(self) -> bool:
        if self.exposure_id is None:
            return False
        self.form.clear_errors()
        _message(self.status, "")
        try:
            with self.context.database.transaction() as session:
                view = pe.record_pep_course(
                    session, self.context.actor, self.exposure_id, self.entry()
                )
        except ValidationError as error:
            leftover = self.form.show_errors(error.fields)
            if leftover:
                _message(self.status, "\n".join(leftover.values()))
            return False
        except UserError as error:
            _message(self.status, str(error))
            return False
        self.course, self.version = view, view.version
        self.form.show_warnings(view.warnings)
        _message(self.status, _("The PEP course was saved."), "ok")
        self._update_summary()
        self.changed.emit()
        return True

    def retranslate(self) -> None:
        self._pep_proposed = getattr(self, "_pep_proposed", True)
        labels = {
            "regimen": _("Regimen"),
            "started_at": _("First dose"),
            "days_taken": _("Days taken"),
            "stop_reason": _("Stopped early because"),
            "side_effects": _("Side effects (one per line)"),
            "late_reason": _("Reason for a late start"),
        }
        for name, text in labels.items():
            self.form.set_label_text(name, text)
        self.days_taken.setSpecialValueText(_("Not set"))
        self.days_taken.setSuffix(_(" days"))
        choice = self.stop_reason.currentData()
        fill_combo(
            self.stop_reason,
            [(_("Not stopped (taking or completed)"), None)]
            + [(_(c.label), c.code) for c in PEP_STOP_REASONS],
        )
        select_data(self.stop_reason, choice)
        self.regimen.setPlaceholderText(_("e.g. TDF/FTC + DTG"))
        self.late_reason.setPlaceholderText(_("Needed when the first dose was after 72 hours"))
        self.save_button.setText(_("Save PEP course"))
        self._update_summary()

    # -- private ------------------------------------------------------------------------------

    def _update_summary(self) -> None:
        course = self.course
        proposed = getattr(self, "_pep_proposed", True)
        self.intro.setText(
            _("Record the course as the worker takes it: the completion rate goes to the report.")
            if proposed
            else _("The protocol does not propose HIV PEP for this exposure.")
        )
        if course is None:
            self.summary.setText(_("No PEP course recorded."))
            return
        completion = {
            "yes": _("completed"),
            "no": _("stopped early"),
            "ongoing": _("ongoing"),
        }.get(course.completion, course.completion)
        self.summary.setText(
            _(
                "First dose {hours} h after the exposure; {within}. Course: {completion}; "
                "planned last dose {last}."
            ).format(
                hours=format_number(course.hours_to_first_dose, 1),
                within=(
                    _("within 2 hours")
                    if course.within_2h
                    else _("within 72 hours")
                    if course.within_72h
                    else _("after the 72-hour window")
                ),
                completion=completion,
                last=course.planned_last_dose.isoformat(),
            )
        )


# -- outcome ------------------------------------------------------------------------------------


class OutcomeSection(QWidget):
    """The outcome, the notification of a seroconversion, and closing the case."""

    # -- signals ------------------------------------------------------------------------------
    changed = Signal()
    """Emitted after a notification was recorded or the case closed."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.case: pe.CaseView | None = None
        self._today = dt.date.today()
        self.state = QLabel(self)
        self.state.setWordWrap(True)
        self.prompt = QLabel(self)
        self.prompt.setWordWrap(True)
        self.prompt.hide()
        self.open_items = QLabel(self)
        self.open_items.setWordWrap(True)
        self.outcome = QComboBox(self)
        self.seroconversion_date = OptionalDateEdit(None, self)
        self.note = QLineEdit(self)
        self.note.setMaxLength(500)
        self.mark_open_missed = QCheckBox(self)
        self.form = ExposureForm()
        for name in ("outcome", "seroconversion_date", "note", "mark_open_missed"):
            self.form.add_row(name, "", getattr(self, name))
        self.notification_type = QComboBox(self)
        self.pathogen = QComboBox(self)
        self.notified_party = QLineEdit(self)
        self.notified_party.setMaxLength(200)
        self.notified_on = QDateEdit(self)
        self.notified_on.setCalendarPopup(True)
        apply_locale_date_format(self.notified_on)
        self.case_number = QLineEdit(self)
        self.case_number.setMaxLength(80)
        self.notification_form = ExposureForm()
        for name in (
            "notification_type",
            "pathogen",
            "notified_party",
            "notified_on",
            "case_number",
        ):
            self.notification_form.add_row(name, "", getattr(self, name))
        self.notify_button = QPushButton(self)
        self.notify_button.setAutoDefault(False)
        self.notify_button.clicked.connect(self.record_notification)
        self.notifications = QLabel(self)
        self.notifications.setWordWrap(True)
        self.notification_box = QGroupBox(self)
        box_layout = QVBoxLayout(self.notification_box)
        box_layout.addWidget(self.notifications)
        box_layout.addLayout(self.notification_form)
        row = QHBoxLayout()
        row.addWidget(self.notify_button)
        row.addStretch(1)
        box_layout.addLayout(row)
        self.close_button = QPushButton(self)
        self.close_button.setProperty("accent", True)
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.close_case)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.hide()
        self.reopen_button = QPushButton(self)
        self.reopen_button.setAutoDefault(False)
        self.reopen_button.clicked.connect(self.reopen)
        self.reopen_dialog: ReasonDialog | None = None
        self.reopenings: tuple[pe.ReopeningRow, ...] = ()
        self.zone = ZoneInfo("Asia/Shanghai")  # the panel sets the hospital's zone
        self.history = QLabel(self)
        self.history.setWordWrap(True)
        self.history.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.history_box = QGroupBox(self)
        history_layout = QVBoxLayout(self.history_box)
        history_layout.addWidget(self.history)
        self.editor = QWidget(self)
        editor_layout = QVBoxLayout(self.editor)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.addWidget(self.open_items)
        editor_layout.addLayout(self.form)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        editor_layout.addLayout(buttons)
        editor_layout.addWidget(self.message)
        reopen_row = QHBoxLayout()
        reopen_row.addWidget(self.reopen_button)
        reopen_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state)
        layout.addLayout(reopen_row)
        layout.addWidget(self.prompt)
        layout.addWidget(self.editor)
        layout.addWidget(self.notification_box)
        layout.addWidget(self.history_box)
        layout.addStretch(1)
        self.outcome.currentIndexChanged.connect(self._update_visibility)

    # -- public API ---------------------------------------------------------------------------

    def set_case(
        self,
        case: pe.CaseView,
        today: dt.date,
        *,
        editable: bool,
        reopenings: tuple[pe.ReopeningRow, ...] = (),
    ) -> None:
        self.case = case
        self._today = today
        self._editable = editable
        self.reopenings = reopenings
        closed = case.closed
        self.reopen_button.setVisible(editable and case.status in pe.CLOSED_STATUSES)
        self._show_history()
        if closed is not None:
            self.state.setText(
                _("Closed {when} by {who}: {outcome}.").format(
                    when=_stamp(closed.closed_at, self.zone),
                    who=closed.closed_by,
                    outcome=_(OUTCOMES.label(closed.outcome)),
                )
                + (
                    " "
                    + _("Seroconversion on {date}.").format(
                        date=closed.seroconversion_date.isoformat()
                    )
                    if closed.seroconversion_date
                    else ""
                )
            )
        else:
            self.state.setText(
                _("Open: outcome {outcome}.").format(outcome=_(OUTCOMES.label(case.outcome)))
            )
        self.editor.setVisible(editable and closed is None)
        still = case.open_followups
        if still:
            names = "; ".join(row.label for row in still)
            self.open_items.setText(
                _(
                    "Follow-up still open ({count}): {items}. The case closes once each is done, "
                    "missed or cancelled."
                ).format(count=len(still), items=names)
            )
            style.set_role(self.open_items, "hint")
        else:
            self.open_items.setText(_("Every follow-up item is closed."))
            style.set_role(self.open_items, "ok")
        viruses = case.seroconversions
        if case.notification_needed:
            names = ", ".join(_(PATHOGENS.label(v)) for v in viruses)
            _message(
                self.prompt,
                _(
                    "A seroconversion was recorded ({viruses}). Record the outcome and the "
                    "occupational disease notification (who was notified, when)."
                ).format(viruses=names),
                "notice",
            )
            if viruses:
                select_data(self.pathogen, viruses[0])
                select_data(self.outcome, f"{viruses[0]}_seroconversion")
            if self.seroconversion_date.value() is None:
                after_baseline = [
                    r.done_date
                    for r in case.followups
                    if r.result == "positive"
                    and r.done_date is not None
                    and (r.done_date - case.exposure_date).days >= followups.BASELINE_DAYS
                ]
                first = min(after_baseline, default=None)
                self.seroconversion_date.set_value(first)
        else:
            _message(self.prompt, "")
        self.notified_on.setDate(QDate(today))
        self._show_notifications()
        self._update_visibility()

    def notification_input(self) -> pe.NotificationInput:
        return pe.NotificationInput(
            notification_type=str(self.notification_type.currentData()),
            pathogen=str(self.pathogen.currentData()),
            notified_party=self.notified_party.text(),
            notified_on=self.notified_on.date().toPython(),  # type: ignore[arg-type]
            case_number=self.case_number.text(),
        )

    def close_input(self) -> pe.CloseInput:
        outcome = str(self.outcome.currentData())
        needs = outcome in OUTCOMES and _needs_notification(outcome)
        with_notification = (
            needs
            and self.case is not None
            and not self.case.notifications
            and bool(self.notified_party.text().strip())
        )
        return pe.CloseInput(
            outcome=outcome,
            seroconversion_date=self.seroconversion_date.value() if needs else None,
            note=self.note.text(),
            notification=self.notification_input() if with_notification else None,
            mark_open_missed=self.mark_open_missed.isChecked(),
        )

    def close_case(self) -> bool:
        if self.case is None:
            return False
        self._clear()
        try:
            with self.context.database.transaction() as session:
                pe.close_case(
                    session, self.context.actor, self.case.exposure_id, self.close_input()
                )
        except ValidationError as error:
            self._show_errors(error.fields)
            return False
        except UserError as error:
            _message(self.message, str(error))
            return False
        self.changed.emit()
        return True

    def reopen(self) -> ReasonDialog | None:
        """Ask why the closed case opens again (e.g. the worker came back); the service moves
        the outcome to the history. A refused reason comes back beside the field, kept."""
        case = self.case
        if case is None or not self._editable or case.status not in pe.CLOSED_STATUSES:
            return None
        dialog = ReasonDialog(
            _("Reopen case {reference}").format(reference=case.reference),
            _(
                "The case opens again for follow-up: its outcome ({outcome}) moves to the case's "
                "history with the reason, and items a 'lost to follow-up' closing marked missed "
                "are open again."
            ).format(outcome=_(OUTCOMES.label(case.outcome))),
            field_label=_("Reason for reopening"),
            parent=self,
        )
        dialog.accepted.connect(self._on_reopen_accepted)
        dialog.rejected.connect(self._forget_reopen_dialog)
        self.reopen_dialog = dialog
        dialog.open()
        return dialog

    def history_text(self) -> str:
        return self.history.text() if not self.history_box.isHidden() else ""

    def record_notification(self) -> bool:
        if self.case is None:
            return False
        self._clear()
        try:
            with self.context.database.transaction() as session:
                pe.record_notification(
                    session, self.context.actor, self.case.exposure_id, self.notification_input()
                )
        except ValidationError as error:
            self._show_errors(error.fields)
            return False
        except UserError as error:
            _message(self.message, str(error))
            return False
        self.notified_party.clear()
        self.case_number.clear()
        self.changed.emit()
        return True

    def error_text(self) -> str:
        """Every message shown (fields and banner), for tests."""
        parts = [*self.form.errors().values(), *self.notification_form.errors().values()]
        if self.message.isVisibleTo(self):
            parts.append(self.message.text())
        return "\n".join(parts)

    def retranslate(self) -> None:
        labels = {
            "outcome": _("Outcome"),
            "seroconversion_date": _("Seroconversion date"),
            "note": _("Note"),
            "mark_open_missed": "",
        }
        for name, text in labels.items():
            self.form.set_label_text(name, text)
        self.mark_open_missed.setText(_("Mark the items still open as missed"))
        for name, text in {
            "notification_type": _("Notification"),
            "pathogen": _("Virus"),
            "notified_party": _("Notified"),
            "notified_on": _("Date notified"),
            "case_number": _("Case number"),
        }.items():
            self.notification_form.set_label_text(name, text)
        self.notification_box.setTitle(_("Occupational disease notification"))
        self.notified_party.setPlaceholderText(_("e.g. district CDC, occupational disease office"))
        self.case_number.setPlaceholderText(_("optional"))
        self.notify_button.setText(_("Record notification"))
        self.close_button.setText(_("Close the case"))
        self.reopen_button.setText(_("Reopen case…"))
        self.reopen_button.setToolTip(
            _("Open the closed case again, e.g. when a worker lost to follow-up comes back")
        )
        self.history_box.setTitle(_("Earlier closings, reopened"))
        self.seroconversion_date.retranslate()
        for combo, items in (
            (
                self.outcome,
                [(_(c.label), c.code) for c in OUTCOMES if c.code != "pending"],
            ),
            (self.notification_type, [(_(c.label), c.code) for c in NOTIFICATION_TYPES]),
            (self.pathogen, [(_(c.label), c.code) for c in PATHOGENS]),
        ):
            choice = combo.currentData()
            fill_combo(combo, items)
            select_data(combo, choice)
        if self.case is not None:
            self.set_case(
                self.case,
                self._today,
                editable=getattr(self, "_editable", False),
                reopenings=self.reopenings,
            )

    # -- private ------------------------------------------------------------------------------

    def _show_history(self) -> None:
        lines = []
        for row in self.reopenings:
            lines.append(
                _(
                    "Closed {closed} by {closer} as {outcome}; reopened {reopened} by {who}: "
                    "{reason}"
                ).format(
                    closed=_stamp(row.closed_at, self.zone),
                    closer=row.closed_by or "—",
                    outcome=_(OUTCOMES.label(row.previous_outcome)),
                    reopened=_stamp(row.reopened_at, self.zone),
                    who=row.reopened_by,
                    reason=row.reason,
                )
            )
        self.history.setText("\n".join(lines))
        self.history_box.setVisible(bool(lines))

    # Bound methods, not lambdas, on the reason dialog (it is deleted once answered).
    def _on_reopen_accepted(self) -> None:
        dialog, case = self.reopen_dialog, self.case
        if dialog is None or case is None:
            return
        try:
            with self.context.database.transaction() as session:
                pe.reopen_case(
                    session, self.context.actor, case.exposure_id, dialog.answer().reason
                )
        except ValidationError as error:
            dialog.show_errors(error.fields)  # the reason typed stays; the message beside it
            dialog.open()
            return
        except UserError as error:
            _message(self.message, str(error))
            self._forget_reopen_dialog()
            return
        self._forget_reopen_dialog()
        self.changed.emit()

    def _forget_reopen_dialog(self) -> None:
        dialog, self.reopen_dialog = self.reopen_dialog, None
        if dialog is not None:
            dialog.deleteLater()

    def _show_notifications(self) -> None:
        case = self.case
        if case is None or not case.notifications:
            self.notifications.setText(_("No notification recorded."))
            return
        lines = [
            _("{date}: {kind} ({virus}) to {party}{number}").format(
                date=n.notified_on.isoformat(),
                kind=_(NOTIFICATION_TYPES.label(n.notification_type)),
                virus=_(PATHOGENS.label(n.pathogen)),
                party=n.notified_party,
                number=_(", case number {number}").format(number=n.case_number)
                if n.case_number
                else "",
            )
            for n in case.notifications
        ]
        self.notifications.setText("\n".join(lines))

    def _update_visibility(self, *_args: object) -> None:
        outcome = self.outcome.currentData()
        needs = outcome is not None and _needs_notification(str(outcome))
        self.form.set_field_visible("seroconversion_date", needs)
        self.form.set_field_visible("mark_open_missed", outcome == "lost_to_follow_up")
        case = self.case
        editable = getattr(self, "_editable", False)
        show_box = case is not None and (
            bool(case.notifications) or case.notification_needed or (needs and editable)
        )
        self.notification_box.setVisible(show_box)
        can_write = (
            editable and case is not None and (case.closed is None or not case.notifications)
        )
        for name in self.notification_form.field_names():
            self.notification_form.set_field_visible(name, can_write)
        self.notify_button.setVisible(can_write)
        if needs and case is not None and not case.notifications:
            suggested = pe.suggested_notification(str(outcome))
            if suggested:
                select_data(self.notification_type, suggested)
            virus = str(outcome).split("_", 1)[0]
            select_data(self.pathogen, virus)

    def _clear(self) -> None:
        self.form.clear_errors()
        self.notification_form.clear_errors()
        _message(self.message, "")

    def _show_errors(self, errors: Mapping[str, str]) -> None:
        mine = {k: v for k, v in errors.items() if self.notification_form.has_field(k)}
        self.notification_form.show_errors(mine, focus=False)
        leftover = self.form.show_errors(
            {k: v for k, v in errors.items() if k not in mine}, focus=True
        )
        if leftover:
            _message(self.message, "\n".join(leftover.values()))


def _needs_notification(outcome: str) -> bool:
    try:
        return outcome_rule(outcome).requires_notification
    except ValueError:
        return False
