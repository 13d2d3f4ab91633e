"""The quick report: who, when, where, what happened, source known, in two minutes by keyboard.

A ward nurse (role ``reporter``) or an officer fills it in right after the event. While it is
typed, the hours since the exposure and what to do now (first aid, the OSH office, the
prophylaxis windows) are shown in the user's language; on save the service answers with the
case number, shown large with the same advice. Tab moves on, Enter in the staff box picks the
match, Ctrl+Enter saves from anywhere; a failed save keeps the input and says why at the field.

An officer who manages post-exposure care also sees, a moment after each change, what the
protocol proposes for the worker's immunity, the type of exposure and whether the source is
known (``services.post_exposure.propose_for``), marked as a proposal not yet recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.domain import exposure_rules as rules
from hospital_osh.domain.codes import JOB_CATEGORIES, Code
from hospital_osh.domain.exposure_codes import EXPOSURE_TYPES, WORKER_KINDS, YES_NO
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _, current_language
from hospital_osh.services import exposures, local_codes
from hospital_osh.services import post_exposure as pe
from hospital_osh.services.errors import UserError, ValidationError
from hospital_osh.services.exposures import (
    ExposureInfo,
    Guidance,
    QuickReport,
    QuickReportReceipt,
    WorkerChoice,
    find_workers,
    quick_report,
)
from hospital_osh.services.hospital import list_departments
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.widgets.code_combo import fill_combo, select_data
from hospital_osh.ui.widgets.exposure_clock import ExposureClock
from hospital_osh.ui.widgets.exposure_form import (
    BLANK,
    ExposureForm,
    fill_codes,
    get_datetime,
    make_datetime_edit,
    set_datetime,
)
from hospital_osh.ui.widgets.exposure_worker_picker import WorkerPicker
from hospital_osh.ui.widgets.post_exposure_panel import ProposalPreview

CLOCK_TICK_MS = 30_000
PROPOSAL_DELAY_MS = 200  # the protocol's proposal follows the typing this long after a change


def steps_html(steps: tuple[Guidance, ...]) -> str:
    """Numbered advice; urgent steps in bold."""
    from html import escape

    items = "".join(
        f"<li style='margin-bottom:6px'>{'<b>' if s.urgent else ''}{escape(s.text)}"
        f"{'</b>' if s.urgent else ''}</li>"
        for s in steps
    )
    return f"<ol style='margin-left:-20px'>{items}</ol>"


class QuickReportDialog(QDialog):
    """The form, then (after saving) the case number and what to do next."""

    # -- signals ------------------------------------------------------------------------------
    reported = Signal(object)
    """Emitted with the ``QuickReportReceipt`` once the report is saved."""

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        now: Callable[[], dt.datetime] = dt.datetime.now,
    ):
        super().__init__(parent)
        self.context = context
        self._now = now
        self._by_number = not context.actor.sees_identities
        self.receipt: QuickReportReceipt | None = None
        self._devices: list[Code] = []
        self._locations: list[Code] = []
        self._build()
        self._load_lists()
        self.retranslate()
        self.reset()

    # -- public API ---------------------------------------------------------------------------

    def reset(self) -> None:
        """An empty form, exposure time now, the cursor in the staff box."""
        self.receipt = None
        self.picker.set_choice(None)
        select_data(self.worker_kind, "staff")
        self.worker_name.clear()
        select_data(self.job_category, None)
        set_datetime(self.occurred_at, self._now())
        select_data(self.department, None)
        select_data(self.location_type, None)
        select_data(self.exposure_type, None)
        select_data(self.device_type, None)
        self.description.clear()
        select_data(self.source_identified, None)
        self.form.clear_errors()
        self.form.show_warnings({})
        self.banner.hide()
        self.pages.setCurrentIndex(0)
        self._set_receipt_buttons(False)
        self._update_heading()
        self._update_kind()
        self._update_type()
        self._update_clock()
        self._update_proposal()
        self._baseline = self.to_report()
        self.picker.setFocus(Qt.FocusReason.OtherFocusReason)

    def to_report(self) -> QuickReport:
        staff = self.worker_kind.currentData() == "staff"
        choice = self.picker.choice() if staff else None
        typed_number = "" if choice is not None or not staff else self.picker.edit.text().strip()
        return QuickReport(
            occurred_at=get_datetime(self.occurred_at),
            exposure_type=self.exposure_type.currentData(),
            department_id=self.department.currentData(),
            description=self.description.toPlainText(),
            source_identified=self.source_identified.currentData(),
            worker_id=choice.id if choice is not None else None,
            staff_no=typed_number,
            worker_name="" if staff else self.worker_name.text(),
            worker_kind=self.worker_kind.currentData() or "staff",
            job_category=None if staff else self.job_category.currentData(),
            location_type=self.location_type.currentData(),
            device_type=self.device_type.currentData(),
        )

    def is_dirty(self) -> bool:
        if self.pages.currentIndex() == 1:
            return False
        current, baseline = self.to_report(), self._baseline
        if replace(current, occurred_at=None) != replace(baseline, occurred_at=None):
            return True
        assert current.occurred_at is not None and baseline.occurred_at is not None
        return current.occurred_at != baseline.occurred_at

    def save(self) -> bool:
        """File the report; on failure keep every answer and say why at the field."""
        if self.pages.currentIndex() == 1:
            self.accept()
            return True
        report = self.to_report()
        self.form.clear_errors()
        self.banner.hide()
        try:
            with self.context.database.transaction() as session:
                receipt = quick_report(session, self.context.actor, report, self._now())
        except ValidationError as error:
            fields = dict(error.fields)
            if "worker" in fields and report.worker_kind != "staff":
                fields.setdefault("worker_name", fields.pop("worker"))
            leftover = self.form.show_errors(fields)
            if leftover:
                self._show_banner("\n".join(leftover.values()))
            return False
        except UserError as error:
            self._show_banner(str(error))
            return False
        self.receipt = receipt
        self._show_receipt(receipt)
        self.reported.emit(receipt)
        return True

    def retranslate(self) -> None:
        self.setWindowTitle(_("Quick exposure report"))
        self._update_heading()
        labels = {
            "worker_kind": _("Who was exposed"),
            "worker": _("Staff member"),
            "worker_name": _("Name"),
            "job_category": _("Job category"),
            "occurred_at": _("When it happened"),
            "department_id": _("Department"),
            "location_type": _("Location"),
            "exposure_type": _("Type of exposure"),
            "device_type": _("Device"),
            "description": _("What happened"),
            "source_identified": _("Source patient known?"),
        }
        for field, text in labels.items():
            self.form.set_label_text(field, text)
        self.worker_name.setPlaceholderText(_("Full name of the visitor, student or contractor"))
        self.description.setPlaceholderText(
            _("In a few words, e.g. 'stuck by the needle while recapping after an injection'")
        )
        self.steps_heading.setText(_("What to do now"))
        self.receipt_caption.setText(_("Case number"))
        self.receipt_steps_heading.setText(_("What to do now"))
        self.picker.retranslate()
        self.clock.retranslate()
        if self.proposal is not None:
            self.proposal.retranslate()
            self._update_proposal()  # the proposal's texts again, in the new language
        self._fill_codes()
        self.save_button.setText(_("Save report"))
        self.save_button.setToolTip(_("Save the report and get the case number (Ctrl+Enter)"))
        self.cancel_button.setText(_("Cancel"))
        self.close_button.setText(_("Close"))
        self.another_button.setText(_("Report another"))
        self._update_clock()
        if self.receipt is not None:
            self._show_receipt(self.receipt)

    # -- QDialog ------------------------------------------------------------------------------

    def reject(self) -> None:
        if self.is_dirty() and not self.context.ask.discard_changes(self):
            return
        self._baseline = self.to_report()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.is_dirty() and not self.context.ask.discard_changes(self):
            event.ignore()
            return
        self._baseline = self.to_report()
        super().closeEvent(event)

    # -- private: building --------------------------------------------------------------------

    def _build(self) -> None:
        self.setMinimumSize(900, 600)
        self.heading = QLabel(self)
        self.heading.setObjectName("dialogTitle")
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.intro.setProperty("role", "hint")
        self.banner = QLabel(self)
        self.banner.setWordWrap(True)
        style.set_role(self.banner, "error")
        self.banner.hide()

        self.worker_kind = QComboBox(self)
        self.picker = WorkerPicker(self._search, self, by_number_only=self._by_number)
        self.worker_name = QLineEdit(self)
        self.worker_name.setMaxLength(120)
        self.job_category = QComboBox(self)
        self.occurred_at = make_datetime_edit(self)
        self.department = QComboBox(self)
        self.location_type = QComboBox(self)
        self.exposure_type = QComboBox(self)
        self.device_type = QComboBox(self)
        self.description = QPlainTextEdit(self)
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 14)
        self.source_identified = QComboBox(self)
        for combo in (self.department, self.location_type, self.device_type, self.job_category):
            combo.setMaxVisibleItems(16)
        self.form = ExposureForm()
        self.form.add_row("worker_kind", "", self.worker_kind)
        self.form.add_row("worker", "", self.picker)
        self.form.add_row("worker_name", "", self.worker_name)
        self.form.add_row("job_category", "", self.job_category)
        self.form.add_row("occurred_at", "", self.occurred_at)
        self.form.add_row("department_id", "", self.department)
        self.form.add_row("location_type", "", self.location_type)
        self.form.add_row("exposure_type", "", self.exposure_type)
        self.form.add_row("device_type", "", self.device_type)
        self.form.add_row("description", "", self.description)
        self.form.add_row("source_identified", "", self.source_identified)

        self.clock = ExposureClock(self)
        self.steps_heading = QLabel(self)
        self.steps_heading.setObjectName("sectionTitle")
        self.steps = QLabel(self)
        self.steps.setObjectName("nextSteps")
        self.steps.setWordWrap(True)
        self.steps.setTextFormat(Qt.TextFormat.RichText)
        self.steps.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        actor = self.context.actor
        self.proposal: ProposalPreview | None = None
        if actor.can(Permission.MANAGE_POST_EXPOSURE) and actor.can(Permission.VIEW_SEROSTATUS):
            self.proposal = ProposalPreview(self, compact=True)
        side = QVBoxLayout()
        side.addWidget(self.clock)
        side.addSpacing(6)
        side.addWidget(self.steps_heading)
        side.addWidget(self.steps, 1 if self.proposal is None else 0)
        if self.proposal is not None:
            side.addWidget(self.proposal)
            side.addStretch(1)

        form_page = QWidget(self)
        columns = QHBoxLayout(form_page)
        columns.setContentsMargins(0, 0, 0, 0)
        columns.setSpacing(20)
        left = QVBoxLayout()
        left.addLayout(self.form)
        left.addStretch(1)  # spare height stays below the rows instead of stretching one of them
        columns.addLayout(left, 3)
        if self.proposal is None:
            columns.addLayout(side, 2)
        else:  # the advice and the proposal scroll together; the form keeps its rows
            side_widget = QWidget()
            side_widget.setLayout(side)
            side.setContentsMargins(0, 0, 6, 0)
            side_scroll = QScrollArea(self)
            side_scroll.setWidgetResizable(True)
            side_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            side_scroll.setWidget(side_widget)
            columns.addWidget(side_scroll, 2)

        self.receipt_page = QWidget(self)
        self.receipt_caption = QLabel(self.receipt_page)
        self.receipt_caption.setProperty("role", "hint")
        self.reference = QLabel(self.receipt_page)
        self.reference.setObjectName("caseNumber")
        self.reference.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByKeyboard
            | Qt.TextInteractionFlag.TextSelectableByMouse
        )
        font = self.reference.font()
        font.setPointSizeF(font.pointSizeF() * 2.6)
        font.setBold(True)
        self.reference.setFont(font)
        self.reference.setStyleSheet(f"color: {style.ACCENT_DARK};")
        self.receipt_clock = ExposureClock(self.receipt_page)
        self.receipt_steps_heading = QLabel(self.receipt_page)
        self.receipt_steps_heading.setObjectName("sectionTitle")
        self.receipt_steps = QLabel(self.receipt_page)
        self.receipt_steps.setWordWrap(True)
        self.receipt_steps.setTextFormat(Qt.TextFormat.RichText)
        self.receipt_warnings = QLabel(self.receipt_page)
        self.receipt_warnings.setWordWrap(True)
        self.receipt_warnings.setStyleSheet("color: #9a5b00;")
        top = QHBoxLayout()
        number = QVBoxLayout()
        number.addWidget(self.receipt_caption)
        number.addWidget(self.reference)
        number.addStretch(1)
        top.addLayout(number, 3)
        top.addWidget(self.receipt_clock, 2)
        receipt_layout = QVBoxLayout(self.receipt_page)
        receipt_layout.setContentsMargins(0, 0, 0, 0)
        receipt_layout.addLayout(top)
        receipt_layout.addWidget(self.receipt_steps_heading)
        receipt_layout.addWidget(self.receipt_steps)
        receipt_layout.addWidget(self.receipt_warnings)
        receipt_layout.addStretch(1)

        self.pages = QStackedWidget(self)
        self.pages.addWidget(form_page)
        self.pages.addWidget(self.receipt_page)

        self.buttons = QDialogButtonBox(self)
        self.save_button = QPushButton(self)
        self.save_button.setProperty("accent", True)
        self.cancel_button = QPushButton(self)
        self.close_button = QPushButton(self)
        self.close_button.setProperty("accent", True)
        self.another_button = QPushButton(self)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.addButton(self.another_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        self.close_button.clicked.connect(self.accept)
        self.another_button.clicked.connect(self.reset)
        self.save_button.setDefault(True)
        for shortcut in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(shortcut), self, self.save)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addWidget(self.banner)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.buttons)

        for first, second in (
            (self.worker_kind, self.picker.edit),
            (self.picker.edit, self.worker_name),
            (self.worker_name, self.job_category),
            (self.job_category, self.occurred_at),
            (self.occurred_at, self.department),
            (self.department, self.location_type),
            (self.location_type, self.exposure_type),
            (self.exposure_type, self.device_type),
            (self.device_type, self.description),
            (self.description, self.source_identified),
            (self.source_identified, self.save_button),
            (self.save_button, self.cancel_button),
        ):
            QWidget.setTabOrder(first, second)
        self.worker_kind.currentIndexChanged.connect(self._update_kind)
        self.exposure_type.currentIndexChanged.connect(self._update_type)
        self.occurred_at.dateTimeChanged.connect(self._update_clock)
        self.tick = QTimer(self)
        self.tick.setInterval(CLOCK_TICK_MS)
        self.tick.timeout.connect(self._update_clock)
        self.tick.start()
        self.proposal_timer = QTimer(self)
        self.proposal_timer.setSingleShot(True)
        self.proposal_timer.setInterval(PROPOSAL_DELAY_MS)
        self.proposal_timer.timeout.connect(self._update_proposal)
        if self.proposal is not None:
            self.picker.chosen.connect(self._on_proposal_input)
            for combo in (self.worker_kind, self.exposure_type, self.source_identified):
                combo.currentIndexChanged.connect(self._on_proposal_input)
            self.occurred_at.dateTimeChanged.connect(self._on_proposal_input)

    def _load_lists(self) -> None:
        with self.context.database.session() as session:
            self._departments = [d for d in list_departments(session) if d.active]
            self._devices = local_codes.entries(session, "device_type")
            self._locations = local_codes.entries(session, "location_type")

    def _fill_codes(self) -> None:
        language = current_language()
        fill_combo(
            self.department, [(BLANK, None)] + [(d.name(language), d.id) for d in self._departments]
        )
        fill_codes(self.worker_kind, WORKER_KINDS, blank=False)
        fill_codes(self.job_category, JOB_CATEGORIES)
        fill_codes(self.location_type, self._locations)
        fill_codes(self.exposure_type, EXPOSURE_TYPES)
        fill_codes(self.device_type, self._devices)
        fill_codes(self.source_identified, YES_NO)

    # -- private: behaviour -------------------------------------------------------------------

    def _search(self, text: str) -> list[WorkerChoice]:
        try:
            with self.context.database.session() as session:
                return find_workers(session, self.context.actor, text)
        except UserError as error:
            self._show_banner(str(error))
            return []

    def _on_proposal_input(self, *_args: object) -> None:
        self.proposal_timer.start()

    def _update_proposal(self) -> None:
        """What the protocol proposes for the answers so far; nothing is written."""
        self.proposal_timer.stop()
        if self.proposal is None:
            return
        report = self.to_report()
        info = ExposureInfo(
            worker_id=report.worker_id,
            worker_kind=report.worker_kind,
            occurred_at=report.occurred_at,
            exposure_type=report.exposure_type,
            device_type=report.device_type,
            source_identified=report.source_identified,
        )
        view, problem = None, ""
        try:
            with self.context.database.session() as session:
                view = pe.propose_for(session, self.context.actor, info)
        except ValidationError as error:
            problem = "\n".join(error.fields.values())
        except UserError as error:
            problem = str(error)
        self.proposal.set_view(view, problem)

    def _update_kind(self) -> None:
        staff = self.worker_kind.currentData() == "staff"
        self.form.set_field_visible("worker", staff)
        self.form.set_field_visible("worker_name", not staff)
        self.form.set_field_visible("job_category", not staff)

    def _update_type(self) -> None:
        sharps = self.exposure_type.currentData() in rules.SHARPS_TYPES
        self.form.set_field_visible("device_type", sharps)
        self._update_clock()

    def _hours(self) -> float:
        return rules.hours_between(get_datetime(self.occurred_at), self._now())

    def _update_clock(self) -> None:
        hours = self._hours()
        self.clock.set_hours(hours)
        steps = exposures.guidance(self.exposure_type.currentData() or "", max(hours, 0.0))
        self.steps.setText(steps_html(steps))
        if hours < 0:
            self.form.show_warnings({"occurred_at": _("The exposure time is in the future.")})
        else:
            self.form.show_warnings({})

    def _show_receipt(self, receipt: QuickReportReceipt) -> None:
        self.reference.setText(receipt.reference)
        self.receipt_clock.set_hours(receipt.hours_since)
        self.receipt_clock.retranslate()
        self.receipt_steps.setText(steps_html(receipt.steps))
        self.receipt_warnings.setText("\n".join(receipt.warnings.values()))
        self.receipt_warnings.setVisible(bool(receipt.warnings))
        self.pages.setCurrentIndex(1)
        self._set_receipt_buttons(True)
        self._update_heading()
        self.close_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _update_heading(self) -> None:
        if self.receipt is None:
            self.heading.setText(_("Report an exposure"))
            self.intro.setText(
                _(
                    "Who, when, where and what happened: the OSH office completes the rest. "
                    "Tab moves to the next field; Ctrl+Enter saves."
                )
            )
        else:
            self.heading.setText(_("Report saved"))
            self.intro.setText(
                _("Give this case number to the OSH office and follow the steps below.")
            )

    def _set_receipt_buttons(self, receipt: bool) -> None:
        self.save_button.setVisible(not receipt)
        self.cancel_button.setVisible(not receipt)
        self.close_button.setVisible(receipt)
        self.another_button.setVisible(receipt)
        (self.close_button if receipt else self.save_button).setDefault(True)

    def _show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()
