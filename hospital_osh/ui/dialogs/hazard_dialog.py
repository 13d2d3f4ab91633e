"""Add or edit one hazard: a tabbed form over a ``HazardInfo`` DTO, saved by the hazards service.

Tabs follow how an assessor works: the hazard, who is exposed, the existing controls, the
assessment (scores, review, acceptance), monitoring, and the history. Levels, the computed next
review and the weak-controls warning follow the input as it is typed (``hazards.preview``).
Changing scores or the assessment date and saving is a re-assessment: the history keeps the old
scores. A failed save keeps the input, shows each message beside its field and opens its tab.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
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
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.domain.codes import JOB_CATEGORIES
from hospital_osh.domain.hazards import (
    ACCEPTOR_ROLES,
    CATEGORIES,
    HIERARCHY_LEVELS,
    IDENTIFICATION_METHODS,
    REVIEW_TRIGGERS,
    VULNERABLE_GROUPS,
)
from hospital_osh.domain.risk_matrix import RiskMatrix
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _, current_language, format_date, format_number
from hospital_osh.services import hazards
from hospital_osh.services.actions import status_label as actions_status_label
from hospital_osh.services.errors import UserError, ValidationError
from hospital_osh.services.hazards import Acceptance, ControlInfo, HazardInfo
from hospital_osh.services.hospital import list_departments
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.widgets.code_combo import fill_code_combo, fill_combo, select_data
from hospital_osh.ui.widgets.form import FormLayout
from hospital_osh.ui.widgets.optional_date_edit import OptionalDateEdit

_TABS = ("hazard", "exposed", "controls", "assessment", "monitoring", "history")


def _evidence_text(tag: str) -> str:
    return {
        "V": _("verified"),
        "P": _("partly verified"),
        "U": _("unverified: check against the primary document"),
    }.get(tag, tag)


def _number(text: str) -> float | None:
    """A typed number, accepting a decimal comma; None when empty; ValueError when not a number."""
    cleaned = text.strip().replace(",", ".")
    return float(cleaned) if cleaned else None


def _plain_number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


class HazardDialog(QDialog):
    """Save with the Save button, Esc cancels (asking first when something was typed)."""

    # -- signals ------------------------------------------------------------------------------
    saved = Signal(object)
    """Emitted with the saved ``HazardInfo`` after a save, an acceptance or a retirement."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self._loaded = HazardInfo()
        self._baseline = HazardInfo()
        self._warnings: dict[str, str] = {}
        with context.database.session() as session:
            self.matrix: RiskMatrix = hazards.current_matrix(session)
        self._catalogue = hazards.statutory_catalogue()
        self._build()
        self.retranslate()
        self.load(HazardInfo())

    # -- public API ---------------------------------------------------------------------------

    def load(self, info: HazardInfo) -> None:
        """Fill the form from ``info``; what is loaded counts as 'no unsaved changes'."""
        self._loaded = info
        self._load_departments(info.department_id)
        select_data(self.department, info.department_id)
        self.location.setText(info.location)
        self.activity.setText(info.activity)
        self.agent.setText(info.agent)
        select_data(self.category, info.category)
        select_data(self.statutory_factor, info.statutory_factor_code)
        self.description.setPlainText(info.description)
        self.potential_harm.setPlainText(info.potential_harm)
        select_data(self.identification_method, info.identification_method)
        self.legal_reference.setText(info.legal_reference)
        for code, box in self.job_boxes.items():
            box.setChecked(code in info.job_categories)
        self.exposed_female.setValue(-1 if info.exposed_female is None else info.exposed_female)
        self.exposed_male.setValue(-1 if info.exposed_male is None else info.exposed_male)
        for code, box in self.vulnerable_boxes.items():
            box.setChecked(code in info.vulnerable_groups)
        self.reproductive.setChecked(info.reproductive_hazard)
        self._set_controls(info.controls)
        self.assessed_on.set_value(info.assessed_on or dt.date.today())
        self.assessors.setText(info.assessors)
        select_data(self.initial_likelihood, info.initial_likelihood)
        select_data(self.initial_severity, info.initial_severity)
        select_data(self.residual_likelihood, info.residual_likelihood)
        select_data(self.residual_severity, info.residual_severity)
        self.residual_reason.setText(info.residual_reason)
        automatic = info.next_review_on is None or info.next_review_on == info.computed_review_on
        self.next_review.set_value(None if automatic else info.next_review_on)
        self.assessment_note.clear()
        self.owner.setText(info.owner)
        self.approver.setText(info.approver)
        self.monitoring_value.setText(_plain_number(info.monitoring_value))
        self.monitoring_unit.setText(info.monitoring_unit)
        self.monitoring_limit.setText(_plain_number(info.monitoring_limit))
        self.monitoring_date.set_value(info.monitoring_date)
        self.accepted_by.setText(info.accepted_by)
        select_data(self.accepted_role, info.accepted_role)
        self.accepted_on.set_value(info.accepted_on)
        self.acceptance_note.setText(info.acceptance_note)
        self.retire_reason.clear()
        self.trigger_on.set_value(dt.date.today())
        self.trigger_note.clear()
        self._fill_history(info)
        self._load_further_controls()
        self.form_errors_clear()
        self._baseline = self.to_info()
        self._update_state()
        self._update_title()

    def to_info(self) -> HazardInfo:
        """What the form holds now (numbers that do not parse are left out; ``save`` says so)."""

        def count(spin: QSpinBox) -> int | None:
            return None if spin.value() < 0 else spin.value()

        def number(edit: QLineEdit) -> float | None:
            try:
                return _number(edit.text())
            except ValueError:
                return None

        return replace(
            self._loaded,
            department_id=self.department.currentData(),
            location=self.location.text(),
            activity=self.activity.text(),
            agent=self.agent.text(),
            category=self.category.currentData(),
            statutory_factor_code=self.statutory_factor.currentData(),
            description=self.description.toPlainText(),
            potential_harm=self.potential_harm.toPlainText(),
            identification_method=self.identification_method.currentData(),
            legal_reference=self.legal_reference.text(),
            job_categories=tuple(c for c, box in self.job_boxes.items() if box.isChecked()),
            exposed_female=count(self.exposed_female),
            exposed_male=count(self.exposed_male),
            vulnerable_groups=tuple(
                c for c, box in self.vulnerable_boxes.items() if box.isChecked()
            ),
            reproductive_hazard=self.reproductive.isChecked(),
            controls=tuple(
                ControlInfo(edit.text(), combo.currentData() or "")
                for edit, combo, _button in self.control_rows
            ),
            assessed_on=self.assessed_on.value(),
            assessors=self.assessors.text(),
            initial_likelihood=self.initial_likelihood.currentData(),
            initial_severity=self.initial_severity.currentData(),
            residual_likelihood=self.residual_likelihood.currentData(),
            residual_severity=self.residual_severity.currentData(),
            residual_reason=self.residual_reason.text(),
            next_review_on=self.next_review.value(),
            assessment_note=self.assessment_note.text(),
            owner=self.owner.text(),
            approver=self.approver.text(),
            monitoring_value=number(self.monitoring_value),
            monitoring_unit=self.monitoring_unit.text(),
            monitoring_limit=number(self.monitoring_limit),
            monitoring_date=self.monitoring_date.value(),
        )

    def is_dirty(self) -> bool:
        return self.to_info() != self._baseline or self._typed_numbers_changed()

    def save(self) -> bool:
        """Validate and save in one transaction; on failure keep the input and say why."""
        self.form_errors_clear()
        number_errors = self._number_errors()
        if number_errors:
            self._show_errors(number_errors)
            return False
        info = self.to_info()
        try:
            with self.context.database.transaction() as session:
                if info.id is None:
                    result = hazards.create_hazard(session, self.context.actor, info)
                else:
                    result = hazards.update_hazard(session, self.context.actor, info)
        except ValidationError as error:
            self._show_errors(error.fields)
            return False
        except UserError as error:
            self._show_banner(str(error))
            return False
        self._loaded = result.hazard
        self._baseline = self.to_info()
        self._warnings = result.warnings
        self.saved.emit(result.hazard)
        self.accept()
        return True

    def accept_residual(self) -> bool:
        """Record who accepted the saved residual risk (the form must be saved first)."""
        self.form_errors_clear()
        if self._loaded.id is None or self.to_info() != self._baseline:
            self._show_banner(_("Save the hazard first, then record the acceptance."))
            return False
        acceptance = Acceptance(
            self.accepted_by.text(),
            self.accepted_role.currentData(),
            self.accepted_on.value(),
            self.acceptance_note.text(),
        )
        try:
            with self.context.database.transaction() as session:
                info = hazards.accept_residual(
                    session,
                    self.context.actor,
                    self._loaded.id,
                    acceptance,
                    version=self._loaded.version,
                )
        except ValidationError as error:
            self._show_errors(error.fields)
            return False
        except UserError as error:
            self._show_banner(str(error))
            return False
        self.load(info)
        self.saved.emit(info)
        return True

    def record_trigger(self) -> bool:
        """A review trigger (an incident, new equipment...) makes the review due on its day."""
        self.form_errors_clear()
        if self._loaded.id is None or self.to_info() != self._baseline:
            self._show_banner(_("Save the hazard first, then record the trigger."))
            return False
        try:
            with self.context.database.transaction() as session:
                info = hazards.record_review_trigger(
                    session,
                    self.context.actor,
                    self._loaded.id,
                    self.trigger.currentData(),
                    self.trigger_on.value() or dt.date.today(),
                    self.trigger_note.text(),
                )
        except ValidationError as error:
            self._show_errors(error.fields)
            return False
        except UserError as error:
            self._show_banner(str(error))
            return False
        self.load(info)
        self.saved.emit(info)
        return True

    def propose_further_control(self) -> bool:
        """Add a further control as an action item linked to this hazard (saved first)."""
        self.form_errors_clear()
        if self._loaded.id is None or self.to_info() != self._baseline:
            self._show_banner(_("Save the hazard first, then add further controls."))
            return False
        control = hazards.FurtherControl(
            title=self.further_title.text(),
            hierarchy_level=self.further_level.currentData(),
            owner_name=self.further_owner.text(),
            due_date=self.further_due.value(),
        )
        try:
            with self.context.database.transaction() as session:
                hazards.propose_further_control(
                    session, self.context.actor, self._loaded.id, control
                )
        except ValidationError as error:
            fields = dict(error.fields)
            if "owner" in fields:
                fields["owner_name"] = fields.pop("owner")
            self._show_errors(fields)
            return False
        except UserError as error:
            self._show_banner(str(error))
            return False
        self.further_title.clear()
        self.further_owner.clear()
        self._load_further_controls()
        self.saved.emit(self._loaded)
        return True

    def retire(self) -> bool:
        """Take the hazard off the active register, after asking."""
        self.form_errors_clear()
        if self._loaded.id is None:
            return False
        question = _(
            "Retire {reference}? It leaves the active register and is kept for the record."
        )
        if not self.context.ask.confirm(
            self, _("Retire hazard"), question.format(reference=self._loaded.reference)
        ):
            return False
        try:
            with self.context.database.transaction() as session:
                hazards.retire_hazard(
                    session, self.context.actor, self._loaded.id, self.retire_reason.text()
                )
                info = hazards.get_hazard(session, self.context.actor, self._loaded.id)
        except ValidationError as error:
            self._show_errors(error.fields)
            return False
        except UserError as error:
            self._show_banner(str(error))
            return False
        self._loaded = info
        self._baseline = self.to_info()
        self.saved.emit(info)
        self.accept()
        return True

    def errors(self) -> dict[str, str]:
        """Every message shown beside a field (for tests)."""
        result: dict[str, str] = {}
        for form in self.forms.values():
            result |= form.errors()
        return result

    def warning_text(self) -> str:
        return self.warning.text() if self.warning.isVisibleTo(self) else ""

    def form_errors_clear(self) -> None:
        for form in self.forms.values():
            form.clear_errors()
        self.banner.hide()

    def retranslate(self) -> None:
        self.tabs.setTabText(0, _("Hazard"))
        self.tabs.setTabText(1, _("Who is exposed"))
        self.tabs.setTabText(2, _("Controls"))
        self.tabs.setTabText(3, _("Assessment"))
        self.tabs.setTabText(4, _("Monitoring and law"))
        self.tabs.setTabText(5, _("History"))
        labels = {
            "department_id": _("Department"),
            "location": _("Location (building, floor, room)"),
            "activity": _("Activity or task"),
            "agent": _("Agent or equipment"),
            "category": _("Category"),
            "statutory_factor_code": _("Statutory hazard factor"),
            "description": _("Hazard description"),
            "potential_harm": _("Potential harm"),
            "identification_method": _("Identified by"),
            "status": _("Status"),
            "job_categories": _("Exposed job categories"),
            "exposed_female": _("Women exposed"),
            "exposed_male": _("Men exposed"),
            "vulnerable_groups": _("Vulnerable groups"),
            "reproductive_hazard": _("Reproductive hazard"),
            "controls": _("Existing controls"),
            "assessed_on": _("Assessed on"),
            "assessors": _("Assessors"),
            "initial_likelihood": _("Initial likelihood"),
            "initial_severity": _("Initial severity"),
            "residual_likelihood": _("Residual likelihood"),
            "residual_severity": _("Residual severity"),
            "initial_level": _("Initial risk"),
            "residual_level": _("Residual risk"),
            "residual_reason": _("Reason (residual higher than initial)"),
            "next_review_on": _("Next review"),
            "assessment_note": _("Note for the history"),
            "owner": _("Risk owner"),
            "approver": _("Approved by"),
            "monitoring_value": _("Latest monitoring result"),
            "monitoring_unit": _("Unit"),
            "monitoring_limit": _("Exposure limit"),
            "monitoring_date": _("Measured on"),
            "legal_reference": _("Legal reference"),
            "accepted_by": _("Accepted by"),
            "accepted_role": _("Role"),
            "accepted_on": _("Accepted on"),
            "acceptance_note": _("Note"),
            "acceptance": _("Acceptance"),
            "review_trigger": _("Trigger"),
            "review_trigger_on": _("Happened on"),
            "review_trigger_note": _("Note"),
            "retired_reason": _("Reason for retiring"),
            "title": _("What will be done"),
            "hierarchy_level": _("Level of control"),
            "owner_name": _("Owner"),
            "due_date": _("Due by"),
        }
        for form in self.forms.values():
            for name in form.field_names():
                form.set_label_text(name, labels[name])
        self._load_departments(self._loaded.department_id)
        fill_code_combo(self.category, CATEGORIES, any_label=_("(choose)"))
        fill_code_combo(
            self.identification_method, IDENTIFICATION_METHODS, any_label=_("(not recorded)")
        )
        fill_code_combo(self.accepted_role, ACCEPTOR_ROLES, any_label=_("(choose)"))
        fill_code_combo(self.trigger, REVIEW_TRIGGERS)
        self._fill_factor_combo()
        self._fill_score_combos()
        for code, box in self.job_boxes.items():
            box.setText(_(JOB_CATEGORIES.label(code)))
        for code, box in self.vulnerable_boxes.items():
            box.setText(_(VULNERABLE_GROUPS.label(code)))
        self.reproductive.setText(_("May harm fertility, pregnancy or breastfeeding"))
        for spin in (self.exposed_female, self.exposed_male):
            spin.setSpecialValueText(_("Not counted"))
        for _edit, combo, button in self.control_rows:
            fill_code_combo(combo, HIERARCHY_LEVELS)
            button.setText(_("Remove"))
        self.add_control_button.setText(_("Add control"))
        self.controls_hint.setText(
            _(
                "Order of preference: elimination, substitution, engineering controls, "
                "administrative controls, personal protective equipment."
            )
        )
        self.further_box.setTitle(_("Further controls (action items)"))
        self.further_button.setText(_("Add further control"))
        fill_code_combo(self.further_level, HIERARCHY_LEVELS, any_label=_("(choose)"))
        self.further.setHorizontalHeaderLabels(
            [_("Ref."), _("What will be done"), _("Level of control"), _("Owner"), _("Due by"),
             _("Status")]
        )  # fmt: skip
        self.further_due.retranslate()
        self._load_further_controls()
        self.acceptance_box.setTitle(_("Acceptance of the residual risk"))
        self.accept_button.setText(_("Record acceptance"))
        self.trigger_box.setTitle(_("Review trigger"))
        self.trigger_button.setText(_("Record trigger"))
        self.retire_box.setTitle(_("Retire"))
        self.retire_button.setText(_("Retire hazard…"))
        self.history.setHorizontalHeaderLabels(
            [
                _("Assessed on"),
                _("Kind"),
                _("Initial"),
                _("Residual"),
                _("Assessors"),
                _("Note"),
                _("Recorded by"),
            ]
        )
        for date_edit in (
            self.assessed_on,
            self.next_review,
            self.monitoring_date,
            self.accepted_on,
            self.trigger_on,
        ):
            date_edit.retranslate()
        self.next_review.known.setToolTip(
            _("Tick to set the date yourself; unticked, it follows the level's interval")
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(_("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self._fill_history(self._loaded)
        self._update_state()
        self._update_title()

    # -- QDialog ------------------------------------------------------------------------------

    def reject(self) -> None:
        if self.is_dirty() and not self.context.ask.discard_changes(self):
            return
        self._baseline = self.to_info()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.is_dirty() and not self.context.ask.discard_changes(self):
            event.ignore()
            return
        self._baseline = self.to_info()
        super().closeEvent(event)

    # -- private: building --------------------------------------------------------------------

    def _build(self) -> None:
        self.setMinimumSize(880, 640)
        self.banner = QLabel(self)
        self.banner.setObjectName("formMessage")
        self.banner.setProperty("role", "error")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.warning = QLabel(self)
        self.warning.setObjectName("hazardWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(
            "QLabel#hazardWarning { background: #fff4e5; color: #7a2e0e; border: 1px solid "
            "#f79009; border-radius: 4px; padding: 6px; }"
        )
        self.warning.hide()
        self.level_summary = QLabel(self)
        self.level_summary.setWordWrap(True)
        self.tabs = QTabWidget(self)
        self.forms: dict[str, FormLayout] = {name: FormLayout() for name in _TABS[:5]}
        self._build_hazard_tab()
        self._build_exposed_tab()
        self._build_controls_tab()
        self._build_assessment_tab()
        self._build_monitoring_tab()
        self._build_history_tab()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setDefault(True)
        save.setAutoDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.warning)
        layout.addWidget(self.level_summary)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)

    def _page(self, form: FormLayout) -> QWidget:
        page = QWidget(self.tabs)
        box = QVBoxLayout(page)
        box.addLayout(form)
        box.addStretch(1)
        return page

    def _build_hazard_tab(self) -> None:
        form = self.forms["hazard"]
        self.department = QComboBox(self)
        self.location = QLineEdit(self)
        self.location.setMaxLength(200)
        self.activity = QLineEdit(self)
        self.activity.setMaxLength(200)
        self.agent = QLineEdit(self)
        self.agent.setMaxLength(200)
        self.category = QComboBox(self)
        self.statutory_factor = QComboBox(self)
        self.statutory_factor.currentIndexChanged.connect(self._on_factor_changed)
        self.factor_hint = QLabel(self)
        self.factor_hint.setProperty("role", "hint")
        self.factor_hint.setWordWrap(True)
        factor = QWidget(self)
        factor_box = QVBoxLayout(factor)
        factor_box.setContentsMargins(0, 0, 0, 0)
        factor_box.addWidget(self.statutory_factor)
        factor_box.addWidget(self.factor_hint)
        self.description = QPlainTextEdit(self)
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(60)
        self.potential_harm = QPlainTextEdit(self)
        self.potential_harm.setTabChangesFocus(True)
        self.potential_harm.setFixedHeight(60)
        self.identification_method = QComboBox(self)
        form.add_row("department_id", "", self.department)
        form.add_row("location", "", self.location)
        form.add_row("activity", "", self.activity)
        form.add_row("agent", "", self.agent)
        form.add_row("category", "", self.category)
        form.add_row("statutory_factor_code", "", factor)
        form.add_row("description", "", self.description)
        form.add_row("potential_harm", "", self.potential_harm)
        form.add_row("identification_method", "", self.identification_method)
        self.retire_box = QGroupBox(self)
        self.retire_reason = QLineEdit(self.retire_box)
        self.retire_button = QPushButton(self.retire_box)
        self.retire_button.clicked.connect(self.retire)
        retire_form = FormLayout(self.retire_box)
        row = QWidget(self.retire_box)
        row_box = QHBoxLayout(row)
        row_box.setContentsMargins(0, 0, 0, 0)
        row_box.addWidget(self.retire_reason, 1)
        row_box.addWidget(self.retire_button)
        retire_form.add_row("retired_reason", "", row)
        self.forms["retire"] = retire_form
        page = self._page(form)
        page.layout().addWidget(self.retire_box)  # type: ignore[union-attr]
        self.tabs.addTab(page, "")
        for widget in (self.category, self.department):
            widget.currentIndexChanged.connect(self._update_state)

    def _build_exposed_tab(self) -> None:
        form = self.forms["exposed"]
        jobs = QWidget(self)
        grid = QGridLayout(jobs)
        grid.setContentsMargins(0, 0, 0, 0)
        self.job_boxes: dict[str, QCheckBox] = {}
        for position, code in enumerate(JOB_CATEGORIES.codes):
            box = QCheckBox(jobs)
            self.job_boxes[code] = box
            grid.addWidget(box, position // 3, position % 3)
        self.exposed_female = QSpinBox(self)
        self.exposed_male = QSpinBox(self)
        for spin in (self.exposed_female, self.exposed_male):
            spin.setRange(-1, 100_000)
            spin.setMaximumWidth(140)
        groups = QWidget(self)
        groups_box = QVBoxLayout(groups)
        groups_box.setContentsMargins(0, 0, 0, 0)
        self.vulnerable_boxes: dict[str, QCheckBox] = {}
        for code in VULNERABLE_GROUPS.codes:
            box = QCheckBox(groups)
            self.vulnerable_boxes[code] = box
            groups_box.addWidget(box)
        self.reproductive = QCheckBox(self)
        form.add_row("job_categories", "", jobs)
        form.add_row("exposed_female", "", self.exposed_female)
        form.add_row("exposed_male", "", self.exposed_male)
        form.add_row("vulnerable_groups", "", groups)
        form.add_row("reproductive_hazard", "", self.reproductive)
        self.tabs.addTab(self._page(form), "")

    def _build_controls_tab(self) -> None:
        form = self.forms["controls"]
        self.control_rows: list[tuple[QLineEdit, QComboBox, QPushButton]] = []
        holder = QWidget(self)
        self.controls_box = QVBoxLayout(holder)
        self.controls_box.setContentsMargins(0, 0, 0, 0)
        self.add_control_button = QPushButton(self)
        self.add_control_button.clicked.connect(self._on_add_control)
        self.controls_hint = QLabel(self)
        self.controls_hint.setProperty("role", "hint")
        self.controls_hint.setWordWrap(True)
        controls = QWidget(self)
        box = QVBoxLayout(controls)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(holder)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_control_button)
        buttons.addStretch(1)
        box.addLayout(buttons)
        box.addWidget(self.controls_hint)
        form.add_row("controls", "", controls)
        self.further_box = QGroupBox(self)
        self.further = QTableWidget(0, 6, self.further_box)
        self.further.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.further.verticalHeader().setVisible(False)
        self.further.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.further.setMinimumHeight(110)
        self.further_title = QLineEdit(self.further_box)
        self.further_title.setMaxLength(300)
        self.further_level = QComboBox(self.further_box)
        self.further_owner = QLineEdit(self.further_box)
        self.further_owner.setMaxLength(120)
        self.further_due = OptionalDateEdit(dt.date.today() + dt.timedelta(days=30), self)
        self.further_button = QPushButton(self.further_box)
        self.further_button.clicked.connect(self.propose_further_control)
        further_form = FormLayout()
        further_form.add_row("title", "", self.further_title)
        further_form.add_row("hierarchy_level", "", self.further_level)
        further_form.add_row("owner_name", "", self.further_owner)
        further_form.add_row("due_date", "", self.further_due)
        self.forms["further"] = further_form
        further_layout = QVBoxLayout(self.further_box)
        further_layout.addWidget(self.further)
        further_layout.addLayout(further_form)
        further_layout.addWidget(self.further_button, 0, Qt.AlignmentFlag.AlignRight)
        page = self._page(form)
        page.layout().insertWidget(1, self.further_box)  # type: ignore[union-attr]
        self.tabs.addTab(page, "")

    def _score_combo(self) -> QComboBox:
        combo = QComboBox(self)
        combo.currentIndexChanged.connect(self._update_state)
        return combo

    def _build_assessment_tab(self) -> None:
        form = self.forms["assessment"]
        self.assessed_on = OptionalDateEdit(dt.date.today(), self)
        self.assessed_on.value_changed.connect(self._update_state)
        self.assessors = QLineEdit(self)
        self.assessors.setMaxLength(400)
        self.initial_likelihood = self._score_combo()
        self.initial_severity = self._score_combo()
        self.residual_likelihood = self._score_combo()
        self.residual_severity = self._score_combo()
        self.initial_level = QLabel(self)
        self.residual_level = QLabel(self)
        self.residual_reason = QLineEdit(self)
        self.next_review = OptionalDateEdit(dt.date.today(), self)
        self.next_review.value_changed.connect(self._update_state)
        self.review_hint = QLabel(self)
        self.review_hint.setProperty("role", "hint")
        self.review_hint.setWordWrap(True)
        review = QWidget(self)
        review_box = QVBoxLayout(review)
        review_box.setContentsMargins(0, 0, 0, 0)
        review_box.addWidget(self.next_review)
        review_box.addWidget(self.review_hint)
        self.assessment_note = QLineEdit(self)
        self.owner = QLineEdit(self)
        self.owner.setMaxLength(120)
        self.approver = QLineEdit(self)
        self.approver.setMaxLength(120)
        for label in (self.initial_level, self.residual_level):
            label.setWordWrap(True)
        form.add_row("assessed_on", "", self.assessed_on)
        form.add_row("assessors", "", self.assessors)
        form.add_row("initial_likelihood", "", self.initial_likelihood)
        form.add_row("initial_severity", "", self.initial_severity)
        form.add_row("initial_level", "", self.initial_level)
        form.add_row("residual_likelihood", "", self.residual_likelihood)
        form.add_row("residual_severity", "", self.residual_severity)
        form.add_row("residual_level", "", self.residual_level)
        form.add_row("residual_reason", "", self.residual_reason)
        form.add_row("next_review_on", "", review)
        form.add_row("assessment_note", "", self.assessment_note)
        form.add_row("owner", "", self.owner)
        form.add_row("approver", "", self.approver)

        self.acceptance_box = QGroupBox(self)
        self.accepted_by = QLineEdit(self.acceptance_box)
        self.accepted_by.setMaxLength(120)
        self.accepted_role = QComboBox(self.acceptance_box)
        self.accepted_on = OptionalDateEdit(dt.date.today(), self.acceptance_box)
        self.acceptance_note = QLineEdit(self.acceptance_box)
        self.acceptance_state = QLabel(self.acceptance_box)
        self.acceptance_state.setWordWrap(True)
        self.accept_button = QPushButton(self.acceptance_box)
        self.accept_button.clicked.connect(self.accept_residual)
        acceptance = FormLayout()
        acceptance.add_row("acceptance", "", self.acceptance_state)
        acceptance.add_row("accepted_by", "", self.accepted_by)
        acceptance.add_row("accepted_role", "", self.accepted_role)
        acceptance.add_row("accepted_on", "", self.accepted_on)
        acceptance.add_row("acceptance_note", "", self.acceptance_note)
        acceptance_layout = QVBoxLayout(self.acceptance_box)
        acceptance_layout.addLayout(acceptance)
        acceptance_layout.addWidget(self.accept_button, 0, Qt.AlignmentFlag.AlignRight)
        self.forms["acceptance"] = acceptance

        self.trigger_box = QGroupBox(self)
        self.trigger = QComboBox(self.trigger_box)
        self.trigger_on = OptionalDateEdit(dt.date.today(), self.trigger_box)
        self.trigger_note = QLineEdit(self.trigger_box)
        self.trigger_button = QPushButton(self.trigger_box)
        self.trigger_button.clicked.connect(self.record_trigger)
        trigger = FormLayout()
        trigger.add_row("review_trigger", "", self.trigger)
        trigger.add_row("review_trigger_on", "", self.trigger_on)
        trigger.add_row("review_trigger_note", "", self.trigger_note)
        trigger_layout = QVBoxLayout(self.trigger_box)
        trigger_layout.addLayout(trigger)
        trigger_layout.addWidget(self.trigger_button, 0, Qt.AlignmentFlag.AlignRight)
        self.forms["trigger"] = trigger

        page = QWidget(self.tabs)
        columns = QHBoxLayout(page)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.acceptance_box)
        right.addWidget(self.trigger_box)
        right.addStretch(1)
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        self.tabs.addTab(page, "")

    def _build_monitoring_tab(self) -> None:
        form = self.forms["monitoring"]
        self.monitoring_value = QLineEdit(self)
        self.monitoring_unit = QLineEdit(self)
        self.monitoring_unit.setMaxLength(40)
        self.monitoring_limit = QLineEdit(self)
        self.monitoring_date = OptionalDateEdit(dt.date.today(), self)
        self.legal_reference = QLineEdit(self)
        self.legal_reference.setMaxLength(400)
        for edit in (self.monitoring_value, self.monitoring_limit, self.monitoring_unit):
            edit.setMaximumWidth(180)
        form.add_row("monitoring_value", "", self.monitoring_value)
        form.add_row("monitoring_unit", "", self.monitoring_unit)
        form.add_row("monitoring_limit", "", self.monitoring_limit)
        form.add_row("monitoring_date", "", self.monitoring_date)
        form.add_row("legal_reference", "", self.legal_reference)
        self.tabs.addTab(self._page(form), "")

    def _build_history_tab(self) -> None:
        self.history = QTableWidget(0, 7, self)
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.verticalHeader().setVisible(False)
        self.history.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        page = QWidget(self.tabs)
        box = QVBoxLayout(page)
        box.addWidget(self.history)
        self.tabs.addTab(page, "")

    # -- private: filling ---------------------------------------------------------------------

    def _load_departments(self, keep_id: int | None) -> None:
        with self.context.database.session() as session:
            departments = list_departments(session)
        language = current_language()
        items: list[tuple[str, object]] = [(_("(choose)"), None)]
        for department in departments:
            if department.active or department.id == keep_id:
                items.append((department.name(language), department.id))
        fill_combo(self.department, items)

    def _fill_factor_combo(self) -> None:
        language = current_language()
        items: list[tuple[str, object]] = [(_("(none)"), None)]
        for factor in self._catalogue.factors:
            category = self._catalogue.category_name(factor.category).text(language)
            items.append((f"{category} · {factor.name.text(language)}", factor.code))
        fill_combo(self.statutory_factor, items)
        self._on_factor_changed()

    def _fill_score_combos(self) -> None:
        language = current_language()
        for combo, steps, empty in (
            (self.initial_likelihood, self.matrix.likelihood, _("(choose)")),
            (self.initial_severity, self.matrix.severity, _("(choose)")),
            (self.residual_likelihood, self.matrix.likelihood, _("(not yet scored)")),
            (self.residual_severity, self.matrix.severity, _("(not yet scored)")),
        ):
            items: list[tuple[str, object]] = [(empty, None)]
            items += [(f"{step.value} {step.name.text(language)}", step.value) for step in steps]
            fill_combo(combo, items)
            for position, step in enumerate(steps, start=1):
                combo.setItemData(position, step.hint.text(language), Qt.ItemDataRole.ToolTipRole)

    def _set_controls(self, controls: tuple[ControlInfo, ...]) -> None:
        for edit, combo, button in self.control_rows:
            for widget in (edit, combo, button):
                widget.deleteLater()
        self.control_rows = []
        while self.controls_box.count():
            item = self.controls_box.takeAt(0)
            if item.layout() is not None:
                item.layout().deleteLater()
        for control in controls:
            self._add_control_row(control)

    def _add_control_row(self, control: ControlInfo) -> None:
        edit = QLineEdit(control.description, self)
        edit.setMaxLength(400)
        combo = QComboBox(self)
        fill_code_combo(combo, HIERARCHY_LEVELS)
        select_data(combo, control.hierarchy_level)
        combo.currentIndexChanged.connect(self._update_state)
        button = QPushButton(_("Remove"), self)
        button.clicked.connect(self._on_remove_control)
        row = QHBoxLayout()
        row.addWidget(edit, 3)
        row.addWidget(combo, 2)
        row.addWidget(button)
        self.controls_box.addLayout(row)
        self.control_rows.append((edit, combo, button))
        edit.setAccessibleName(_("Control {number}").format(number=len(self.control_rows)))

    def _fill_history(self, info: HazardInfo) -> None:
        language = current_language()
        self.history.setRowCount(len(info.history))
        for row, record in enumerate(info.history):
            residual = ""
            if record.residual_likelihood is not None:
                residual = self._score_text(
                    record.residual_likelihood, record.residual_severity, language
                )
            values = (
                format_date(record.assessed_on),
                _("First assessment") if record.kind == "initial" else _("Re-assessment"),
                self._score_text(record.initial_likelihood, record.initial_severity, language),
                residual,
                record.assessors,
                record.note,
                record.recorded_by,
            )
            for column, value in enumerate(values):
                self.history.setItem(row, column, QTableWidgetItem(value))

    def _load_further_controls(self) -> None:
        if not hasattr(self, "further"):
            return
        rows = []
        if self._loaded.id is not None and self.context.actor.can(Permission.VIEW_ACTIONS):
            try:
                with self.context.database.session() as session:
                    rows = hazards.further_controls(session, self.context.actor, self._loaded.id)
            except UserError as error:
                self._show_banner(str(error))
        self.further.setRowCount(len(rows))
        for row, item in enumerate(rows):
            status = actions_status_label(item.status)
            if item.overdue:
                status = _("{status} (overdue)").format(status=status)
            level = _(HIERARCHY_LEVELS.label(item.hierarchy_level)) if item.hierarchy_level else ""
            values = (
                item.reference,
                item.title,
                level,
                item.owner_name,
                format_date(item.due_date),
                status,
            )
            for column, value in enumerate(values):
                cell = QTableWidgetItem(value)
                if item.overdue and column == 5:
                    cell.setForeground(QColor(style.ERROR))
                self.further.setItem(row, column, cell)

    def _score_text(self, likelihood: int, severity: int | None, language: str) -> str:
        if severity is None:
            return ""
        level = self.matrix.level(likelihood, severity)
        return f"{likelihood} × {severity} = {likelihood * severity} {level.short.text(language)}"

    # -- private: state -----------------------------------------------------------------------

    def _update_state(self) -> None:
        """Levels, computed review, the warning and the acceptance state follow the input."""
        if not hasattr(self, "acceptance_state"):
            return  # still building
        info = self.to_info()
        with self.context.database.session() as session:
            shown = hazards.preview(session, info)
        language = current_language()
        for label, code in (
            (self.initial_level, shown.initial_level),
            (self.residual_level, shown.residual_level),
        ):
            if code is None:
                label.setText(_("Not scored"))
                label.setStyleSheet("")
                continue
            level = self.matrix.level_by_code(code)
            label.setText(level.name.text(language))
            label.setStyleSheet(
                f"background: {level.colour}; color: {level.text_colour}; padding: 3px 6px; "
                "border-radius: 3px;"
            )
        if shown.computed_review_on is not None:
            self.review_hint.setText(
                _("By the level's interval: {date}").format(
                    date=format_date(shown.computed_review_on)
                )
            )
        else:
            self.review_hint.setText("")
        if shown.weak_controls_warning:
            self.warning.setText(hazards.weak_controls_message(self.matrix, shown.current_level))
            self.warning.show()
        else:
            self.warning.hide()
        if shown.current_level:
            level = self.matrix.level_by_code(shown.current_level)
            self.level_summary.setText(
                _("{level} · response: {response}").format(
                    level=level.name.text(language), response=level.response.text(language)
                )
            )
        else:
            self.level_summary.setText(_("Score the initial risk to see its level."))
        self._update_acceptance(shown)
        saved = self._loaded.id is not None
        active = self._loaded.status == "active"
        manager = self.context.actor.can(Permission.MANAGE_HAZARDS)
        self.acceptance_box.setEnabled(saved and active)
        self.accept_button.setVisible(manager)
        self.trigger_box.setVisible(manager)
        self.further_box.setVisible(saved)
        can_propose = manager and self.context.actor.can(Permission.MANAGE_ACTIONS) and active
        for widget in (
            self.further_title,
            self.further_level,
            self.further_owner,
            self.further_due,
            self.further_button,
        ):
            widget.setEnabled(can_propose)  # fmt: skip
        self.trigger_box.setEnabled(saved and active)
        self.retire_box.setVisible(saved and active and manager)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setVisible(manager and active)
        self.forms["assessment"].set_field_visible("assessment_note", saved)

    def _update_acceptance(self, shown: HazardInfo) -> None:
        language = current_language()
        loaded = self._loaded
        if loaded.accepted_by:
            role = _(ACCEPTOR_ROLES.label(loaded.accepted_role)) if loaded.accepted_role else ""
            text = _("Accepted by {person} ({role}) on {date}.").format(
                person=loaded.accepted_by, role=role, date=format_date(loaded.accepted_on)
            )
        elif shown.residual_level is None:
            text = _("Score the residual risk after the controls are verified.")
        else:
            level = self.matrix.level_by_code(shown.residual_level)
            if level.needs_senior:
                text = _(
                    "{level}: must be accepted by hospital leadership or the OSH committee chair."
                ).format(level=level.name.text(language))
            elif level.needs_acceptance:
                text = _("{level}: must be accepted by a named person.").format(
                    level=level.name.text(language)
                )
            else:
                text = _("{level}: no acceptance needed.").format(level=level.name.text(language))
        self.acceptance_state.setText(text)

    def _on_factor_changed(self) -> None:
        if not hasattr(self, "factor_hint"):
            return
        code = self.statutory_factor.currentData()
        language = current_language()
        catalogue = self._catalogue
        if code is None:
            self.factor_hint.setText(
                _("{catalogue} ({reference}); a subset relevant to hospitals.").format(
                    catalogue=catalogue.title.text(language), reference=catalogue.reference
                )
            )
            self.factor_hint.setToolTip(catalogue.note.text(language))
            return
        factor = catalogue.get(code)
        if factor is None:
            return
        parts = [
            _("Listing in the catalogue: {evidence}.").format(
                evidence=_evidence_text(factor.verified)
            )
        ]
        if factor.cas:
            parts.append(_("CAS {cas}.").format(cas=factor.cas))
        if factor.limit is not None:
            parts.append(
                _("Limit: {kind} {value} {unit} ({evidence}; source: {source}).").format(
                    kind=factor.limit.kind,
                    value=format_number(factor.limit.value),
                    unit=factor.limit.unit,
                    evidence=_evidence_text(factor.limit.verified),
                    source=factor.limit.source,
                )
            )
            if not self.monitoring_limit.text().strip() and not self.monitoring_unit.text():
                self.monitoring_limit.setText(_plain_number(factor.limit.value))
                self.monitoring_unit.setText(factor.limit.unit)
        self.factor_hint.setText(" ".join(parts))
        self.factor_hint.setToolTip(_("Source: {source}").format(source=catalogue.source))

    def _on_add_control(self) -> None:
        self._add_control_row(ControlInfo())
        self.control_rows[-1][0].setFocus()
        self._update_state()

    def _on_remove_control(self) -> None:
        sender = self.sender()
        for index, (edit, combo, button) in enumerate(self.control_rows):
            if button is sender:
                del self.control_rows[index]
                layout = self.controls_box.takeAt(index)
                for widget in (edit, combo, button):
                    widget.hide()
                    widget.deleteLater()
                if layout is not None and layout.layout() is not None:
                    layout.layout().deleteLater()
                break
        self._update_state()

    def _number_errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        for name, edit in (
            ("monitoring_value", self.monitoring_value),
            ("monitoring_limit", self.monitoring_limit),
        ):
            try:
                _number(edit.text())
            except ValueError:
                errors[name] = _("Enter a number, e.g. 0.5.")
        return errors

    def _typed_numbers_changed(self) -> bool:
        return bool(self._number_errors())

    def _show_errors(self, fields: dict[str, str]) -> None:
        leftover = dict(fields)
        first_tab: int | None = None
        for name, form in self.forms.items():
            mine = {k: v for k, v in leftover.items() if k in form.field_names()}
            if not mine:
                continue
            form.show_errors(mine, focus=False)
            for key in mine:
                leftover.pop(key)
            if name in _TABS and first_tab is None:
                first_tab = _TABS.index(name)
            elif name in ("acceptance", "trigger") and first_tab is None:
                first_tab = _TABS.index("assessment")
            elif name == "retire" and first_tab is None:
                first_tab = 0
        if first_tab is not None:
            self.tabs.setCurrentIndex(first_tab)
        if leftover:
            self._show_banner("\n".join(leftover.values()))

    def _show_banner(self, text: str) -> None:
        self.banner.setText(text)
        style.set_role(self.banner, "error")
        self.banner.show()

    def _update_title(self) -> None:
        if self._loaded.id is None:
            self.setWindowTitle(_("New hazard"))
        else:
            self.setWindowTitle(_("Hazard {reference}").format(reference=self._loaded.reference))
